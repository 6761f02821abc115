/**
 * Every repro in known-failing.json still reproduces exactly as recorded:
 * uncompiled, it gives `expected`; compiled with a module-level marking
 * directive, it gives `actual` (a result, a thrown error, or a compile
 * error). When the plugin is fixed, the repro's test fails: remove the repro
 * (after the library checks that refer to it pass and are removed too).
 * Each repro is referred to by at least one check, and each check by a repro;
 * a repro `hiddenBehind` another is a failure that no check can show until
 * that other one is fixed (found by working around it locally).
 *
 * A repro with `"fiber": true` runs in a fiber: `require("harness")` gives
 * it `inFiber(thisArg, fn, args)` and `pause(value)` (fixtures/drive.js,
 * compiled: pause really suspends the fiber and resumes it). Uncompiled,
 * the harness calls fn directly and pause returns its argument, which is
 * what a suspension that is invisible must look like.
 */
import Module from "node:module";
import { describe, expect, it } from "vitest";
import { known } from "./ratchet";
import { compile, fiberApi, loadFixture, withDirective } from "./library.mjs";
import { json, thrown } from "./compare.mjs";

const plainHarness = {
  pause: (value: unknown) => value,
  inFiber: (thisArg: unknown, fn: Function, args: unknown[]) => ({ value: fn.apply(thisArg, args) }),
};

function run(code: string, harness: object): string {
  const file = "/fiberlet-repro.js";
  const m = new Module(file) as Module & { _compile(code: string, file: string): void };
  m.filename = file;
  const require = Module.createRequire(import.meta.url);
  (m as any).require = (r: string) => (r === "harness" ? harness : r === "fiberlet" ? fiberApi() : require(r));
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
  return run(out, loadFixture("drive.js"));
}

describe("known-failing.json", () => {
  it("every check refers to a repro, every repro is referred to (or hidden behind one that is)", () => {
    const repros = Object.keys(known.repros);
    const used = new Set(Object.values(known.checks).map((c) => c.repro));
    expect([...used].filter((r) => !repros.includes(r))).toEqual([]);
    const unused = repros.filter((r) => !used.has(r) && !(known.repros[r].hiddenBehind && used.has(known.repros[r].hiddenBehind)));
    expect(unused).toEqual([]);
  });

  for (const [id, repro] of Object.entries(known.repros)) {
    it(`repro ${id}: ${repro.summary}`, () => {
      expect(run(repro.code, plainHarness), "uncompiled").toBe(repro.expected);
      const actual = compiled(repro.code);
      if (actual === repro.expected) {
        throw new Error(`repro "${id}" behaves like uncompiled code now: the bug is fixed. Re-run test/libraries, remove the checks that pass from known-failing.json, then this repro.`);
      }
      expect(actual, "compiled (update `actual` in known-failing.json if it changed)").toBe(repro.actual);
    });
  }
});
