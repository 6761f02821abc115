// The native backend through the public Fiber API (the primitive itself is
// covered by the other files here): stack limits, reclaiming abandoned
// fibers, and switching out of unmarked code.
import { expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
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

  it("20,000 create-suspend-drop cycles leave threads and memory flat, running no finally", () => {
    const r = runFixture("fiber-churn.cjs", ["--expose-gc"], ["20000"], 120_000);
    const out = report<{ threadsBefore: number; threadsAfter: number; rssGrowthMiB: number; finallyRan: number }>(r);
    expect(r.status).toBe(0);
    expect(out.threadsAfter).toBeLessThanOrEqual(out.threadsBefore + 4);
    expect(out.rssGrowthMiB).toBeLessThan(64);
    expect(out.finallyRan).toBe(0);
  }, 150_000);
});
