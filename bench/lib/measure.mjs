// Child-process entry for the JavaScript peers: loads one prepared workload
// module, warms it up, measures it, and prints one JSON line (see child.mjs).
//
//   node bench/lib/measure.mjs '<spec json>'
//
// spec: { driver, file, entry, args, warmupArgs, warmup, warmupMs, reps, ops }
//   Warm-up calls the workload with warmupArgs (default: args) at least
//   `warmup` times and until warmupMs have passed, so the measured calls run
//   optimized code; then `reps` measured calls, of which the median counts.
//   driver "timed":      module[entry](...args) -> checksum (or a promise of
//                        one); reports ns per op, ops = spec.ops per call.
//   driver "population": module exports suspendAll(count, slots) and
//                        resumeAll(slots) -> checksum, args = [count]; reports
//                        ns per entity to create+suspend and to resume, and
//                        heap bytes per suspended entity (needs --expose-gc).
import { pathToFileURL } from "node:url";
import { median } from "./stats.mjs";

const now = () => process.hrtime.bigint();
const settle = async (value) => (value && typeof value.then === "function" ? await value : value);

async function warmUp(spec, call) {
  const deadline = Date.now() + (spec.warmupMs ?? 0);
  for (let i = 0; i < spec.warmup || Date.now() < deadline; i++) await call(spec.warmupArgs ?? spec.args);
}

async function timed(mod, spec) {
  const run = mod[spec.entry];
  if (typeof run !== "function") throw new Error(`${spec.file} does not export ${spec.entry}()`);
  await warmUp(spec, (args) => settle(run(...args)));
  const times = [];
  let checksum;
  for (let i = 0; i < spec.reps; i++) {
    const start = now();
    checksum = await settle(run(...spec.args));
    times.push(Number(now() - start) / spec.ops);
  }
  return { metrics: { time: median(times) }, checksum };
}

function collect() {
  // Two passes: the first can leave work for the second (weak refs, finalizers).
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function population(mod, spec) {
  if (typeof globalThis.gc !== "function") throw new Error("population driver needs --expose-gc");
  await warmUp(spec, async ([count]) => {
    const slots = new Array(count).fill(null);
    mod.suspendAll(count, slots);
    await settle(mod.resumeAll(slots));
  });
  const [count] = spec.args;
  // The slot array is allocated before the baseline so that only the
  // suspended entities themselves are counted.
  const slots = new Array(count).fill(null);
  const before = collect();
  const t0 = now();
  mod.suspendAll(count, slots);
  const t1 = now();
  const after = collect();
  const t2 = now();
  const checksum = await settle(mod.resumeAll(slots));
  const t3 = now();
  return {
    metrics: {
      create: Number(t1 - t0) / count,
      resume: Number(t3 - t2) / count,
      heap: (after - before) / count,
    },
    checksum,
  };
}

const drivers = { timed, population };

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const mod = await import(pathToFileURL(spec.file).href);
  const result = await drivers[spec.driver](mod, spec);
  console.log(JSON.stringify({ ok: true, ...result }));
}

main().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: String(err?.message ?? err).split("\n")[0] }));
  process.exitCode = 1;
});
