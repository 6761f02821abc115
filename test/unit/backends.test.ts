"use fiber";
// Mixed trees: stackless (marked target) and stackful (unmarked target on
// the native addon) fibers switching to each other with the semantics of
// the conformance suite; backend selection and its failure modes.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Fiber, FiberError, current } from "../../runtime/index.js";
import { loadNativeAddon } from "../../runtime/native/addon.js";
import { plainEcho, plainThrow, throughNativeCallbacks } from "./fixtures/plain.js";

const native = loadNativeAddon();
const compiled = process.env.FIBERLET_COMPILE !== "0";
const describeMixed = native.addon && compiled ? describe : describe.skip;

describeMixed("mixed stackless and stackful fibers (auto backend)", () => {
  it("chooses the kind from the target: marked = stackless, unmarked = stackful", () => {
    function marked() {}
    expect(new Fiber(marked).kind).toBe("stackless");
    expect(new Fiber(plainEcho, [current(), 0]).kind).toBe("stackful");
    expect(current().kind).toBe("main");
  });

  it("a stackful fiber suspends through forEach callbacks and getters", () => {
    const main = current();
    const f = new Fiber(throughNativeCallbacks, [main, [1, 2]]);
    expect(f.kind).toBe("stackful");
    expect(f.switch()).toBe(1);
    expect(f.switch(10)).toBe(2);
    expect(f.switch(20)).toBe("getter");
    expect(f.switch(30)).toEqual([10, 20, 30]);
    expect(f.isAlive()).toBe(false);
  });

  it("a stackless fiber drives a stackful child, values both ways, result to the parent", () => {
    function stacklessSide() {
      const child = new Fiber(plainEcho, [current(), 3]); // parent: this fiber
      const got: unknown[] = [child.kind];
      let v = child.switch();
      while (child.isAlive()) {
        got.push(v);
        v = child.switch((v as number) * 10);
      }
      got.push(v); // plainEcho's result, delivered to its parent (us)
      return got;
    }
    const f = new Fiber(stacklessSide);
    expect(f.kind).toBe("stackless");
    expect(f.switch()).toEqual(["stackful", 0, 1, 2, "01020"]);
  });

  it("a stackful fiber's exception reaches its stackless parent's pending switch", () => {
    function parentBody() {
      const child = new Fiber(plainThrow, ["from stackful"]);
      try {
        child.switch();
        return "not thrown";
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message} (${child.kind}, alive ${child.isAlive()})`;
      }
    }
    expect(new Fiber(parentBody).switch()).toBe("TypeError: from stackful (stackful, alive false)");
  });

  it("throw() into a suspended stackful fiber raises at its switch", () => {
    const main = current();
    const f = new Fiber(plainEcho, [main, 5]);
    expect(f.switch()).toBe(0);
    expect(() => f.throw(new RangeError("stop"))).toThrow(RangeError);
    expect(f.isAlive()).toBe(false);
  });
});

describe("backend selection", () => {
  const root = resolve(__dirname, "../..");
  const run = (env: Record<string, string>, code: string): string =>
    execFileSync(process.execPath, ["-e", code], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  const probe = `const { Fiber } = require("./dist/cjs/runtime/index.js");
    try { const f = new Fiber(function plain() {}); console.log(f.kind); }
    catch (e) { console.log(e.name + ": " + e.message); }`;

  it("FIBERLET_BACKEND=continuation never makes stackful fibers", () => {
    expect(run({ FIBERLET_BACKEND: "continuation" }, probe)).toBe("stackless");
  });

  it("FIBERLET_BACKEND=native without a usable addon: FiberError saying why and how to fix it", () => {
    const empty = mkdtempSync(join(tmpdir(), "fiberlet-no-addon-"));
    const out = run({ FIBERLET_BACKEND: "native", FIBERLET_NATIVE_DIR: empty }, probe);
    expect(out).toMatch(/^FiberError: .*native stackful backend is unavailable/);
    expect(out).toMatch(/npm rebuild fiberlet/);
  });

  it("auto without a usable addon falls back to stackless, with one warning", () => {
    const empty = mkdtempSync(join(tmpdir(), "fiberlet-no-addon-"));
    const out = execFileSync(
      process.execPath,
      ["-e", probe + "; new Fiber(function again() {});"],
      { cwd: root, env: { ...process.env, FIBERLET_BACKEND: "auto", FIBERLET_NATIVE_DIR: empty }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(out.trim()).toBe("stackless");
  });

  it("rejects an unknown FIBERLET_BACKEND", () => {
    expect(run({ FIBERLET_BACKEND: "fast" }, probe)).toMatch(/FiberError: FIBERLET_BACKEND must be/);
  });

  it("validates stackSize", () => {
    expect(() => new Fiber({ target: () => 1, stackSize: 10 })).toThrow(TypeError);
    expect(() => new Fiber({ target: () => 1, stackSize: 10 })).toThrow(/stackSize/);
  });
});

void FiberError;
