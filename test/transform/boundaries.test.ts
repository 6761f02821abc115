"use fiber";
// Boundaries: a switch that would have to suspend a frame that is not marked
// (a native callback chain, a sort comparator, a getter or setter, valueOf /
// toString, a Proxy trap, a JSON.parse reviver, a generator body, a function
// from an unmarked module, a bound function called from unmarked code, an
// iteration protocol call the plugin cannot rewrite) must throw a FiberError
// at the switch point, saying why and how to fix it, and leave the fiber and
// the runtime fully usable: the fiber can catch the error, switch again from
// a marked position and finish normally.
import { describe, expect, it } from "vitest";
import { Fiber, FiberError, current } from "../../runtime/index.js";
import { expectBoundaryError, hop, main } from "./fixtures/harness.js";
import { callEach, callWith, plainService } from "./fixtures/unmarked.js";

interface BoundaryRun {
  err: unknown;
  again: unknown;
  self: boolean;
}

/**
 * Runs `attempt` inside a fiber, where it tries to switch through unmarked
 * code. Checks that the attempt threw (and nothing was switched out), that the
 * fiber then switches from a marked position and finishes, and that the
 * runtime still works. Returns the error for further checks.
 */
function expectRefused(attempt: () => unknown): unknown {
  const log: string[] = [];
  const f: Fiber = new Fiber(() => {
    log.push("start");
    let err: unknown = "attempt did not throw";
    try {
      const r = attempt();
      log.push("attempt returned " + String(r));
    } catch (e) {
      err = e;
    }
    log.push("after boundary");
    const again = main.switch("marked switch still works");
    log.push("resumed with " + String(again));
    return { err, again, self: current() === f };
  });
  // The first thing main receives is the marked switch: the refused switch
  // delivered nothing.
  expect(f.switch()).toBe("marked switch still works");
  const run = f.switch("again") as BoundaryRun;
  expect(f.isAlive()).toBe(false);
  expect(log).toEqual(["start", "after boundary", "resumed with again"]);
  expect(run.again).toBe("again");
  expect(run.self).toBe(true);
  expectBoundaryError(run.err);
  // The runtime is still usable.
  expect(current()).toBe(main);
  const g = new Fiber((x: number) => x + (hop(2, main, x) as number), [1]);
  expect(g.switch()).toBe(1);
  expect(g.switch(2)).toBe(3);
  return run.err;
}

/** A marked iterable whose next() switches to main. */
function switchingIterable(tag: string): Iterable<unknown> {
  return {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next(): IteratorResult<unknown> {
          if (i >= 2) return { value: undefined, done: true };
          return { value: main.switch(tag + i++), done: false };
        },
      };
    },
  };
}

