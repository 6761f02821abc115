"use fiber";
// Kinds of functions: declarations, expressions, arrows (block bodies and,
// marked by this module's directive, expression bodies), object methods,
// class methods (instance, static, private, static private), class-field
// arrows, constructors, closures that mutate captured variables across a
// switch, default and destructuring parameters (evaluated exactly once).
// Getters and setters are NOT marked: a switch inside one is a boundary.
// Cases run in every mode of fixtures/harness.ts.
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, expectBoundaryError, hop, logged, main, suite, t, thrown } from "./fixtures/harness.js";

const cases: Case[] = [
  {
    name: "function declaration called before its declaration",
    body(sw) {
      return decl(2);
      function decl(x: number) {
        return x * sw("in decl");
      }
    },
    send: [5],
    yields: ["in decl"],
    log: ["@in decl"],
    result: 10,
  },
  {
    name: "named function expression recursing through its own name",
    body(sw) {
      const fact = function self(n: number): number {
        return n <= 1 ? sw("base") : n * self(n - 1);
      };
      return fact(4);
    },
    send: [1],
    yields: ["base"],
    log: ["@base"],
    result: 24,
  },
  {
    name: "arrow function with a block body",
    body(sw) {
      const f = (a: number) => {
        const b = a * 2;
        return b + sw(b);
      };
      return f(3);
    },
    send: [1],
    yields: [6],
    log: ["@6"],
    result: 7,
  },
  {
    name: "expression-bodied arrow (marked by the module directive)",
    body(sw) {
      const f = (a: number) => a + sw(a);
      return f(1) + f(2);
    },
    send: [10, 20],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: 33,
  },
  {
    name: "curried expression-bodied arrows",
    body(sw) {
      const add = (a: number) => (b: number) => a + sw(b);
      return add(1)(2);
    },
    send: [10],
    yields: [2],
    log: ["@2"],
    result: 11,
  },
  {
    name: "object method shorthand and function-valued property",
    body(sw) {
      const o = {
        base: 10,
        m(x: number) {
          return this.base + sw(x);
        },
        p: function (this: { base: number }, x: number) {
          return this.base * sw(x);
        },
      };
      return [o.m(1), o.p(2)];
    },
    send: [1, 2],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: [11, 20],
  },
  {
    name: "class methods: instance, private, static, static private",
    body(sw) {
      class C {
        #secret = 5;
        static factor = 3;
        #priv(x: number) {
          return this.#secret + sw("priv " + x);
        }
        pub(x: number) {
          return this.#priv(x) * 2;
        }
        static stat(x: number) {
          return C.factor * sw("static " + x);
        }
        static #sp(x: number) {
          return sw("static private " + x);
        }
        static callSp(x: number) {
          return C.#sp(x);
        }
      }
      return [new C().pub(1), C.stat(2), C.callSp(3)];
    },
    send: [1, 2, "sp"],
    yields: ["priv 1", "static 2", "static private 3"],
    log: ["@priv 1", "@static 2", "@static private 3"],
    result: [12, 6, "sp"],
  },
  {
    name: "class-field arrow keeps its instance when called detached",
    body(sw) {
      class H {
        n = 1;
        handler = (x: number) => this.n + sw(x);
      }
      const fn = new H().handler;
      return fn(1);
    },
    send: [2],
    yields: [1],
    log: ["@1"],
    result: 3,
  },
  {
    name: "private fields read and written across a switch",
    body(sw) {
      class Counter {
        #n = 0;
        inc() {
          this.#n += sw("inc");
          return this.#n;
        }
      }
      const c = new Counter();
      return [c.inc(), c.inc()];
    },
    send: [1, 2],
    yields: ["inc", "inc"],
    log: ["@inc", "@inc"],
    result: [1, 3],
  },
  {
    name: "getters and setters that do not switch work normally",
    body(sw) {
      class G {
        #v = 1;
        get v() {
          return this.#v;
        }
        set v(x: number) {
          this.#v = x * 10;
        }
      }
      const g = new G();
      g.v = sw("set");
      return g.v;
    },
    send: [2],
    yields: ["set"],
    log: ["@set"],
    result: 20,
  },
  {
    name: "closures mutating a captured variable across switches",
    body(sw) {
      let count = 0;
      const inc = () => {
        count += sw("inc");
        return count;
      };
      const read = () => count;
      const a = inc();
      const b = read();
      const c = inc();
      return [a, b, c, count];
    },
    send: [1, 2],
    yields: ["inc", "inc"],
    log: ["@inc", "@inc"],
    result: [1, 1, 3, 3],
  },
  {
    name: "a closure created before a switch sees assignments made after it",
    body(sw) {
      let x = 1;
      const get = () => x;
      sw("s");
      x = 2;
      return get();
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: 2,
  },
  {
    name: "a closure that switches outlives the call that made it",
    body(sw) {
      const make = (base: number) => {
        let count = 0;
        return () => {
          count += 1;
          return base + count + sw(count);
        };
      };
      const next = make(100);
      return [next(), next()];
    },
    send: [10, 20],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: [111, 122],
  },
  {
    name: "default parameters are evaluated exactly once, also when one of them switches",
    body(sw, log) {
      function f(a = t(log, "default a", 1), b = sw("default b"), c = a + b) {
        log.push("body");
        return [a, b, c, sw("body")];
      }
      return f();
    },
    send: [2, "B"],
    yields: ["default b", "body"],
    log: ["default a", "@default b", "body", "@body"],
    result: [1, 2, 3, "B"],
  },
  {
    name: "a default parameter's closure sees the parameter assigned after a switch",
    body(sw) {
      function h(a: number, get = () => a) {
        a = sw("a");
        return [a, get()];
      }
      return h(1);
    },
    send: [5],
    yields: ["a"],
    log: ["@a"],
    result: [5, 5],
  },
  {
    name: "destructuring parameters are read exactly once, before the body switches",
    body(sw, log) {
      const arg = logged(log, { x: 1, y: 2 });
      const list = {
        *[Symbol.iterator]() {
          log.push("iterate");
          yield "p";
          yield "q";
        },
      };
      function g({ x, y, z = "default z" }: any, [p, q]: any) {
        log.push("body");
        sw("in body");
        return [x, y, z, p, q];
      }
      return g(arg, list);
    },
    send: [0],
    yields: ["in body"],
    log: ["get x", "get y", "get z", "iterate", "body", "@in body"],
    result: [1, 2, "default z", "p", "q"],
  },
  {
    name: "rest parameters across a switch",
    body(sw) {
      const r = (first: number, ...rest: number[]) => {
        sw("s");
        return [first, rest];
      };
      return r(1, 2, 3);
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [1, [2, 3]],
  },
  {
    name: "recursion with a switch at every leaf",
    body(sw) {
      const fib = (n: number): number => (n < 2 ? sw("fib " + n) : fib(n - 1) + fib(n - 2));
      return fib(4);
    },
    send: [1, 0, 1, 1, 0],
    yields: ["fib 1", "fib 0", "fib 1", "fib 1", "fib 0"],
    log: ["@fib 1", "@fib 0", "@fib 1", "@fib 1", "@fib 0"],
    result: 3,
  },
  {
    name: "immediately invoked function and arrow",
    body(sw) {
      const v = (function () {
        return sw("iife") * 2;
      })();
      const w = ((x: number) => x + sw("arrow iife"))(1);
      return [v, w];
    },
    send: [21, 2],
    yields: ["iife", "arrow iife"],
    log: ["@iife", "@arrow iife"],
    result: [42, 3],
  },
  {
    name: "a generator object keeps its state across a fiber switch (generators are not transformed)",
    body(sw) {
      function* gen() {
        yield 1;
        yield 2;
      }
      const g = gen();
      const a = g.next().value;
      sw("between");
      const b = g.next().value;
      return [a, b, g.next().done];
    },
    send: [0],
    yields: ["between"],
    log: ["@between"],
    result: [1, 2, true],
  },
  {
    name: "constructor function called with new switches in its body",
    body(sw) {
      function Point(this: any, x: number) {
        this.x = x;
        this.y = sw("y");
      }
      const p = new (Point as any)(1);
      return [p.x, p.y, p instanceof Point, Object.getPrototypeOf(p) === Point.prototype];
    },
    send: [2],
    yields: ["y"],
    log: ["@y"],
    result: [1, 2, true, true],
  },
  {
    name: "class constructor switches in its body",
    body(sw) {
      class A {
        v: number;
        constructor(x: number) {
          this.v = x + sw("ctor");
        }
      }
      const a = new A(1);
      return [a.v, a instanceof A];
    },
    send: [1],
    yields: ["ctor"],
    log: ["@ctor"],
    result: [2, true],
  },
  {
    name: "derived class constructor switches after super()",
    body(sw) {
      class Base {
        b: number;
        constructor(x: number) {
          this.b = x;
        }
      }
      class Derived extends Base {
        d: unknown;
        constructor(x: number) {
          super(x * 2);
          this.d = sw("after super");
        }
      }
      const d = new Derived(1);
      return [d.b, d.d, d instanceof Derived];
    },
    send: ["D"],
    yields: ["after super"],
    log: ["@after super"],
    result: [2, "D", true],
  },
  {
    name: "an error thrown into a method of a class reaches the method's catch",
    body(sw, log) {
      class Svc {
        name = "svc";
        run() {
          try {
            return sw("in method");
          } catch (e) {
            log.push(`${this.name} caught ${(e as Error).message}`);
            return "recovered";
          }
        }
      }
      return new Svc().run();
    },
    send: [thrown("x")],
    yields: ["in method"],
    log: ["@in method", "svc caught x"],
    result: "recovered",
  },
];

suite(cases);

describe("functions with the fiber API used directly", () => {
  it("an expression-bodied arrow is a valid fiber target", () => {
    const double = (x: number) => 2 * (main.switch(x) as number);
    const f = new Fiber(double, [21]);
    expect(f.switch()).toBe(21);
    expect(f.switch(2)).toBe(4);
    expect(f.isAlive()).toBe(false);
  });

  it("getters and setters are not marked: a switch inside one raises FiberError and the fiber carries on", () => {
    class Lazy {
      get value() {
        return main.switch("from class getter");
      }
    }
    const obj = {
      get direct() {
        return main.switch("from object getter");
      },
      get viaHelper() {
        return hop(3, main, "from a marked helper under a getter");
      },
      set assign(v: unknown) {
        main.switch(v);
      },
    };
    const f = new Fiber(() => {
      const errors: unknown[] = [];
      try {
        errors.push(new Lazy().value);
      } catch (e) {
        errors.push(e);
      }
      try {
        errors.push(obj.direct);
      } catch (e) {
        errors.push(e);
      }
      try {
        errors.push(obj.viaHelper);
      } catch (e) {
        errors.push(e);
      }
      try {
        obj.assign = "from setter";
        errors.push("setter returned");
      } catch (e) {
        errors.push(e);
      }
      const after = main.switch("marked switch");
      return [errors, after];
    });
    // The first value main sees comes from the marked switch: none of the
    // refused switches delivered anything.
    expect(f.switch()).toBe("marked switch");
    const [errors, after] = f.switch("resumed") as [unknown[], unknown];
    expect(after).toBe("resumed");
    expect(errors).toHaveLength(4);
    for (const e of errors) expectBoundaryError(e);
    expect(f.isAlive()).toBe(false);
  });

  it("a closure called from main while its frame is suspended reads and changes the frame's locals", () => {
    const f = new Fiber(() => {
      let x = 1;
      const api = {
        get: () => x,
        set: (v: number) => {
          x = v;
        },
      };
      x = 2;
      const got = main.switch(api);
      x += 1000;
      return [x, got, api.get()];
    });
    const api = f.switch() as { get(): number; set(v: number): void };
    expect(api.get()).toBe(2);
    api.set(99);
    expect(api.get()).toBe(99);
    expect(f.switch("resumed")).toEqual([1099, "resumed", 1099]);
  });

  it("a closure returned by one fiber switches inside another fiber", () => {
    const maker = new Fiber(() => {
      let n = 0;
      return () => {
        n += main.switch("n=" + n) as number;
        return n;
      };
    });
    const counter = maker.switch() as () => number;
    expect(maker.isAlive()).toBe(false);
    const user = new Fiber(() => [counter(), counter()]);
    expect(user.switch()).toBe("n=0");
    expect(user.switch(5)).toBe("n=5");
    expect(user.switch(10)).toEqual([5, 15]);
  });

  it("marked functions keep their length, name and prototype", () => {
    function three(a: unknown, b: unknown, c = 1) {
      return [a, b, c];
    }
    const arrow = (a: unknown, ...rest: unknown[]) => [a, rest];
    const obj = {
      method(x: unknown, y: unknown) {
        return [x, y];
      },
    };
    class K {
      m(a: unknown) {
        return a;
      }
      static s() {
        return 0;
      }
      get g() {
        return 1;
      }
      #p() {
        return 2;
      }
      p() {
        return this.#p;
      }
    }
    expect([three.length, three.name]).toEqual([2, "three"]);
    expect([arrow.length, arrow.name]).toEqual([1, "arrow"]);
    expect([obj.method.length, obj.method.name]).toEqual([2, "method"]);
    expect([K.prototype.m.name, K.s.name, K.name]).toEqual(["m", "s", "K"]);
    expect(Object.getOwnPropertyDescriptor(K.prototype, "g")!.get!.name).toBe("get g");
    expect(new K().p().name).toBe("#p");
    expect(Object.hasOwn(arrow, "prototype")).toBe(false);
    expect(Object.hasOwn(obj.method, "prototype")).toBe(false);
    expect(typeof three.prototype).toBe("object");
    expect(() => new (arrow as any)()).toThrow(TypeError);
    expect(() => new (obj.method as any)()).toThrow(TypeError);
  });

  it("async functions in a marked module are left alone and still work", async () => {
    async function af(x: number) {
      await null;
      return x * 2;
    }
    const f = new Fiber(() => {
      const p = af(2);
      const v = main.switch("started");
      return [p, v];
    });
    expect(f.switch()).toBe("started");
    const [p, v] = f.switch("v") as [Promise<number>, unknown];
    expect(v).toBe("v");
    expect(await p).toBe(4);
  });
});
