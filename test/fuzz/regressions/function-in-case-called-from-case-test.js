// A switch whose case tests contain calls is taken apart (the tests run before the switch block);
// a function declared in a case and called from a case test must exist (and be branded) by then.
// replies: [{"k":"val","v":0}]
function main(p0, p1) {
  switch (0) {
    case sw(f1`a`):
    default:
      function f1() {}
  }
  return 0;
}
