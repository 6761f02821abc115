// Programs for check.mjs. Each defines `body(sw)`: marked code that suspends
// at every `sw(x)` (x goes out, the value sent back comes in). check.mjs runs
// each one uncompiled (sw is a plain callback) and compiled with the plugin
// (body runs in a stackless fiber, sw switches to the main fiber), and the
// outcomes must be equal: the values passed to sw, then the result or the
// error. Cases that create fibers themselves cannot run uncompiled (an
// unmarked fiber target cannot switch on the stackless backend): they give
// their expected outcome in `expect` instead.
//
//   sourceType: "script" (default) or "module"; ts: compile with
//   @babel/preset-typescript (the uncompiled run strips types the same way).

export const cases = [
  {
    name: "switch statements inside loops, with labels, break and continue",
    source: `
      function body(sw) {
        const out = [];
        outer: for (let i = 0; i < 4; i++) {
          let j = 0;
          while (true) {
            j++;
            switch (sw(i * 10 + j) % 3) {
              case 0:
                out.push("zero " + i);
                continue outer;
              case 1:
                out.push("one " + j);
                break;
              default:
                if (j > 2) break outer;
                out.push("two");
              // falls through
              case 5:
                out.push("fell");
            }
            if (j >= 2) break;
          }
        }
        let k = 0;
        do { k += sw("do " + k) > 40 ? 2 : 1; } while (k < 4);
        for (const key in { a: 1, b: 2 }) out.push(key + sw(key));
        block: { if (sw("label") > 0) break block; out.push("unreachable"); }
        return [out, k];
      }`,
  },
  {
    name: "try/catch/finally with switches in each part and in nested functions",
    source: `
      function body(sw) {
        const log = [];
        function risky(n) {
          if (sw("risky " + n) % 20 === 0) throw new Error("boom " + n);
          return n;
        }
        for (let n = 0; n < 4; n++) {
          try {
            log.push(risky(n));
          } catch (e) {
            log.push("caught " + e.message + " " + sw("in catch"));
          } finally {
            log.push("finally " + sw("in finally"));
          }
        }
        function early() {
          for (const k of ["a", "b", "c"]) {
            try {
              if (sw(k) % 30 === 0) return "early " + k;
            } finally {
              log.push("fin " + k + sw("fin " + k));
            }
          }
          return "late";
        }
        log.push(early());
        try {
          try {
            throw new Error("inner");
          } finally {
            log.push("inner finally " + sw("f"));
          }
        } catch ({ message }) {
          log.push("outer caught " + message);
        }
        const rethrow = () => {
          try { sw("before throw"); throw new TypeError("typed"); }
          catch (e) { if (e instanceof TypeError) throw new RangeError("re " + e.message + sw("rethrow")); }
        };
        try { rethrow(); } catch (e) { log.push(e.name + ": " + e.message); }
        return log;
      }`,
  },
  {
    name: "an error thrown after a resume escapes through finally blocks",
    source: `
      function body(sw) {
        const log = [];
        function deep(n) {
          try {
            if (n === 0) { sw("bottom"); throw new Error("from the bottom"); }
            return deep(n - 1);
          } finally {
            log.push(n);
            if (n === 2) sw("finally 2");
          }
        }
        try { deep(4); } catch (e) { return [e.message, log]; }
      }`,
  },
  {
    name: "destructuring in parameters, declarations and assignments, with defaults and rest",
    source: `
      function body(sw) {
        function f({ a, b: [c, d = sw("d")] = [], ...rest }, [x, , y = sw("y"), ...zs] = [1, 2]) {
          return { a, c, d, rest, x, y, zs };
        }
        const { p = sw("p"), q: { r } } = { q: { r: sw("r") } };
        let [m, [n, o] = [sw("n"), 3]] = [sw("m")];
        ({ m, n = sw("n2") } = { m: n });
        const [first, ...others] = "xyz";
        const g = (u = sw("u"), { v } = { v: u + 1 }) => [u, v];
        return [f({ a: 1, b: [2], e: 5 }, [7, 8]), f({ a: sw("a") }, [1, 2, undefined, 4, 5]), p, r, m, n, o, first, others, g(), g(3)];
      }`,
  },
  {
    name: "classes: super calls, super properties, a derived constructor that suspends before super(), private and static members",
    source: `
      function body(sw) {
        class Base {
          static count = 0;
          // A switch in a parent constructor reached through super() is a
          // boundary (docs/protocol.md, Constructors): none here.
          constructor(x) { this.x = x; this.tag = "base"; Base.count++; }
          greet(s) { return "base " + s + " " + sw("greet"); }
          static make(x) { return new this(sw("make") + x); }
          get val() { return this.x; }
        }
        class Derived extends Base {
          #secret = 7;
          field = "f";
          static { this.ready = "static block"; }
          constructor(x) {
            const pre = sw("before super");
            super(x + pre);
            this.post = sw("after super");
          }
          greet(s) { return super.greet(s + "!") + " derived " + this.#hidden(); }
          #hidden() { return sw("private") + this.#secret; }
          static make(x) { return super.make(x + 1); }
          ["comp" + "uted"]() { return super.val + sw("computed"); }
        }
        const d = new Derived(1);
        const e = Derived.make(2);
        return [d.x, d.tag, d.post, d.field, d.greet("hi"), d.computed(), d instanceof Base, e instanceof Derived, e.x, e.val, Base.count, Derived.ready];
      }`,
  },
  {
    name: "closures over loop variables and counters, object methods, this in arrows",
    source: `
      function body(sw) {
        const fns = [];
        for (let i = 0; i < 3; i++) {
          let count = sw("i" + i);
          fns.push(() => (count += i));
        }
        function counter() {
          let c = 0;
          return { inc: () => (c += sw("inc")), get: () => c };
        }
        const c = counter();
        c.inc();
        c.inc();
        const obj = {
          v: 5,
          m() {
            const r = [];
            for (const x of [1, 2]) r.push(((y) => y * this.v + sw("arrow this"))(x));
            return r;
          },
        };
        const results = [];
        for (const f of fns) results.push(f());
        return [results, c.get(), obj.m(), (function (a) { return a + sw("iife"); })(1)];
      }`,
  },
  {
    name: "for-of over arrays, maps, strings, native generators and iterators whose next() and return() suspend",
    source: `
      function body(sw) {
        const out = [];
        for (const x of [1, 2]) out.push(sw(x));
        for (const [k, v] of new Map([["a", 1], ["b", 2]])) out.push(k + v + sw(k));
        for (const ch of "hé") out.push(ch);
        const it = {
          i: 0,
          [Symbol.iterator]() { return this; },
          next() { return this.i < 2 ? { value: sw("next " + this.i++), done: false } : { value: undefined, done: true }; },
        };
        for (const v of it) out.push(v);
        function* gen() { yield 1; yield 2; }
        for (const g of gen()) out.push(g + sw("g"));
        const closable = {
          [Symbol.iterator]() {
            let n = 0;
            return { next: () => ({ value: n++, done: false }), return: () => { out.push("closed " + sw("return")); return {}; } };
          },
        };
        for (const v of closable) { if (v > 1) break; out.push(v); }
        out.push(...it, ...[sw("spread")]);
        return out;
      }`,
  },
  {
    name: "expressions: optional chains, logical assignment, templates, tagged templates, spreads, new, delete",
    source: `
      function body(sw) {
        const o = { a: { b: () => sw("chain") }, n: null };
        const r = [];
        r.push(o.a?.b(), o.n?.b(), o.missing?.(sw("skipped")));
        let x = null;
        x ??= sw("nullish");
        x ||= sw("or");
        x &&= sw("and") + x;
        r.push(x, \`t\${sw("tpl")}-\${1 + sw("tpl2")}\`);
        const tag = (s, ...v) => s.raw.join("|") + v.join("|") + sw("tag");
        r.push(tag\`a\${1}b\${sw("in tag")}\`);
        function P(a, b) { this.sum = a + b + sw("ctor"); }
        r.push(new P(...[1, sw("spread arg")]).sum);
        const k = { [sw("key")]: 1, ...{ y: sw("objspread") } };
        r.push(k, delete k.y, "y" in k, typeof sw("typeof"), sw("a") > 20 ? sw("then") : sw("else"));
        r.push((sw("c1"), sw("c2")), 2 ** sw("exp") > 0, [sw("e1"), , sw("e3")].length);
        return r;
      }`,
  },
  {
    name: "recursion: a switch 150 frames deep, resumed frame by frame",
    source: `
      function body(sw) {
        function down(n, acc) {
          if (n === 0) return sw(acc.length);
          acc.push(n);
          const r = down(n - 1, acc);
          return r + (n % 50 === 0 ? sw("up " + n) : 0);
        }
        return down(150, []);
      }`,
  },
  {
    name: "a sloppy script: mapped arguments, this in plain calls, var hoisting, block functions",
    source: `
      function body(sw) {
        function s(a, b) {
          arguments[0] = 9;
          var before = a;
          sw("s");
          arguments[0] = 7;
          b = 8;
          return [before, a, arguments[0], arguments[1], b, arguments.length];
        }
        function plainThis() { sw("this"); return this === globalThis; }
        function hoisted() {
          v = sw("hoist");
          var v;
          return [v, typeof later, later()];
          function later() { return "later"; }
        }
        return [s(1, 2), plainThis(), hoisted()];
      }`,
  },
  {
    name: "module: strict code, exports, top-level this, import() whose specifier suspends",
    sourceType: "module",
    source: `
      export const kind = typeof this;
      export function helper(sw) { return "h" + sw("helper"); }
      export default class Box { constructor(v) { this.v = v; } get() { return this.v; } }
      function body(sw) {
        const p = import("node:" + (sw("import") > 0 ? "path" : "fs"));
        p.catch(() => {});
        let strict;
        try { undeclared = 1; strict = false; } catch { strict = true; }
        const b = new Box(helper(sw));
        return [kind, typeof p.then, strict, b.get(), (() => this)() === undefined];
      }`,
  },
  {
    name: "module: a fiber-backed generator of values (the README's tree walk)",
    sourceType: "module",
    source: `
      class FiberGenerator {
        constructor(produce) {
          this.consumer = null;
          this.producer = new Fiber(() => {
            produce((value) => this.consumer.switch({ value, done: false }));
            return { value: undefined, done: true };
          });
        }
        next() {
          this.consumer = current();
          if (!this.producer.isAlive()) return { value: undefined, done: true };
          return this.producer.switch();
        }
        [Symbol.iterator]() { return this; }
      }
      function walk(node, emit) {
        if (Array.isArray(node)) for (const child of node) walk(child, emit);
        else emit(node);
      }
      function body(sw) {
        const seen = [];
        for (const leaf of new FiberGenerator((emit) => walk([1, [2, [3, [4]]], [[5]]], emit))) seen.push(leaf * sw(leaf));
        const nested = new Fiber(() => {
          // (sw here would switch this fiber out, and the driver resumes body's.)
          let s = "";
          for (const v of new FiberGenerator((emit) => walk([["a"], ["b", ["c"]]], emit))) s += v;
          return s;
        });
        return [seen, nested.switch()];
      }`,
    expect: { yields: [1, 2, 3, 4, 5], result: [[10, 40, 90, 160, 250], "abc"] },
  },
  {
    name: "fibers inside the body: throw() into a suspended fiber, parent changes, values both ways",
    source: `
      function body(sw) {
        const log = [];
        const me = current();
        const child = new Fiber((a) => {
          try {
            while (true) log.push("child got " + me.switch(a++));
          } catch (e) {
            log.push("child caught " + e.message);
            return "child done " + a;
          }
        }, [1]);
        log.push("first " + child.switch());
        log.push("between " + sw("between"));
        log.push("second " + child.switch("x"));
        log.push(child.throw(new Error("stop")));
        log.push(child.isAlive());
        return log;
      }`,
    expect: { yields: ["between"], result: ["first 1", "between 10", "child got x", "second 2", "child caught stop", "child done 3", false] },
  },
  {
    name: "default parameters that see earlier parameters and closures (separate parameter scope)",
    source: `
      function body(sw) {
        function f(a, b = () => a, c = sw("c")) {
          var a = 5;
          return [a, b(), c, f.length];
        }
        function g(x = sw("g"), ...rest) { return [x, rest.length, arguments.length]; }
        return [f(1), f(2, () => "given", 3), g(), g(1, 2, 3)];
      }`,
  },
  {
    name: "object literals: methods, computed keys that suspend, getters and setters next to marked methods",
    source: `
      function body(sw) {
        let stored = 0;
        const o = {
          [sw("key") + "k"]: 1,
          m() { return "m" + sw("m"); },
          get g() { return stored; },
          set g(v) { stored = v; },
          f: function () { return "f" + sw("f"); },
          arrow: () => sw("arrow"),
        };
        o.g = o.m();
        return [Object.keys(o), o.g, o.f(), o.arrow(), o.m.name, o.f.name, o.arrow.name];
      }`,
  },
  {
    name: "TypeScript: parameter properties, enums, casts, generics, abstract classes",
    ts: true,
    source: `
      enum Color { Red = 1, Green = Red * 2 }
      abstract class Shape<T> {
        constructor(public readonly name: string, protected size: T) {}
        abstract area(sw: (x: unknown) => number): number;
        describe(sw: (x: unknown) => number): string { return \`\${this.name}:\${this.area(sw)}\`; }
      }
      class Square extends Shape<number> {
        constructor(size: number, private readonly extra = 0) { super("square", size); }
        area(sw: (x: unknown) => number): number { return this.size * this.size + sw("area")! + this.extra; }
      }
      function body(sw: (x: unknown) => number) {
        const s = new Square(sw("size") as number, Color.Green);
        const n = (sw("cast") as unknown as number) satisfies number;
        return [s.describe(sw), n, Color[2], s.name, <const>["tuple"]];
      }`,
  },
];

/** Programs the plugin must refuse, with the message it gives. */
export const refusals = [
  { name: "a generator marked by its own directive", source: `function* g() { "use fiber"; yield 1; }`, message: /cannot mark a generator/ },
  { name: "with in a marked function", source: `"use fiber"; function f(o) { with (o) { return x; } }`, message: /`with` statement cannot be used/ },
  { name: "direct eval in a marked function", source: `"use fiber"; function f() { return eval("1"); }`, message: /direct `eval`/ },
];
