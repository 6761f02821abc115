"use fiber";
// The JS-specific API surface that the python-fibers tests do not cover:
// constructor forms, run() subclasses, argument validation and its messages,
// `this` in the target, values on the first switch, the object model.
import { describe, expect, it } from "vitest";
import { Fiber, FiberError, current } from "../../runtime/index.js";
import { caught } from "./support.js";

/** The error `fn` throws, checked to be a `type` whose message matches every
 * pattern (messages should name the problem and what to do about it). */
function errorOf(fn: () => unknown, type: new (...args: never[]) => Error, ...patterns: RegExp[]): Error {
  const err = caught(fn);
  expect(err).toBeInstanceOf(type);
  for (const pattern of patterns) expect((err as Error).message).toMatch(pattern);
  return err as Error;
}

/** A parent cycle may be refused with FiberError or RangeError; either way
 * the message must say it is a cycle. */
function expectCycleRefused(fn: () => unknown): void {
  const err = caught(fn);
  expect(err instanceof FiberError || err instanceof RangeError, String(err)).toBe(true);
  expect((err as Error).message).toMatch(/cycl/i);
}

const ENDED = /ended|finished|dead/i;

describe("Fiber API", () => {
  describe("construction", () => {
    it("does not run the target until the first switch", () => {
      let ran = 0;
      const g = new Fiber(() => {
        ran++;
      });
      expect(ran).toBe(0);
      expect(g.isAlive()).toBe(true);
      g.switch();
      expect(ran).toBe(1);
    });

    it("positional form calls target(...args) with this === undefined", () => {
      const marker = { m: 1 };
      let seenThis: unknown = "not called";
      let seenArgs: unknown[] = [];
      const g = new Fiber(
        function (this: unknown, ...args: unknown[]) {
          seenThis = this;
          seenArgs = args;
          return "done";
        },
        [1, "two", marker],
      );
      expect(g.switch()).toBe("done");
      expect(seenThis).toBe(undefined);
      expect(seenArgs).toEqual([1, "two", marker]);
      expect(seenArgs[2]).toBe(marker);
    });

    it("positional form takes a parent as third argument", () => {
      const p = new Fiber(() => undefined);
      const g = new Fiber(() => undefined, [], p);
      expect(g.parent).toBe(p);
    });

    it("options form takes target, args and parent", () => {
      const main = current();
      let seenThis: unknown = "not called";
      const p = new Fiber(() => undefined);
      const g = new Fiber({
        target: function (this: unknown, a: number, b: number) {
          seenThis = this;
          return a + b;
        },
        args: [2, 3],
        parent: p,
      });
      expect(g.parent).toBe(p);
      // p was never started, so the result skips it and reaches main
      expect(g.switch()).toBe(5);
      expect(seenThis).toBe(undefined);
      expect(p.isAlive()).toBe(true);
      expect(current()).toBe(main);
    });

    it("options form without args calls the target with no arguments", () => {
      let count = -1;
      const g = new Fiber({
        target: (...args: unknown[]) => {
          count = args.length;
        },
      });
      g.switch();
      expect(count).toBe(0);
    });

    it("a fiber with neither target nor run() ends at once, returning undefined", () => {
      for (const g of [new Fiber(), new Fiber({})]) {
        expect(g.isAlive()).toBe(true);
        expect(g.switch()).toBe(undefined);
        expect(g.isAlive()).toBe(false);
      }
    });

    it("a subclass's run() is the target when none is given, with this === the fiber", () => {
      class Pausing extends Fiber {
        seenThis: unknown = null;
        run() {
          this.seenThis = this;
          current().parent!.switch("paused");
          return "finished";
        }
      }
      const w = new Pausing();
      expect(w.switch()).toBe("paused");
      expect(w.seenThis).toBe(w);
      expect(w.switch()).toBe("finished");
      expect(w.isAlive()).toBe(false);
    });

    it("an explicit target takes precedence over run()", () => {
      let which = "";
      class Runner extends Fiber {
        run() {
          which = "run";
        }
      }
      const r = new Runner(() => {
        which = "target";
      });
      r.switch();
      expect(which).toBe("target");
    });

    it("rejects a target that is not callable with a TypeError", () => {
      errorOf(() => new Fiber(42 as unknown as () => void), TypeError, /target/i, /function|callable/i);
      errorOf(
        () => new Fiber({ target: "f" as unknown as () => void }),
        TypeError,
        /target/i,
        /function|callable/i,
      );
    });

    it("rejects args that are not an array with a TypeError", () => {
      const f = () => undefined;
      errorOf(() => new Fiber(f, "ab" as unknown as unknown[]), TypeError, /args/i, /array/i);
      errorOf(() => new Fiber({ target: f, args: 1 as unknown as unknown[] }), TypeError, /args/i, /array/i);
    });

    it("rejects a parent that is not a Fiber with a TypeError", () => {
      const f = () => undefined;
      const fake = Object.create(Fiber.prototype) as Fiber;
      errorOf(() => new Fiber(f, [], {} as Fiber), TypeError, /parent/i, /Fiber/);
      errorOf(() => new Fiber({ target: f, parent: fake }), TypeError, /parent/i, /Fiber/);
    });

    it("rejects an unknown option key with a TypeError naming it and the accepted keys", () => {
      const f = () => undefined;
      const err = errorOf(
        () => new Fiber({ target: f, stacksize: 1 << 20 } as unknown as { target: () => void }),
        TypeError,
        /"stacksize"/,
        /did you mean "stackSize"/,
        /target, args, parent, stackSize/,
      );
      expect(err.message).not.toMatch(/Cannot read/);
      errorOf(() => new Fiber({ target: f, kwargs: {} } as unknown as { target: () => void }), TypeError, /"kwargs"/);
    });

    it("rejects an array or a Fiber where the target or options go", () => {
      const f = () => undefined;
      errorOf(() => new Fiber([f, [1]] as unknown as () => void), TypeError, /function or an options object/, /Array/);
      errorOf(() => new Fiber(current() as unknown as () => void), TypeError, /function or an options object/);
    });

    it("rejects positional arguments after an options object instead of dropping them", () => {
      const f = (x?: number) => x;
      errorOf(
        () => new (Fiber as new (...a: unknown[]) => Fiber)({ target: f }, [1]),
        TypeError,
        /options object/,
        /args: \[/,
      );
      errorOf(() => new (Fiber as new (...a: unknown[]) => Fiber)({ target: f }, undefined, current()), TypeError, /parent/);
      // undefined in those places is no argument at all
      expect(new (Fiber as new (...a: unknown[]) => Fiber)({ target: () => 7 }, undefined).switch()).toBe(7);
    });

    it("rejects a stackSize that is not a number of bytes in range", () => {
      for (const bad of ["1M", 1024, 2 ** 40, Number.NaN]) {
        errorOf(() => new Fiber({ stackSize: bad as number }), TypeError, /stackSize/, /bytes/);
      }
    });

    it("a method called detached from its fiber is a TypeError saying to call it on a Fiber", () => {
      const g = new Fiber(() => undefined);
      const sw = g.switch;
      const th = g.throw;
      const alive = g.isAlive;
      errorOf(() => sw(), TypeError, /switch/, /called on a Fiber/, /bind/);
      errorOf(() => th(new Error("x")), TypeError, /throw/, /called on a Fiber/);
      errorOf(() => alive(), TypeError, /isAlive/, /called on a Fiber/);
      errorOf(() => sw.call({}), TypeError, /switch/, /called on a Fiber/);
      const kind = Object.getOwnPropertyDescriptor(Fiber.prototype, "kind")!.get!;
      errorOf(() => kind.call(undefined), TypeError, /kind/, /Fiber/);
      for (const e of [caught(() => sw()), caught(() => alive())]) {
        expect((e as Error).message).not.toMatch(/Cannot read|private/);
      }
      expect(g.isAlive()).toBe(true);
      expect(sw.call(g)).toBe(undefined);
    });

    it("rejects an ended parent with a FiberError", () => {
      const ended = new Fiber();
      ended.switch();
      errorOf(() => new Fiber(() => undefined, [], ended), FiberError, /parent/i, ENDED);
      errorOf(() => new Fiber({ parent: ended }), FiberError, /parent/i, ENDED);
    });
  });

  describe("switch", () => {
    it("passes values both ways", () => {
      const received: unknown[] = [];
      const g = new Fiber(() => {
        received.push(current().parent!.switch("first"));
        received.push(current().parent!.switch("second"));
        return "last";
      });
      expect(g.switch()).toBe("first");
      expect(g.switch("a")).toBe("second");
      expect(g.switch({ b: 2 })).toBe("last");
      expect(received).toEqual(["a", { b: 2 }]);
    });

    it("a value on the first switch is a FiberError and leaves the fiber startable", () => {
      let ran = 0;
      const g = new Fiber(() => {
        ran++;
        return "started";
      });
      errorOf(() => g.switch(42), FiberError, /value/i, /start/i);
      expect(ran).toBe(0);
      expect(g.isAlive()).toBe(true);
      expect(g.switch()).toBe("started");
      expect(ran).toBe(1);
    });

    it("switch(undefined) counts as no value and starts the fiber", () => {
      const g = new Fiber(() => "started");
      expect(g.switch(undefined)).toBe("started");
    });

    it("switching to an ended fiber is a FiberError", () => {
      const g = new Fiber(() => 1);
      g.switch();
      errorOf(() => g.switch(), FiberError, ENDED);
      errorOf(() => g.switch("value"), FiberError, ENDED);
    });

    it("switching to the current fiber is a FiberError, in main and in a fiber", () => {
      errorOf(() => current().switch(), FiberError, /itself|current|running/i);
      const g = new Fiber(() => caught(() => current().switch("x")));
      const err = g.switch();
      expect(err).toBeInstanceOf(FiberError);
      expect((err as Error).message).toMatch(/itself|current|running/i);
    });

    it("a target's return value goes to the nearest started, not ended ancestor (skipping an unstarted parent)", () => {
      const unstarted = new Fiber(() => "never");
      const g = new Fiber(() => "result", [], unstarted);
      expect(g.switch()).toBe("result");
      expect(unstarted.isAlive()).toBe(true);
      expect(unstarted.switch()).toBe("never");
    });

    it("a target's return value skips an ancestor that ended meanwhile", () => {
      const main = current();
      const p = new Fiber(() => {
        c.switch();
        return "p done";
      });
      const c = new Fiber(() => {
        main.switch("c suspended");
        return "c done";
      }, [], p);
      expect(p.switch()).toBe("c suspended");
      // resume p (suspended in c.switch()); it ends while c is suspended
      expect(p.switch("go")).toBe("p done");
      expect(p.isAlive()).toBe(false);
      expect(c.isAlive()).toBe(true);
      expect(c.switch()).toBe("c done");
    });

    it("an exception escaping the target is raised at the parent's pending switch and ends the fiber", () => {
      const boom = new Error("boom");
      const g = new Fiber(() => {
        throw boom;
      });
      expect(caught(() => g.switch())).toBe(boom);
      expect(g.isAlive()).toBe(false);
    });
  });

  describe("throw", () => {
    it("raises the error at the fiber's pending switch; any value can be thrown", () => {
      const g = new Fiber(() => {
        try {
          current().parent!.switch("waiting");
        } catch (e) {
          return ["caught", e];
        }
        return ["not caught"];
      });
      g.switch();
      expect(g.throw("a string")).toEqual(["caught", "a string"]);
    });

    it("on an unstarted fiber ends it without running it and raises in its nearest live ancestor", () => {
      let ran = false;
      const g = new Fiber(() => {
        ran = true;
      });
      const err = new Error("into unstarted");
      expect(caught(() => g.throw(err))).toBe(err);
      expect(ran).toBe(false);
      expect(g.isAlive()).toBe(false);
      errorOf(() => g.switch(), FiberError, ENDED);
    });

    it("throwing to an ended fiber or to the current fiber is a FiberError", () => {
      const g = new Fiber(() => undefined);
      g.switch();
      errorOf(() => g.throw(new Error("x")), FiberError, ENDED);
      errorOf(() => current().throw(new Error("x")), FiberError, /itself|current|running/i);
    });
  });

  describe("isAlive", () => {
    it("is true until the fiber ends: unstarted, running, suspended", () => {
      let whileRunning: boolean | undefined;
      const g = new Fiber(() => {
        whileRunning = current().isAlive();
        current().parent!.switch();
      });
      expect(g.isAlive()).toBe(true);
      g.switch();
      expect(whileRunning).toBe(true);
      expect(g.isAlive()).toBe(true);
      g.switch();
      expect(g.isAlive()).toBe(false);
    });
  });

  describe("parent", () => {
    it("defaults to the current fiber at construction", () => {
      const main = current();
      expect(new Fiber().parent).toBe(main);
      const g = new Fiber(() => {
        const inner = new Fiber();
        return inner.parent === current() && inner.parent !== main;
      });
      expect(g.switch()).toBe(true);
    });

    it("can be set to another live fiber", () => {
      const a = new Fiber(() => undefined);
      const b = new Fiber(() => undefined);
      b.parent = a;
      expect(b.parent).toBe(a);
      b.parent = current();
      expect(b.parent).toBe(current());
    });

    it("setter rejects a non-Fiber with a TypeError and keeps the old parent", () => {
      const g = new Fiber(() => undefined);
      const before = g.parent;
      for (const bad of [null, undefined, {}, 1, Object.create(Fiber.prototype)]) {
        errorOf(() => {
          g.parent = bad as Fiber;
        }, TypeError, /parent/i, /Fiber/);
      }
      expect(g.parent).toBe(before);
    });

    it("setter rejects an ended fiber", () => {
      const ended = new Fiber();
      ended.switch();
      const g = new Fiber(() => undefined);
      errorOf(() => {
        g.parent = ended;
      }, FiberError, /parent/i, ENDED);
      expect(g.parent).toBe(current());
    });

    it("setter rejects cycles", () => {
      const a = new Fiber(() => undefined);
      const b = new Fiber({ target: () => undefined, parent: a });
      const c = new Fiber({ target: () => undefined, parent: b });
      expectCycleRefused(() => {
        a.parent = a;
      });
      expectCycleRefused(() => {
        a.parent = c;
      });
      expect(a.parent).toBe(current());
    });
  });

  describe("current", () => {
    it("outside any fiber is this thread's main fiber: no parent, always alive, stable", () => {
      const main = current();
      expect(main).toBeInstanceOf(Fiber);
      expect(main.parent).toBe(null);
      expect(main.isAlive()).toBe(true);
      expect(current()).toBe(main);
      const g = new Fiber(() => undefined);
      g.switch();
      expect(current()).toBe(main);
      expect(main.isAlive()).toBe(true);
    });

    it("Fiber.current() is current(), in main and inside a fiber", () => {
      expect(Fiber.current()).toBe(current());
      const g = new Fiber(() => [Fiber.current(), current()]);
      const [a, b] = g.switch() as Fiber[];
      expect(a).toBe(g);
      expect(b).toBe(g);
    });
  });

  describe("object model", () => {
    it("fibers are ordinary extensible objects", () => {
      const g = new Fiber() as Fiber & Record<string, unknown>;
      expect(Object.isExtensible(g)).toBe(true);
      g.name = "worker-1";
      g.data = { n: 1 };
      expect(g.name).toBe("worker-1");
      expect(Object.keys(g)).toEqual(["name", "data"]);
      expect(g.switch()).toBe(undefined);
    });

    it("subclasses can add fields and methods", () => {
      class Task extends Fiber {
        log: string[] = [];
        constructor(readonly label: string) {
          super({ target: (x: number) => x * 2, args: [21] });
        }
        describe() {
          return `${this.label}: ${this.isAlive() ? "alive" : "ended"}`;
        }
      }
      const t = new Task("t");
      t.log.push("created");
      expect(t).toBeInstanceOf(Fiber);
      expect(t.describe()).toBe("t: alive");
      expect(t.switch()).toBe(42);
      expect(t.describe()).toBe("t: ended");
      expect(t.log).toEqual(["created"]);
    });

    it("FiberError is an Error subclass", () => {
      const e = new FiberError("m");
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(FiberError);
      expect(e.message).toBe("m");
    });
  });
});
