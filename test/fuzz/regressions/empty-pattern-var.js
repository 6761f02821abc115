// Fixed (passes at e327c35). Was: An empty array pattern in a var declaration: the resume copy declares `var ;`.
function main(p0, p1) {
  var [] = [];
  return sw(1);
}
