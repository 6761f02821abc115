// AsyncLocalStorage through the Fiber API: each stackful fiber keeps the
// context it started in, whoever resumes it and whatever context they are
// in, on every Node version (runtime/async-context.ts; the primitive's own
// behaviour is pinned down in async-context.test.ts).
import { AsyncLocalStorage, executionAsyncId } from "node:async_hooks";
import { expect, it } from "vitest";
import { Fiber, current } from "../../runtime/index.js";
import { describeNative, report, runFixture, usesAsyncContextFrame } from "./helpers";

const als = new AsyncLocalStorage<string>();
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describeNative("AsyncLocalStorage in stackful fibers", () => {
  it("a fiber keeps the context it started in, resumed under other contexts", () => {
    const main = current();
    const f = new Fiber(() => {
      const seen = [als.getStore()];
      main.switch();
      seen.push(als.getStore());
      main.switch();
      seen.push(als.getStore());
      return seen;
    });
    expect(f.kind).toBe("stackful");
    als.run("start", () => f.switch());
    expect(als.run("second", () => (f.switch(), als.getStore()))).toBe("second");
    expect(f.switch()).toEqual(["start", "start", "start"]);
    expect(als.getStore()).toBeUndefined();
  });

  it("als.run() inside a fiber spans its switches and never leaks to the resumer", async () => {
    const main = current();
    const f = new Fiber(() =>
      als.run("outer", () => {
        const seen = [als.run("inner", () => (main.switch("in inner"), als.getStore()))];
        seen.push(als.getStore()!);
        main.switch("in outer");
        seen.push(als.getStore()!);
        return seen;
      }),
    );
    expect(als.run("r1", () => [f.switch(), als.getStore()])).toEqual(["in inner", "r1"]);
    await tick(); // resumed from another callback of the event loop
    expect(als.run("r2", () => [f.switch(), als.getStore()])).toEqual(["in outer", "r2"]);
    await tick();
    expect(f.switch()).toEqual(["inner", "outer", "outer"]);
    expect(als.getStore()).toBeUndefined();
  });

  it("enterWith() inside a fiber changes that fiber's context only", () => {
    const main = current();
    const f = new Fiber(() => {
      als.enterWith("fiber's own");
      main.switch();
      return als.getStore();
    });
    als.run("main", () => {
      f.switch();
      expect(als.getStore()).toBe("main");
      expect(f.switch()).toBe("fiber's own");
      expect(als.getStore()).toBe("main");
    });
  });

  it("fibers switching straight to each other each keep their own context", async () => {
    const main = current();
    const log: string[] = [];
    const ping: Fiber = new Fiber(() => {
      for (let i = 0; i < 3; i++) {
        log.push(`ping ${als.getStore()}`);
        pong.switch();
      }
      return "ping done";
    });
    const pong: Fiber = new Fiber(() => {
      for (;;) {
        log.push(`pong ${als.getStore()}`);
        als.run(`pong inner ${log.length}`, () => {
          ping.switch();
          log.push(`pong ${als.getStore()}`);
        });
        main.switch("pong paused");
      }
    });
    als.run("P", () => ping.switch()); // starts ping under P; ping starts pong under P too
    // pong paused in main; ping is waiting for pong. Re-enter pong under Q...
    expect(log).toEqual(["ping P", "pong P", "ping P", "pong pong inner 2"]);
    await tick();
    expect(als.run("Q", () => pong.switch())).toBe("pong paused");
    expect(log.slice(4)).toEqual(["pong P", "ping P", "pong pong inner 5"]);
    await tick();
    // ...ping is now waiting in pong.switch(); its end goes to its parent, main.
    expect(als.run("R", () => ping.switch())).toBe("ping done");
    expect(als.getStore()).toBeUndefined();
  });

  it("stackless fibers run in the context of whichever host runs them, between stackful ones", async () => {
    const main = current();
    const log: string[] = [];
    const relay = new Fiber(function relay() {
      "use fiber";
      for (;;) {
        const next = main.switch("relay waiting") as Fiber;
        log.push(`relay ${als.getStore()}`);
        next.switch();
      }
    });
    const g = new Fiber(() => {
      als.enterWith("G");
      log.push(`g ${als.getStore()}`);
      main.switch("g paused");
      log.push(`g ${als.getStore()}`);
      return "g done";
    });
    const f = new Fiber(() => {
      log.push(`f ${als.getStore()}`);
      relay.switch(g); // relay runs on f's thread and starts g from there
      log.push(`f ${als.getStore()}`);
      return "f done";
    });
    expect([relay.kind, f.kind, g.kind]).toEqual(["stackless", "stackful", "stackful"]);
    expect(relay.switch()).toBe("relay waiting");
    expect(als.run("F", () => f.switch())).toBe("g paused");
    await tick();
    expect(als.run("M", () => g.switch())).toBe("g done");
    await tick();
    expect(als.run("M", () => f.switch())).toBe("f done");
    // relay is suspended in next.switch(); now it runs on the main stack.
    expect(als.run("M2", () => relay.switch())).toBe("relay waiting");
    const h = new Fiber(() => `h ${als.getStore()}`);
    expect(als.run("M3", () => relay.switch(h))).toBe("h M3");
    expect(log).toEqual(["f F", "relay F", "g G", "g G", "f F", "relay M3"]);
    await tick();
    expect(als.getStore()).toBeUndefined();
  });

  it("a fiber starts in its starter's context, not its creator's", () => {
    const main = current();
    const child = als.run("creator", () => new Fiber(() => als.getStore()));
    const starter = new Fiber(() => {
      als.enterWith("starter");
      const got = child.switch();
      main.switch(got);
    });
    expect(als.run("main", () => starter.switch())).toBe("starter");
  });

  it("timers and promises started in a fiber carry the fiber's context", async () => {
    const main = current();
    const seen: unknown[] = [];
    const f = new Fiber(() => {
      main.switch();
      setTimeout(() => seen.push(`timer ${als.getStore()}`), 1);
      void Promise.resolve().then(() => seen.push(`then ${als.getStore()}`));
      main.switch();
    });
    als.run("fiber", () => f.switch());
    als.run("resumer", () => f.switch());
    await tick();
    await tick();
    expect(seen.sort()).toEqual(["then fiber", "timer fiber"]);
  });

  it("a fiber's async id stays the same across switches in Node's resource model (the resumer's with frames)", () => {
    const main = current();
    const f = new Fiber(() => {
      const first = executionAsyncId();
      main.switch();
      return [first, executionAsyncId()];
    });
    const outer = executionAsyncId();
    f.switch();
    const [first, later] = f.switch() as number[];
    if (!usesAsyncContextFrame()) {
      // Fibers run in the main host's slot resource (runtime/async-context.ts).
      expect(first).not.toBe(outer);
      expect(later).toBe(first);
    } else {
      // Async context frames: the fiber runs in its resumer's async id.
      expect([first, later]).toEqual([outer, outer]);
    }
  });

  it("a fiber's stores are released when it ends", async () => {
    const objects = new AsyncLocalStorage<object>();
    const main = current();
    const ended = (() => {
      const store = { payload: new Array(1000).fill("x") };
      const inner = { payload: new Array(1000).fill("y") };
      const f = new Fiber(() => {
        objects.enterWith(store);
        objects.run(inner, () => main.switch());
        return objects.getStore() === store;
      });
      f.switch();
      expect(objects.getStore()).toBeUndefined();
      expect(f.switch()).toBe(true);
      return { f, refs: [new WeakRef(store), new WeakRef(inner)] };
    })();
    for (let i = 0; i < 3; i++) {
      await tick();
      (globalThis as { gc?: () => void }).gc!();
    }
    // The ended fiber itself stays reachable: it must not hold them either.
    expect(ended.f.isAlive()).toBe(false);
    expect(ended.refs.map((r) => r.deref())).toEqual([undefined, undefined]);
    objects.disable();
  });

  it("survives ALS scopes under allocation pressure with 50 fibers parked (V8 moved the frame twice)", () => {
    const r = runFixture("als-churn.cjs", [], ["20000"], 120_000);
    expect(r.signal, r.stderr).toBeNull();
    expect(report(r)).toEqual({ rounds: 20000, wrong: 0, kinds: ["stackful"] });
  }, 150_000);
});
