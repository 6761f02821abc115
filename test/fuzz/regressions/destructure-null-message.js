// V8 names the destructured expression in its message; the compiled code shows a temp.
// replies: [{"k":"val","v":null}]
function main(p0, p1) {
  let { ...x } = sw(0);
  return x;
}
