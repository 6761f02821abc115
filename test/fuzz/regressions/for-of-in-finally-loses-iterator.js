// A for-of over a marked iterator inside a finally block: after a switch in next(), the resumed
// finally code evaluates the iterable again from a variable the capture did not save (undefined).
function main(p0, p1) {
  const it = { i: 0, [Symbol.iterator]() { return this; }, next() { sw(2); return { value: 0, done: this.i++ > 0 }; } };
  try {
  } finally {
    for (const x of it) {}
  }
  return 0;
}
