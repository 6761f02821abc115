// Fixed (passes at e327c35). Was: `new F()` of a function that does not read `this`: after a switch it yields undefined instead of the new object.
function main(p0, p1) {
  function F() {
    sw(0);
  }
  return new F();
}
