// The same loop after a switch in the try block: the switches inside next() are refused
// (FiberError) although every frame is marked.
function main(p0, p1) {
  const it = { i: 0, [Symbol.iterator]() { return this; }, next() { sw(2); return { value: 0, done: this.i++ > 0 }; } };
  try {
    sw(1);
  } finally {
    for (const x of it) {}
  }
  return 0;
}
