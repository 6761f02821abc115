// V8 state that assumes nesting (native/src/nesting.h, runtime/nesting.ts):
// a stackful fiber may not suspend inside Array.prototype.join or
// Error.prepareStackTrace; the switch raises a FiberError in the switcher
// and nothing is corrupted. Child processes: before the guard, the join
// case stopped the process with SIGTRAP.
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

const join = "FiberError: cannot suspend a fiber inside Array.prototype.join";
const stringify = "FiberError: cannot suspend a fiber inside JSON.stringify";
const stackTrace = "FiberError: cannot suspend a fiber inside Error.prepareStackTrace";

describeNative("switching inside builtins whose V8 state assumes nesting", () => {
  it("three fibers asked to suspend inside join, resumed in creation order: a FiberError each, no SIGTRAP", () => {
    const r = runFixture("nesting.cjs", [], ["join-order"]);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({
      first: ["after 0", "after 1", "after 2"],
      second: [0, 1, 2].map((i) => [`${join}|b`, `back ${i}`]),
      alive: [false, false, false],
    });
  });

  it("the main fiber's join of the same array is right, and implicit conversions and the main fiber are guarded too", () => {
    const r = runFixture("nesting.cjs", [], ["join-shared"]);
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({
      fiber: "after",
      main: "1,2,3",
      fiberEnd: [`1,2,${join}`, "end"],
      template: join,
      mainInside: join,
      hAfter: "ran",
    });
  });

  it("fibers suspended inside JSON.stringify resumed in creation order: right values, or on Node 22 a FiberError each, never an abort", () => {
    const r = runFixture("nesting.cjs", [], ["json-order"]);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    // Only V8 12 keeps the serializers in a list that must shrink in order.
    const guarded = process.versions.v8.startsWith("12.");
    expect(report(r).results).toEqual(
      [0, 1, 2].map((i) => JSON.stringify({ a: guarded ? stringify : `value ${i}` })),
    );
  });

  it("a fiber cannot suspend inside Error.prepareStackTrace, so the main fiber keeps its own format", () => {
    const r = runFixture("nesting.cjs", [], ["prepare-stack-trace"]);
    expect(r.status, r.stderr).toBe(0);
    expect(report(r)).toEqual({ fiber: "after", mainFormat: "main's format", end: [stackTrace, "done"] });
  });
});
