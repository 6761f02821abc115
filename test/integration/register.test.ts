// fiberlet/register in real child processes: `node --import fiberlet/register`
// (and --require) on .ts/.mts/.cts/.js/.mjs/.cjs files whose fibers switch
// across marked modules of every format. This file runs on this machine's
// Node (20: module.register plus a require hook) and, in CI, on Node 22, 24
// and 26 through scripts/native-matrix.sh (module.registerHooks).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installedProject } from "../bundlers/support/project.js";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type Project } from "./project.js";

let p: Project;
beforeAll(() => {
  p = makeProject({ name: "app", type: "module" }, "app");
});

const register = (file: string, env: Record<string, string> = {}) => p.run(["--import", "fiberlet/register", file], { env });

describe(`fiberlet/register on Node ${process.versions.node}`, () => {
  it("a .ts entry: fibers switch across marked .cts, .cjs, .mjs and .mts modules; an unmarked .ts file is stripped", () => {
    const r = register("main.ts");
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ leaves: [10, 20, 30], items: ["a", "b"] });
    if ((process.features as { typescript?: unknown }).typescript) {
      // This Node strips types itself: unmarked .ts files are left to it. Without
      // its type stripping, fiberlet strips them.
      const own = p.run(["--no-experimental-strip-types", "--import", "fiberlet/register", "main.ts"]);
      expect(own.stderr).toBe("");
      expect(JSON.parse(own.stdout)).toEqual({ leaves: [10, 20, 30], items: ["a", "b"] });
    }
  });

  it("an .mjs entry importing a .cts module", () => {
    const r = register("main.mjs");
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([7, 8, 9]);
  });

  it("a .cjs entry: require() of marked .cts and .cjs files, with --import and with --require", () => {
    for (const flag of ["--import", "--require"]) {
      const r = p.run([flag, "fiberlet/register", "main.cjs"]);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual([4, -4, 5, -5]);
    }
  });

  it("a stack trace names the original .ts file and line, after a switch", () => {
    const r = register("boom.ts");
    expect(r.stdout.trim()).toBe("paused");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: boom from the bottom");
    expect(r.stderr).toMatch(/boom\.ts:10:\d+/);
  });

  it("compiles once: the second run reads the cache, a changed file compiles again", () => {
    const q = makeProject({ name: "app", type: "module" }, "app");
    const debug = { NODE_DEBUG: "fiberlet" };
    const first = q.run(["--import", "fiberlet/register", "main.mjs"], { env: debug });
    expect(first.stderr).toMatch(/compiled \S*main\.mjs \(\d+ ms, cache miss\)/);
    expect(first.stderr).toMatch(/compiled \S*walk\.cts/);
    expect(readdirSync(join(q.dir, ".cache")).filter((f) => f.endsWith(".json")).length).toBeGreaterThanOrEqual(3);
    const second = q.run(["--import", "fiberlet/register", "main.mjs"], { env: debug });
    expect(second.stderr).toMatch(/cache hit \S*main\.mjs/);
    expect(second.stderr).toMatch(/cache hit \S*walk\.cts/);
    expect(second.stderr).not.toMatch(/compiled/);
    expect(JSON.parse(second.stdout)).toEqual([7, 8, 9]);
    q.write({ "main.mjs": q.read("main.mjs").replace("[7, [8, [9]]]", "[[6]]") });
    const third = q.run(["--import", "fiberlet/register", "main.mjs"], { env: debug });
    expect(third.stderr).toMatch(/compiled \S*main\.mjs/);
    expect(third.stderr).toMatch(/cache hit \S*walk\.cts/);
    expect(JSON.parse(third.stdout)).toEqual([6]);
    // FIBERLET_CACHE=0: no cache read or written.
    const off = makeProject({ name: "app", type: "module" }, "app");
    off.run(["--import", "fiberlet/register", "main.mjs"], { env: { FIBERLET_CACHE: "0" } });
    expect(existsSync(join(off.dir, ".cache"))).toBe(false);
  });

  it("a file without a directive is not parsed (the words in a string or comment are not one)", () => {
    const r = register("uses-plain.mjs", { NODE_DEBUG: "fiberlet" });
    expect(r.stdout.trim()).toBe('say "use fiber" to mark');
    expect(r.stderr).toBe("");
  });

  for (const [file, line] of [
    ["bad-with.cjs", /^\[SyntaxError(?: \[Error\])?: bad-with\.cjs:3:3: fiberlet: a `with` statement cannot be used in a marked function/m],
    ["bad-eval.mjs", /^\[SyntaxError(?: \[Error\])?: bad-eval\.mjs:4:10: fiberlet: .*eval/m],
    ["bad-syntax.ts", /^\[SyntaxError(?: \[Error\])?: bad-syntax\.ts:3:13: Unexpected token\]$/m],
    ["imports-bad.mjs", /^\[SyntaxError(?: \[Error\])?: bad-syntax\.ts:3:13: Unexpected token\]$/m],
  ] as const) {
    it(`a compile error (${file}) is one line with the location, no stack of the loader`, () => {
      const r = register(file);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(line);
      expect(r.stderr).not.toMatch(/^\s+at /m); // no stack frames at all
      expect(r.stderr).not.toMatch(/code frame|\^\^\^| \| /);
    });
  }

  it("without @babel/core or @babel/preset-typescript installed, says what to install, in one line", () => {
    for (const [peers, file, source, missing] of [
      [[], "marked.mjs", '"use fiber";\nexport const f = (g) => g();\n', "@babel/core"],
      [["@babel/core"], "marked.ts", '"use fiber";\nexport const f = (g: () => number) => g();\n', "@babel/preset-typescript"],
    ] as const) {
      const dir = installedProject("register-peers", [...peers]);
      writeFileSync(join(dir, file), source);
      const r = spawnSync(process.execPath, ["--import", "fiberlet/register", file], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "", FIBERLET_CACHE: "0" },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`fiberlet needs ${missing}`);
      expect(r.stderr).toContain(`npm install --save-dev ${missing}`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
