// Marking: which functions the plugin transforms. This test module has NO
// module directive; the few functions here that must be marked carry their
// own "use fiber" directive. fixtures/per-function.ts marks individual
// functions of an otherwise unmarked module; fixtures/module-marked.ts is
// marked as a whole. The transformSync tests check that unmarked functions
// come out of the plugin byte-identical to Babel's output without it.
import { parseSync, transformSync } from "@babel/core";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fiberlet from "../../babel-plugin/index.js";
import { Fiber, current } from "../../runtime/index.js";
import { expectBoundaryError } from "./fixtures/harness.js";
import { Accumulator, applyTwice, chain, double } from "./fixtures/module-marked.js";
import anonymousDefault from "./fixtures/default-export.js";
import {
  Widget,
  markedArrow,
  markedCallsLate,
  markedCallsPlain,
  markedCallsPlainMethod,
  markedSum,
  markedThroughPlain,
  outerMarked,
} from "./fixtures/per-function.js";

const main = current();

/** Drives `f` from main: sends each value in turn, returns [yields, result]. */
function drive(f: Fiber, sends: unknown[]): [unknown[], unknown] {
  const yields: unknown[] = [];
  let v = f.switch();
  let i = 0;
  while (f.isAlive()) {
    yields.push(v);
    if (i >= sends.length) throw new Error(`more switches than values: yielded ${JSON.stringify(yields)}`);
    v = f.switch(sends[i++]);
  }
  expect(i).toBe(sends.length);
  return [yields, v];
}

describe("per-function directives in a module without a module directive", () => {
  it("an anonymous export default function declaration is marked, switches and is named default", () => {
    expect(anonymousDefault.name).toBe("default");
    expect(drive(new Fiber(() => anonymousDefault(4)), [5])).toEqual([[4], 10]);
  });

  it("a function declaration with its own directive switches", () => {
    expect(drive(new Fiber(markedSum, [main, 3]), [10, 20, 30])).toEqual([[1, 2, 3], 60]);
  });

  it("a block-bodied arrow with its own directive switches", () => {
    expect(drive(new Fiber(markedArrow, [main, 5]), [2])).toEqual([[5], 7]);
  });

  it("a class method with its own directive switches and keeps this", () => {
    const w = new Widget("w");
    const f = new Fiber(() => {
      "use fiber";
      return w.work(main);
    });
    expect(drive(f, ["done"])).toEqual([["w"], "w:done"]);
  });

  it("a marked function may call unmarked functions that do not switch", () => {
    expect(drive(new Fiber(markedCallsPlain, [main]), [4])).toEqual([[6], 10]);
  });

  it("a nested function with its own directive inside a marked function", () => {
    expect(drive(new Fiber(outerMarked, [main]), [5, 7])).toEqual([[2, 3], 31]);
  });

  it("an unmarked function of the same module between marked frames is a boundary", () => {
    const f = new Fiber(markedThroughPlain, [main]);
    const [yields, result] = drive(f, []);
    expect(yields).toEqual([]);
    expectBoundaryError(result);
  });

  it("the directive's text as a later statement does not mark the function", () => {
    const [yields, result] = drive(new Fiber(markedCallsLate, [main]), []);
    expect(yields).toEqual([]);
    expectBoundaryError(result);
  });

  it("a method without the directive in a class with a marked method is not marked", () => {
    const [yields, result] = drive(new Fiber(markedCallsPlainMethod, [main, new Widget("p")]), []);
    expect(yields).toEqual([]);
    expectBoundaryError(result);
  });
});

describe("a module marked by its module directive, called from another module", () => {
  it("expression-bodied arrows calling each other across the module", () => {
    expect(drive(new Fiber(chain, [main, 1]), [10, 100])).toEqual([[1, 2], 220]);
    expect(drive(new Fiber(double, [main, 4]), [3])).toEqual([[4], 6]);
  });

  it("a marked higher-order function calling back into a marked function of this module", () => {
    function cb(x: number): number {
      "use fiber";
      return x + (main.switch(x) as number);
    }
    expect(drive(new Fiber(applyTwice, [cb, 1]), [10, 100])).toEqual([[1, 11], 111]);
  });

  it("the same higher-order function with an unmarked callback that switches is a boundary", () => {
    // Defined outside any marked function: marking is lexical, so a callback
    // written inside the marked arrow below would be marked too.
    const unmarked = (x: number) => main.switch(x) as number;
    const f = new Fiber(() => {
      "use fiber";
      try {
        return applyTwice(unmarked, 1);
      } catch (e) {
        return e;
      }
    });
    const [yields, result] = drive(f, []);
    expect(yields).toEqual([]);
    expectBoundaryError(result);
  });

  it("a class from the marked module keeps its state across switches", () => {
    const acc = new Accumulator();
    const f = new Fiber(() => {
      "use fiber";
      return [acc.add(main, "a"), acc.add(main, "b"), acc.total];
    });
    expect(drive(f, [1, 2])).toEqual([["a", "b"], [1, 3, 3]]);
  });
});

