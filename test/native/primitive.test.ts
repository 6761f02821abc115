// The primitive itself: hand-off, values through a tiny driver, nesting,
// switching out from inside native callbacks, errors, stack limits.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { addon, coroutine, describeNative, KiB } from "./helpers";

describeNative("native host primitive", () => {
  it("self() and running() are the JS thread's own host until a fiber runs", () => {
    const main = addon.self();
    expect(addon.running()).toBe(main);
    expect(addon.self()).toBe(main);
    let inside: unknown;
    const host = addon.spawn(() => {
      inside = [addon.running(), addon.self()];
      return main;
    }, 256 * KiB);
    addon.handoff(host);
    expect(inside).toEqual([host, main]);
    expect((inside as unknown[])[0]).toBe(host);
    expect(addon.running()).toBe(main);
  });

  it("ping-pongs values both ways through a driver", () => {
    const co = coroutine((suspend, first) => {
      let total = first as number;
      for (let i = 0; i < 5; i++) total += suspend(total) as number;
      return `sum ${total}`;
    });
    const seen: unknown[] = [];
    seen.push(co.resume(1));
    for (let i = 0; i < 5; i++) seen.push(co.resume(10));
    expect(seen).toEqual([1, 11, 21, 31, 41, "sum 51"]);
    expect(co.done).toBe(true);
  });

  it("runs 10,000 round trips and keeps one thread busy", () => {
    const co = coroutine((suspend) => {
      for (let i = 0; ; i++) suspend(i);
    });
    let last = 0;
    for (let i = 0; i < 10_000; i++) last = co.resume() as number;
    expect(last).toBe(9_999);
  });

  it("nests hosts: a fiber drives its own fibers", () => {
    const log: string[] = [];
    const outer = coroutine((suspend) => {
      const inner = coroutine((suspendInner) => {
        log.push("inner 1");
        suspendInner("a");
        log.push("inner 2");
        return "b";
      });
      log.push(`outer got ${inner.resume()}`);
      suspend("outer paused");
      log.push(`outer got ${inner.resume()}`);
      const deeper = coroutine(() => coroutine(() => "deepest").resume());
      log.push(`outer got ${deeper.resume()}`);
      return "outer done";
    });
    expect(outer.resume()).toBe("outer paused");
    expect(outer.resume()).toBe("outer done");
    expect(log).toEqual(["inner 1", "outer got a", "inner 2", "outer got b", "outer got deepest"]);
  });

  it("lets fibers hand control to each other directly (symmetric transfer)", () => {
    const main = addon.self();
    const order: string[] = [];
    const hosts: { a?: ReturnType<typeof addon.spawn>; b?: ReturnType<typeof addon.spawn> } = {};
    hosts.a = addon.spawn(() => {
      order.push("a1");
      addon.handoff(hosts.b!);
      order.push("a2");
      return hosts.b!;
    }, 256 * KiB);
    hosts.b = addon.spawn(() => {
      order.push("b1");
      addon.handoff(hosts.a!);
      order.push("b2");
      return main;
    }, 256 * KiB);
    addon.handoff(hosts.a);
    expect(order).toEqual(["a1", "b1", "a2", "b2"]);
  });

  it.each([
    [
      "Array.prototype.forEach",
      (s: (v: unknown) => unknown) => {
        const replies: unknown[] = [];
        [1, 2, 3].forEach((x) => replies.push(s(x)));
        return replies;
      },
    ],
    ["Array.prototype.map", (s: (v: unknown) => unknown) => [1, 2, 3].map((x) => s(x))],
    [
      "Array.prototype.sort",
      (s: (v: unknown) => unknown) => [3, 1, 2].sort((x, y) => (s(`${x}${y}`), x - y)),
    ],
    [
      "a JSON.parse reviver",
      (s: (v: unknown) => unknown) => JSON.parse('{"a":1,"b":[2,3]}', (k, v) => (s(k), v)),
    ],
    [
      "a Proxy trap",
      (s: (v: unknown) => unknown) => {
        const p = new Proxy({}, { get: (_t, key) => s(key) });
        return [(p as Record<string, unknown>).x, (p as Record<string, unknown>).y];
      },
    ],
    [
      "a getter",
      (s: (v: unknown) => unknown) => {
        const o = { get g() { return s("getter"); } };
        return [o.g, o.g];
      },
    ],
    [
      "a generator body",
      (s: (v: unknown) => unknown) => {
        function* gen() {
          yield s("gen 1");
          yield s("gen 2");
        }
        return [...gen()];
      },
    ],
    [
      "String.prototype.replace callback",
      (s: (v: unknown) => unknown) => "abc".replace(/[a-c]/g, (m) => String(s(m))),
    ],
  ])("switches out from inside %s and resumes there", (_name, body) => {
    const co = coroutine((suspend) => body((v) => suspend(v)));
    const yielded: unknown[] = [];
    let reply = 0;
    let out = co.resume();
    while (!co.done) {
      yielded.push(out);
      out = co.resume(++reply);
    }
    expect(yielded.length).toBeGreaterThanOrEqual(2);
    // The native frames in between survived the switches and finished.
    expect(co.done).toBe(true);
    expect(out).toBeDefined();
  });

  it("keeps generator state across switches in its body", () => {
    const co = coroutine((suspend) => {
      function* gen() {
        let i = 0;
        while (i < 3) yield (suspend(i) as number) + i++;
      }
      return [...gen()];
    });
    co.resume();
    co.resume(10);
    co.resume(20);
    expect(co.resume(30)).toEqual([10, 21, 32]);
  });

  it("gives a 256 KiB host a clean RangeError on deep recursion", () => {
    const co = coroutine(() => {
      let depth = 0;
      const recurse = (): number => {
        depth++;
        return recurse() + 1;
      };
      try {
        recurse();
      } catch (e) {
        return { error: (e as Error).constructor.name, depth };
      }
      return null;
    }, 256 * KiB);
    const r = co.resume() as { error: string; depth: number };
    expect(r.error).toBe("RangeError");
    expect(r.depth).toBeGreaterThan(500);
    // The limit scales with the stack: 1 MiB allows several times more.
    const big = coroutine(() => {
      let depth = 0;
      const recurse = (): number => (depth++, recurse() + 1);
      try {
        recurse();
      } catch {
        return depth;
      }
    }, 1024 * KiB);
    expect(big.resume() as number).toBeGreaterThan(r.depth * 3);
  });

  it("survives a RangeError from deep recursion that crosses a native callback", () => {
    const co = coroutine((suspend) => {
      const recurse = (n: number): number => [n].map((x) => recurse(x + 1))[0];
      try {
        recurse(0);
      } catch (e) {
        suspend((e as Error).name);
      }
      return "after";
    }, 256 * KiB);
    expect(co.resume()).toBe("RangeError");
    expect(co.resume()).toBe("after");
  });

  it("rejects bad arguments with clear errors", () => {
    expect(() => addon.spawn(42 as never, 256 * KiB)).toThrow(TypeError);
    expect(() => addon.spawn(() => addon.self(), "big" as never)).toThrow(TypeError);
    expect(() => addon.spawn(() => addon.self(), 1024)).toThrow(RangeError);
    expect(() => addon.handoff({} as never)).toThrow(/not a Host/);
    expect(() => addon.handoff(addon.self())).toThrow(/running host/);
    const done = addon.spawn(() => addon.self(), 256 * KiB);
    addon.handoff(done);
    expect(() => addon.handoff(done)).toThrow(/finished/);
  });

  it("rethrows an exception escaping entry on the host that handed control to it", () => {
    class Oops extends Error {}
    const failing = addon.spawn(() => {
      throw new Oops("from the fiber");
    }, 256 * KiB);
    let caught: unknown;
    try {
      addon.handoff(failing);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Oops);
    expect(addon.running()).toBe(addon.self());

    // The resumer is a fiber: the exception surfaces in that fiber.
    const outer = coroutine(() => {
      const inner = addon.spawn(() => {
        throw new Oops("inner");
      }, 256 * KiB);
      try {
        addon.handoff(inner);
      } catch (e) {
        return `outer caught ${(e as Error).message}`;
      }
      return "not thrown";
    });
    expect(outer.resume()).toBe("outer caught inner");
  });

  it("turns an entry that returns no Host into a TypeError on its resumer", () => {
    const bad = addon.spawn(() => 42 as never, 256 * KiB);
    expect(() => addon.handoff(bad)).toThrow(/must return the Host/);
    const selfish = addon.spawn(() => addon.running(), 256 * KiB);
    expect(() => addon.handoff(selfish)).toThrow(/cannot take control/);
  });

  it("resumes fibers from timers and promise callbacks", async () => {
    const co = coroutine((suspend) => {
      const parts: unknown[] = [];
      for (let i = 0; i < 3; i++) parts.push(suspend(i));
      return parts.join(",");
    });
    co.resume();
    await new Promise((r) => setTimeout(r, 1));
    co.resume("timer");
    await Promise.resolve();
    co.resume("microtask");
    const done = await new Promise((resolve) => setImmediate(() => resolve(co.resume("immediate"))));
    expect(done).toBe("timer,microtask,immediate");
  });

  it("runs Node APIs inside a fiber", () => {
    const co = coroutine(() => {
      const fs = require("node:fs") as typeof import("node:fs");
      const text = fs.readFileSync(__filename, "utf8");
      return [Buffer.from("hi").toString("hex"), text.length > 0, typeof setTimeout(() => {}, 0)];
    });
    expect(co.resume()).toEqual(["6869", true, "object"]);
  });

  it("lets a termination that hits a fiber (vm timeout) unwind to the root, not swallowed", () => {
    const spinning = coroutine(() => {
      for (;;) {}
    });
    const context = { spinning };
    expect(() => runInNewContext("spinning.resume()", context, { timeout: 100 })).toThrow(
      /timed out/,
    );
    expect(addon.running()).toBe(addon.self());
    const after = coroutine((suspend) => suspend(1));
    expect(after.resume()).toBe(1);
    expect(after.resume()).toBe(undefined);
  });

  it("ends the synchronous part of a fiber's stack trace at its entry", () => {
    const stack = coroutine(() => new Error("here").stack).resume() as string;
    const frames = stack.split("\n").slice(1);
    const sync = frames.filter((f) => !/^\s*at async /.test(f));
    expect(sync).toHaveLength(2); // the arrow above and the driver's entry
    expect(sync[0]).toContain("primitive.test.ts");
    // V8 still appends the async frames of the JS thread's current await
    // chain (here vitest's runner), which it keeps per isolate.
    expect(frames.slice(2).every((f) => /^\s*at async /.test(f))).toBe(true);
  });

  it("reports counters", async () => {
    // Earlier tests left unreachable suspended hosts; reclaim them first so
    // that no reclamation runs in the middle of the measurement.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    for (let i = 0; i < 2; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const before = addon.stats();
    const co = coroutine((suspend) => suspend(1));
    co.resume();
    const during = addon.stats();
    expect(during.suspended).toBe(before.suspended + 1);
    expect(during.threads).toBeGreaterThanOrEqual(1);
    co.resume();
    expect(addon.stats().suspended).toBe(before.suspended);
  });
});
