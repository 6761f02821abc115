// `this` in an object method's computed key belongs to the enclosing frame; after a resume the
// key read the resumed copy's undefined instead of the saved this.
// replies: [{"k":"same"}]
function main(p0, p1) {
  sw(0);
  return {
    [this]() {}
  };
}
