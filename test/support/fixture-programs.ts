// Runs each program of a fixture directory (a `main(p0, p1)` that calls
// sw() where it may switch) through the fuzz harness's three runs: plain
// (the oracle), compiled on the main fiber, and compiled in a fiber that
// really switches at every sw(). One test per file.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../fuzz/harness.mjs";
import { parseRegression } from "../fuzz/regressions.mjs";

export function describeFixturePrograms(title: string, dir: URL): void {
  describe(title, () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
      it(file.slice(0, -3), () => {
        const verdict = check(parseRegression(readFileSync(new URL(file, dir), "utf8")));
        expect(verdict.kind === "ok" ? "ok" : JSON.stringify(verdict, null, 1)).toBe("ok");
      });
    }
  });
}
