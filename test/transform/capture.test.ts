// Saving frames (babel-plugin/capture.ts): each program in fixtures/capture
// runs plain, compiled on the main fiber and compiled inside a fiber that
// really switches at every sw() (the fuzz harness's three runs; the oracle
// is the plain run). They resume frames captured again and again, where the
// writer leaves settled slots out and saves the others.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../fuzz/harness.mjs";
import { parseRegression } from "../fuzz/regressions.mjs";

const DIR = new URL("./fixtures/capture/", import.meta.url);

describe("frames saved by the capture helpers resume as written", () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".js")).sort()) {
    it(file.slice(0, -3), () => {
      const verdict = check(parseRegression(readFileSync(new URL(file, DIR), "utf8")));
      expect(verdict.kind === "ok" ? "ok" : JSON.stringify(verdict, null, 1)).toBe("ok");
    });
  }
});
