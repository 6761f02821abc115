// A const bound by an array pattern is assignable even without a switch.
function main(p0, p1) {
  const [b] = [1];
  sw(0);
  b = 2;
  return b;
}
