"use fiber";
// Expressions: a switch in the middle of every kind of expression must leave
// the partially evaluated expression intact and keep JavaScript's evaluation
// order. Every case runs in every mode of fixtures/harness.ts (no fiber, and
// switching to main or to a sibling through 1 and 5 marked frames).
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import { type Case, logged, main, suite, t, thrown } from "./fixtures/harness.js";

const PROTO = { inherited: true };

const cases: Case[] = [
  {
    name: "binary operators: a + sw() * b",
    body(sw, log) {
      const a = 2, b = 3;
      const r = a + sw("mid") * b;
      log.push("after");
      return r;
    },
    send: [10],
    yields: ["mid"],
    log: ["@mid", "after"],
    result: 32,
  },
  {
    name: "binary operands are evaluated left to right around the switch",
    body(sw, log) {
      return t(log, "a", 1) + sw("x") + t(log, "b", 100);
    },
    send: [10],
    yields: ["x"],
    log: ["a", "@x", "b"],
    result: 111,
  },
  {
    name: "the left operand's value is read before the right operand switches",
    body(sw) {
      let x = 1;
      const r = x + (x = 5, sw("s"));
      return [r, x];
    },
    send: [10],
    yields: ["s"],
    log: ["@s"],
    result: [11, 5],
  },
  {
    name: "a variable changed by a closure during the right operand keeps its old value on the left",
    body(sw) {
      let x = 1;
      const bump = (v: unknown) => {
        x = 100;
        return sw(v);
      };
      const r = x * 10 + bump("b");
      return [r, x];
    },
    send: [5],
    yields: ["b"],
    log: ["@b"],
    result: [15, 100],
  },
  {
    name: "several switches in one expression",
    body(sw) {
      return sw(1) + sw(2) * sw(3);
    },
    send: [10, 20, 30],
    yields: [1, 2, 3],
    log: ["@1", "@2", "@3"],
    result: 610,
  },
  {
    name: "+ converts its operands (valueOf) only after both are evaluated",
    body(sw, log) {
      const a: any = { valueOf() { log.push("valueOf a"); return 1; } };
      const b: any = { valueOf() { log.push("valueOf b"); return 2; } };
      return a + sw("s") + b;
    },
    send: [10],
    yields: ["s"],
    log: ["@s", "valueOf a", "valueOf b"],
    result: 13,
  },
  {
    name: "template literal: each substitution is converted (toString) before the next is evaluated",
    body(sw, log) {
      const x = { toString() { log.push("toString x"); return "X"; } };
      return `${x}|${sw("s")}|${t(log, "after", "A")}`;
    },
    send: ["S"],
    yields: ["s"],
    log: ["toString x", "@s", "after"],
    result: "X|S|A",
  },
  {
    name: "template literal substitutions in order",
    body(sw, log) {
      return `${t(log, "a", "A")}-${sw("b")}-${t(log, "c", "C")}`;
    },
    send: ["B"],
    yields: ["b"],
    log: ["a", "@b", "c"],
    result: "A-B-C",
  },
  {
    name: "exponentiation",
    body(sw) {
      return [2 ** sw("exponent"), sw("base") ** 2];
    },
    send: [10, 3],
    yields: ["exponent", "base"],
    log: ["@exponent", "@base"],
    result: [1024, 9],
  },
  {
    name: "unary operators: - ! ~ + void typeof",
    body(sw) {
      return [-sw(1), !sw(2), ~sw(3), +sw(4), void sw(5), typeof sw(6)];
    },
    send: [7, 0, 0, "12", "ignored", null],
    yields: [1, 2, 3, 4, 5, 6],
    log: ["@1", "@2", "@3", "@4", "@5", "@6"],
    result: [-7, true, -1, 12, undefined, "object"],
  },
  {
    name: "typeof an undeclared identifier next to a switch does not throw",
    body(sw) {
      // @ts-expect-error -- deliberately not declared anywhere
      return typeof notDeclaredAnywhere + ":" + sw("v");
    },
    send: ["x"],
    yields: ["v"],
    log: ["@v"],
    result: "undefined:x",
  },
  {
    name: "delete with a key produced by a switch",
    body(sw) {
      const o: any = { a: 1, b: 2 };
      const r = delete o[sw("key")];
      return [r, Object.keys(o)];
    },
    send: ["a"],
    yields: ["key"],
    log: ["@key"],
    result: [true, ["b"]],
  },
  {
    name: "in and instanceof with switched operands",
    body(sw) {
      const o = { k: 1 };
      return [sw("key?") in o, sw("object?") instanceof Array];
    },
    send: ["k", []],
    yields: ["key?", "object?"],
    log: ["@key?", "@object?"],
    result: [true, true],
  },
  {
    name: "&& skips the switch when the left side is falsy",
    body(sw, log) {
      const r1 = t(log, "falsy", 0) && sw("never");
      const r2 = t(log, "truthy", 1) && sw("yes");
      return [r1, r2];
    },
    send: [5],
    yields: ["yes"],
    log: ["falsy", "truthy", "@yes"],
    result: [0, 5],
  },
  {
    name: "|| skips the switch when the left side is truthy",
    body(sw, log) {
      return [t(log, "l1", 0) || sw("a"), t(log, "l2", "x") || sw("never")];
    },
    send: ["A"],
    yields: ["a"],
    log: ["l1", "@a", "l2"],
    result: ["A", "x"],
  },
  {
    name: "?? switches only for null and undefined",
    body(sw) {
      const n: any = null, u: any = undefined, z: any = 0, e: any = "";
      return [n ?? sw("null"), u ?? sw("undefined"), z ?? sw("never 0"), e ?? sw("never ''")];
    },
    send: [1, 2],
    yields: ["null", "undefined"],
    log: ["@null", "@undefined"],
    result: [1, 2, 0, ""],
  },
  {
    name: "a switch in the left operand of && decides whether the right one runs",
    body(sw, log) {
      return [sw("l1") && t(log, "r1", "R1"), sw("l2") && t(log, "r2", "R2")];
    },
    send: [true, 0],
    yields: ["l1", "l2"],
    log: ["@l1", "r1", "@l2"],
    result: ["R1", 0],
  },
  {
    name: "conditional: a switch in the test picks the branch",
    body(sw, log) {
      return [
        sw("test1") ? t(log, "then1", 1) : t(log, "else1", 2),
        sw("test2") ? t(log, "then2", 3) : t(log, "else2", 4),
      ];
    },
    send: [0, "yes"],
    yields: ["test1", "test2"],
    log: ["@test1", "else1", "@test2", "then2"],
    result: [2, 3],
  },
  {
    name: "conditional: only the chosen branch switches",
    body(sw, log) {
      const c = t(log, "test", true);
      return c ? sw("then") : sw("else");
    },
    send: ["T"],
    yields: ["then"],
    log: ["test", "@then"],
    result: "T",
  },
  {
    name: "comma operator",
    body(sw, log) {
      return (t(log, "a"), sw("b"), t(log, "c", 3));
    },
    send: [0],
    yields: ["b"],
    log: ["a", "@b", "c"],
    result: 3,
  },
  {
    name: "tagged template: substitutions in order, then the tag is called",
    body(sw, log) {
      const tag = (strings: TemplateStringsArray, ...subs: unknown[]) => {
        log.push("tag called");
        return { cooked: [...strings], raw: [...strings.raw], subs, frozen: Object.isFrozen(strings) };
      };
      return tag`a${t(log, "x", "X")}b\n${sw("y")}c`;
    },
    send: ["Y"],
    yields: ["y"],
    log: ["x", "@y", "tag called"],
    result: { cooked: ["a", "b\n", "c"], raw: ["a", "b\\n", "c"], subs: ["X", "Y"], frozen: true },
  },
  {
    name: "tagged template: one strings object per call site, also for a site that switches",
    body(sw) {
      const id = (strings: TemplateStringsArray, ..._subs: unknown[]) => strings;
      const site = (v: unknown) => id`p${v}q`;
      const switching = () => id`s${sw("s")}t`;
      const first = site(1);
      const a = switching();
      const b = switching();
      const second = site(2);
      return [first === second, a === b, first === a, [...a]];
    },
    send: [1, 2],
    yields: ["s", "s"],
    log: ["@s", "@s"],
    result: [true, true, false, ["s", "t"]],
  },
  {
    name: "tagged template with a member tag keeps the receiver",
    body(sw) {
      const o = {
        prefix: "o:",
        tag(this: { prefix: string }, s: TemplateStringsArray, v: unknown) {
          return this.prefix + s.raw.join("|") + ":" + v;
        },
      };
      return o.tag`A${sw(1)}B`;
    },
    send: ["v"],
    yields: [1],
    log: ["@1"],
    result: "o:A|B:v",
  },
  {
    name: "a marked tag function can itself switch",
    body(sw) {
      const tag = (s: TemplateStringsArray, v: unknown) => s.join("_") + sw("in tag") + v;
      return tag`a${1}b`;
    },
    send: ["!"],
    yields: ["in tag"],
    log: ["@in tag"],
    result: "a_b!1",
  },
  {
    name: "array literal: elements and spreads in order",
    body(sw, log) {
      return [t(log, "a", 1), sw("b"), ...[t(log, "c", 3), 4], t(log, "d", 5)];
    },
    send: [2],
    yields: ["b"],
    log: ["a", "@b", "c", "d"],
    result: [1, 2, 3, 4, 5],
  },
  {
    name: "array literal: holes survive a switch",
    body(sw) {
      const arr = [, sw("h"), ,];
      return [arr.length, 0 in arr, arr[1], 2 in arr];
    },
    send: ["H"],
    yields: ["h"],
    log: ["@h"],
    result: [3, false, "H", false],
  },
  {
    name: "array literal: a spread is iterated at its position, between the switches",
    body(sw, log) {
      function* g() {
        log.push("g1");
        yield 1;
        log.push("g2");
        yield 2;
        log.push("g end");
      }
      return [sw("a"), ...g(), sw("b")];
    },
    send: ["A", "B"],
    yields: ["a", "b"],
    log: ["@a", "g1", "g2", "g end", "@b"],
    result: ["A", 1, 2, "B"],
  },
  {
    name: "object literal: values and computed keys in source order",
    body(sw, log) {
      const src = { s: 1 };
      const o = { a: t(log, "a", 1), [t(log, "k", "key")]: sw("v"), ...src, z: t(log, "z", 26) };
      return [o, Object.keys(o)];
    },
    send: [9],
    yields: ["v"],
    log: ["a", "k", "@v", "z"],
    result: [{ a: 1, key: 9, s: 1, z: 26 }, ["a", "key", "s", "z"]],
  },
  {
    name: "object literal: computed keys from switches",
    body(sw, log) {
      return { [sw("k1")]: t(log, "v1", 1), [sw("k2")]: sw("v2") };
    },
    send: ["x", "y", 2],
    yields: ["k1", "k2", "v2"],
    log: ["@k1", "v1", "@k2", "@v2"],
    result: { x: 1, y: 2 },
  },
  {
    name: "object literal: a spread copies at its position, before a later switch",
    body(sw) {
      const src: any = { p: 1 };
      const mutate = (v: unknown) => {
        src.p = 2;
        src.extra = true;
        return sw(v);
      };
      return { a: src.p, ...src, b: mutate("b"), c: src.p };
    },
    send: ["B"],
    yields: ["b"],
    log: ["@b"],
    result: { a: 1, p: 1, b: "B", c: 2 },
  },
  {
    name: "object literal: __proto__ from a switch sets the prototype",
    body(sw) {
      const o: any = { __proto__: sw("proto"), own: 1 };
      return [Object.getPrototypeOf(o) === PROTO, o.inherited, Object.keys(o)];
    },
    send: [PROTO],
    yields: ["proto"],
    log: ["@proto"],
    result: [true, true, ["own"]],
  },
  {
    name: "object literal: methods and accessors with computed names from switches",
    body(sw) {
      const o: any = {
        [sw("method name")]() { return "method"; },
        get [sw("getter name")]() { return "getter"; },
      };
      return [o.m1(), o.g1, typeof Object.getOwnPropertyDescriptor(o, "g1")!.get];
    },
    send: ["m1", "g1"],
    yields: ["method name", "getter name"],
    log: ["@method name", "@getter name"],
    result: ["method", "getter", "function"],
  },
  {
    name: "call arguments are evaluated left to right around the switch",
    body(sw, log) {
      const f = (...args: unknown[]) => {
        log.push("call");
        return args;
      };
      return f(t(log, "a", 1), sw("b"), t(log, "c", 3));
    },
    send: ["B"],
    yields: ["b"],
    log: ["a", "@b", "c", "call"],
    result: [1, "B", 3],
  },
  {
    name: "the callee is read before the arguments: reassigning it meanwhile does not matter",
    body(sw) {
      let fn = (x: unknown) => "first:" + x;
      const swap = (v: unknown) => {
        fn = (x: unknown) => "second:" + x;
        return sw(v);
      };
      const r = fn(swap("a"));
      return [r, fn("b")];
    },
    send: ["A"],
    yields: ["a"],
    log: ["@a"],
    result: ["first:A", "second:b"],
  },
  {
    name: "a method is read from its object before the arguments are evaluated",
    body(sw) {
      const o = { m(x: unknown) { return "old " + x; } };
      const r = o.m((o.m = (x: unknown) => "new " + x, sw("a")));
      return [r, o.m("b")];
    },
    send: ["A"],
    yields: ["a"],
    log: ["@a"],
    result: ["old A", "new b"],
  },
  {
    name: "a callee expression runs before the arguments",
    body(sw, log) {
      const getF = () => {
        log.push("getF");
        return (a: unknown, b: unknown) => [a, b];
      };
      return getF()(t(log, "a", 1), sw("b"));
    },
    send: ["B"],
    yields: ["b"],
    log: ["getF", "a", "@b"],
    result: [1, "B"],
  },
  {
    name: "spread arguments are iterated at their position",
    body(sw, log) {
      const f = (...args: unknown[]) => args;
      function* g() {
        log.push("g");
        yield "g1";
      }
      return f(...[t(log, "a", 1)], sw("b"), ...g(), t(log, "c", 3));
    },
    send: ["B"],
    yields: ["b"],
    log: ["a", "@b", "g", "c"],
    result: [1, "B", "g1", 3],
  },
  {
    name: "nested calls: the inner arguments switch first",
    body(sw, log) {
      const f = (a: unknown, b: unknown) => {
        log.push("f");
        return `f(${a},${b})`;
      };
      const g = (a: unknown) => {
        log.push("g");
        return `g(${a})`;
      };
      return f(g(sw(1)), g(sw(2)));
    },
    send: ["x", "y"],
    yields: [1, 2],
    log: ["@1", "g", "@2", "g", "f"],
    result: "f(g(x),g(y))",
  },
  {
    name: "new C(...): constructor expression, then arguments, then construction",
    body(sw, log) {
      class P {
        args: unknown[];
        constructor(...args: unknown[]) {
          log.push("construct");
          this.args = args;
        }
      }
      const pick = () => {
        log.push("pick");
        return P;
      };
      const p = new (pick())(t(log, "a", 1), sw("b"));
      const q = new P(sw("c"));
      return [p instanceof P, p.args, q.args];
    },
    send: ["B", "C"],
    yields: ["b", "c"],
    log: ["pick", "a", "@b", "construct", "@c", "construct"],
    result: [true, [1, "B"], ["C"]],
  },
  {
    name: "chained method calls a.b(sw()).c(sw())",
    body(sw, log) {
      const chain = {
        v: 1,
        b(x: number) {
          log.push(`b(${x})`);
          this.v += x;
          return this;
        },
        c(x: number) {
          log.push(`c(${x})`);
          this.v *= x;
          return this;
        },
      };
      const r = chain.b(sw(1)).c(sw(2));
      return [r === chain, chain.v];
    },
    send: [3, 4],
    yields: [1, 2],
    log: ["@1", "b(3)", "@2", "c(4)"],
    result: [true, 16],
  },
  {
    name: ".call and .apply with switches in their arguments",
    body(sw, log) {
      function who(this: { name: string } | undefined, a: unknown, b: unknown) {
        return [this?.name, a, b];
      }
      const obj = { name: "obj" };
      return [who.call(obj, sw(1), 2), who.apply(obj, [t(log, "x", 1), sw(2)])];
    },
    send: ["A", "B"],
    yields: [1, 2],
    log: ["@1", "x", "@2"],
    result: [["obj", "A", 2], ["obj", 1, "B"]],
  },
  {
    name: "a marked function invoked through .call / .apply can switch",
    body(sw) {
      function inner(this: { name: string }, x: unknown) {
        return this.name + ":" + sw(x);
      }
      const obj = { name: "obj" };
      return [inner.call(obj, 1), inner.apply(obj, [2])];
    },
    send: ["a", "b"],
    yields: [1, 2],
    log: ["@1", "@2"],
    result: ["obj:a", "obj:b"],
  },
  {
    name: "x += sw(): x is read before the switch",
    body(sw) {
      let x = 1;
      const clobber = (v: unknown) => {
        x = 100;
        return sw(v);
      };
      x += clobber("c");
      return x;
    },
    send: [10],
    yields: ["c"],
    log: ["@c"],
    result: 11,
  },
  {
    name: "o.p += sw(): get, switch, set",
    body(sw, log) {
      const target = { p: 1 };
      const o = logged(log, target);
      o.p += sw("c");
      return target.p;
    },
    send: [10],
    yields: ["c"],
    log: ["get p", "@c", "set p=11"],
    result: 11,
  },
  {
    name: "o[k()] += sw(): the key is computed once and the old value read before the switch",
    body(sw, log) {
      const target: any = { p: 1 };
      const o = logged(log, target);
      o[t(log, "k", "p")] += sw("c");
      return target.p;
    },
    send: [10],
    yields: ["c"],
    log: ["k", "get p", "@c", "set p=11"],
    result: 11,
  },
  {
    name: "other compound assignments read the old value first",
    body(sw) {
      let s = "a";
      s += sw(1);
      let n = 10;
      n -= sw(2);
      let p = 2;
      p **= sw(3);
      let b = 1;
      b <<= sw(4);
      let m = 7;
      m %= sw(5);
      return [s, n, p, b, m];
    },
    send: ["b", 3, 10, 4, 4],
    yields: [1, 2, 3, 4, 5],
    log: ["@1", "@2", "@3", "@4", "@5"],
    result: ["ab", 7, 1024, 16, 3],
  },
  {
    name: "logical assignments switch (and set) only when needed",
    body(sw, log) {
      const target: any = { zero: 0, one: 1, nul: null };
      const o = logged(log, target);
      o.zero ??= sw("never ??=");
      o.nul ??= sw("nul ??=");
      o.one ||= sw("never ||=");
      o.zero ||= sw("zero ||=");
      o.one &&= sw("one &&=");
      return target;
    },
    send: ["N", "Z", "O"],
    yields: ["nul ??=", "zero ||=", "one &&="],
    log: [
      "get zero",
      "get nul", "@nul ??=", "set nul=N",
      "get one",
      "get zero", "@zero ||=", "set zero=Z",
      "get one", "@one &&=", "set one=O",
    ],
    result: { zero: "Z", one: "O", nul: "N" },
  },
  {
    name: "update expressions around a switch",
    body(sw, log) {
      let i = 0;
      const a = i++ + sw("s") + i;
      const target = { n: 5 };
      const o = logged(log, target);
      const old = o[sw("key") as "n"]++;
      const pre = --i;
      return [a, old, target.n, pre];
    },
    send: [10, "n"],
    yields: ["s", "key"],
    log: ["@s", "@key", "get n", "set n=6"],
    result: [11, 5, 6, 0],
  },
  {
    name: "chained and destructuring assignments from switched values",
    body(sw) {
      let a: any, b: any;
      a = b = sw("chain");
      const o: any = {};
      const arr: any[] = [];
      ({ p: o.p, q: arr[0], ...o.rest } = sw("object"));
      [a, b] = [b, sw("swap")];
      return [a, b, o, arr];
    },
    send: ["C", { p: 1, q: 2, r: 3 }, "S"],
    yields: ["chain", "object", "swap"],
    log: ["@chain", "@object", "@swap"],
    result: ["C", "S", { p: 1, rest: { r: 3 } }, [2]],
  },
  {
    name: "destructuring assignment reads the source's properties after the switch produced it",
    body(sw, log) {
      let a: any, b: any;
      ({ a, b = "B" } = logged(log, sw("src")));
      return [a, b];
    },
    send: [{ a: 1 }],
    yields: ["src"],
    log: ["@src", "get a", "get b"],
    result: [1, "B"],
  },
  {
    name: "optional chains short-circuit before the switch",
    body(sw) {
      const n: any = null;
      return [n?.m(sw("never 1")), n?.[sw("never 2")], n?.a.b(sw("never 3"))];
    },
    send: [],
    yields: [],
    log: [],
    result: [undefined, undefined, undefined],
  },
  {
    name: "optional calls keep their receiver across a switch",
    body(sw) {
      const o: any = {
        v: 2,
        m(x: number) { return this.v * x; },
        inner: { w: 3, m(x: number) { return this.w + x; } },
      };
      return [o?.m(sw("x")), o?.inner.m(sw("y")), o.missing?.(sw("never")), o.m?.(sw("z"))];
    },
    send: [5, 4, 10],
    yields: ["x", "y", "z"],
    log: ["@x", "@y", "@z"],
    result: [10, 7, undefined, 20],
  },
  {
    name: "a switched value at the head of an optional chain",
    body(sw) {
      return [sw("a")?.v, sw("b")?.v, sw("c")?.f?.()];
    },
    send: [null, { v: 7 }, { f: () => "called" }],
    yields: ["a", "b", "c"],
    log: ["@a", "@b", "@c"],
    result: [undefined, 7, "called"],
  },
  {
    name: "an error thrown in at a switch abandons the rest of the expression",
    body(sw, log) {
      try {
        return t(log, "a", 1) + sw("s") + t(log, "never", 2);
      } catch (e) {
        log.push("caught " + (e as Error).message);
        return "handled";
      }
    },
    send: [thrown("x")],
    yields: ["s"],
    log: ["a", "@s", "caught x"],
    result: "handled",
  },
];

