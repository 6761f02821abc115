"use fiber";
// Producer/consumer: a fiber produces values into main's consuming loop.
// produceAt: every value is switched out from the same frame, `depth` marked
// frames deep. produceFresh: every value comes from a fresh descent of
// `depth` frames that returns after its switch. One op = one value.
import { Fiber, current } from "fiberlet";

const DONE = -1;

function emit(consumer, depth, n) {
  if (depth > 1) return emit(consumer, depth - 1, n);
  for (let i = 0; i < n; i++) consumer.switch(i & 1023);
  return DONE;
}

function descend(consumer, depth, value) {
  if (depth > 1) return descend(consumer, depth - 1, value) + 1;
  consumer.switch(value);
  return 1;
}

function emitFresh(consumer, depth, n) {
  let frames = 0;
  for (let i = 0; i < n; i++) frames += descend(consumer, depth, i & 1023);
  return frames === n * depth ? DONE : -2;
}

function consume(fiber) {
  let sum = 0;
  for (let value = fiber.switch(); value !== DONE; value = fiber.switch()) sum = (sum + value) | 0;
  return sum;
}

export function produceAt(depth, n) {
  return consume(new Fiber(emit, [current(), depth, n]));
}

export function produceFresh(depth, n) {
  return consume(new Fiber(emitFresh, [current(), depth, n]));
}
