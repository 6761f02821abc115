// Sloppy-mode scripts (test files are modules, always strict): compiled with
// the plugin as scripts and run in a vm context, plain and compiled, the
// compiled one inside a stackless fiber that switches at every sw() call.
// The oracle is the same script run unmarked.
import { transformSync } from "@babel/core";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import fiberlet from "../../babel-plugin/index.js";

// The built CommonJS runtime (npm test builds it first): the compiled
// scripts and the fiber driving them must share one runtime.
const require_ = createRequire(import.meta.url);
const runtime = fileURLToPath(new URL("../../dist/cjs/runtime/protocol.js", import.meta.url));
const { Fiber, current } = require_("../../dist/cjs/runtime/index.js") as typeof import("../../runtime/index.js");
const DIRECTIVE = "use " + "fiber";

/** Runs `source` (a script defining `body(sw)`) and returns its outcome. */
function run(source: string, compiled: boolean): { yields: unknown[]; result: unknown } {
  let code = source;
  if (compiled) {
    code = transformSync(`"${DIRECTIVE}";\n${source}`, {
      babelrc: false,
      configFile: false,
      sourceType: "script",
      plugins: [[fiberlet, { runtime }]],
    })!.code!;
  }
  const yields: unknown[] = [];
  const context = vm.createContext({ require: require_ });
  vm.runInContext(code, context);
  const body = context.body as (sw: (x: unknown) => unknown) => unknown;
  if (!compiled) {
    const result = body((x) => {
      yields.push(x);
      return yields.length * 10;
    });
    return { yields, result };
  }
  const main = current();
  const fiber = new Fiber(() => body((x) => main.switch(x)));
  let v = fiber.switch();
  while (fiber.isAlive()) {
    yields.push(v);
    v = fiber.switch(yields.length * 10);
  }
  return { yields, result: v };
}

const CASES: Record<string, string> = {
  "arguments stays mapped to the parameters after a resume": `
    function body(sw) {
      function s(a, b) {
        arguments[0] = 9;
        var before = a;
        sw("s");
        arguments[0] = 7;
        b = 8;
        return [before, a, arguments[0], arguments[1], b];
      }
      function t(a) { sw("t"); a = 5; return [arguments[0], arguments.length]; }
      function u(a, b) { sw("u"); b = 3; return [arguments.length, arguments[1], b]; }
      return [s(1, 2), t(1), u(1)];
    }`,
  "a mapped parameter captured and reassigned stays mapped": `
    function body(sw) {
      function s(a) {
        var get = function () { return a; };
        a = 2;
        var seen = arguments[0];
        sw("s");
        arguments[0] = 3;
        return [seen, get(), a];
      }
      return s(1);
    }`,
  "a pattern parameter leaves arguments unmapped, also after a resume": `
    function body(sw) {
      function f(a, [b]) { arguments[0] = 2; sw("f"); arguments[1] = 3; return [a, b, arguments[0]]; }
      function g(a, { b }) { a = 5; sw("g"); return [arguments[0], a, b]; }
      return [f(1, [4]), g(1, { b: 6 })];
    }`,
  "a parameter default sees the arguments object, not a body let named arguments": `
    function body(sw) {
      function f(a = arguments) { let arguments = "body"; sw("f"); return [typeof a, a.length, arguments]; }
      return f();
    }`,
  "an alias of the arguments object made before a switch still follows the parameters": `
    function body(sw) {
      function f(a) { var args = arguments; sw("f"); a = 2; var seen = args[0]; args[0] = 3; return [seen, a]; }
      return f(1);
    }`,
  "a parenthesized assignment target names no function (JavaScript source: TypeScript drops the parentheses)": `
    function body(sw) {
      var f, g, named;
      (f) = function () {};
      sw("s");
      (g) = () => {};
      named = () => {};
      var h = function () { return [f, g]; };
      return [f.name, g.name, named.name, h().length];
    }`,
  "a mapping the code removed before a switch stays removed after the resume": `
    function body(sw) {
      function f(a) { Object.defineProperty(arguments, "0", { writable: false }); sw("f"); a = 2; return [a, arguments[0]]; }
      function g(a, b) { delete arguments[1]; sw("g"); a = 5; b = 6; return [a, b, arguments[0], arguments[1]]; }
      function h(i, v) { var args = arguments; sw("h"); i = 3; v = 4; return [args[0], args[1]]; }
      return [f(1), g(1, 2), h(1, 2)];
    }`,
  "a class's private method called in its own computed key throws TypeError (the key stays in the class)": `
    function body(sw) {
      sw("s");
      try {
        class C { #m() { return "k"; } [this.#m()] = 1; }
        return "no error";
      } catch (e) {
        return e.constructor.name;
      }
    }`,
  "closures of a mapped parameter made before and after a resume see writes through arguments": `
    function body(sw) {
      function f(a) {
        const get = () => a;
        arguments[0] = 2;
        const before = get();
        sw(a);
        const get2 = () => a;
        arguments[0] = 4;
        return [before, get(), get2(), a, arguments[0]];
      }
      return f(1);
    }`,
  "functions nested in a strict function in sloppy code stay strict": `
    function body(sw) {
      return (function () {
        "use strict";
        const f = function () { return typeof this; };
        const g = () => { undeclaredName = 1; };
        const h = () => this;
        sw(1);
        let threw = false;
        try { g(); } catch (e) { threw = e instanceof ReferenceError; }
        return [f(), threw, h(), typeof undeclaredName];
      })();
    }`,
  "a block function's var (Annex B) read by a closure after a resume": `
    function body(sw) {
      function main() {
        { function f() { return 1; } }
        const g = () => f();
        sw(0);
        const h = () => typeof f;
        return [g(), h()];
      }
      function early() {
        const g = () => typeof f;
        { function f() { return 2; } }
        var r = g();
        sw(0);
        return r;
      }
      return [main(), early()];
    }`,
  "a block function (Annex B) replaces a top-level one between two captures": `
    function body(sw) {
      function main(p) {
        function f() { return 1; }
        let s = sw(0) + f();
        { function f() { return 2; } }
        s += sw(1) + f() + p;
        return s;
      }
      return main(5);
    }`,
  "a block function's implicit var (Annex B) read after a resume, and its name": `
    function body(sw) {
      function main(p) {
        let s = sw(0);
        { function f() { return 2; } }
        s += sw(1) + f() + p;
        switch (p) { case 5: function g() { return 3; } }
        return [s, sw(2) + g(), f.name, g.name];
      }
      return main(5);
    }`,
  "sloppy this is the global object in a plain call": `
    function body(sw) {
      function f() { return this === globalThis || typeof this; }
      sw("x");
      return f();
    }`,
};

describe("sloppy-mode scripts", () => {
  for (const [name, source] of Object.entries(CASES)) {
    it(name, () => {
      // Each run has a realm of its own: compare the values, not the realms.
      const plain = JSON.stringify(run(source, false));
      expect(JSON.stringify(run(source, true))).toBe(plain);
    });
  }
});
