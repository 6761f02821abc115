// The warm-up and timing loop shared by the children that time a call
// (lib/measure.mjs, workloads/libraries/measure.mjs).
//
// spec: { args, warmupArgs, warmup, warmupMs, reps, ops }
//   Warm-up calls with warmupArgs (default: args) at least `warmup` times and
//   until warmupMs have passed, so the measured calls run optimized code;
//   then `reps` measured calls, of which the median counts, in ns per op
//   (ops = spec.ops per call).
import { median } from "./stats.mjs";

const now = () => process.hrtime.bigint();
const settle = async (value) => (value && typeof value.then === "function" ? await value : value);

export async function warmUp(spec, call) {
  const deadline = Date.now() + (spec.warmupMs ?? 0);
  for (let i = 0; i < spec.warmup || Date.now() < deadline; i++) await settle(call(spec.warmupArgs ?? spec.args));
}

// call(args) -> checksum (or a promise of one). Returns { time, checksum }.
export async function timeCalls(spec, call) {
  await warmUp(spec, call);
  const times = [];
  let checksum;
  for (let i = 0; i < spec.reps; i++) {
    const start = now();
    checksum = await settle(call(spec.args));
    times.push(Number(now() - start) / spec.ops);
  }
  return { time: median(times), checksum };
}
