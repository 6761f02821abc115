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
];

suite(cases);
