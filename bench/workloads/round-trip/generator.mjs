// Switch round trip with generators: `depth` generators chained by yield*,
// the innermost yields straight back. One op = one next() call.

function* echo(depth) {
  if (depth > 1) return (yield* echo(depth - 1)) + 0;
  let total = 0;
  for (;;) {
    const value = yield total;
    if (value < 0) return total;
    total += value;
  }
}

export function roundTrips(depth, n) {
  const chain = echo(depth);
  chain.next();
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum = (checksum + chain.next(i & 7).value) | 0;
  return checksum + chain.next(-1).value;
}
