"use fiber";
// Switch round trip: main switches into a fiber whose stack is `depth` marked
// frames deep; the innermost frame switches straight back. One op = one
// round trip.
import { Fiber, current } from "fiberlet";

function echo(main, depth) {
  if (depth > 1) return echo(main, depth - 1) + 0;
  let total = 0;
  for (;;) {
    const value = main.switch(total);
    if (value < 0) return total;
    total += value;
  }
}

export function roundTrips(depth, n) {
  const fiber = new Fiber(echo, [current(), depth]);
  fiber.switch();
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum = (checksum + fiber.switch(i & 7)) | 0;
  return checksum + fiber.switch(-1);
}