// ---------------------------------------------------------------------------
// Output of the plugin for unmarked code.

const FILENAME = fileURLToPath(new URL("./fixtures/virtual-input.js", import.meta.url));

function compile(source: string, withPlugin: boolean): string {
  const out = transformSync(source, {
    filename: FILENAME,
    babelrc: false,
    configFile: false,
    sourceType: "module",
    plugins: withPlugin ? [fiberlet] : [],
  });
  return out!.code!;
}

/** Source text of each top-level function, class and variable initializer
 * of `code`, by name. */
function topLevel(code: string): Map<string, string> {
  const ast = parseSync(code, { filename: FILENAME, babelrc: false, configFile: false, sourceType: "module" })!;
  const found = new Map<string, string>();
  const text = (node: { start?: number | null; end?: number | null }) => code.slice(node.start!, node.end!);
  for (const stmt of ast.program.body) {
    let node: any = stmt;
    if ((node.type === "ExportNamedDeclaration" || node.type === "ExportDefaultDeclaration") && node.declaration) {
      node = node.declaration;
    }
    if ((node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") && node.id) {
      found.set(node.id.name, text(node));
    } else if (node.type === "VariableDeclaration") {
      for (const d of node.declarations) {
        if (d.id.type === "Identifier" && d.init) found.set(d.id.name, text(d.init));
      }
    }
  }
  return found;
}

function expectSameFunctions(source: string, unmarked: string[], marked: string[]): void {
  const withPlugin = topLevel(compile(source, true));
  const without = topLevel(compile(source, false));
  for (const name of unmarked) {
    expect(without.has(name), `${name} is in Babel's output`).toBe(true);
    expect(withPlugin.get(name), `${name} must be untouched`).toBe(without.get(name));
  }
  // The marked ones really were transformed (so the comparison above means something).
  for (const name of marked) {
    expect(withPlugin.has(name), `${name} is in the plugin's output`).toBe(true);
    expect(withPlugin.get(name), `${name} must be transformed`).not.toBe(without.get(name));
  }
}

describe("unmarked code is left byte-identical", () => {
  it("a module without any directive comes out exactly as Babel alone prints it", () => {
    const source = [
      'import { helper } from "./elsewhere.js";',
      "export function add(a, b = helper()) { return a + b; }",
      "export const arrow = (x) => x * helper(x);",
      "export class Thing { m(x) { return helper(x); } get g() { return helper(); } static s() { return [1, 2].map((v) => helper(v)); } }",
      "function* gen() { yield helper(); }",
      "async function af() { await helper(); return 1; }",
      'const s = "use fiber";',
      "export default function () { for (const x of helper()) { try { helper(x); } finally { helper(); } } }",
    ].join("\n");
    expect(compile(source, true)).toBe(compile(source, false));
  });

  it("per-function directive: only the marked function changes", () => {
    const source = [
      'import { helper } from "./elsewhere.js";',
      'export function marked(x) { "use fiber"; return helper(x) + helper(x); }',
      "export function plain(x) { return helper(x) + helper(x); }",
      "export const plainArrow = (x) => { for (const v of x) helper(v); return helper(); };",
      "export class Plain { m() { return helper(this); } static s(x) { try { return helper(x); } finally { helper(); } } }",
      'function notADirective(x) { helper(x); "use fiber"; return helper(x); }',
      "export const plainExpression = (x) => helper(x) ? helper() : helper(x, x);",
    ].join("\n");
    expectSameFunctions(source, ["plain", "plainArrow", "Plain", "notADirective", "plainExpression"], ["marked"]);
  });

  it("module directive: generators and async functions are never transformed", () => {
    const source = [
      '"use fiber";',
      'import { helper } from "./elsewhere.js";',
      "export function marked(x) { return helper(x) + helper(x); }",
      "export function* gen(x) { const a = yield helper(x); for (const v of helper()) yield v; return a; }",
      "export async function af(x) { const r = await helper(x); for (const v of helper()) await v; return r; }",
      "export async function* agen() { yield await helper(); }",
      "export const asyncArrow = async (x) => helper(await x);",
    ].join("\n");
    expectSameFunctions(source, ["gen", "af", "agen", "asyncArrow"], ["marked"]);
  });
});
