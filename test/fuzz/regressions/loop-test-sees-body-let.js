// Fixed (passes at e327c35). Was: The lowered while test runs inside the body block, so it reads the body's `let p0` (TDZ) instead of the parameter.
function main(p0, p1) {
  while (fuel() && p0) {
    let p0;
  }
  return sw(p0);
}
