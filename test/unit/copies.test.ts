// Every copy of fiberlet a thread loads shares one runtime (runtime/registry.ts):
// the ESM and CommonJS builds of one copy, two versions in node_modules, the
// chunks of a bundle that each inlined the runtime. Each scenario runs in a
// child process against copies of dist/ installed in a temp project, the way
// npm lays them out.
import { transformSync } from "@babel/core";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { readdirSync } from "node:fs";
import { rollup } from "rollup";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const plugin = join(root, "dist/cjs/babel-plugin/index.js");
let project: string;

/** Installs a copy of the built package at `dir` (package.json, dist/ and
 * native/), stamped with `version` and, to make it incompatible, `protocol`. */
function installCopy(dir: string, version: string, options: { protocol?: number; addon?: boolean; extraExport?: string } = {}): void {
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...pkg, version, scripts: {} }, null, 2));
  for (const build of ["cjs", "esm"]) {
    cpSync(join(root, "dist", build, "runtime"), join(dir, "dist", build, "runtime"), { recursive: true });
    cpSync(join(root, "dist", build, "package.json"), join(dir, "dist", build, "package.json"));
    const registry = join(dir, "dist", build, "runtime/registry.js");
    let text = readFileSync(registry, "utf8").replace(/VERSION = "[^"]*"/, `VERSION = "${version}"`);
    if (options.protocol !== undefined) text = text.replace(/PROTOCOL = \d+/, `PROTOCOL = ${options.protocol}`);
    writeFileSync(registry, text);
    if (options.extraExport !== undefined) {
      // A newer API: one more member in the shared API object.
      const index = join(dir, "dist", build, "runtime/index.js");
      const api = readFileSync(index, "utf8").replace(/(shared\)?\("api", \{ [^}]*?)( \}\);)/, `$1, ${options.extraExport}: 0$2`);
      if (!api.includes(`${options.extraExport}: 0`)) throw new Error(`installCopy: no API object in ${index}`);
      writeFileSync(index, api);
    }
  }
  mkdirSync(join(dir, "native"));
  cpSync(join(root, "native/binding.gyp"), join(dir, "native/binding.gyp"));
  if (options.addon !== false) {
    mkdirSync(join(dir, "native/build/Release"), { recursive: true });
    cpSync(join(root, "native/build/Release/fiberlet.node"), join(dir, "native/build/Release/fiberlet.node"));
  }
}

/** A library (named after its directory) with its own nested copy of
 * fiberlet: `lib` re-exports that copy's API, `lib/protocol` its
 * emitted-code runtime. */
function installLibrary(at: string, version: string, options: { protocol?: number; extraExport?: string } = {}): void {
  mkdirSync(at, { recursive: true });
  writeFileSync(
    join(at, "package.json"),
    JSON.stringify({
      name: basename(at),
      version: "1.0.0",
      exports: {
        ".": { import: "./index.mjs", require: "./index.cjs" },
        "./protocol": { import: "./protocol.mjs", require: "./protocol.cjs" },
      },
    }),
  );
  writeFileSync(join(at, "index.mjs"), 'export * from "fiberlet";\n');
  writeFileSync(join(at, "index.cjs"), 'module.exports = require("fiberlet");\n');
  writeFileSync(join(at, "protocol.mjs"), 'export * from "fiberlet/protocol";\n');
  writeFileSync(join(at, "protocol.cjs"), 'module.exports = require("fiberlet/protocol");\n');
  installCopy(join(at, "node_modules/fiberlet"), version, options);
}

function compile(source: string, runtime: string): string {
  return transformSync(source, { babelrc: false, configFile: false, plugins: [[plugin, { runtime }]] })!.code!;
}

/** Runs `code` as `file` in the project (or in `dir`); returns stdout, or the
 * first line of stderr as an error. */
