// Child-process entry for the JavaScript peers: loads one prepared workload
// module, warms it up, measures it, and prints one JSON line (see child.mjs).
//
//   node bench/lib/measure.mjs '<spec json>'
//
// spec: { driver, file, entry, args, warmupArgs, warmup, warmupMs, reps, ops }
//   Warm-up and measured calls as in timing.mjs.
//   driver "timed":      module[entry](...args) -> checksum (or a promise of
//                        one); reports ns per op, ops = spec.ops per call.
//   driver "population": module exports suspendAll(count, slots) and
//                        resumeAll(slots) -> checksum, args = [count]; reports
//                        ns per entity to create+suspend and to resume, and
//                        heap bytes per suspended entity (needs --expose-gc).
import { pathToFileURL } from "node:url";
import { timeCalls, warmUp } from "./timing.mjs";

const now = () => process.hrtime.bigint();
const settle = async (value) => (value && typeof value.then === "function" ? await value : value);

async function timed(mod, spec) {
  const run = mod[spec.entry];
  if (typeof run !== "function") throw new Error(`${spec.file} does not export ${spec.entry}()`);
  const { time, checksum } = await timeCalls(spec, (args) => run(...args));
  return { metrics: { time }, checksum };
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
