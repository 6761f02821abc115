// Stack traces of resumed stackless frames: a resumed frame runs under its
// function's own name, and an error thrown after a resume lists the frames
// suspended below it (they are not on the engine's stack while it runs).
// The code is compiled here and run in a vm context, so the trace is the
// engine's own (Vitest rewrites the traces of its test files).
import { transformSync } from "@babel/core";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import fiberlet from "../../babel-plugin/index.js";

const require_ = createRequire(import.meta.url);
const runtime = fileURLToPath(new URL("../../dist/cjs/runtime/protocol.js", import.meta.url));
const api = fileURLToPath(new URL("../../dist/cjs/runtime/index.js", import.meta.url));

const SOURCE = `"use ${"fiber"}";
const { Fiber, current } = require(${JSON.stringify(api)});
function innermost(main) {
  main.switch("suspended");
  throw new Error("boom");
}
function middle(main) {
  return innermost(main) + 1;
}
function outermost(main) {
  return middle(main) * 2;
}
function start() {
  const main = current();
  const f = new Fiber(() => outermost(main));
  f.switch();
  return f;
}`;

function load(): { start: () => { switch(): unknown; throw(e: unknown): unknown } } {
  const code = transformSync(SOURCE, { babelrc: false, configFile: false, sourceType: "script", plugins: [[fiberlet, { runtime }]] })!.code!;
  const context = vm.createContext({ require: require_, Error });
  vm.runInContext(code, context);
  return context as never;
}

describe("stack traces after a resume", () => {
  it("name the resumed frame and the suspended frames below it, in order", () => {
    const f = load().start();
    let stack = "";
    try {
      f.switch();
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    const names = stack.split("\n").slice(1).map((line) => /^\s+at (\S+)/.exec(line)?.[1]);
    const i = names.indexOf("innermost");
    expect(i, stack).toBeGreaterThanOrEqual(0);
    expect(names.slice(i, i + 3), stack).toEqual(["innermost", "middle", "outermost"]);
  });

  it("leave an error thrown into the fiber from outside as it was", () => {
    const f = load().start();
    const error = new Error("from main");
    const before = error.stack;
    expect(() => f.throw(error)).toThrow(error);
    expect(error.stack).toBe(before);
  });
});
