// Fixed (passes at e327c35). Was: `new main()`: after a switch, the resumed frame returns 0 instead of the new object.
// new
function main(p0, p1) {
  return sw(0);
}
