/**
 * The library entry used by scripts/test262.mjs and the Vitest sample:
 * selects tests, runs their scenarios in the pool and gathers the results.
 */
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test262Root } from "./archive.mjs";
import { listTests, readMetadata, sample, scenarios } from "./metadata.mjs";
import { runPool } from "./pool.mjs";

/** The sample `npm test` runs: every SAMPLE_STEP-th scenario (about 1,900
 * of 39,000; see the README for its running time). */
export const SAMPLE_STEP = 20;

/**
 * @param {object} options
 * @param {string} [options.filter] substring a test path must contain
 * @param {number} [options.step] run every `step`th scenario only (the CI sample)
 * @param {number} [options.jobs] child processes
 * @param {(done: number, total: number) => void} [options.progress]
 * @returns {Promise<{ root: string, runs: Run[], skipped: { path: string, why: string }[] }>}
 *   one Run `{ path, scenario, plain, main?, oracle?, fiber? }` per scenario, sorted
 */
export async function runTest262({ filter, step = 1, jobs = availableParallelism(), progress = () => {} } = {}) {
  const root = test262Root();
  let tests = listTests(root);
  if (filter) tests = tests.filter((p) => p.includes(filter));
  let work = [];
  const skipped = [];
  for (const path of tests) {
    const meta = readMetadata(readFileSync(join(root, "test", path), "utf8"));
    const list = scenarios(meta);
    if (list.length === 0) skipped.push({ path, why: "CanBlockIsFalse (Node's main thread can block)" });
    for (const scenario of list) work.push({ path, scenario });
  }
  // Sampling scenarios, not tests: a sample never holds both the sloppy and
  // the strict run of one test, so it covers twice as many tests.
  work = sample(work, step);
  const runs = new Map(work.map((w) => [`${w.path} ${w.scenario}`, { ...w }]));
  let done = 0;
  await runPool(root, work, {
    jobs,
    onResult({ path, scenario, mode, result }) {
      runs.get(`${path} ${scenario}`)[mode] = result;
      if (mode === "plain") progress(++done, work.length);
    },
  });
  return { root, runs: [...runs.values()], skipped };
}
