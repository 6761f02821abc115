// Fixed (passes at e327c35). Was: A derived constructor returning a primitive must throw TypeError; after a switch it returns the instance.
function main(p0, p1) {
  class C extends Base {
    constructor() {
      super();
      return sw(0);
    }
  }
  return new C();
}
