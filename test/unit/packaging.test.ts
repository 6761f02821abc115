// The published entry points, used the way an installed project uses them:
// a temp project with node_modules/fiberlet linked to this package's build.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "fiberlet-pkg-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "fiberlet"), "dir");
  symlinkSync(join(root, "node_modules", "@babel"), join(project, "node_modules", "@babel"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", type: "module" }));
});

function node(file: string, code: string): string {
  writeFileSync(join(project, file), code);
  return execFileSync(process.execPath, [join(project, file)], { cwd: project, encoding: "utf8" }).trim();
}

describe("package entry points", () => {
  it("fiberlet/babel loads by name through require, for transformSync", () => {
    const out = node(
      "compile.cjs",
      `const babel = require("@babel/core");
       const r = babel.transformSync('"use fiber"; export function f(g) { return g() + 1; }',
         { babelrc: false, configFile: false, cwd: __dirname, plugins: ["fiberlet/babel"] });
       console.log(JSON.stringify(r.code));`,
    );
    const code = JSON.parse(out) as string;
    expect(code).toContain('from "fiberlet/protocol"');
    expect(code).toContain("function f(g)");
  });

  it("import and require share one Fiber class and one scheduler", () => {
    writeFileSync(join(project, "cjs.cjs"), `module.exports = require("fiberlet");`);
    const out = node(
      "both.mjs",
      `import { Fiber, current, FiberError } from "fiberlet";
       import { createRequire } from "node:module";
       const cjs = createRequire(import.meta.url)("./cjs.cjs");
       const f = new cjs.Fiber(() => 42);
       console.log(JSON.stringify([Fiber === cjs.Fiber, f instanceof Fiber, current() === cjs.current(),
         FiberError === cjs.FiberError, f.switch()]));`,
    );
    expect(JSON.parse(out)).toEqual([true, true, true, true, 42]);
  });

  it("compiled code runs against the installed runtime", () => {
    const out = node(
      "run.mjs",
      `import { transformSync } from "@babel/core";
       import { writeFileSync } from "node:fs";
       const src = '"use fiber"; import { Fiber, current } from "fiberlet";' +
         'function deep(n, main) { return n === 0 ? main.switch("down") : 1 + deep(n - 1, main); }' +
         'export function run() { const main = current(); const f = new Fiber(deep, [20, main]);' +
         '  return [f.switch(), f.switch(100)]; }';
       const { code } = transformSync(src, { babelrc: false, configFile: false, cwd: process.cwd(), plugins: ["fiberlet/babel"] });
       writeFileSync("compiled.mjs", code);
       const { run } = await import("./compiled.mjs");
       console.log(JSON.stringify(run()));`,
    );
    expect(JSON.parse(out)).toEqual(["down", 120]);
  });

  it("the promise bridge: compiled code waits on promises through the installed runtime", () => {
    const out = node(
      "bridge.mjs",
      `import { transformSync } from "@babel/core";
       import { writeFileSync } from "node:fs";
       const src = '"use fiber"; import { spawn, waitFor } from "fiberlet";' +
         'function read(ms, v) { return waitFor(new Promise((r) => setTimeout(() => r(v), ms))); }' +
         'export const run = () => Promise.all([spawn(() => read(5, "a") + read(1, "b")), spawn(read, 1, "c")]);';
       const { code } = transformSync(src, { babelrc: false, configFile: false, cwd: process.cwd(), plugins: ["fiberlet/babel"] });
       writeFileSync("bridge-compiled.mjs", code);
       const { run } = await import("./bridge-compiled.mjs");
       const cjs = (await import("node:module")).createRequire(import.meta.url)("fiberlet");
       console.log(JSON.stringify([await run(), typeof cjs.spawn, typeof cjs.waitFor]));`,
    );
    expect(JSON.parse(out)).toEqual([["ab", "c"], "function", "function"]);
  });
});

describe("package contents", () => {
  it("ships an MIT LICENSE, as package.json says", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { license: string; files: string[] };
    expect(pkg.license).toBe("MIT");
    expect(pkg.files).toContain("LICENSE");
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
    ) as { files: { path: string }[] }[];
    expect(packed.files.map((f) => f.path)).toContain("LICENSE");
  });
});
