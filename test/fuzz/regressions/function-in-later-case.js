// Fixed (passes at 27981e9). Was: A function declared in a later case: the resume copy turns it into a `let` of that case, so re-capturing
// from an earlier case reads it in its TDZ (ReferenceError).
function main(p0, p1) {
  switch (0) {
    case 0:
      sw(1);
      sw(2);
    case 1:
      function f() {}
  }
  return 0;
}
