/**
 * lodash compiled with every function marked must compute exactly what the
 * original computes. lodash is loaded from its per-method CommonJS modules
 * (lodash/chunk.js and everything it requires, compiled file by file), not
 * from the single 540 KB lodash.js, which takes about two minutes to
 * compile; it is the same code. fixtures/lodash-battery.js runs ~100 lodash
 * functions on data from real package.json files; each of its cases is one
 * check on the main fiber and one inside a stackless fiber, where every
 * iteratee, predicate and customizer pauses (suspending the fiber inside
 * lodash's compiled loops).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect } from "vitest";
import { check, checkListedRan } from "./ratchet";
import { COMPILE_TIMEOUT, libraryUnderTest } from "./setup";
import { createLoader, libraries, loadFixture } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { firstDifference, json, thrown } from "./compare.mjs";

const PACKAGES = 40;

const batterySource = readFileSync(new URL("./fixtures/lodash-battery.js", import.meta.url), "utf8");
/** The lodash functions the battery calls, each from its own module. */
const methods = [...new Set([...batterySource.matchAll(/_\.(\w+)\(/g)].map((m) => m[1]))].sort();

const lodash = libraryUnderTest("lodash", (compiled) => {
  const loader = createLoader({ compiled, root: libraries.lodash });
  const _: Record<string, unknown> = {};
  for (const m of methods) _[m] = loader.load(join(libraries.lodash, `${m}.js`));
  return { exports: _, stats: loader.stats };
});
const drive = loadFixture("drive.js");
const packages = pick(/\/package\.json$/, { count: PACKAGES, minBytes: 300 }).map((f: { text: string }) => JSON.parse(f.text));

type Case = [string, () => unknown];
/** The battery run by itself uncompiled on uncompiled lodash: the oracle. */
const plainBattery = loadFixture("lodash-battery.js", { compiled: false });
/** The battery compiled, so that its callbacks can pause. */
const markedBattery = loadFixture("lodash-battery.js");
const caseNames: string[] = plainBattery({ cloneDeep: (x: unknown) => x }, [], (x: unknown) => x).map((c: Case) => c[0]);

const observe = (fn: () => unknown) => {
  try {
    return json(fn());
  } catch (e) {
    return json(thrown(e));
  }
};

let expected: Map<string, string>;
beforeAll(() => {
  expected = new Map(plainBattery(lodash.plain(), packages, (x: unknown) => x).map(([name, fn]: Case) => [name, observe(fn)]));
  // The oracle itself must work: no case of the battery throws.
  expect([...expected].filter(([, v]) => v.includes('"threw"'))).toEqual([]);
}, COMPILE_TIMEOUT);

function runCase(name: string, inFiber: boolean): void {
  const cases: Case[] = markedBattery(lodash.compiled(), packages, inFiber ? drive.pause : (x: unknown) => x);
  const fn = cases.find((c) => c[0] === name)![1];
  const actual = observe(() => {
    if (!inFiber) return fn();
    const r = drive.inFiber(null, fn, []);
    expect(r.kind).toBe("stackless");
    fiberPauses += r.pauses;
    return r.value;
  });
  const d = firstDifference(expected.get(name)!, actual, 40);
  if (d !== null) throw new Error(`${name}: differs from uncompiled lodash ${d}${actual.startsWith('{"threw"') ? `\ncompiled threw: ${actual}` : ""}`);
}
let fiberPauses = 0;

describe("lodash", () => {
  check("lodash: compile and load", () => lodash.compileCheck(), COMPILE_TIMEOUT);
  for (const name of caseNames) check(`lodash/main: ${name}`, () => runCase(name, false));
  for (const name of caseNames) check(`lodash/fiber: ${name}`, () => runCase(name, true));
  check("lodash/fiber: the callbacks did suspend the fiber", () => {
    expect(fiberPauses).toBeGreaterThan(5000);
  });
  checkListedRan("lodash");
});