suite(cases);

describe("expressions with the fiber API used directly", () => {
  it("main.switch() called directly inside an expression", () => {
    const log: string[] = [];
    const f = new Fiber(() => {
      const a = 2;
      const r = a + (main.switch("first") as number) * 3;
      log.push("after first");
      return r + (main.switch(r) as number);
    });
    expect(f.switch()).toBe("first");
    expect(log).toEqual([]);
    expect(f.switch(10)).toBe(32);
    expect(log).toEqual(["after first"]);
    expect(f.switch(1)).toBe(33);
    expect(f.isAlive()).toBe(false);
  });

  it("two sibling fibers switch to each other from the middle of expressions", () => {
    const log: unknown[] = [];
    const b: Fiber = new Fiber(() => {
      const x = main.switch("b ready");
      log.push("b got " + x);
      const y = t(log, "b left", 1000) + (a.switch(7) as number);
      log.push("b y=" + y);
      return "b done";
    });
    const a: Fiber = new Fiber(() => {
      const left = t(log, "a left", 100);
      const r = left + (b.switch("a->b") as number) * 2;
      log.push("a r=" + r);
      return r;
    });
    expect(b.switch()).toBe("b ready");
    expect(a.switch()).toBe(114);
    expect(a.isAlive()).toBe(false);
    expect(log).toEqual(["a left", "b got a->b", "b left", "a r=114"]);
    expect(b.switch(5)).toBe("b done");
    expect(log).toEqual(["a left", "b got a->b", "b left", "a r=114", "b y=1005"]);
    expect(b.isAlive()).toBe(false);
  });

  it("f.throw() into a partially evaluated expression reaches that frame's catch", () => {
    const log: string[] = [];
    const f = new Fiber(() => {
      let acc = 1;
      try {
        acc = acc + (main.switch("in expr") as number) * 1000;
        log.push("not reached");
      } catch (e) {
        log.push(`caught ${(e as Error).message} acc=${acc}`);
      }
      return acc + (main.switch("after catch") as number);
    });
    expect(f.switch()).toBe("in expr");
    const err = new Error("x");
    expect(f.throw(err)).toBe("after catch");
    expect(log).toEqual(["caught x acc=1"]);
    expect(f.switch(41)).toBe(42);
    expect(f.isAlive()).toBe(false);
  });
});
