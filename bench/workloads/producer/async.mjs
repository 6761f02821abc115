// Producer/consumer with async/await: the producer hands each value to the
// consuming loop through promises (see fiber.mjs for the two variants).
import { Handoff } from "../shared/handoff.mjs";

const DONE = -1;

async function emit(handoff, depth, n) {
  if (depth > 1) return emit(handoff, depth - 1, n);
  for (let i = 0; i < n; i++) await handoff.reply(i & 1023);
  handoff.finish(DONE);
}

async function descend(handoff, depth, value) {
  if (depth > 1) return (await descend(handoff, depth - 1, value)) + 1;
  await handoff.reply(value);
  return 1;
}

async function emitFresh(handoff, depth, n) {
  let frames = 0;
  for (let i = 0; i < n; i++) frames += await descend(handoff, depth, i & 1023);
  handoff.finish(frames === n * depth ? DONE : -2);
}

async function consume(handoff, producer) {
  let sum = 0;
  for (let value = await handoff.start(producer); value !== DONE; value = await handoff.send()) {
    sum = (sum + value) | 0;
  }
  return sum;
}

export function produceAt(depth, n) {
  const handoff = new Handoff();
  return consume(handoff, () => emit(handoff, depth, n));
}

export function produceFresh(depth, n) {
  const handoff = new Handoff();
  return consume(handoff, () => emitFresh(handoff, depth, n));
}
