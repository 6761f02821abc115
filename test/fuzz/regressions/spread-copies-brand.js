// The brand Symbol.for("fiberlet.marked") is an enumerable own property of marked functions, so
// object spread (and Object.assign) copies it into plain objects.
function main(p0, p1) {
  function f() {}
  return { ...f, s: sw(0) };
}
