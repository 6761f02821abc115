"use fiber";
// No-switch overhead: a hot loop of small calls with several locals live
// across every call site, the case where a resumable frame has the most
// state it could be asked to save.

function mix(h, v) {
  h ^= v;
  return Math.imul(h, 0x01000193) >>> 0;
}

function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

function step(state, i) {
  const a = mix(state, i);
  const b = clamp(a & 0xffff, 16, 60000);
  const c = mix(b, a >>> 16);
  return (a ^ c) >>> 0;
}

export function run(n) {
  let hash = 2166136261;
  let sum = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    hash = step(hash, i);
    const bucket = clamp(hash & 1023, 100, 900);
    if (bucket < 500) low += mix(bucket, i) & 7;
    else high += mix(bucket, low) & 7;
    sum = (sum + bucket + low - high) | 0;
  }
  return (sum ^ low ^ high) >>> 0;
}
