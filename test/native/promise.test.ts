// The promise bridge on stackful fibers: this file is not compiled, so
// spawn's targets are unmarked and run on the native backend, which can
// wait anywhere (sort comparators, getters). Skipped without the addon.
import { AsyncLocalStorage } from "node:async_hooks";
import { expect, it } from "vitest";
import { expectNoUnhandledRejections, later, tick } from "../support/promises.js";
import { Fiber, current, spawn, waitFor } from "../../runtime/index.js";
import { describeNative } from "./helpers";


expectNoUnhandledRejections();

describeNative("waitFor and spawn (stackful)", () => {
  it("an unmarked target runs stackful and waits inside a sort comparator and a getter", async () => {
    const result = spawn((items: number[]) => {
      const kind = current().kind;
      const sorted = [...items].sort((a, b) => waitFor(later(1, a - b)));
      const box = {
        get value() {
          return waitFor(Promise.resolve("from a getter"));
        },
      };
      return { kind, sorted, got: box.value };
    }, [3, 1, 2]);
    expect(await result).toEqual({ kind: "stackful", sorted: [1, 2, 3], got: "from a getter" });
  });

  it("rejections: thrown at the wait, or rejecting spawn's promise once", async () => {
    const caught = spawn(() => {
      try {
        return waitFor(Promise.reject(new Error("nope")));
      } catch (e) {
        return `caught ${(e as Error).message}`;
      }
    });
    expect(await caught).toBe("caught nope");
    const boom = new Error("boom");
    const failing = spawn(() => {
      waitFor(later(1, 0));
      throw boom;
    });
    await expect(failing).rejects.toBe(boom);
  });

  it("hundreds wait at once and resume in the order their promises settle", async () => {
    const n = 300; // each started stackful fiber holds an OS thread
    const settle: ((v: number) => void)[] = [];
    const resumed: number[] = [];
    const all: Promise<number>[] = [];
    for (let i = 0; i < n; i++) {
      all.push(
        spawn((id: number) => {
          const v = waitFor(new Promise<number>((r) => (settle[id] = r)));
          resumed.push(id);
          return v + 1;
        }, i),
      );
    }
    const order = Array.from({ length: n }, (_, i) => (i * 101) % n);
    for (const id of order) settle[id](id);
    expect(await Promise.all(all)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(resumed).toEqual(order);
  });

  it("keeps the AsyncLocalStorage context across the wait, per fiber", async () => {
    const als = new AsyncLocalStorage<string>();
    const body = (ms: number) => {
      const before = als.getStore();
      waitFor(later(ms, 0));
      const middle = als.getStore();
      als.run(`${before}-inner`, () => waitFor(later(1, 0)));
      return [before, middle, als.getStore()];
    };
    const a = als.run("a", () => spawn(body, 10));
    const b = als.run("b", () => spawn(body, 1));
    expect(await Promise.all([a, b])).toEqual([
      ["a", "a", "a"],
      ["b", "b", "b"],
    ]);
  });

  it("a plain stackful fiber that waits returns to main; its waitFor returns a value sent by hand", async () => {
    const f = new Fiber(() => waitFor(later(5, "from the promise")));
    expect(f.kind).toBe("stackful");
    expect(f.switch()).toBe(undefined);
    expect(f.switch("by hand")).toBe("by hand");
    await later(10, 0);
    expect(f.isAlive()).toBe(false);
  });
});
