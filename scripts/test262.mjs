// test262 conformance of the transform (test/test262/README.md): runs the
// selected tests plain, compiled on the main fiber and compiled inside a
// fiber, prints the counts and checks the expected-failure lists.
//
//   node scripts/test262.mjs [--filter <substring>] [--jobs N] [--json out.json]
//                            [--update-expected] [--sample | --shard K/N]
//                            [--dist <dir>] [--from a.json,b.json,...] [--repros]
//
// --sample runs the fixed sample of `npm test`; --shard K/N runs every Nth
// scenario from the Kth (to split a full run); --dist tests another build of
// dist/ (the default is this repository's, built by `npm run build`); --from
// reads the runs that earlier --json runs saved (the shards of a split run,
// say) instead of running anything; --repros only runs each failure
// category's minimal repro plain and compiled, to see which bugs remain.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    filter: { type: "string" },
    jobs: { type: "string" },
    json: { type: "string" },
    "update-expected": { type: "boolean" },
    sample: { type: "boolean" },
    shard: { type: "string" },
    dist: { type: "string" },
    from: { type: "string" },
    repros: { type: "boolean" },
  },
});
// Read by the runner modules and inherited by their child processes.
if (opts.dist) process.env.FIBERLET_TEST262_DIST = resolve(opts.dist);
process.env.FIBERLET_BACKEND = "continuation"; // every fiber stackless, as in the pool

if (opts.repros) {
  const { checkRepros } = await import("../test/test262/runner/repros.mjs");
  const rows = checkRepros();
  for (const r of rows) console.log(`${r.reproduces ? "still fails" : "fixed      "}  ${r.id}\n    plain:    ${r.plain}\n    compiled: ${r.compiled}`);
  process.exit(0);
}

const { runTest262, SAMPLE_STEP } = await import("../test/test262/runner/run.mjs");
const { compare, readExpected, updateExpected, verdicts } = await import("../test/test262/runner/ratchet.mjs");
const { formatSummary, summarize } = await import("../test/test262/runner/report.mjs");

function selection() {
  if (opts.sample) return { filter: opts.filter, step: SAMPLE_STEP, offsets: [0] };
  if (opts.shard) {
    const [k, n] = opts.shard.split("/").map(Number);
    if (!(n > 0 && k >= 0 && k < n)) throw new Error(`--shard K/N with 0 <= K < N, not ${opts.shard}`);
    return { filter: opts.filter, step: n, offsets: [k] };
  }
  return { filter: opts.filter, step: 1, offsets: [0] };
}

/** Earlier runs, merged: their selections must be shards of one split. */
function load(files) {
  const parts = files.split(",").map((f) => JSON.parse(readFileSync(f, "utf8")));
  const { filter, step } = parts[0].selection;
  if (parts.some((p) => p.selection.filter !== filter || p.selection.step !== step)) {
    throw new Error("--from: the files are not shards of one run (different --filter or shard count)");
  }
  const runs = parts.flatMap((p) => p.runs).sort((a, b) => a.index - b.index);
  return {
    root: parts[0].root,
    selection: { filter, step, offsets: parts.flatMap((p) => p.selection.offsets) },
    runs,
    skipped: parts.flatMap((p) => p.skipped),
  };
}

const started = Date.now();
let out;
if (opts.from) out = load(opts.from);
else {
  const sel = selection();
  const run = await runTest262({
    filter: sel.filter,
    step: sel.step,
    offset: sel.offsets[0],
    jobs: opts.jobs ? Number(opts.jobs) : undefined,
    progress(done, total) {
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} scenarios`);
      else if (done % 1000 === 0 || done === total) process.stderr.write(`${done}/${total} scenarios\n`);
    },
  });
  out = { selection: sel, ...run };
  if (process.stderr.isTTY) process.stderr.write("\n");
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);

console.log(formatSummary(summarize(out.runs)));
if (out.skipped.length) console.log(`\n${out.skipped.length} tests not run: ${[...new Set(out.skipped.map((s) => s.why))].join("; ")}`);
console.log(`\n${out.runs.length} scenarios in ${seconds} s`);

const results = verdicts(out.runs);
if (opts.json) writeFileSync(opts.json, JSON.stringify(out, null, 1));
if (opts["update-expected"]) {
  const sourceOf = (path) => readFileSync(join(out.root, "test", path), "utf8");
  const n = updateExpected(results, { selection: out.selection, sourceOf });
  console.log(`wrote expected-failures.json (${n.failures} runs) and refusals.json (${n.refusals} runs), covering every ${n.coverage.step === 1 ? "" : `${n.coverage.step}th `}scenario`);
} else {
  const { problems, uncovered } = compare(results, readExpected(), out.selection);
  for (const p of problems) console.log(p);
  if (uncovered.length) console.log(`\n${uncovered.length} failing or refused runs are outside the lists' coverage (not checked); --update-expected on a full run lists them`);
  console.log(problems.length ? `\n${problems.length} disagreements with the expected lists` : "\nagrees with the expected lists");
  process.exitCode = problems.length ? 1 : 0;
}