function run(file: string, code: string, options: { cwd?: string; env?: Record<string, string>; dir?: string } = {}): string {
  const path = join(options.dir ?? project, file);
  writeFileSync(path, code);
  try {
    return execFileSync(process.execPath, [path], {
      cwd: options.cwd ?? project,
      encoding: "utf8",
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (e) {
    throw new Error(String((e as { stderr?: string }).stderr ?? e));
  }
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "fiberlet-copies-"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(root, "node_modules/node-gyp-build"), join(project, "node_modules/node-gyp-build"), "dir");
  installCopy(join(project, "node_modules/fiberlet"), "0.1.0");
  installLibrary(join(project, "node_modules/lib"), "0.2.0");
  installLibrary(join(project, "node_modules/old-lib"), "0.0.9", { protocol: 0 });
  installLibrary(join(project, "node_modules/new-lib"), "0.3.0", { extraExport: "sleep" });
});

// The scenarios print JSON; the checks are the same for every combination.
const SAME = `[Fiber === other.Fiber, FiberError === other.FiberError, current() === other.current(),
  new other.Fiber(() => 1) instanceof Fiber]`;

describe("copies of fiberlet in one thread share one runtime", () => {
  it("the ESM and CommonJS builds of one copy, and compiled code that uses both", () => {
    writeFileSync(
      join(project, "both-compiled.cjs"),
      compile(
        `"use fiber";
         const { Fiber, current } = require("fiberlet");
         function deep(n, to) { return n === 0 ? to.switch("down") : 1 + deep(n - 1, to); }
         exports.run = () => { const f = new Fiber(deep, [10, current()]); return [f.switch(), f.switch(5)]; };`,
        "fiberlet/protocol",
      ).replace(/import \{ R as (\w+) \} from "fiberlet\/protocol";/, 'const { R: $1 } = require("fiberlet/protocol");'),
    );
    const out = run(
      "both.mjs",
      `import { Fiber, FiberError, current } from "fiberlet";
       import { R } from "fiberlet/protocol";
       import { createRequire } from "node:module";
       const require = createRequire(import.meta.url);
       const other = require("fiberlet");
       const compiled = require("./both-compiled.cjs");
       console.log(JSON.stringify([...${SAME}, R === require("fiberlet/protocol").R, compiled.run()]));`,
    );
    expect(JSON.parse(out)).toEqual([true, true, true, true, true, ["down", 15]]);
  });

  it("two versions in node_modules with the same protocol: fibers of one switch to fibers of the other", () => {
    const out = run(
      "two-versions.mjs",
      `import { Fiber, FiberError, current } from "fiberlet";
       import * as other from "lib";
       const main = current();
       // a fiber of each copy; each switches to the other one
       let b;
       const a = new Fiber(() => { const got = b.switch(); main.switch(got); });
       b = new other.Fiber(() => a.switch(a.parent === main && b.parent === main));
       console.log(JSON.stringify([...${SAME}, a.switch(), b.isAlive(), a.kind, b.kind]));`,
    );
    // a and b are unmarked targets: stackful with the addon
    expect(JSON.parse(out)).toEqual([true, true, true, true, true, true, "stackful", "stackful"]);
  });

  it("compiled code imports its protocol from one copy and Fiber from another, in either load order", () => {
    const source = `"use fiber";
      import { Fiber, FiberError, current } from "fiberlet";
      function leaves(tree, to) { if (Array.isArray(tree)) for (const t of tree) leaves(t, to); else to.switch(tree); }
      export function run() {
        const main = current();
        const f = new Fiber(leaves, [[1, [2, [3]]], main]);
        const out = [];
        for (let v = f.switch(); f.isAlive(); v = f.switch()) out.push(v);
        // a switch through an unmarked frame: the error is the shared FiberError
        const g = new Fiber(() => [1].map(() => main.switch()));
        let error;
        try { g.switch(); } catch (e) { error = e instanceof FiberError && /cannot suspend/.test(e.message); }
        return [out, f.kind, error];
      }`;
    writeFileSync(join(project, "leaves.mjs"), compile(source, "lib/protocol"));
    // lib/protocol (copy 0.2.0) loads first here: its R serves the API of 0.1.0
    const out = run(
      "cross.mjs",
      `import { R } from "lib/protocol";
       import { R as R1 } from "fiberlet/protocol";
       import { run } from "./leaves.mjs";
       import * as other from "lib";
       import { Fiber, FiberError, current } from "fiberlet";
       console.log(JSON.stringify([...${SAME}, R === R1, run()]));`,
    );
    expect(JSON.parse(out)).toEqual([true, true, true, true, true, [[1, 2, 3], "stackless", true]]);
    const cjs = run(
      "cross.cjs",
      `const other = require("lib");
       const { Fiber, FiberError, current } = require("fiberlet");
       import("./leaves.mjs").then(({ run }) => console.log(JSON.stringify([...${SAME}, run()])));`,
    );
    expect(JSON.parse(cjs)).toEqual([true, true, true, true, [[1, 2, 3], "stackless", true]]);
  });

  it("two chunks of a bundle that each evaluated their own copy of the ES modules", () => {
    // A bundler that splits `fiberlet` and `fiberlet/protocol` into chunks
    // with a runtime each: two separately evaluated copies of dist/esm.
    for (const chunk of ["chunk-a", "chunk-b"]) cpSync(join(project, "node_modules/fiberlet/dist/esm"), join(project, chunk), { recursive: true });
    writeFileSync(
      join(project, "chunk-app.mjs"),
      compile(
        `"use fiber";
         import { Fiber, current } from "./chunk-a/runtime/index.js";
         function inner(main) { return main.switch("paused") * 2; }
         export function run() { const f = new Fiber(() => inner(current().parent)); return [f.switch(), f.switch(21), f.kind]; }`,
        "./chunk-b/runtime/protocol.js",
      ),
    );
    const out = run(
      "chunks.mjs",
      `import { run } from "./chunk-app.mjs";
       import * as other from "./chunk-b/runtime/index.js";
       import { Fiber, FiberError, current } from "./chunk-a/runtime/index.js";
       console.log(JSON.stringify([...${SAME}, run()]));`,
    );
    expect(JSON.parse(out)).toEqual([true, true, true, true, ["paused", 42, "stackless"]]);
  });

  it("copies with different protocol versions fail at load with a FiberError naming both", () => {
    const first = join(project, "node_modules/fiberlet/dist/esm/runtime/registry.js");
    const second = join(project, "node_modules/old-lib/node_modules/fiberlet/dist/cjs/runtime/registry.js");
    const out = run(
      "mismatch.mjs",
      `import { FiberError } from "fiberlet";
       import { createRequire } from "node:module";
       try { createRequire(import.meta.url)("old-lib"); console.log("loaded"); }
       catch (e) { console.log(JSON.stringify([e instanceof Error, e.name, e.message])); }`,
    );
    const [isError, name, message] = JSON.parse(out) as [boolean, string, string];
    expect([isError, name]).toEqual([true, "FiberError"]);
    expect(message).toContain(`fiberlet 0.0.9 (protocol 0) at ${second}`);
    expect(message).toContain(`fiberlet 0.1.0 (protocol 1) at file://${first}`);
    expect(message).toMatch(/incompatible copies of fiberlet/);
  });

  it("a later copy of the same protocol whose API has more members than the first one's fails to load", () => {
    const first = join(project, "node_modules/fiberlet/dist/cjs/runtime/registry.js");
    const out = run(
      "newer-api.cjs",
      `require("fiberlet");
       try { require("new-lib"); console.log("loaded"); }
       catch (e) { console.log(JSON.stringify([e.name, e.message])); }`,
    );
    const [name, message] = JSON.parse(out) as [string, string];
    expect(name).toBe("FiberError");
    expect(message).toContain("fiberlet 0.3.0 (protocol 1) at ");
    expect(message).toContain(`exports sleep, which fiberlet 0.1.0 (protocol 1) at ${first}, loaded first in this thread, lacks`);
  });
});

describe("the ES module build", () => {
  const esm = join(root, "dist/esm/runtime");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
    );

  it("is ES modules through and through: export statements, no CommonJS inside", () => {
    const all = files(esm);
    expect(all.length).toBeGreaterThan(8);
    for (const file of all) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/\brequire\(|\bmodule\.exports\b|\bexports\.|__esModule/);
    }
    expect(readFileSync(join(esm, "index.js"), "utf8")).toMatch(/^export const Fiber = /m);
  });

  it("has its own declarations: import and require each resolve their build's types (node16)", () => {
    const dir = join(project, "types");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "types", type: "module" }));
    writeFileSync(
      join(dir, "esm.mts"),
      `import { Fiber, FiberError, waitFor } from "fiberlet";
       import { R } from "fiberlet/protocol";
       const f: Fiber<[number], string> = new Fiber((n: number) => String(n), [1]);
       class Sub extends Fiber { run() { return 1; } }
       const n: number = waitFor(Promise.resolve(1));
       void [f, Sub, n, new FiberError("x"), R.m];`,
    );
    writeFileSync(
      join(dir, "cjs.cts"),
      `import { Fiber } from "fiberlet";
       import protocol = require("fiberlet/protocol");
       void [new Fiber(() => 1), protocol.R.m];`,
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "node16", "--typeRoots", join(root, "node_modules/@types"), "--types", "node", "--traceResolution", "esm.mts", "cjs.cts"];
    const trace = execFileSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: "utf8" });
    const resolved = [...trace.matchAll(/Module name '(fiberlet[^']*)' was successfully resolved to '([^']+)'/g)].map((m) => `${m[1]} -> ${m[2].slice(m[2].indexOf("dist/"))}`);
    expect([...new Set(resolved)].sort()).toEqual([
      "fiberlet -> dist/cjs/runtime/index.d.ts",
      "fiberlet -> dist/esm/runtime/index.d.ts",
      "fiberlet/protocol -> dist/cjs/runtime/protocol.d.ts",
      "fiberlet/protocol -> dist/esm/runtime/protocol.d.ts",
    ]);
  }, 120_000); // one tsc run: seconds alone, much more on a busy machine

  it("bundles with Rollup as it is (no CommonJS plugin) and runs", async () => {
    const warnings: string[] = [];
    const entry = join(project, "rollup-entry.mjs");
    writeFileSync(
      entry,
      `import { Fiber, current, FiberError } from ${JSON.stringify(join(esm, "index.js"))};
       import { R } from ${JSON.stringify(join(esm, "protocol.js"))};
       const main = current();
       const f = new Fiber(() => "in fiber");
       // unmarked code cannot suspend a stackless fiber: the FiberError says so
       const g = new Fiber(() => main.switch());
       let refused;
       try { g.switch(); } catch (e) { refused = e instanceof FiberError && /cannot suspend/.test(e.message); }
       export const result = [f.kind, f.switch(), typeof R.cap, refused];`,
    );
    const bundle = await rollup({ input: entry, onwarn: (w) => warnings.push(w.message) });
    const { output } = await bundle.generate({ format: "es" });
    await bundle.close();
    expect(warnings).toEqual([]);
    expect(output).toHaveLength(1);
    const file = join(project, "rollup-bundle.mjs");
    writeFileSync(file, output[0].code + "\nconsole.log(JSON.stringify(result));\n");
    // no process global needed either: a browser bundle
    expect(JSON.parse(run("rollup-run.mjs", `delete globalThis.process; await import(${JSON.stringify(file)});`))).toEqual([
      "stackless",
      "in fiber",
      "function",
      true,
    ]);
  });
});

