// Fixed (passes at e327c35). Was: A logical assignment names an anonymous function after its target (NamedEvaluation); the compiled
// code loses the name. Same for a computed key: { ["k" + 1]: () => {} } names it "k1".
function main(p0, p1) {
  let z;
  z ??= function () {};
  const o = { ["k" + 1]: () => {} };
  return [z.name, o.k1.name, sw(0)];
}
