"use fiber";
// A marked function that never switches must behave exactly like the
// unmarked original: same return values, exceptions, `this`, arguments.length,
// fn.length, fn.name, new.target, getters and setters — called outside any
// fiber and inside one. fixtures/equiv-marked.ts and fixtures/equiv-plain.ts
// hold the same code; only the first is marked.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Fiber } from "../../runtime/index.js";
import * as marked from "./fixtures/equiv-marked.js";
import * as plain from "./fixtures/equiv-plain.js";
import { expectBoundaryError, main } from "./fixtures/harness.js";

type Mod = typeof plain;
const markedMod = marked as unknown as Mod;

/** What calling `fn` did, comparable with toEqual. Error messages are kept
 * for the errors the fixtures throw themselves; engine messages may quote
 * the (rewritten) source text, so only their class is compared. */
function observe(fn: () => unknown): unknown {
  try {
    return { returned: fn() };
  } catch (e) {
    if (!(e instanceof Error)) return { threwValue: e };
    return { threw: e.constructor.name, message: e.message.startsWith("bad") ? e.message : "(engine message)" };
  }
}

const scenarios: Record<string, (m: Mod) => unknown> = {
  "return values, defaults, rest, length and name": (m) => [
    m.add(1),
    m.add(1, 2),
    m.add(1, 2, 3, 4),
    m.add.length,
    m.add.name,
  ],
  "this and arguments.length": (m) => {
    const o = {};
    const called = (m.info as any).call(o, 1, 2, 3);
    const unbound = m.info;
    const plainCall = unbound();
    return [called.self === o, called.count, called.target, plainCall.self, plainCall.count, m.info.length, m.info.name];
  },
  "new.target and construction": (m) => {
    const c = new (m.Ctor as any)(3);
    return [c.x, c.nt, c instanceof m.Ctor, (m.Ctor as any)(1), m.Ctor.length, typeof m.Ctor.prototype];
  },
  "exceptions": (m) => [observe(() => m.thrower("type")), observe(() => m.thrower("value")), observe(() => m.thrower("none"))],
  "try / catch / finally": (m) => {
    const ok: string[] = [];
    const failed: string[] = [];
    return [m.tryFinally(ok, false), ok, m.tryFinally(failed, true), failed];
  },
  "loops": (m) => m.loops(5),
  "callbacks through native code": (m) => m.callsCallbacks([1, 2, 3]),
  "classes: fields, private members, accessors, statics, subclass": (m) => {
    const before = m.Counter.created;
    const c = new m.Counter(1);
    c.inc().inc(5);
    const v1 = c.value;
    c.value = 4;
    const s = m.Counter.make();
    return [
      v1,
      c.value,
      s.value,
      s instanceof m.Counter,
      m.Counter.created - before,
      c.reveal(),
      Object.getOwnPropertyNames(m.Counter.prototype),
      m.Counter.name,
      m.Counter.length,
      new m.Sub(2).double(),
      m.Counter.prototype.inc.name,
      m.Counter.prototype.inc.length,
    ];
  },
  "a class is not callable": (m) => observe(() => (m.Counter as any)()),
  "object methods and accessors": (m) => {
    const o = m.makeObj();
    const r1 = o.method(2);
    const d1 = o.doubled;
    o.doubled = 10;
    const desc = Object.getOwnPropertyDescriptor(o, "doubled")!;
    return [r1, d1, o.base, o.doubled, (o as any).computed(), Object.keys(o), typeof desc.get, desc.get!.name, desc.set!.name, o.method.name, Object.hasOwn(o.method, "prototype"), observe(() => new (o.method as any)())];
  },
  "arrow functions": (m) => [m.arrow(1), m.arrow(1, 2), m.arrow.length, m.arrow.name, Object.hasOwn(m.arrow, "prototype"), observe(() => new (m.arrow as any)())],
  "recursion": (m) => [m.recursive(10), m.recursive.length],
  "closures": (m) => m.closures(),
  "arguments": (m) => [(m.usesArguments as any)(1, 2, 3), m.usesArguments.length],
  "default parameters see earlier parameters": (m) => [m.defaultsSeeEarlier(1), m.defaultsSeeEarlier(1, 5), m.defaultsSeeEarlier.length],
  "destructuring parameters": (m) => [m.destructure({ x: 1 }, [1, 2, 3]), observe(() => (m.destructure as any)(undefined, [])), m.destructure.length],
  "labeled break and continue": (m) => m.labeled(),
  "switch statement": (m) => [m.switchCase(1), m.switchCase("1"), m.switchCase(null)],
  "generators": (m) => m.generatorUser(),
  "templates and tagged templates": (m) => m.templates(7),
  "optional chaining": (m) => [m.optional(null), m.optional({ a: { b: 1 }, m() { return this.a; }, k: "K" })],
  "evaluation order": (m) => {
    const log: string[] = [];
    return [m.evaluationOrder(log), log];
  },
};

describe("the twin fixtures", () => {
  it("differ only in the module directive", () => {
    const read = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8");
    const markedText = read("equiv-marked.ts");
    const plainText = read("equiv-plain.ts");
    expect(markedText.split("\n")[0]).toBe('"use fiber";');
    expect(markedText.split("\n").slice(1).join("\n")).toBe(plainText);
    expect(plainText).not.toContain("use fiber");
  });

  it("the marked twin really is marked (its relay switches), the plain one is not (a boundary)", () => {
    const f = new Fiber(() => {
      const viaMarked = marked.relay(main, "through marked");
      let viaPlain: unknown;
      try {
        viaPlain = plain.relay(main, "through plain");
      } catch (e) {
        viaPlain = e;
      }
      return [viaMarked, viaPlain];
    });
    expect(f.switch()).toBe("through marked");
    const [viaMarked, viaPlain] = f.switch("back") as [unknown, unknown];
    expect(viaMarked).toBe("back");
    expectBoundaryError(viaPlain);
  });
});

describe("a marked function that never switches behaves like the unmarked original", () => {
  for (const [name, run] of Object.entries(scenarios)) {
    it(`${name} (outside any fiber)`, () => {
      const expected = run(plain);
      expect(run(markedMod)).toEqual(expected);
    });

    it(`${name} (inside a fiber)`, () => {
      const f = new Fiber(() => {
        const go = main.switch("in fiber");
        const fromMarked = run(markedMod);
        const fromPlain = run(plain);
        return [go, fromMarked, fromPlain];
      });
      expect(f.switch()).toBe("in fiber");
      const [go, fromMarked, fromPlain] = f.switch("go") as unknown[];
      expect(go).toBe("go");
      expect(fromMarked).toEqual(fromPlain);
      // and the same as outside any fiber
      expect(fromPlain).toEqual(run(plain));
    });
  }

  it("spot checks of the unmarked originals (the comparisons above compare real values)", () => {
    expect(plain.add(1)).toBe(11);
    expect(plain.loops(5)).toEqual([0, 2, 4, "a", "b", 7, 8, 5]);
    expect(plain.defaultsSeeEarlier(1)).toEqual([100, 2, 102]);
    expect(plain.labeled()).toEqual(["00", "10"]);
    expect(plain.templates(7)).toEqual(["a7b", "x|y|z7,7"]);
    const log: string[] = [];
    expect(plain.evaluationOrder(log)).toBe("abdk1k2");
    expect(log).toEqual(["k1", "v1", "k2", "v2", "a", "b", "c", "d"]);
  });
});
