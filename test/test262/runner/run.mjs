/**
 * The library entry used by scripts/test262.mjs and the Vitest sample:
 * selects tests, runs their scenarios in the pool and gathers the results.
 */
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test262Root } from "./archive.mjs";
import { listTests, readMetadata, scenarios } from "./metadata.mjs";
import { runPool } from "./pool.mjs";

/** The sample `npm test` runs: every SAMPLE_STEP-th scenario, 1,620 of the
 * suite's 40,484 (of 1,620 tests: the two runs of a test are neighbours).
 * The plugin's compile time sets the size: about 2.5 minutes on 2 cores. */
export const SAMPLE_STEP = 25;

/**
 * @param {object} options
 * @param {string} [options.filter] substring a test path must contain
 * @param {number} [options.step] run every `step`th scenario only (the CI sample)
 * @param {number} [options.offset] ...starting from this one (a shard of a split run)
 * @param {number} [options.jobs] child processes
 * @param {(done: number, total: number) => void} [options.progress]
 * @returns {Promise<{ root: string, runs: Run[], skipped: { path: string, why: string }[] }>}
 *   one Run `{ path, scenario, index, plain, main?, oracle?, fiber? }` per scenario, sorted;
 *   `index` is the scenario's place in the whole suite's sorted list
 */
export async function runTest262({ filter, step = 1, offset = 0, jobs = availableParallelism(), progress = () => {} } = {}) {
  const root = test262Root();
  const all = allScenarios(root);
  // Sampling scenarios, not tests: a sample never holds both the sloppy and
  // the strict run of one test, so it covers twice as many tests. Indexes
  // count the whole suite, so a filtered sample is part of the sample.
  const work = all.scenarios.filter((s) => s.index % step === offset && (!filter || s.path.includes(filter)));
  const skipped = all.skipped.filter((s) => !filter || s.path.includes(filter));
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

/** Every scenario of the suite, numbered in order, and the tests with none. */
export function allScenarios(root) {
  const scenarioList = [];
  const skipped = [];
  for (const path of listTests(root)) {
    const list = scenarios(readMetadata(readFileSync(join(root, "test", path), "utf8")));
    if (list.length === 0) skipped.push({ path, why: "CanBlockIsFalse (Node's main thread can block)" });
    for (const scenario of list) scenarioList.push({ path, scenario, index: scenarioList.length });
  }
  return { scenarios: scenarioList, skipped };
}
