// Fixed (passes at e327c35). Was: A for-of body redeclares the loop variable: the plugin throws "Duplicate declaration".
function main(p0, p1) {
  for (let x of [1]) {
    let x = 2;
  }
  return sw(0);
}
