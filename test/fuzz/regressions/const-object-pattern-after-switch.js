// A const bound by an object pattern stays assignable in the resume copy (plain const ids are fixed).
function main(p0, p1) {
  const { a } = { a: 1 };
  sw(0);
  a = 2;
  return a;
}
