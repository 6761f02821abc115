// Fixed (passes at 27981e9). Was: V8 quotes the callee in "is not a function"; the compiled call names a temp.
// replies: [{"k":"val","v":1}]
function main(p0, p1) {
  return sw(1)(2);
}
