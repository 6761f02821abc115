// An anonymous class expression moved into a temp takes the temp's name (_fb$t0).
function main(p0, p1) {
  return sw(class {});
}
