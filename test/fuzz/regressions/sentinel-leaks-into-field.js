// Fixed (passes at 27981e9). Was: a class with a marked constructor ran its field initializers after `new` set the
// entry flag and before the prologue cleared it, so the arrow in the initializer returned the suspension
// sentinel, which became the field value. Field initializers are a documented boundary now: refused.
// boundaries
function main(p0, p1) {
  class C {
    p = (() => sw(1))();
    constructor() {}
  }
  return new C();
}
