// A labeled loop with a marked function (with a call site) in its head, here the update; the same for
// while/do-while tests and for-in/for-of iterated values: the plugin wraps the loop in a block for the
// function's resume function and leaves the label on the block, so `continue L` no longer names a loop
// (the emitted code does not parse). New at 27981e9; passes at e327c35.
function main(p0, p1) {
  L: for (let i = 0; i < 2; () => sw(0)) {
    i++;
    continue L;
  }
  return sw(1);
}
