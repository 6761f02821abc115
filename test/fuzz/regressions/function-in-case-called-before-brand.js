// A function declared in a case is branded by a statement at the start of its case, so a call that
// reads the brand (here f.call) from an earlier case finds none, and the switch is refused.
function main(p0, p1) {
  switch (1) {
    case 1:
      return f.call(null);
    case 0:
      function f() {
        return sw(0);
      }
  }
}
