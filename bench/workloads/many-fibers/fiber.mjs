"use fiber";
// Many fibers: each fiber descends three marked frames and switches back to
// main, where it stays suspended until resumeAll finishes it.
import { Fiber, current } from "fiberlet";

function park(main, seed) {
  const wake = main.switch(seed);
  return seed + wake;
}

function middle(main, seed) {
  return park(main, seed) + 1;
}

function top(main, seed) {
  return middle(main, seed) + 1;
}

export function suspendAll(count, slots) {
  const main = current();
  for (let i = 0; i < count; i++) {
    const fiber = new Fiber(top, [main, i & 1023]);
    fiber.switch();
    slots[i] = fiber;
  }
}

export function resumeAll(slots) {
  let checksum = 0;
  for (let i = 0; i < slots.length; i++) {
    checksum = (checksum + slots[i].switch(1)) | 0;
    slots[i] = null;
  }
  return checksum;
}
