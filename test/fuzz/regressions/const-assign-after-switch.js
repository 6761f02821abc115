// Fixed (passes at e327c35). Was: Assigning a const after a switch succeeds in the resumed frame instead of throwing TypeError.
function main(p0, p1) {
  const x = 1;
  sw(0);
  x = 2;
  return x;
}
