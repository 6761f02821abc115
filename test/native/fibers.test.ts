// The native backend through the public Fiber API (the primitive itself is
// covered by the other files here): stack limits, reclaiming abandoned
// fibers, and switching out of unmarked code.
import { AsyncResource } from "node:async_hooks";
import { expect, it } from "vitest";
import { Fiber, FiberError, current } from "../../runtime/index.js";
import { describeNative, report, runFixture } from "./helpers";

describeNative("stackful fibers through the Fiber API", () => {
  it("an unmarked target makes a stackful fiber that suspends inside sort comparators", () => {
    const main = current();
    const f = new Fiber((items: number[]) =>
      [...items].sort((a, b) => {
        main.switch([a, b]);
        return a - b;
      }),
    [[3, 1, 2]]);
    expect(f.kind).toBe("stackful");
    let v = f.switch();
    let comparisons = 0;
    while (f.isAlive()) {
      expect(Array.isArray(v)).toBe(true);
      comparisons++;
      v = f.switch();
    }
    expect(comparisons).toBeGreaterThan(1);
    expect(v).toEqual([1, 2, 3]);
  });

  it("deep recursion in a small-stack fiber is a RangeError, and the fiber goes on", () => {
    const f = new Fiber({
      target: () => {
        const down = (n: number): number => (n === 0 ? 0 : 1 + down(n - 1));
        let depth = 0;
        try {
          down(1e7);
        } catch (e) {
          depth = e instanceof RangeError ? -1 : -2;
        }
        return [depth, down(500)];
      },
      stackSize: 256 * 1024,
    });
    expect(f.kind).toBe("stackful");
    expect(f.switch()).toEqual([-1, 500]);
  });

  it("switching out inside an async scope the fiber entered is a FiberError, not a corrupted async stack", async () => {
    const main = current();
    const resource = new AsyncResource("fiberlet-test");
    const seen: unknown[] = [];
    const f = new Fiber(() => {
      try {
        resource.runInAsyncScope(() => main.switch("inside"));
      } catch (e) {
        seen.push(e instanceof FiberError ? "FiberError" : e);
      }
      return main.switch("after the scope");
    });
    expect(f.kind).toBe("stackful");
    expect(f.switch()).toBe("after the scope");
    // Back to the event loop with the fiber suspended: no async stack abort.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(f.switch("resumed")).toBe("resumed");
    expect(seen).toEqual(["FiberError"]);
  });

  it("a fiber the OS gives no thread raises a FiberError in its switcher and stays startable", () => {
    const r = runFixture("no-thread.cjs");
    expect(report(r)).toEqual({
      started: ["f0 started", "f1 started"],
      errorIsFiberError: true,
      message: "could not start a stackful fiber: fiberl",
      currentIsMain: true,
      refusedAlive: true,
      fromFiber: ["inner paused", "true true inner resumed", false],
      first: "f0 resumed end",
      retry: "f2 started",
      retryEnd: "f2 again end",
    });
  });

  it("20,000 create-suspend-drop cycles leave threads and memory flat, running no finally", () => {
    const r = runFixture("fiber-churn.cjs", ["--expose-gc"], ["20000"], 120_000);
    const out = report<{ threadsBefore: number; threadsAfter: number; rssGrowthMiB: number; finallyRan: number }>(r);
    expect(r.status).toBe(0);
    expect(out.threadsAfter).toBeLessThanOrEqual(out.threadsBefore + 4);
    expect(out.rssGrowthMiB).toBeLessThan(64);
    expect(out.finallyRan).toBe(0);
  }, 150_000);
});
