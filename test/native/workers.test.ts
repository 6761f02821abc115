// Workers: each JS thread has its own hosts; worker.terminate() and
// process.exit() in a Worker are never swallowed, and a Worker's suspended
// hosts are unwound at its teardown so their threads return to the pool.
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

type Report = {
  code?: number;
  terminateMs?: number;
  totals?: number[];
  mainTotal?: number;
  mainIsSelf?: boolean;
  pool: { threads: number; idleThreads: number; suspended: number };
};

describeNative("native hosts in Workers", () => {
  it("gives four Workers and the main thread their own hosts, running at once", () => {
    const r = runFixture("workers.cjs", [], ["each"]);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.totals).toEqual([200, 200, 200, 200]);
    expect(out.mainTotal).toBe(200);
    expect(out.mainIsSelf).toBe(true);
    // The Workers' parked hosts were unwound when they exited; only the main
    // thread's 10 remain busy.
    expect(out.pool.suspended).toBe(10);
    expect(out.pool.threads - out.pool.idleThreads).toBe(10);
  });

  it.each([
    ["a host of the Worker is running a busy loop", "running"],
    ["the Worker's own stack is busy and 20 hosts are suspended", "root-busy"],
    ["the Worker is idle with 20 hosts suspended", "idle"],
  ])("terminates a Worker when %s", (_what, mode) => {
    const r = runFixture("workers.cjs", [], [mode]);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.code).toBe(1);
    expect(out.terminateMs).toBeLessThan(5_000);
    // Every thread the Worker used is back in the pool.
    expect(out.pool.idleThreads).toBe(out.pool.threads);
  });

  it("honours process.exit(code) inside a Worker's host", () => {
    const r = runFixture("workers.cjs", [], ["exit-inside"]);
    expect(r.status, r.stderr).toBe(0);
    const out = report<Report>(r);
    expect(out.code).toBe(7);
    expect(out.pool.idleThreads).toBe(out.pool.threads);
  });
});
