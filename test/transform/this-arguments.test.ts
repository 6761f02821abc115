"use fiber";
// `this`, `arguments` and `new.target` must be intact after a frame is
// suspended and resumed. Cases run in every mode of fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, main, suite, thrown } from "./fixtures/harness.js";

const cases: Case[] = [
  {
    name: "this in a method is the same object after a switch",
    body(sw) {
      const o = {
        name: "o",
        m() {
          const before = this;
          sw("s");
          return [before === this, this.name];
        },
      };
      return o.m();
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [true, "o"],
  },
  {
    name: "this in an arrow nested in a method, after both switched",
    body(sw) {
      const o = {
        n: 1,
        m() {
          const a = () => this.n + sw("arrow");
          sw("method");
          return a();
        },
      };
      return o.m();
    },
    send: [0, 5],
    yields: ["method", "arrow"],
    log: ["@method", "@arrow"],
    result: 6,
  },
  {
    name: "this is undefined in a plain call (strict mode) after a switch",
    body(sw) {
      function plain(this: unknown) {
        sw("s");
        return this;
      }
      return [plain() === undefined];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [true],
  },
  {
    name: "a method called through a variable has no this",
    body(sw) {
      const o = {
        m() {
          sw("s");
          return this;
        },
      };
      const m = o.m;
      return [m() === undefined, o.m() === o];
    },
    send: [0, 0],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: [true, true],
  },
  {
    name: "this from .call with primitives and null is not boxed",
    body(sw) {
      function self(this: unknown) {
        return [this, sw("s")];
      }
      return [self.call(5), self.call("str"), self.call(null)];
    },
    send: [1, 2, 3],
    yields: ["s", "s", "s"],
    log: ["@s", "@s", "@s"],
    result: [[5, 1], ["str", 2], [null, 3]],
  },
  {
    name: "this in static methods is the class the method was called on",
    body(sw) {
      class S {
        static who() {
          sw("s");
          return this;
        }
      }
      class S2 extends S {}
      return [S.who() === S, S2.who() === S2];
    },
    send: [0, 0],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: [true, true],
  },
  {
    name: "this in a class method after a switch, with private state",
    body(sw) {
      class Acc {
        #total = 0;
        add(x: number) {
          this.#total += x * sw("factor");
          return this;
        }
        get total() {
          return this.#total;
        }
      }
      const acc = new Acc();
      return [acc.add(1).add(2) === acc, acc.total];
    },
    send: [10, 100],
    yields: ["factor", "factor"],
    log: ["@factor", "@factor"],
    result: [true, 210],
  },
  {
    name: "arguments: the same object with the same length and values after a switch",
    body(sw) {
      function f(_a: number, _b: number) {
        const args = arguments;
        const len = arguments.length;
        sw("s");
        return [args === arguments, len, arguments.length, Array.prototype.slice.call(arguments)];
      }
      return (f as any)(1, 2, 3);
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [true, 3, 3, [1, 2, 3]],
  },
  {
    name: "arguments is unmapped (strict): assigning a parameter after a switch leaves it alone",
    body(sw) {
      function f(a: number) {
        sw("s");
        a = 99;
        return [a, arguments[0]];
      }
      return f(1);
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [99, 1],
  },
  {
    name: "arguments in an arrow is the enclosing function's",
    body(sw) {
      function outer(_x: number) {
        const inner = () => arguments[0] + sw("s");
        return inner();
      }
      return outer(1);
    },
    send: [2],
    yields: ["s"],
    log: ["@s"],
    result: 3,
  },
  {
    name: "arguments.length with fewer arguments than parameters and defaults",
    body(sw) {
      function d(_a: number, b = 2) {
        sw("s");
        return [arguments.length, b];
      }
      return [d(1), d(1, 5)];
    },
    send: [0, 0],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: [[1, 2], [2, 5]],
  },
  {
    name: "arguments written through after a switch",
    body(sw) {
      function w(_a: number) {
        sw("s");
        arguments[0] = 42;
        return arguments[0];
      }
      return w(1);
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: 42,
  },
  {
    name: "this passed by a marked higher-order function with .call",
    body(sw) {
      function each(arr: number[], cb: (this: any, x: number) => number, thisArg: unknown) {
        const out: number[] = [];
        for (let i = 0; i < arr.length; i++) out.push(cb.call(thisArg, arr[i]));
        return out;
      }
      return each([1, 2], function (this: { k: number }, x: number) {
        return this.k + x + sw(x);
      }, { k: 10 });
    },
    send: [100, 200],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: [111, 212],
  },
  {
    name: "new.target is kept across a switch, and undefined in a plain call",
    body(sw) {
      function F(this: any) {
        const nt = new.target;
        sw("s");
        if (nt) {
          this.same = new.target === nt;
          this.isF = new.target === F;
          return;
        }
        return new.target;
      }
      const made = new (F as any)();
      const plain = (F as any)();
      return [made.same, made.isF, plain];
    },
    send: [0, 0],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: [true, true, undefined],
  },
  {
    name: "new.target in a class constructor is the subclass being constructed",
    body(sw) {
      class A {
        kind: string;
        constructor() {
          sw("s");
          this.kind = new.target.name;
        }
      }
      // A subclass reaches A's constructor through super(), which cannot
      // suspend in the stackless backend (boundaries.test.ts covers that).
      return [new A().kind, new A().kind];
    },
    send: [0, 0],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: ["A", "A"],
  },
  {
    name: "new.target read by an arrow inside a constructor after a switch",
    body(sw) {
      function G(this: any) {
        const a = () => new.target;
        sw("s");
        this.ok = a() === G;
      }
      return new (G as any)().ok;
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: true,
  },
  {
    name: "this in a method survives an error thrown in and caught there",
    body(sw) {
      const o = {
        name: "svc",
        m() {
          try {
            sw("s");
          } catch (e) {
            return `${this.name}: ${(e as Error).message}`;
          }
          return "not reached";
        },
      };
      return o.m();
    },
    send: [thrown("x")],
    yields: ["s"],
    log: ["@s"],
    result: "svc: x",
  },
];

suite(cases);

describe("this and arguments with the fiber API used directly", () => {
  it("a fiber target receives its args as parameters and arguments", () => {
    const f = new Fiber(
      function (this: unknown, a: number, b: number) {
        const r = main.switch(a + b);
        return [arguments.length, a, b, r];
      },
      [1, 2],
    );
    expect(f.switch()).toBe(3);
    expect(f.switch("x")).toEqual([2, 1, 2, "x"]);
  });

  it("this of a method whose frame is suspended while main calls the same method on another object", () => {
    const proto = {
      name: "",
      work() {
        const before = this.name;
        const v = main.switch(this.name);
        return `${before}/${this.name}/${v}`;
      },
    };
    const a = Object.assign(Object.create(proto), { name: "a" });
    const b = Object.assign(Object.create(proto), { name: "b" });
    const fa = new Fiber(() => a.work());
    const fb = new Fiber(() => b.work());
    expect(fa.switch()).toBe("a");
    expect(fb.switch()).toBe("b");
    a.name = "A";
    expect(fb.switch(2)).toBe("b/b/2");
    expect(fa.switch(1)).toBe("a/A/1");
  });

  it("arguments of frames at different depths stay separate across switches", () => {
    function level(depth: number, ...rest: unknown[]): unknown[] {
      if (depth === 0) return [main.switch("bottom"), arguments.length, rest];
      const below = level(depth - 1, ...rest, depth);
      return [...below, arguments.length];
    }
    const f = new Fiber(() => level(3, "x"));
    expect(f.switch()).toBe("bottom");
    expect(f.switch("v")).toEqual(["v", 5, ["x", 3, 2, 1], 4, 3, 2]);
  });
});
