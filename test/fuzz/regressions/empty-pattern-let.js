// Fixed (passes at e327c35). Was: An empty object pattern in a let declaration: the resume copy declares `let ;`.
function main(p0, p1) {
  let {} = {};
  return sw(1);
}
