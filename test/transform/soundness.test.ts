"use fiber";
// Soundness: constructs that the plugin once miscompiled or refused, each
// from a bug report (issue "a sound transform for the whole language"). Every
// case runs in every mode of fixtures/harness.ts: in `model` mode the
// expected values are checked against the engine running the same code
// unmarked, so the expectations cannot drift from JavaScript.
import { type Case, suite, t } from "./fixtures/harness.js";

const cases: Case[] = [
  {
    name: "an argument read before a later argument updates it: f(a, a++)",
    body(sw) {
      let a = 1;
      const pair = (x: unknown, y: unknown) => [x, y];
      return [pair(a, a++), sw("s"), a];
    },
    send: ["v"],
    yields: ["s"],
    log: ["@s"],
    result: [[1, 1], "v", 2],
  },
  {
    name: "a call site's arguments keep their order when only a later one runs code",
    body(sw, log) {
      let a = 1;
      const f = (...xs: unknown[]) => xs;
      const r = sw(f(a, t(log, "b", (a = 5)), a));
      return r;
    },
    send: ["v"],
    yields: [[1, 5, 5]],
    log: ["b", "@[1,5,5]"],
    result: "v",
  },
  {
    name: "a computed key is converted before the property value is evaluated",
    body(sw, log) {
      const key = { toString: () => (log.push("convert"), "k") };
      const o = { [key as unknown as string]: (log.push("value"), sw("s")) };
      return o;
    },
    send: [1],
    yields: ["s"],
    log: ["convert", "value", "@s"],
    result: { k: 1 },
  },
  {
    name: "an optional method call reads the method once",
    body(sw, log) {
      const o = {
        get m() {
          log.push("get");
          return (x: unknown) => sw(x);
        },
      };
      return o.m?.("s");
    },
    send: [7],
    yields: ["s"],
    log: ["get", "@s"],
    result: 7,
  },
  {
    name: "function values in an object literal keep the key's name",
    body(sw) {
      const o = { foo: function () {}, bar: () => {}, baz: sw("s") };
      return [o.foo.name, o.bar.name, o.baz];
    },
    send: [1],
    yields: ["s"],
    log: ["@s"],
    result: ["foo", "bar", 1],
  },
  {
    name: "a call inside a case test",
    body(sw, log) {
      const out: unknown[] = [];
      for (const x of [1, 2, 3]) {
        switch (x) {
          case t(log, "c1", 1):
            out.push("one");
          // falls through
          case sw(x):
            out.push("two");
            break;
          default:
            out.push("other");
        }
      }
      return out;
    },
    send: [2, 0],
    yields: [2, 3],
    log: ["c1", "c1", "@2", "c1", "@3"],
    result: ["one", "two", "two", "other"],
  },
  {
    name: "case tests after default are tried before default",
    body(sw) {
      switch (3) {
        case sw("a"):
          return "a";
        default:
          return "default";
        case sw("b"):
          return "b";
      }
    },
    send: [1, 3],
    yields: ["a", "b"],
    log: ["@a", "@b"],
    result: "b",
  },
  {
    name: "a call in the extends clause and computed keys of a class",
    body(sw, log) {
      class A extends sw("ext") {
        [t(log, "k1", "m")]() {
          return "m";
        }
        static [sw("k2")] = log.push("static field");
      }
      const a = new A();
      return [a.hello(), a.m(), Object.keys(A)];
    },
    send: [class {
      hello() {
        return "sent";
      }
    }, "s"],
    yields: ["ext", "k2"],
    log: ["@ext", "k1", "@k2", "static field"],
    result: ["sent", "m", ["s"]],
  },
  {
    name: "a call inside destructuring defaults of declarations",
    body(sw) {
      const { a = sw("a"), b = sw("b") } = { b: 2 } as { a?: unknown; b?: unknown };
      const [c = sw("c"), , ...rest] = [undefined, 0, 3, 4];
      var { d = sw("d") } = {} as { d?: unknown };
      return [a, b, c, rest, d];
    },
    send: [1, 3, 4],
    yields: ["a", "c", "d"],
    log: ["@a", "@c", "@d"],
    result: [1, 2, 3, [3, 4], 4],
  },
  {
    name: "a later default sees the binding before it",
    body(sw) {
      const { a = sw("a"), b = a } = {} as { a?: unknown; b?: unknown };
      return [a, b];
    },
    send: [5],
    yields: ["a"],
    log: ["@a"],
    result: [5, 5],
  },
  {
    name: "a call inside a destructuring assignment target",
    body(sw, log) {
      const o: Record<string, unknown> = {};
      let x: unknown;
      ({ a: o[sw("k")], b: x = t(log, "default", 9) } = { a: 1 } as { a: unknown; b?: unknown });
      [o.first, o[sw("k2")] = sw("d")] = [7];
      return [o, x];
    },
    send: ["key", "key2", 8],
    yields: ["k", "k2", "d"],
    log: ["@k", "default", "@k2", "@d"],
    result: [{ key: 1, first: 7, key2: 8 }, 9],
  },
  {
    name: "array destructuring with a switching default closes the iterator",
    body(sw, log) {
      const iterable = {
        [Symbol.iterator]() {
          let i = 0;
          return {
            next: () => (log.push("next"), { value: i++ < 5 ? undefined : 0, done: false }),
            return: () => (log.push("return"), {}),
          };
        },
      };
      const [a = sw("a"), b] = iterable;
      return [a, b];
    },
    send: [1],
    yields: ["a"],
    log: ["next", "@a", "next", "return"],
    result: [1, undefined],
  },
  {
    name: "var destructuring in a function with a call site",
    body(sw) {
      var { a } = { a: 1 };
      var [b, c] = [a, 2];
      sw("s");
      for (var [k, v] of [["x", 1]]) sw(k);
      return [a, b, c, k, v];
    },
    send: [0, 0],
    yields: ["s", "x"],
    log: ["@s", "@x"],
    result: [1, 1, 2, "x", 1],
  },
  {
    name: "a boxed var read by a closure before its declaration is undefined, not an error",
    body(sw) {
      const read = () => x;
      const before = read();
      sw("s");
      var x = 2;
      x = 3;
      return [before, read()];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [undefined, 3],
  },
  {
    name: "a let read by a hoisted function before its declaration is in its TDZ",
    body(sw) {
      let early: unknown;
      try {
        early = read();
      } catch (e) {
        early = (e as Error).constructor.name;
      }
      let x = sw("init");
      function read() {
        return x;
      }
      return [early, read()];
    },
    send: [5],
    yields: ["init"],
    log: ["@init"],
    result: ["ReferenceError", 5],
  },
  {
    name: "a nested function declaration sees a let initialized by the switching call",
    body(sw) {
      const x = sw("x");
      function g() {
        return x;
      }
      return g();
    },
    send: [7],
    yields: ["x"],
    log: ["@x"],
    result: 7,
  },
  {
    name: "a named function expression refers to itself after a resume",
    body(sw) {
      const fact = function f(n: number): number {
        sw(n);
        return n <= 1 ? 1 : n * f(n - 1);
      };
      return fact(3);
    },
    send: [0, 0, 0],
    yields: [3, 2, 1],
    log: ["@3", "@2", "@1"],
    result: 6,
  },
  {
    name: "a named class expression refers to itself after a resume",
    body(sw) {
      const K = class Self {
        static make() {
          sw("make");
          return new Self();
        }
      };
      return K.make() instanceof K;
    },
    send: [0],
    yields: ["make"],
    log: ["@make"],
    result: true,
  },
  {
    name: "a class declared after a switch has its own this in methods and fields",
    body(sw) {
      sw("before");
      class P {
        x = 1;
        y = this.x + 1;
        get() {
          return this.y;
        }
      }
      return new P().get();
    },
    send: [0],
    yields: ["before"],
    log: ["@before"],
    result: 2,
  },
  {
    name: "a body var named like a pattern parameter starts with its value",
    body(sw) {
      function f({ a }: { a: number }) {
        var a: number;
        sw(a);
        return a;
      }
      function g(a = 1, b = () => a) {
        var a: number;
        a = 2;
        sw(a);
        return [a, b()];
      }
      return [f({ a: 5 }), g()];
    },
    send: [0, 0],
    yields: [5, 2],
    log: ["@5", "@2"],
    result: [5, [2, 1]],
  },
  {
    name: "a default parameter's closure does not see a body var of the same name",
    body(sw) {
      const y = "outer";
      function h(x = () => y) {
        var y = "body";
        sw(y);
        return x();
      }
      return h();
    },
    send: [0],
    yields: ["body"],
    log: ["@body"],
    result: "outer",
  },
  {
    name: "a later parameter is in its TDZ for an earlier default",
    body(sw) {
      function f(a = b, b = 1) {
        return sw([a, b]);
      }
      try {
        return f();
      } catch (e) {
        return (e as Error).constructor.name;
      }
    },
    send: [],
    yields: [],
    log: [],
    result: "ReferenceError",
  },
  {
    name: "a closure made in a for-let update with a call site sees its own iteration",
    body(sw) {
      const fs: (() => number)[] = [];
      for (let i = 0; i < 3; fs.push(() => i), i += sw(i)) {
        // each iteration's i
      }
      return fs.map((f) => f());
    },
    send: [1, 1, 1],
    yields: [0, 1, 2],
    log: ["@0", "@1", "@2"],
    result: [1, 2, 3],
  },
  {
    name: "arrows written inside a marked function are marked (lexical marking)",
    body(sw) {
      const inner = [1, 2].map((x) => x);
      const later = () => sw("inner");
      return [inner, later()];
    },
    send: ["v"],
    yields: ["inner"],
    log: ["@inner"],
    result: [[1, 2], "v"],
  },
  {
    name: "super method calls and property access in marked methods",
    body(sw) {
      class A {
        _v?: number;
        get v() {
          return this._v ?? 1;
        }
        set v(x: number) {
          this._v = x;
        }
        greet(s: string) {
          return "A:" + s + ":" + this.v;
        }
        static who() {
          return "A";
        }
      }
      class B extends A {
        greet(s: string) {
          const before = super.greet(sw("arg"));
          super.v = 10;
          super.v += sw("inc") as number;
          const after = super.greet(s);
          return [before, after, super["greet"] === A.prototype.greet];
        }
        static who() {
          return "B<" + super.who() + sw("static") + ">";
        }
      }
      return [new B().greet("s"), B.who()];
    },
    send: ["a", 5, "!"],
    yields: ["arg", "inc", "static"],
    log: ["@arg", "@inc", "@static"],
    result: [["A:a:1", "A:s:15", true], "B<A!>"],
  },
  {
    name: "super in object literal methods and in arrows inside methods",
    body(sw) {
      const proto = { hello() { return "proto"; } };
      const o = {
        __proto__: proto,
        hello() {
          const later = () => super.hello() + sw("arrow");
          return sw("method") + super.hello() + later();
        },
      };
      return o.hello();
    },
    send: ["<", ">"],
    yields: ["method", "arrow"],
    log: ["@method", "@arrow"],
    result: "<protoproto>",
  },
  {
    name: "a derived constructor that switches before and after super()",
    body(sw, log) {
      class Base {
        a: unknown;
        constructor(a: unknown) {
          log.push("base");
          this.a = a;
        }
      }
      class D extends Base {
        field = log.push("field");
        b: unknown;
        constructor() {
          const a = sw("before");
          super(a);
          this.b = sw("after");
        }
      }
      const d = new D();
      return [d.a, d.b, d instanceof D, d.field];
    },
    send: [1, 2],
    yields: ["before", "after"],
    log: ["@before", "base", "field", "@after"],
    result: [1, 2, true, 3],
  },
  {
    name: "spreading an iterator whose next() switches (array literal, call, new)",
    body(sw, log) {
      const counting = (n: number) => ({
        [Symbol.iterator]() {
          let i = 0;
          return { next: () => (i < n ? { value: sw(i++), done: false } : { value: undefined, done: true }) };
        },
      });
      const arr = [0, ...counting(2), 9];
      const max = Math.max(...counting(2));
      class P {
        args: unknown[];
        constructor(...args: unknown[]) {
          this.args = args;
        }
      }
      const p = new P(...counting(1));
      log.push("end");
      return [arr, max, p.args];
    },
    send: ["a", "b", 3, 4, "c"],
    yields: [0, 1, 0, 1, 0],
    log: ["@0", "@1", "@0", "@1", "@0", "end"],
    result: [[0, "a", "b", 9], 4, ["c"]],
  },
  {
    name: "destructuring an iterator whose next() switches (holes, rest, early close)",
    body(sw, log) {
      const counting = (n: number) => ({
        [Symbol.iterator]() {
          let i = 0;
          return {
            next: () => (i < n ? { value: sw(i++), done: false } : { value: undefined, done: true }),
            return: () => (log.push("closed"), {}),
          };
        },
      });
      const [a, , b] = counting(5);
      let c: unknown, rest: unknown[];
      [c, ...rest] = counting(3);
      return [a, b, c, rest];
    },
    send: ["a", "skip", "b", "c", "r1", "r2"],
    yields: [0, 1, 2, 0, 1, 2],
    log: ["@0", "@1", "@2", "closed", "@0", "@1", "@2"],
    result: ["a", "b", "c", ["r1", "r2"]],
  },
  {
    name: "plain arrays are still destructured and spread natively, holes included",
    body(sw) {
      // eslint-disable-next-line no-sparse-arrays
      const holes = [1, , 3];
      const [x, y = "default", z] = holes;
      const copy = [...holes];
      return [x, y, z, copy.length, 1 in copy, sw("s")];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [1, "default", 3, 3, true, 0],
  },
  {
    name: "boxed variables declared together, redeclared, and in an if body",
    body(sw) {
      var a: number, b: number;
      (function () {
        a = 1;
        b = 2;
      })();
      var n = 0;
      const inc = function () {
        n += 1;
      };
      // eslint-disable-next-line no-var, no-redeclare
      var n = 10;
      inc();
      const get = () => x;
      // eslint-disable-next-line no-constant-condition
      if (true) var x = sw("x");
      return [a!, b!, n, get()];
    },
    send: [3],
    yields: ["x"],
    log: ["@x"],
    result: [1, 2, 11, 3],
  },
  {
    name: "a closure writing a let before its declaration is a TDZ error; a const cannot be assigned",
    body(sw) {
      const out: unknown[] = [];
      try {
        (() => {
          y = 1;
        })();
        // eslint-disable-next-line prefer-const
        let y = sw("y");
        out.push(y);
      } catch (e) {
        out.push((e as Error).constructor.name);
      }
      const c = sw("c");
      const h = () => c;
      try {
        (() => {
          // @ts-expect-error: assigning a constant on purpose
          c = 2;
        })();
      } catch (e) {
        out.push((e as Error).constructor.name, h());
      }
      return out;
    },
    send: [1],
    yields: ["c"],
    log: ["@c"],
    result: ["ReferenceError", "TypeError", 1],
  },
  {
    name: "empty patterns with a call site",
    body(sw) {
      function f([]: unknown[], {}: object) {
        return sw("f");
      }
      const [] = [1];
      const {} = {};
      return f([], {});
    },
    send: [1],
    yields: ["f"],
    log: ["@f"],
    result: 1,
  },
  {
    name: "inferred function names: computed keys, defaults, logical assignment, boxed declarations",
    body(sw) {
      const s = Symbol("d");
      const o = { [s]: function () {}, ["k" + 1]: () => {} };
      function f(x = () => {}, z = class {}) {
        return [x.name, z.name];
      }
      let g = function () {};
      const keep = () => g;
      g = function () {};
      let a: unknown = null;
      a ??= () => {};
      const { p = () => {} } = {} as { p?: () => void };
      sw("s");
      return [(o[s] as () => void).name, o.k1.name, ...f(), g.name, keep().name, (a as () => void).name, p.name];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: ["[d]", "k1", "x", "z", "g", "g", "a", "p"],
  },
  {
    name: "updates, for-of heads and patterns writing a let that a closure may write before its declaration",
    body(sw, log) {
      const early = () => {
        try {
          n++;
        } catch (e) {
          log.push((e as Error).constructor.name);
        }
      };
      early();
      let n = 0;
      const late = () => {
        n++;
        for (n of [4]);
        [n] = [n * 2];
        ({ n } = { n: n + 1 });
        n ||= 7;
        n += 1;
      };
      sw("s");
      late();
      return n;
    },
    send: [0],
    yields: ["s"],
    log: ["ReferenceError", "@s"],
    result: 10,
  },
  {
    name: "an assignment whose value is another TDZ-checked binding stores the value",
    body(sw) {
      const g = () => (x = a);
      let x: string | undefined;
      const a = "v";
      sw("s");
      return [g(), x];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: ["v", "v"],
  },
  {
    name: "a const bound by a lowered array pattern stays constant",
    body(sw, log) {
      const it = { *[Symbol.iterator]() { yield 1; } };
      const [a, b = sw("d")] = it;
      const read = () => a;
      try {
        // @ts-expect-error: assignment to a constant, on purpose
        a = 2;
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      return [read(), b];
    },
    send: [5],
    yields: ["d"],
    log: ["@d", "TypeError"],
    result: [1, 5],
  },
  {
    name: "a for-of loop left by a throw keeps that throw when getting return() throws",
    body(sw) {
      const it = {
        [Symbol.iterator]() {
          return {
            next: () => ({ done: false, value: 1 }),
            get return(): () => void {
              throw new Error("return");
            },
          };
        },
      };
      try {
        for (const x of it) {
          sw(x);
          throw new Error("body");
        }
      } catch (e) {
        return (e as Error).message;
      }
    },
    send: [0],
    yields: [1],
    log: ["@1"],
    result: "body",
  },
  {
    name: "a computed class method key is converted once",
    body(sw, log) {
      const key = { toString: () => (log.push("convert"), "m") };
      class C {
        [key as unknown as string]() {
          return sw("s");
        }
      }
      const o = { [key as unknown as string]() {} };
      return [new C().m(), Object.keys(o)];
    },
    send: [3],
    yields: ["s"],
    log: ["convert", "convert", "@s"],
    result: [3, ["m"]],
  },
  {
    name: "a parenthesized optional chain called keeps its this: (a?.b)()",
    body(sw) {
      const a = { b(this: unknown, x: unknown) { return [this === a, x]; } };
      const n = null as typeof a | null;
      let caught = "";
      try {
        (n?.b)(1);
      } catch (e) {
        caught = (e as Error).constructor.name;
      }
      return [(a?.b)(sw("s")), caught];
    },
    send: [2],
    yields: ["s"],
    log: ["@s"],
    result: [[true, 2], "TypeError"],
  },
  {
    name: "a function default of a boxed pattern target in a generator keeps its name",
    body(sw) {
      let gen: unknown;
      const set = () => gen;
      (function* () {
        for ([gen = function* () {}] of [[]]);
      })().next();
      sw("s");
      return [(gen as () => void).name, set() === gen];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: ["gen", true],
  },
  {
    name: "delete new.target is true, also after a resume",
    body(sw) {
      function F(this: unknown) {
        sw("s");
        return { deleted: delete new.target };
      }
      return [(new (F as unknown as new () => { deleted: boolean })()).deleted];
    },
    send: [0],
    yields: ["s"],
    log: ["@s"],
    result: [true],
  },
  {
    name: "a closure made in a for (let ...) initializer keeps the initializer's binding",
    body(sw) {
      let before: () => string = () => "";
      let run = true;
      for (let x = "outside", _ = (before = () => x); run; ) {
        x = sw("inside") as string;
        run = false;
      }
      return before();
    },
    send: ["inside"],
    yields: ["inside"],
    log: ["@inside"],
    result: "outside",
  },
  {
    name: "the expression of a for (let x of ...) head sees the loop's x uninitialized",
    body(sw, log) {
      const x = [1];
      const id = (v: unknown) => v;
      try {
        // @ts-expect-error: x is used before its declaration, on purpose
        for (const x of id([x]) as number[]) log.push(x);
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      const fs: unknown[] = [];
      for (const y of id([() => typeof y, sw("s")]) as unknown[]) fs.push(y);
      try {
        (fs[0] as () => void)();
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      return [x, fs[1]];
    },
    send: [2],
    yields: ["s"],
    log: ["ReferenceError", "@s", "ReferenceError"],
    result: [[1], 2],
  },
  {
    name: "a const bound by an object pattern stays constant after a resume",
    body(sw, log) {
      const { a, b = a + 1, c: [d] = [b] } = { a: 1 } as { a: number; b?: number; c?: number[] };
      sw("s");
      try {
        // @ts-expect-error: assignment to a constant, on purpose
        a = 2;
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      const read = () => d;
      return [a, b, read()];
    },
    send: [0],
    yields: ["s"],
    log: ["@s", "TypeError"],
    result: [1, 2, 2],
  },
  {
    name: "destructuring for (let/const ...) heads with calls in the loop keep per-iteration bindings",
    body(sw) {
      const id = <T>(x: T) => x;
      const seen: (() => string)[] = [];
      for (let [a, b = a + 1] = id([1]), c = b; a < 3; a++) {
        seen.push(() => `${a}${b}${c}`);
        sw(a);
      }
      let count = 0;
      for (const { w: [x, y] = [4, 5] } = {} as { w?: number[] }; count < 1; count++) sw(x + y);
      return seen.map((f) => f());
    },
    send: [0, 0, 0],
    yields: [1, 2, 9],
    log: ["@1", "@2", "@9"],
    result: ["122", "222"],
  },
  {
    name: "a closure in a catch parameter's default sees the scope around the catch block, not the block",
    body(sw) {
      const x = "outside";
      let p: () => string = () => "";
      try {
        sw("t");
        throw [];
      } catch ([_ = (p = () => x)]) {
        const x = "inside";
        sw(x);
      }
      return p();
    },
    send: [0, 0],
    yields: ["t", "inside"],
    log: ["@t", "@inside"],
    result: "outside",
  },
  {
    name: "class field initializers and static blocks share the frame's variables across a resume",
    body(sw) {
      let seen: unknown = "none";
      let count = 0;
      let probe: () => unknown = () => undefined;
      class B {}
      class C extends B {
        field = (seen = probe());
        static {
          count++;
        }
        constructor() {
          probe = () => this;
          sw("ctor");
          super();
        }
      }
      const c = new C();
      sw("after");
      return [seen === c, count, c.field === c];
    },
    send: [0, 0],
    yields: ["ctor", "after"],
    log: ["@ctor", "@after"],
    result: [true, 1, true],
  },
  {
    name: "destructuring assignments to a let in its TDZ or to a const throw, also through the native path",
    body(sw, log) {
      const early = () => {
        [x] = [];
      };
      try {
        early();
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      let x: unknown;
      const c = null;
      let count = 0;
      const viaForOf = () => {
        // @ts-expect-error: assignment to a constant, on purpose
        for ([c] of [[1]]) count++;
      };
      sw("s");
      try {
        viaForOf();
      } catch (e) {
        log.push((e as Error).constructor.name);
      }
      return [x, c, count];
    },
    send: [0],
    yields: ["s"],
    log: ["ReferenceError", "@s", "TypeError"],
    result: [undefined, null, 0],
  },
  {
    name: "delete of a call's value evaluates it and is true; delete of a member with calls deletes the member",
    body(sw, log) {
      const f = () => (log.push("f"), 1);
      const o: Record<string, unknown> = { a: 1, b: 2 };
      const g = () => o;
      const d1 = delete (f() as unknown as { x: 1 }).x;
      // @ts-expect-error: delete of a non-reference, on purpose
      const d2 = delete f();
      const d3 = delete g()[sw("a") as string];
      return [d1, d2, d3, Object.keys(o)];
    },
    send: ["a"],
    yields: ["a"],
    log: ["f", "f", "@a"],
    result: [true, true, true, ["b"]],
  },
];

suite(cases);
