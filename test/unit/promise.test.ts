"use fiber";
// The promise bridge on stackless fibers (this file is compiled with the
// plugin, so spawn's targets here are marked): waitFor through marked frames,
// spawn's promise, settle order, async context, and that every rejection is
// received exactly once. test/native/promise.test.ts runs the stackful side.
import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { expectNoUnhandledRejections, later, tick } from "../support/promises.js";
import { Fiber, FiberError, current, spawn, waitFor } from "../../runtime/index.js";
import { loadNativeAddon } from "../../runtime/native/addon.js";
import { plainChild, plainWait } from "./fixtures/plain.js";


/** Three marked frames between the fiber's entry and the wait. */
function deep<T>(p: PromiseLike<T>): T {
  return deeper(p);
}
function deeper<T>(p: PromiseLike<T>): T {
  const v = deepest(p);
  return v;
}
function deepest<T>(p: PromiseLike<T>): T {
  return waitFor(p);
}

expectNoUnhandledRejections();

describe("waitFor and spawn (stackless)", () => {
  it("spawn runs a marked target stackless and resolves with its result", async () => {
    let kind = "";
    const result = spawn((a: number, b: number) => {
      kind = current().kind;
      return deep(later(5, a)) + waitFor(Promise.resolve(b));
    }, 20, 22);
    expect(kind).toBe("stackless"); // started at once, up to the first wait
    expect(await result).toBe(42);
  });

  it("waitFor throws the reason where it was called; a caught rejection is handled", async () => {
    const result = spawn(() => {
      try {
        deep(Promise.reject(new Error("nope")));
        return "not reached";
      } catch (e) {
        return `caught ${(e as Error).message}`;
      }
    });
    expect(await result).toBe("caught nope");
  });

  it("what the target throws rejects spawn's promise, once, and nowhere else", async () => {
    const boom = new Error("boom");
    const result = spawn(() => {
      waitFor(later(1, 0));
      throw boom;
    });
    await expect(result).rejects.toBe(boom);
    const early = spawn(() => {
      throw boom;
    });
    await expect(early).rejects.toBe(boom);
  });

  it("a target returning a promise: spawn's promise adopts it", async () => {
    expect(await spawn(() => later(1, "adopted"))).toBe("adopted");
  });

  it("takes thenables and plain values like await does", async () => {
    const thenable = { then: (ok: (v: string) => void) => setTimeout(() => ok("thenable"), 1) };
    const out = await spawn(() => [waitFor(thenable), waitFor(7), waitFor(null)]);
    expect(out).toEqual(["thenable", 7, null]);
  });

  it("on the main fiber it throws a FiberError that says to use spawn, and leaves the promise alone", async () => {
    expect(current().kind).toBe("main");
    const p = Promise.reject(new Error("still mine"));
    let err: unknown;
    try {
      waitFor(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FiberError);
    expect((err as Error).message).toMatch(/main fiber/);
    expect((err as Error).message).toMatch(/spawn\(/);
    await expect(p).rejects.toThrow("still mine");
  });

  it("thousands of fibers wait at once and resume in the order their promises settle", async () => {
    const n = 3000;
    const settle: ((v: number) => void)[] = [];
    const resumed: number[] = [];
    const all: Promise<number>[] = [];
    for (let i = 0; i < n; i++) {
      all.push(
        spawn((id: number) => {
          const v = deep(new Promise<number>((r) => (settle[id] = r)));
          resumed.push(id);
          return v * 2;
        }, i),
      );
    }
    // Settle in a scrambled order, a few per macrotask.
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    for (let i = 0; i < n; i++) {
      settle[order[i]](order[i]);
      if (i % 500 === 0) await tick();
    }
    const results = await Promise.all(all);
    expect(resumed).toEqual(order);
    expect(results).toEqual(Array.from({ length: n }, (_, i) => i * 2));
  });

  it("keeps the AsyncLocalStorage context across the wait, per fiber", async () => {
    const als = new AsyncLocalStorage<string>();
    const body = (ms: number) => {
      const before = als.getStore();
      waitFor(later(ms, 0));
      const middle = als.getStore();
      waitFor(Promise.resolve(0));
      return [before, middle, als.getStore()];
    };
    const a = als.run("a", () => spawn(body, 10));
    const b = als.run("b", () => spawn(body, 1));
    expect(await Promise.all([a, b])).toEqual([
      ["a", "a", "a"],
      ["b", "b", "b"],
    ]);
  });

  it("spawn inside a fiber starts the new fiber from the main fiber, leaving the caller running", async () => {
    const log: string[] = [];
    const outer = spawn(() => {
      const inner = spawn(() => {
        log.push("inner starts");
        waitFor(later(1, 0));
        log.push("inner ends");
        return "inner";
      });
      log.push("outer goes on");
      return waitFor(inner) + "+outer";
    });
    expect(await outer).toBe("inner+outer");
    expect(log).toEqual(["outer goes on", "inner starts", "inner ends"]);
  });

  it("a wait that cannot suspend (a forEach callback) is refused, and its promise never resumes the fiber", async () => {
    const main = current();
    let release!: (v: string) => void;
    const first = new Promise<string>((r) => (release = r));
    const f = new Fiber(() => {
      const seen: string[] = [];
      [1].forEach(() => {
        try {
          waitFor(first);
        } catch (e) {
          seen.push(e instanceof FiberError && /cannot suspend/.test((e as Error).message) ? "refused" : String(e));
        }
      });
      seen.push(main.switch("parked"));
      return seen;
    });
    expect(f.switch()).toBe("parked");
    release("late");
    await tick(); // the refused wait's promise settled: it resumes nothing
    expect(f.isAlive()).toBe(true);
    expect(f.switch("by hand")).toEqual(["refused", "by hand"]);
  });

  it("a fiber switched out of waitFor by hand is not resumed again by the promise", async () => {
    const f = new Fiber(() => {
      const got = waitFor(later(5, "from the promise"));
      return got;
    });
    expect(f.switch()).toBe(undefined); // waiting: the main fiber runs on
    expect(f.switch("by hand")).toBe("by hand"); // resumed by hand, it ends
    await later(10, 0); // the promise settles: nothing to resume
    expect(f.isAlive()).toBe(false);
  });

  it("a plain fiber (not spawned) that waits returns to main and resumes in a microtask", async () => {
    const log: unknown[] = [];
    const f = new Fiber((p: Promise<number>) => {
      log.push("waits");
      log.push(waitFor(p));
    }, [later(1, 5)]);
    f.switch();
    log.push("main");
    await later(5, 0);
    expect(log).toEqual(["waits", "main", 5]);
    expect(f.isAlive()).toBe(false);
  });
});

const compiled = process.env.FIBERLET_COMPILE !== "0";
const describeMixed = loadNativeAddon().addon && compiled ? describe : describe.skip;

describeMixed("waitFor and spawn in mixed trees (auto backend)", () => {
  it("a stackful child waits, then returns to its stackless parent, which waits too", async () => {
    const result = spawn(() => {
      const child = new Fiber(() => 0); // marked: to compare kinds
      const stackful = new Fiber(plainWait, [later(5, "child waited")]);
      const got = stackful.switch(); // waits, then ends: its result comes back here
      return [child.kind, stackful.kind, got, waitFor(later(1, "parent waited"))];
    });
    expect(await result).toEqual(["stackless", "stackful", "child waited", "parent waited"]);
  });

  it("a stackless fiber driven by a stackful one waits; the stackful one gets its result", async () => {
    const marked = () => `${waitFor(later(5, "stackless"))} in stackful`;
    const result = spawn(plainChild, marked); // plainChild is unmarked: a stackful fiber
    expect(await result).toBe("stackless in stackful");
  });

  it("spawn of an unmarked function makes a stackful fiber that waits anywhere", async () => {
    expect(await spawn(plainWait, later(1, "plain"))).toBe("plain");
  });
});
