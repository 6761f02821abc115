// Terminations reach the JavaScript they were aimed at and always finish
// (native/src/interrupts.h): a termination that lands in the state of a
// fiber about to park is requested again in the next host's state, and
// reclaiming a fiber never cancels one that was not its own; a fiber may not
// suspend inside a vm script run with a timeout (runtime/timed-scripts.ts).
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

describeNative("termination with stackful fibers", () => {
  it("worker.terminate() always finishes while the Worker creates and drops fibers in a synchronous loop", () => {
    const r = runFixture("terminate-churn.cjs", ["--expose-gc"], ["30"], 120_000);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const out = report<{ ended: number; slowestMs: number }>(r);
    expect(out.ended).toBe(30);
    expect(out.slowestMs).toBeLessThan(5_000);
  });

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
