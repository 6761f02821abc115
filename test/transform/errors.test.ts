// Compile-time behaviour of the plugin (no fibers run here). Ordinary code of
// every kind must transform without error; code the plugin cannot make
// resumable must be rejected with a Babel error that points at the offending
// source line. The rejected constructs listed here are the plugin's current
// limitations, each in its own clearly named test: when one is lifted, turn
// its test into a runtime test in the matching area file.
import { parseSync, transformSync } from "@babel/core";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import fiberlet from "../../babel-plugin/index.js";

const FILENAME = fileURLToPath(new URL("./fixtures/virtual-input.js", import.meta.url));
const DIRECTIVE = '"use fiber";';

function compile(source: string, withPlugin = true, sourceType: "module" | "script" = "module"): string {
  const out = transformSync(source, {
    filename: FILENAME,
    babelrc: false,
    configFile: false,
    sourceType,
    plugins: withPlugin ? [fiberlet] : [],
  });
  return out!.code!;
}

/** Compiles `lines` (joined with newlines) expecting an error whose message
 * matches `pattern`, located on `line` (1-based; or one of several lines). */
function expectLocatedError(lines: string[], line: number | number[], pattern: RegExp, sourceType: "module" | "script" = "module"): void {
  let err: any;
  try {
    compile(lines.join("\n"), true, sourceType);
  } catch (e) {
    err = e;
  }
  expect(err, "the plugin must reject this code").toBeInstanceOf(Error);
  // Babel colours its code frame when the terminal (or FORCE_COLOR) allows;
  // the location checks read the plain text.
  const message = stripVTControlCharacters(String(err.message));
  expect(message).toMatch(pattern);
  const lines_ = Array.isArray(line) ? line : [line];
  const located = lines_.some(
    (n) =>
      err.loc?.line === n ||
      new RegExp(`\\(${n}:\\d+\\)`).test(message) ||
      new RegExp(`^>\\s*${n}\\s*\\|`, "m").test(message),
  );
  expect(located, `the error must point at line ${lines_.join(" or ")}:\n${message}`).toBe(true);
}

const ORDINARY: Record<string, string> = {
  "calls in every kind of expression": `
    export function f(a, o) {
      const x = a + g() * h(o.p, ...o.q);
      const y = i()?.j?.(k()) ?? l();
      const z = [m(), { [n()]: p(), ...q(), r() { return s(); } }, \`\${t()}\`, tag\`a\${u()}b\`];
      o.count += v(); o[w()] ||= x1(); delete o[x2()]; typeof x3(); void x4(); o.n++;
      return new C(x, y, z).run(a ? g() : h(), (g(), h()));
    }`,
  "loops, labels, break and continue": `
    export function f(xs) {
      outer: for (const x of xs) {
        for (let i = 0; i < g(); i = h(i)) { if (k(i)) continue outer; if (l(i)) break outer; }
      }
      while (g()) h();
      do { g(); } while (h());
      for (const key in xs) g(key);
      for (const [a, { b = 1 }] of xs) g(a, b);
    }`,
  "try, catch, finally with calls everywhere": `
    export function f() {
      try { g(); } catch ({ message }) { h(message); } finally { k(); }
      try { return g(); } finally { if (h()) return k(); }
    }`,
  "switch statements with calls in the discriminant and the bodies": `
    export function f(x) {
      switch (g(x)) { case 1: h(); case 2: { const y = k(); return y; } default: l(); }
    }`,
  "classes declared inside a marked function": `
    export function f(base) {
      class A extends Base { x = g(); static s = h(); m() { return k(this.x); } get v() { return l(); } #p() { return g(); } }
      return new A();
    }`,
  "parameters: defaults with calls, destructuring, rest": `
    export function f(a = g(), { b, c = 1 } = {}, [d, ...e] = h(), ...rest) { return k(a, b, c, d, e, rest); }
    export const arrow = (x = g()) => h(x);`,
  "this, arguments and new.target": `
    export function F(x) { if (new.target) { this.x = g(x); } return h(this, arguments.length, arguments[0]); }
    export const o = { m() { return g(this, () => h(this, arguments)); } };`,
  "object literal methods, getters and setters": `
    export const o = { m(x) { return g(x); }, get v() { return h(); }, set v(x) { k(x); }, async am() { await g(); }, *gm() { yield g(); } };`,
  "generators and async functions in a marked module": `
    export function* gen() { yield g(); }
    export async function af() { await g(); for await (const x of h()) k(x); }
    export async function* agen() { yield await g(); }`,
  "closures capturing loop variables and locals": `
    export function f() { const fns = []; for (let i = 0; i < g(); i++) fns.push(() => h(i)); let c = 0; const inc = () => { c += k(); }; inc(); return [fns, c]; }`,
  "derived constructors calling super(), with calls in its arguments": `
    export class D extends B { constructor(x) { super(g(x)); this.y = h(); } m() { return k(this.y); } }
    export class E extends B { constructor() { super(); this.z = g(); } }`,
  "dynamic import and import.meta": `
    export function f() { return [import(g()), import.meta.url, h()]; }`,
};

describe("ordinary code compiles under the module directive", () => {
  for (const [name, body] of Object.entries(ORDINARY)) {
    it(name, () => {
      const source = `${DIRECTIVE}\nimport { g, h, k, l } from "./elsewhere.js";\n${body}`;
      let code = "";
      expect(() => {
        code = compile(source);
      }).not.toThrow();
      // valid JavaScript, and actually transformed
      expect(() => parseSync(code, { filename: FILENAME, babelrc: false, configFile: false, sourceType: "module" })).not.toThrow();
      expect(code).not.toBe(compile(source, false));
    });
  }

  it("a rejected module does not break the next compilation", () => {
    expect(() => compile(`function f(o) { ${DIRECTIVE} with (o) { g(); } }`, true, "script")).toThrow();
    expect(() => compile(`${DIRECTIVE}\nexport function f() { return g() + h(); }`)).not.toThrow();
  });
});

describe("rejected with an error located at the offending code (constructs that resolve names at run time)", () => {
  it("a direct eval in a marked function", () => {
    expectLocatedError([DIRECTIVE, "export function f(code) {", "  const x = 1;", "  return eval(code);", "}"], 4, /eval/);
  });

  it("a `with` statement without a call in a marked function (sloppy script)", () => {
    expectLocatedError(["function f(o) {", `  ${DIRECTIVE}`, "  with (o) {", "    x;", "  }", "}"], 3, /with/i, "script");
  });

  it("a `with` statement containing a call in a marked function (sloppy script)", () => {
    expectLocatedError(["function f(o) {", `  ${DIRECTIVE}`, "  with (o) {", "    g();", "  }", "}"], 3, /with/i, "script");
  });
});
