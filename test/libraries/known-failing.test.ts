/**
 * Every repro in known-failing.json still reproduces exactly as recorded:
 * uncompiled, it gives `expected`; compiled with a module-level marking
 * directive, it gives `actual` (a result, a thrown error, or a compile
 * error). When the plugin is fixed, the repro's test fails: remove the repro
 * (after the library checks that refer to it pass and are removed too).
 * Each repro is referred to by at least one check, and each check by a repro.
 */
import Module from "node:module";
import { describe, expect, it } from "vitest";
import { known } from "./ratchet";
import { compile, fiberApi, withDirective } from "./library.mjs";
import { json, thrown } from "./compare.mjs";

function run(code: string): string {
  const file = "/fiberlet-repro.js";
  const m = new Module(file) as Module & { _compile(code: string, file: string): void };
  m.filename = file;
  const require = Module.createRequire(import.meta.url);
  (m as any).require = (r: string) => (r === "fiberlet" ? fiberApi() : require(r));
  try {
    m._compile(code, file);
    return json({ value: m.exports });
  } catch (e) {
    return json(thrown(e));
  }
}

function compiled(code: string): string {
  let out: string;
  try {
    out = compile(withDirective(code), "repro.js");
  } catch (e) {
    // Babel prefixes the file name (made absolute): leave it out.
    return `compile error: ${(e as Error).message.replace(/^.*?repro\.js: /, "")}`;
  }
  return run(out);
}

describe("known-failing.json", () => {
  it("every check refers to a repro, every repro is referred to", () => {
    const repros = Object.keys(known.repros);
    const used = new Set(Object.values(known.checks).map((c) => c.repro));
    expect([...used].filter((r) => !repros.includes(r))).toEqual([]);
    expect(repros.filter((r) => !used.has(r))).toEqual([]);
  });

  for (const [id, repro] of Object.entries(known.repros)) {
    it(`repro ${id}: ${repro.summary}`, () => {
      expect(run(repro.code), "uncompiled").toBe(repro.expected);
      const actual = compiled(repro.code);
      if (actual === repro.expected) {
        throw new Error(`repro "${id}" behaves like uncompiled code now: the bug is fixed. Re-run test/libraries, remove the checks that pass from known-failing.json, then this repro.`);
      }
      expect(actual, "compiled (update `actual` in known-failing.json if it changed)").toBe(repro.actual);
    });
  }
});
