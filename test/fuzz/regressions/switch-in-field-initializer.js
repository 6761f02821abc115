// A switch inside a class field initializer is refused (a documented boundary at 27981e9) and
// the program goes on exactly like the plain run.
// boundaries
function main(p0, p1) {
  class C {
    p = (() => sw(1))();
  }
  return new C();
}
