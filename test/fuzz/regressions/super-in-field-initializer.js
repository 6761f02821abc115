// Fixed (passes at 27981e9). Was: super in a class field initializer is taken for super of the enclosing marked function:
// its capture record gets a `super[k]` accessor where super is not allowed.
function main(p0, p1) {
  class C extends Base {
    p = super.bm(1);
  }
  return sw(new C());
}
