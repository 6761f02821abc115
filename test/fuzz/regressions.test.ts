// The fuzzer's minimal programs (test/fuzz/regressions/*.js), each run plain,
// compiled, and compiled inside a switching fiber. Those listed in
// known-failing.json must still fail (with the recorded kind of failure): one
// that passes means a fix landed, and its entry (and its feature's, once
// none is left) must be removed so that CI fuzzes that feature again.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { check } from "./harness.mjs";
import { describeFailure, isFailure } from "./campaign.mjs";
import { REGRESSIONS_DIR, readKnownFailing, readRegressions } from "./regressions.mjs";

const known = readKnownFailing();
const regressions = readRegressions();

describe("fuzz regressions", () => {
  it("known-failing.json is consistent with the regression files", () => {
    for (const [feature, entry] of Object.entries(known.features)) {
      expect(entry.because.length, `${feature} lists no regression`).toBeGreaterThan(0);
      for (const name of entry.because) expect(Object.keys(known.regressions), `${feature}: ${name}`).toContain(name);
    }
    for (const name of Object.keys(known.regressions)) {
      expect(existsSync(new URL(`${name}.js`, REGRESSIONS_DIR)), `regressions/${name}.js`).toBe(true);
    }
  });

  for (const { name, program } of regressions) {
    const entry = known.regressions[name];
    it(entry ? `${name} (known failing)` : name, () => {
      const verdict = check(program);
      const report = () => describeFailure({ signature: verdict.kind, program, verdict });
      if (!entry) {
        expect(verdict.kind === "ok" ? "ok" : report()).toBe("ok");
        return;
      }
      expect(isFailure(verdict), `${name} passes now: remove it from known-failing.json`).toBe(true);
      expect(verdict.kind, `${name} fails differently now:\n${report()}`).toBe(entry.kind);
    });
  }
});
