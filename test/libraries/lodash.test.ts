/**
 * lodash compiled with every function marked must compute exactly what the
 * original computes. lodash is loaded from its per-method CommonJS modules
 * (lodash/chunk.js and everything it requires, compiled file by file), not
 * from the single 540 KB lodash.js, which takes about two minutes to
 * compile (one 17,000-line function); it is the same code.
 *
 * - fixtures/lodash-battery.js: ~110 lodash functions used as intended, on
 *   data from real package.json files; one check per case.
 * - fixtures/lodash-sweep.js: every public lodash function (but the
 *   nondeterministic or stateful ones) on the same 21 generic argument
 *   lists, results and errors alike; one check per function.
 *
 * Each check runs on the main fiber and inside a stackless fiber, where
 * every iteratee, predicate and customizer pauses (suspending the fiber
 * inside lodash's compiled loops).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect } from "vitest";
import { blocked, check, checkListedRan } from "./ratchet";
import { COMPILE_TIMEOUT, compileCheckId, libraryUnderTest } from "./setup";
import { createLoader, libraries, loadFixture } from "./library.mjs";
import { pick } from "./corpus.mjs";
import { json, thrown } from "./compare.mjs";

const PACKAGES = 40;

const batterySource = readFileSync(new URL("./fixtures/lodash-battery.js", import.meta.url), "utf8");
/** The lodash functions the battery calls. */
const batteryMethods = [...new Set([...batterySource.matchAll(/_\.(\w+)\(/g)].map((m) => m[1]))];
/** Modules that are not one deterministic function: bundles, category
 * objects, chain wrappers, timers, randomness, global counters. */
const NOT_SWEPT = new Set(
  ("core core.min lodash lodash.min fp index array collection date function lang math number object seq string util " +
    "chain commit next plant value valueOf toJSON toIterator wrapperAt wrapperChain wrapperLodash wrapperReverse wrapperValue " +
    "mixin templateSettings random shuffle sample sampleSize now debounce throttle defer delay uniqueId").split(" "),
);
const sweptMethods = readdirSync(libraries.lodash)
  .filter((f) => f.endsWith(".js") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .filter((m) => !NOT_SWEPT.has(m));
const methods = [...new Set([...batteryMethods, ...sweptMethods])].sort();

/** Each function from its own module; one whose module (or a module it
 * requires) does not compile is replaced by a function that throws
 * "blocked", so only the checks that use it fail. */
const lodash = libraryUnderTest("lodash", (compiled) => {
  const loader = createLoader({ compiled, root: libraries.lodash });
  const _: Record<string, any> = {};
  const failures: string[] = [];
  for (const m of methods) {
    try {
      _[m] = loader.load(join(libraries.lodash, `${m}.js`));
    } catch (e) {
      const why = (e as Error).message.split("\n")[0].replace(/^\/\S*\/node_modules\//, "");
      failures.push(`${m}.js: ${why}`);
      const error = blocked(`lodash (${m})`, why, compileCheckId("lodash"));
      _[m] = Object.assign(() => {
        throw error;
      }, { blockedBy: error });
    }
  }
  return { exports: _, stats: loader.stats, failures };
});
const drive = loadFixture("drive.js");
const packages = pick(/\/package\.json$/, { count: PACKAGES, minBytes: 300 }).map((f: { text: string }) => JSON.parse(f.text));

type Case = [string, () => unknown];
/** The battery and the sweep, run uncompiled on uncompiled lodash: the
 * oracle; and compiled, so that their callbacks can pause. */
const plainBattery = loadFixture("lodash-battery.js", { compiled: false });
const markedBattery = loadFixture("lodash-battery.js");
const plainSweep = loadFixture("lodash-sweep.js", { compiled: false });
const markedSweep = loadFixture("lodash-sweep.js");
const caseNames: string[] = plainBattery({ cloneDeep: (x: unknown) => x }, [], (x: unknown) => x).map((c: Case) => c[0]);

const sweepData = {
  pkg: packages[0],
  pkg2: packages[1],
  names: packages.slice(0, 6).map((p: { name: string }) => p.name).concat(["a", "b", "a"]),
  other: ["a", "c", packages[0].name],
  nums: [3, 1, 4, 1, 5, 9, 2, 6],
  nums2: [1, 2, 3, 10],
  text: `${packages[0].description ?? ""} déjà-vu, ÆØÅ; camelCase snake_case 3.14`,
  rows: packages.slice(0, 6).map((p: Record<string, unknown>) => ({ name: p.name, version: p.version, n: Object.keys(p).length })),
};

const identity = (x: unknown) => x;
const observe = (fn: () => unknown) => {
  try {
    return json(fn());
  } catch (e) {
    if ((e as { blockedBy?: string }).blockedBy) throw e; // a function that did not compile
    return json(thrown(e));
  }
};

let expectedCases: Map<string, string>;
const expectedSweep = new Map<string, string>();
beforeAll(() => {
  const _ = lodash.plain();
  expectedCases = new Map(plainBattery(_, packages, identity).map(([name, fn]: Case) => [name, observe(fn)]));
  // The oracle itself must work: no case of the battery throws.
  expect([...expectedCases].filter(([, v]) => v.includes('"threw"'))).toEqual([]);
  for (const m of sweptMethods) expectedSweep.set(m, observe(() => plainSweep(_[m], sweepData, identity)));
}, COMPILE_TIMEOUT);

let fiberPauses = 0;
/** Runs fn on the main fiber or in a fiber; its JSON, or the error's. */
function runIn(inFiber: boolean, fn: Function, args: unknown[]): string {
  return observe(() => {
    if (!inFiber) return fn(...args);
    const r = drive.inFiber(null, fn, args);
    expect(r.kind).toBe("stackless");
    fiberPauses += r.pauses;
    return r.value;
  });
}

const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
function compare(what: string, expected: string, actual: string): void {
  if (expected === actual) return;
  // Sweep results are arrays, one entry per call: name the first that differs.
  try {
    const e = JSON.parse(expected);
    const a = JSON.parse(actual);
    if (Array.isArray(e) && Array.isArray(a) && e.length === a.length) {
      const i = e.findIndex((x, k) => JSON.stringify(x) !== JSON.stringify(a[k]));
      throw new Error(`${what}, call ${i}: expected ${short(JSON.stringify(e[i]))}\n  got ${short(JSON.stringify(a[i]))}`);
    }
  } catch (err) {
    if ((err as Error).message.startsWith(what)) throw err;
  }
  throw new Error(`${what}: expected ${short(expected)}\n  got ${short(actual)}`);
}

function runCase(name: string, inFiber: boolean): void {
  const cases: Case[] = markedBattery(lodash.compiled(), packages, inFiber ? drive.pause : identity);
  const fn = cases.find((c) => c[0] === name)![1];
  compare(name, expectedCases.get(name)!, runIn(inFiber, fn, []));
}

function runSweep(method: string, inFiber: boolean): void {
  const fn = lodash.compiled()[method];
  if (fn.blockedBy) throw fn.blockedBy;
  const actual = runIn(inFiber, markedSweep, [fn, sweepData, inFiber ? drive.pause : identity]);
  compare(`_.${method}`, expectedSweep.get(method)!, actual);
}

describe("lodash", () => {
  check(compileCheckId("lodash"), () => lodash.compileCheck(), COMPILE_TIMEOUT);
  for (const mode of ["main", "fiber"]) {
    for (const name of caseNames) check(`lodash/${mode}: ${name}`, () => runCase(name, mode === "fiber"));
    for (const m of sweptMethods) check(`lodash/${mode}: sweep _.${m}`, () => runSweep(m, mode === "fiber"));
  }
  check("lodash/fiber: the callbacks did suspend the fiber", () => {
    lodash.requireComplete(); // with functions blocked, fewer callbacks ran
    expect(fiberPauses).toBeGreaterThan(5000);
  });
  checkListedRan("lodash");
});
