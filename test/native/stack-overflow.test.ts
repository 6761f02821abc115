// Stack overflow is a RangeError on every thread once stackful fibers have
// run there (native/src/stack_limit.h): Node 26 aborted with "Check failed:
// IsOnCentralStack()". The JS thread's own depth is unchanged by fibers.
import { expect, it } from "vitest";
import { describeNative, report, runFixture } from "./helpers";

type Overflow = { error: string; depth: number };
type Thread = { before: Overflow; inFiber: Overflow; after: Overflow; again: Overflow };

describeNative("stack overflow with stackful fibers", () => {
  it("is a RangeError at the same depth on the main thread and in a Worker after fibers ran", () => {
    const r = runFixture("stack-overflow.cjs");
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const out = report<{ main: Thread; worker: Thread }>(r);
    for (const thread of [out.main, out.worker]) {
      for (const run of [thread.before, thread.inFiber, thread.after, thread.again]) {
        expect(run.error).toBe("RangeError");
      }
      expect(thread.before.depth).toBeGreaterThan(1000);
      expect(thread.after.depth).toBe(thread.before.depth);
      expect(thread.again.depth).toBe(thread.before.depth);
      // The fiber's 256 KiB stack: hundreds of frames, fewer than the thread's.
      expect(thread.inFiber.depth).toBeGreaterThan(300);
      expect(thread.inFiber.depth).toBeLessThan(thread.before.depth);
    }
  });
});