describe("a switch through unmarked code throws FiberError and the fiber carries on", () => {
  it("a base-class constructor reached through super() (the stackless backend cannot suspend through super)", () => {
    class Base {
      kind: string;
      constructor() {
        hop(1, main, "in base");
        this.kind = new.target.name;
      }
    }
    class Derived extends Base {}
    const err = expectRefused(() => new Derived());
    expectBoundaryError(err);
  });

  it("Array.prototype.forEach callback", () => {
    expectRefused(() => {
      [1, 2].forEach((x) => {
        main.switch(x);
      });
    });
  });

  it("Array.prototype.map callback switching through 5 marked frames", () => {
    expectRefused(() => [1].map((x) => hop(5, main, x)));
  });

  it("Array.prototype.reduce callback", () => {
    expectRefused(() => [1, 2].reduce((a, x) => a + (main.switch(x) as number), 0));
  });

  it("Array.prototype.sort comparator", () => {
    expectRefused(() => [3, 1, 2].sort((a, b) => (main.switch("compare") as number) || a - b));
  });

  it("String.prototype.replace callback", () => {
    expectRefused(() => "abc".replace(/b/, () => main.switch("replace") as string));
  });

  it("getter of a class", () => {
    class Lazy {
      get value() {
        return main.switch("getter");
      }
    }
    expectRefused(() => new Lazy().value);
  });

  it("getter calling a marked helper that switches", () => {
    const o = {
      get value() {
        return hop(3, main, "getter via helper");
      },
    };
    expectRefused(() => o.value);
  });

  it("setter", () => {
    const o = {
      set value(v: unknown) {
        main.switch(v);
      },
    };
    expectRefused(() => {
      o.value = "setter";
    });
  });

  it("valueOf called by an arithmetic operator", () => {
    const v: any = {
      valueOf() {
        return main.switch("valueOf");
      },
    };
    expectRefused(() => v * 2);
  });

  it("toString called by a template literal", () => {
    const v = {
      toString() {
        return main.switch("toString") as string;
      },
    };
    expectRefused(() => `${v}`);
  });

  it("Proxy trap", () => {
    const p: any = new Proxy({}, { get: () => main.switch("trap") });
    expectRefused(() => p.anything);
  });

  it("JSON.parse reviver", () => {
    expectRefused(() => JSON.parse('{"a":1}', (k, v) => (k === "a" ? main.switch("reviver") : v)));
  });

  it("generator body (generators are never transformed)", () => {
    function* g() {
      yield main.switch("in generator");
    }
    expectRefused(() => g().next());
  });

  it("generator body calling a marked helper", () => {
    function* g() {
      yield hop(2, main, "in generator via helper");
    }
    expectRefused(() => [...g()]);
  });

  it("a function from an unmarked module", () => {
    expectRefused(() => callWith((x: string) => main.switch(x), "callback"));
  });

  it("a loop in an unmarked module calling marked code that switches 3 frames down", () => {
    expectRefused(() => callEach([1, 2], (x) => hop(3, main, x)));
  });

  it("a method of an unmarked object", () => {
    expectRefused(() => plainService.run(() => main.switch("service")));
  });

  it("a .bind()-bound marked function called from unmarked code", () => {
    function marked(this: { tag: string }, x: number) {
      return main.switch(this.tag + x);
    }
    expectRefused(() => callWith(marked.bind({ tag: "bound" }), 1));
  });

  it("Reflect.apply of a marked function", () => {
    expectRefused(() => Reflect.apply(() => main.switch("reflect"), null, []));
  });

  it("Array.from over an iterator whose next() switches (protocol driven by native code)", () => {
    expectRefused(() => Array.from(switchingIterable("from")));
  });

  it("new Set over an iterator whose next() switches", () => {
    expectRefused(() => new Set(switchingIterable("set")));
  });
});

describe("what the FiberError says", () => {
  it("is a FiberError and an Error", () => {
    const err = expectRefused(() => [1].forEach(() => main.switch("x")));
    expect(err).toBeInstanceOf(FiberError);
    expect(err).toBeInstanceOf(Error);
  });

  it("names the marked function that was entered from unmarked code", () => {
    const err = expectRefused(() =>
      callWith(function namedCallback(x: number) {
        return hop(2, main, x);
      }, 1),
    );
    expect((err as Error).message).toContain("namedCallback");
  });
});

