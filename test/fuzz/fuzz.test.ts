// Differential fuzzing of the transform (see test/fuzz/README.md): random
// programs from a fixed seed, with every grammar feature that is not listed
// in known-failing.json, each run plain, compiled, and compiled inside a
// switching fiber. Any difference fails with the shrunk program.
import { describe, expect, it } from "vitest";
import { ALL_FEATURES, FEATURES } from "./grammar.mjs";
import { campaign, describeFailure } from "./campaign.mjs";
import { readKnownFailing } from "./regressions.mjs";

const SEED = 20_251_201;
// About a minute and a half of one core with the plugin at e327c35: compiling
// dominates (60-100 ms per program). FIBERLET_FUZZ_RUNS runs more.
const RUNS = Number(process.env.FIBERLET_FUZZ_RUNS ?? 1000);

const known = readKnownFailing();
const enabled = ALL_FEATURES.filter((f) => !(f in known.features));

describe("differential fuzzing of the transform", () => {
  it("known-failing.json only names grammar features", () => {
    for (const f of Object.keys(known.features)) expect(Object.keys(FEATURES)).toContain(f);
  });

  it(`${RUNS} programs behave the same plain, compiled, and switching`, () => {
    const { stats, failure } = campaign({ seed: SEED, runs: RUNS, features: enabled });
    expect(failure && describeFailure(failure)).toBeNull();
    // A run that does not switch (or only skips) proves nothing.
    expect(stats.switches).toBeGreaterThan(RUNS);
    expect(stats.skipped).toBeLessThan(RUNS * 0.05);
  }, 900_000);
});
