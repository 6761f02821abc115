// Switch round trip with async/await: the innermost of `depth` async
// functions hands each value back to main through a pair of promises.
import { Handoff } from "../shared/handoff.mjs";

async function echo(handoff, depth) {
  if (depth > 1) return (await echo(handoff, depth - 1)) + 0;
  let total = 0;
  let value = await handoff.reply(total);
  while (value >= 0) {
    total += value;
    value = await handoff.reply(total);
  }
  handoff.finish(total);
  return total;
}

export async function roundTrips(depth, n) {
  const handoff = new Handoff();
  await handoff.start(() => echo(handoff, depth));
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum = (checksum + (await handoff.send(i & 7))) | 0;
  return checksum + (await handoff.send(-1));
}