describe("how the error travels and what keeps working", () => {
  it("the FiberError propagates out through the native frame; the rest of forEach is skipped", () => {
    const f = new Fiber(() => {
      const visited: number[] = [];
      try {
        [1, 2, 3].forEach((x) => {
          visited.push(x);
          main.switch(x);
          visited.push(-x);
        });
      } catch (e) {
        return [visited, e];
      }
      return "no error";
    });
    const [visited, err] = f.switch() as [number[], unknown];
    expect(visited).toEqual([1]);
    expectBoundaryError(err);
    expect(f.isAlive()).toBe(false);
  });

  it("a callback that catches the FiberError lets forEach go on", () => {
    const f = new Fiber(() => {
      const visited: unknown[] = [];
      [1, 2, 3].forEach((x) => {
        try {
          main.switch(x);
          visited.push("not reached");
        } catch (e) {
          visited.push(e instanceof FiberError ? x : e);
        }
      });
      return [visited, main.switch("after forEach")];
    });
    expect(f.switch()).toBe("after forEach");
    expect(f.switch("resumed")).toEqual([[1, 2, 3], "resumed"]);
  });

  it("caught several marked frames below the native frame, then the frames above it switch normally", () => {
    const log: string[] = [];
    const cb = (x: number) => {
      try {
        return hop(5, main, x);
      } catch (e) {
        log.push(`cb ${x} caught ${e instanceof FiberError ? "FiberError" : String(e)}`);
        return -x;
      }
    };
    const f = new Fiber(() => {
      const before = main.switch("before");
      const mapped = [1, 2].map(cb);
      const after = hop(5, main, "after");
      return [before, mapped, after];
    });
    expect(f.switch()).toBe("before");
    expect(f.switch("B")).toBe("after");
    expect(f.switch("A")).toEqual(["B", [-1, -2], "A"]);
    expect(log).toEqual(["cb 1 caught FiberError", "cb 2 caught FiberError"]);
  });

  it("marked callbacks that do not switch work through native frames inside a fiber", () => {
    const add = (a: number, b: number) => a + b;
    const f = new Fiber(() => {
      const first = main.switch("first");
      const sorted = [3, 1, 2].sort((a, b) => add(a, -b));
      const mapped = sorted.map((x) => add(x, 10));
      const revived = JSON.parse("[1,2]", (_k, v) => (typeof v === "number" ? add(v, 100) : v));
      const viaUnmarked = callEach([1, 2], (x) => add(x, 1000));
      const o = {
        get g() {
          return add(1, 1);
        },
      };
      const second = main.switch("second");
      return [first, sorted, mapped, revived, viaUnmarked, o.g, second];
    });
    expect(f.switch()).toBe("first");
    expect(f.switch(1)).toBe("second");
    expect(f.switch(2)).toEqual([1, [1, 2, 3], [11, 12, 13], [101, 102], [1001, 1002], 2, 2]);
  });

  it("switching to a sibling or throwing into it from unmarked code is refused and leaves the sibling untouched", () => {
    const siblingLog: unknown[] = [];
    const sibling = new Fiber(() => {
      for (;;) siblingLog.push(main.switch("sibling waiting"));
    });
    expect(sibling.switch()).toBe("sibling waiting");
    expectRefused(() => [1].forEach(() => sibling.switch("via forEach")));
    expectRefused(() => [1].forEach(() => sibling.throw(new Error("via forEach"))));
    expect(siblingLog).toEqual([]);
    expect(sibling.switch("direct")).toBe("sibling waiting");
    expect(siblingLog).toEqual(["direct"]);
  });

  it("a sibling suspended before another fiber hit a boundary resumes with its state intact", () => {
    const other = new Fiber(() => {
      let n = 1;
      for (let i = 0; i < 3; i++) n = n * 10 + (main.switch(n) as number);
      return n;
    });
    expect(other.switch()).toBe(1);
    expectRefused(() => [1].forEach(() => main.switch("boundary")));
    expect(other.switch(2)).toBe(12);
    expectRefused(() => JSON.parse("1", () => main.switch("boundary again")));
    expect(other.switch(3)).toBe(123);
    expect(other.switch(4)).toBe(1234);
    expect(other.isAlive()).toBe(false);
  });

  it("an async function body is not transformed: a switch in it rejects its promise, the fiber is unharmed", async () => {
    async function a() {
      main.switch("in async");
      return "not reached";
    }
    const f = new Fiber(() => {
      const p = a();
      p.catch(() => undefined);
      return [p, main.switch("after async call")];
    });
    expect(f.switch()).toBe("after async call");
    const [p, v] = f.switch("ok") as [Promise<unknown>, unknown];
    expect(v).toBe("ok");
    let err: unknown;
    try {
      await p;
    } catch (e) {
      err = e;
    }
    expectBoundaryError(err);
  });

  it("the main fiber can switch from anywhere, including unmarked callbacks", () => {
    const f = new Fiber(() => {
      let v = main.switch("ready") as number;
      for (;;) v = main.switch(v * 10) as number;
    });
    expect(f.switch()).toBe("ready");
    const viaForEach: unknown[] = [];
    [1, 2].forEach((x) => viaForEach.push(f.switch(x)));
    expect(viaForEach).toEqual([10, 20]);
    expect(callWith((x: number) => f.switch(x), 3)).toBe(30);
    const o = {
      get g() {
        return f.switch(4);
      },
    };
    expect(o.g).toBe(40);
  });
});
