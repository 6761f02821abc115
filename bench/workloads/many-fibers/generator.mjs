// Many suspended generator chains: each chain is three generators linked by
// yield*, suspended at the innermost yield until resumeAll finishes it.

function* park(seed) {
  const wake = yield seed;
  return seed + wake;
}

function* middle(seed) {
  return (yield* park(seed)) + 1;
}

function* top(seed) {
  return (yield* middle(seed)) + 1;
}

export function suspendAll(count, slots) {
  for (let i = 0; i < count; i++) {
    const chain = top(i & 1023);
    chain.next();
    slots[i] = chain;
  }
}

export function resumeAll(slots) {
  let checksum = 0;
  for (let i = 0; i < slots.length; i++) {
    checksum = (checksum + slots[i].next(1).value) | 0;
    slots[i] = null;
  }
  return checksum;
}
