// test262 conformance of the transform on a fixed sample (test/test262/README.md):
// every sampled scenario that passes plain must pass compiled on the main
// fiber and compiled inside a switching fiber, except the runs listed in
// expected-failures.json and refusals.json, and no listed run may pass.
// The full suite: `node scripts/test262.mjs`.
import { expect, it } from "vitest";
import { SAMPLE_STEP, runTest262 } from "./runner/run.mjs";
import { compare, readExpected, verdicts } from "./runner/ratchet.mjs";
import { formatSummary, summarize } from "./runner/report.mjs";

it("test262 sample: compiled runs agree with the engine, but for the listed failures and refusals", async () => {
  const out = await runTest262({ step: SAMPLE_STEP });
  const { problems } = compare(verdicts(out.runs), readExpected(), { step: SAMPLE_STEP, offsets: [0] });
  if (problems.length) {
    console.log(formatSummary(summarize(out.runs)));
    console.log(problems.join("\n"));
  }
  expect(problems.slice(0, 50), `${problems.length} disagreements (first 50 shown); details above`).toEqual([]);
}, 30 * 60_000);
