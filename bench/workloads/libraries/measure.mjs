// Child-process entry for the real-library rows (protocol: bench/lib/child.mjs).
//
//   node bench/workloads/libraries/measure.mjs '<spec json>'
//
// spec: { library, compiled, args, warmup, warmupMs, reps, ops, size, prepare }
// Loads `library` (workloads.mjs) plain or compiled through the library
// suite's loader, which compiles against the repository's dist/ and shares
// its compile cache with the tests (compiling these libraries takes minutes;
// after `npm run test:slow` a bench run compiles nothing), then times
// run(api, input(args[0])) as bench/lib/timing.mjs does, on the main fiber.
//   spec.size     also report the gzip size of the code the library ran as,
//                 summed over its modules (as the suite's measure.mjs sums)
//   spec.prepare  only load (compiling what the cache lacks) and report how
import Module from "node:module";
import { sep } from "node:path";
import { gzipSync } from "node:zlib";
import { createLoader, totalStats } from "../../../test/libraries/library.mjs";
import { timeCalls } from "../../lib/timing.mjs";
import { workloads } from "./workloads.mjs";

// The text each module of the library was run as, plain or compiled. The
// suite's loader keeps its module cache to itself; the one method it calls
// per module sees both copies the same way.
function recordModules(root) {
  const texts = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (code, filename) {
    if (filename.startsWith(root + sep)) texts.push(code);
    return compile.call(this, code, filename);
  };
  return { texts, stop: () => (Module.prototype._compile = compile) };
}

function describeCompile(stats) {
  const total = totalStats(stats);
  const compiled = stats.filter((s) => !s.cached);
  if (!compiled.length) return `${total.files} file(s) from the compile cache`;
  const seconds = compiled.reduce((sum, s) => sum + s.compileMs, 0) / 1000;
  return `${compiled.length} of ${total.files} file(s) compiled in ${seconds.toFixed(1)} s`;
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const workload = workloads[spec.library];
  if (!workload) throw new Error(`no library workload ${spec.library}`);
  const recorder = recordModules(workload.root);
  const loader = createLoader({ compiled: spec.compiled, root: workload.root });
  const api = workload.load(loader);
  recorder.stop();
  if (spec.prepare) {
    console.log(JSON.stringify({ ok: true, metrics: {}, info: describeCompile(loader.stats) }));
    return;
  }
  const input = workload.input(spec.args[0]);
  const { time, checksum } = await timeCalls(spec, () => workload.run(api, input));
  const metrics = { time };
  if (spec.size) metrics.size = recorder.texts.reduce((sum, text) => sum + gzipSync(text).length, 0);
  console.log(JSON.stringify({ ok: true, metrics, checksum }));
}

main().catch((err) => {
  console.log(JSON.stringify({ ok: false, error: String(err?.message ?? err).split("\n")[0] }));
  process.exitCode = 1;
});
