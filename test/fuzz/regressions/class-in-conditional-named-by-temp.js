// An anonymous class in a conditional taken apart into an if (the call in the other branch) was
// assigned to the conditional's temp and took its name (_fb$t0).
// replies: [{"k":"same"}]
function main(p0, p1) {
  return (true ? class {} : e("1", 0)) ?? 0;
  sw(0);
  return 0;
}
