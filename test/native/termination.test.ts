// Terminations reach the JavaScript they were aimed at: a fiber may not
// suspend inside a vm script run with a timeout (runtime/timed-scripts.ts).
// The hand-off of terminations between hosts (native/src/interrupts.h) is
// measured with fixtures/terminate-churn.cjs, not asserted here: a race
// remains (docs/native.md, "Termination").
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

describeNative("termination with stackful fibers", () => {
  it("a fiber cannot suspend inside a timed vm run, so the watchdog never terminates the main fiber", () => {
    const r = runFixture("vm-timeout.cjs");
    expect(r.status, r.stderr).toBe(0);
    const refused = "FiberError: cannot suspend a fiber inside a vm script run with a timeout";
    expect(report(r)).toEqual({
      fiberInside: refused,
      mainAfterTimeout: "ran",
      mainInside: refused,
      startedLater: "the fiber ran",
      runaway: "ERR_SCRIPT_EXECUTION_TIMEOUT",
      untimed: ["inside", "finished"],
      end: true,
    });
  });
});