describe("the native addon is found from the package's own location", () => {
  const script = (entry: string, esm: boolean) =>
    esm
      ? `import { Fiber } from ${JSON.stringify(entry)};
         const f = new Fiber(() => 1); console.log(JSON.stringify([f.kind, f.switch()]));`
      : `const { Fiber } = require(${JSON.stringify(entry)});
         const f = new Fiber(() => 1); console.log(JSON.stringify([f.kind, f.switch()]));`;

  it("from a working directory outside the package, through ESM and CommonJS", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "fiberlet-cwd-"));
    const copy = join(project, "node_modules/fiberlet");
    const env = { FIBERLET_BACKEND: "native" };
    for (const [file, entry, esm] of [
      ["addon.mjs", join(copy, "dist/esm/runtime/index.js"), true],
      ["addon.cjs", join(copy, "dist/cjs/runtime/index.js"), false],
    ] as const) {
      expect(JSON.parse(run(file, script(entry, esm), { cwd: elsewhere, env, dir: elsewhere }))).toEqual(["stackful", 1]);
    }
  });

  it("a copy without a build says so, even when the working directory holds another fiberlet with one", () => {
    const copy = join(mkdtempSync(join(tmpdir(), "fiberlet-nobuild-")), "node_modules/fiberlet");
    installCopy(copy, "0.1.0", { addon: false });
    symlinkSync(join(root, "node_modules/node-gyp-build"), join(dirname(copy), "node-gyp-build"), "dir");
    const entry = join(copy, "dist/esm/runtime/index.js");
    const code = `import { Fiber } from ${JSON.stringify(entry)};
      try { new Fiber(() => 1); } catch (e) { console.log(e.message); }`;
    const out = run("nobuild.mjs", code, { cwd: root, env: { FIBERLET_BACKEND: "native" } });
    expect(out).toContain(`no addon for Node.js ${process.versions.node} (ABI ${process.versions.modules}) on ${process.platform}-${process.arch} in ${join(copy, "native")}`);
  });
});
