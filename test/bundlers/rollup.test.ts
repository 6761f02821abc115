// fiberlet/rollup in Rollup 4, on Node: which modules it compiles, its
// source maps, its errors, and Node bundles that keep the stackful backend.
// (The browser side is browser.test.ts.)
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { rollup, type Plugin, type RollupError } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { beforeAll, describe, expect, it } from "vitest";
import { installedProject, repo } from "./support/project.js";

type FiberletRollup = typeof import("../../rollup-plugin/index.js").default;

let project: string;
let fiberlet: FiberletRollup;

beforeAll(async () => {
  project = installedProject("rollup");
  const url = pathToFileURL(join(project, "node_modules/fiberlet/dist/esm/rollup.mjs")).href;
  fiberlet = ((await import(/* @vite-ignore */ url)) as { default: FiberletRollup }).default;
}, 30_000);

/** Writes `files` into a fresh directory of the project and returns its path. */
function sources(name: string, files: Record<string, string>): string {
  const dir = join(project, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const MARKED_TS = `"use fiber";
import { Fiber, current } from "fiberlet";
import { double } from "./plain.js";
type Step = { n: number };
export function run(): number[] {
  const marker: string = "needle";
  const main = current();
  const f = new Fiber((s: Step) => double(main.switch<number>(s.n)) + marker.length, [{ n: 20 }]);
  return [f.switch<number>(), f.switch<number>(1)];
}
`;

describe("fiberlet/rollup in Rollup", () => {
  it("compiles only the modules whose code has the directive (the hook filter skips the others unparsed)", async () => {
    const dir = sources("filter", {
      "main.ts": MARKED_TS,
      "plain.js": "export const double = (x) => x * 2; // no directive here\n",
    });
    const plugin = fiberlet();
    const handled: string[] = [];
    const handler = plugin.transform.handler;
    plugin.transform.handler = function (code, id) {
      handled.push(id);
      return handler.call(this, code, id);
    };
    const bundle = await rollup({ input: join(dir, "main.ts"), plugins: [plugin, nodeResolve()], external: [/^fiberlet/] });
    const { output } = await bundle.generate({ format: "es" });
    expect(handled).toEqual([join(dir, "main.ts")]);
    expect(plugin.transform.filter).toEqual({ id: expect.any(RegExp), code: "use fiber" });
    // Compiled (the runtime protocol is imported) and TypeScript stripped.
    expect(output[0].code).toMatch(/from ['"]fiberlet\/protocol['"]/);
    expect(output[0].code).not.toContain(": number");
  });

  it("include and exclude choose among the marked modules", async () => {
    const dir = sources("include", {
      "a.js": '"use fiber";\nimport { b } from "./b.js";\nexport function a(f) { return f() + b(f); }\n',
      "b.js": '"use fiber";\nexport function b(f) { return f(); }\n',
    });
    const warnings: string[] = [];
    const out = async (options: Parameters<FiberletRollup>[0]) => {
      const bundle = await rollup({
        input: join(dir, "a.js"),
        plugins: [fiberlet(options)],
        external: [/^fiberlet/],
        onwarn: (w) => void warnings.push(w.message),
      });
      return (await bundle.generate({ format: "es" })).output[0].code;
    };
    const resumable = /function b\(f\) \{\s*return f\(\);\s*\}/;
    expect(await out({})).not.toMatch(resumable);
    expect(warnings).toEqual([]);
    expect(await out({ exclude: "**/b.js" })).toMatch(resumable);
    expect(await out({ include: ["**/a.js"] })).toMatch(resumable);
    // Rollup itself says that the directive of a module left out was ignored.
    expect(warnings).toEqual([
      expect.stringMatching(/Module level directives cause errors when bundled, "use fiber" in ".*b\.js" was ignored/),
      expect.stringMatching(/"use fiber" in ".*b\.js" was ignored/),
    ]);
  });

  it("returns a map of its own step that chains with the plugins before it and with TypeScript", async () => {
    const dir = sources("maps", {
      "main.ts": MARKED_TS,
      "plain.js": "export const double = (x) => x * 2;\n",
    });
    // A plugin before fiberlet that adds two lines, with a line-for-line map.
    const banner: Plugin = {
      name: "banner",
      transform(code, id) {
        if (!id.endsWith(".ts")) return null;
        const lines = code.split("\n").map((_, i) => (i === 0 ? "AAAA" : "AACA"));
        return { code: `// banner one\n// banner two\n${code}`, map: { version: 3, sources: [id], names: [], mappings: `;;${lines.join(";")}` } };
      },
    };
    for (const plugins of [[fiberlet()], [banner, fiberlet()]]) {
      const bundle = await rollup({ input: join(dir, "main.ts"), plugins: [...plugins, nodeResolve()], external: [/^fiberlet/] });
      const { output } = await bundle.generate({ format: "es", sourcemap: true });
      const { code, map } = output[0];
      const lines = code.split("\n");
      const line = lines.findIndex((l) => l.includes('"needle"'));
      const column = lines[line].indexOf('"needle"');
      const original = originalPositionFor(new TraceMap(map!), { line: line + 1, column });
      expect(original.source).toMatch(/maps\/main\.ts$/);
      expect(original.line).toBe(6);
      // Without the line-granular banner map, columns survive too (the type
      // annotation before the literal is gone from the output).
      if (plugins.length === 1) expect(original.column).toBe('  const marker: string = "needle"'.indexOf('"needle"'));
    }
  });

  it("reports code it cannot compile with this.error: one line, the file and the location", async () => {
    const dir = sources("errors", {
      "eval.js": '"use fiber";\nexport function f(code) {\n  return 1 + eval(code);\n}\n',
      "syntax.ts": '"use fiber";\nexport function f(x: number) {\n  return x +;\n}\n',
    });
    for (const [file, line, column, message] of [
      ["eval.js", 3, 13, /^\[plugin fiberlet\] .*eval\.js \(3:13\): fiberlet: a direct `eval` cannot see the variables of a marked function; use an indirect eval/],
      ["syntax.ts", 3, 12, /^\[plugin fiberlet\] .*syntax\.ts \(3:12\): Unexpected token$/],
    ] as const) {
      const error = await rollup({ input: join(dir, file), plugins: [fiberlet()], external: [/^fiberlet/] }).then(
        () => null,
        (e: RollupError) => e,
      );
      expect(error?.plugin).toBe("fiberlet");
      expect(error?.loc).toEqual({ file: join(dir, file), line, column });
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain("\n");
      expect(error?.frame).toContain(`> ${line} |`);
    }
  });

  it("says what to install when a TypeScript module needs @babel/preset-typescript and the project has none", async () => {
    const bare = installedProject("no-preset", ["@babel/core"]);
    const url = pathToFileURL(join(bare, "node_modules/fiberlet/dist/esm/rollup.mjs")).href;
    const plugin = ((await import(/* @vite-ignore */ url)) as { default: FiberletRollup }).default;
    const file = join(bare, "main.ts");
    writeFileSync(file, '"use fiber";\nexport function f(g: () => number): number { return g(); }\n');
    // Rollup's project is the working directory (this repository has the preset).
    const cwd = process.cwd();
    process.chdir(bare);
    const error = await rollup({ input: file, plugins: [plugin()], external: [/^fiberlet/] })
      .then(
        () => null,
        (e: RollupError) => e,
      )
      .finally(() => process.chdir(cwd));
    expect(error?.plugin).toBe("fiberlet");
    expect(error?.message).toMatch(
      /main\.ts: fiberlet\/rollup compiles TypeScript with @babel\/preset-typescript: npm install --save-dev @babel\/preset-typescript$/,
    );
  });

  it("says which option it does not know", () => {
    expect(() => fiberlet({ includes: "*.js" } as never)).toThrow(
      new TypeError('fiberlet/rollup: unknown option "includes" (the options are include, exclude, babel and emitAddon)'),
    );
  });

  it("passes Babel options through: a user's plugin runs next to fiberlet's", async () => {
    const dir = sources("babel", { "main.js": '"use fiber";\nexport function f(g) { return g() + ANSWER; }\n' });
    const answer = ({ types: t }: typeof import("@babel/core")) => ({
      visitor: { Identifier(path: import("@babel/core").NodePath<import("@babel/types").Identifier>) {
        if (path.node.name === "ANSWER") path.replaceWith(t.numericLiteral(42));
      } },
    });
    const bundle = await rollup({ input: join(dir, "main.js"), plugins: [fiberlet({ babel: { plugins: [answer] } })], external: [/^fiberlet/] });
    const { output } = await bundle.generate({ format: "es" });
    expect(output[0].code).toContain("42");
    expect(output[0].code).not.toContain("ANSWER");
    expect(output[0].code).toMatch(/from ['"]fiberlet\/protocol['"]/);
  });
});

describe("the package export fiberlet/rollup", () => {
  it("loads by import (default and named) and by require, with types that Rollup, Vite 7 and Vite 8 configs accept", () => {
    const dir = sources("export", {
      "configs.mts": `import fiberlet, { fiberlet as named, type FiberletRollupOptions } from "fiberlet/rollup";
import type { RollupOptions } from "rollup";
import { defineConfig as vite8 } from "vite";
import { defineConfig as vite7 } from "vite7";
const options: FiberletRollupOptions = { include: ["src/**"], exclude: /skip/, babel: { plugins: [] } };
export const rollupConfig: RollupOptions = { input: "src/main.js", plugins: [fiberlet(options)] };
export const vite8Config = vite8({ plugins: [named()] });
export const vite7Config = vite7({ plugins: [fiberlet({ exclude: "**/vendor/**" })] });
// @ts-expect-error an unknown option
fiberlet({ includes: "src/**" });
`,
      "config.cts": `import plugin = require("fiberlet/rollup");
export const both = [plugin.fiberlet().name, plugin.default().name];
`,
      "tsconfig.json": JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ["configs.mts", "config.cts"],
      }),
      "run.mjs": `import fiberlet, { fiberlet as named } from "fiberlet/rollup";
import { createRequire } from "node:module";
const cjs = createRequire(import.meta.url)("fiberlet/rollup");
console.log(JSON.stringify([fiberlet === named, cjs.fiberlet === named, cjs.default === named, fiberlet().name]));
`,
    });
    for (const name of ["rollup", "vite", "vite7"]) {
      try {
        symlinkSync(join(repo, "node_modules", name), join(project, "node_modules", name), "dir");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
    }
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    const out = execFileSync(process.execPath, [join(dir, "run.mjs")], { cwd: dir, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual([true, true, true, "fiberlet"]);
  }, 60_000);
});

describe("Node bundles keep the stackful backend", () => {
  const APP = `"use fiber";
import { Fiber, current } from "fiberlet";
import { sortWithSwitches } from "./unmarked.js";
const main = current();
const marked = new Fiber(() => main.switch("marked") + 1);
const stackful = new Fiber(sortWithSwitches, [[3, 1, 2], main]);
const seen = [marked.kind, marked.switch(), stackful.kind, stackful.switch()];
let r;
while (stackful.isAlive()) { r = stackful.switch(); if (stackful.isAlive()) seen.push(r); }
seen.push(r);
console.log(JSON.stringify(seen));
`;
  // Not marked: a comparator that switches from inside Array#sort, which only
  // a stackful fiber can suspend.
  const UNMARKED = `export function sortWithSwitches(items, main) {
  return items.sort((a, b) => { main.switch(a + ":" + b); return a - b; }).join(",");
}
`;
  // The comparisons Array#sort makes here, each a switch back to main.
  const compared: string[] = [];
  [3, 1, 2].sort((a, b) => (compared.push(`${a}:${b}`), a - b));
  const EXPECTED = ["stackless", "marked", "stackful", ...compared, "1,2,3"];

  /** Runs the bundle from a directory with no fiberlet anywhere above it. */
  function runBundle(file: string, backend = "auto"): unknown {
    const elsewhere = tmpdir();
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: elsewhere, encoding: "utf8", env: { ...process.env, FIBERLET_BACKEND: backend } }));
  }

  it("with fiberlet external: the installed package loads its own addon", async () => {
    const dir = sources("node-external", { "app.js": APP, "unmarked.js": UNMARKED });
    const bundle = await rollup({ input: join(dir, "app.js"), plugins: [fiberlet()], external: [/^fiberlet(\/|$)/] });
    const { output } = await bundle.write({ file: join(dir, "out/app.mjs"), format: "es" });
    expect(output[0].imports.sort()).toEqual(["fiberlet", "fiberlet/protocol"]);
    expect(runBundle(join(dir, "out/app.mjs"))).toEqual(EXPECTED);
  });

  it("with fiberlet bundled in: the runtime finds the package installed beside the bundle", async () => {
    const dir = sources("node-bundled", { "app.js": APP, "unmarked.js": UNMARKED });
    const bundle = await rollup({ input: join(dir, "app.js"), plugins: [fiberlet(), nodeResolve()] });
    const { output } = await bundle.write({ file: join(dir, "out/app.mjs"), format: "es" });
    expect(output[0].imports).toEqual([]);
    expect(runBundle(join(dir, "out/app.mjs"))).toEqual(EXPECTED);
  });

  it("a Vite 8 SSR build keeps fiberlet external, and the installed package loads its addon", async () => {
    const dir = sources("node-vite-ssr", { "app.js": APP, "unmarked.js": UNMARKED });
    const vite = await import("vite");
    await vite.build({
      root: project,
      configFile: false,
      logLevel: "silent",
      plugins: [fiberlet()],
      build: { ssr: join(dir, "app.js"), outDir: join(dir, "out"), emptyOutDir: true },
    });
    expect(runBundle(join(dir, "out/app.js"))).toEqual(EXPECTED);
  });

  it("with emitAddon: the bundle carries the addon and runs where fiberlet is not installed (ES module and CommonJS output)", async () => {
    const dir = sources("node-emit", { "app.js": APP, "unmarked.js": UNMARKED });
    for (const [format, file] of [["es", "app.mjs"], ["cjs", "app.cjs"]] as const) {
      // Deployed alone: no node_modules beside or above it.
      const deploy = mkdtempSync(join(tmpdir(), `fiberlet-deploy-${format}-`));
      const bundle = await rollup({ input: join(dir, "app.js"), plugins: [fiberlet({ emitAddon: true }), nodeResolve()] });
      const { output } = await bundle.write({ dir: deploy, entryFileNames: file, format });
      const assets = output.filter((o) => o.type === "asset").map((o) => o.fileName);
      expect(assets).toEqual([expect.stringMatching(/^assets\/fiberlet-[\w-]+\.node$/)]);
      expect(readdirSync(join(deploy, "assets"))).toEqual([assets[0].slice("assets/".length)]);
      expect(runBundle(join(deploy, file), "native")).toEqual(["stackful", ...EXPECTED.slice(1)]);
    }
    // Vite resolves asset URLs for the browser: there, emitAddon is refused.
    const vite = await import("vite");
    const refused = await vite
      .build({ root: dir, configFile: false, logLevel: "silent", plugins: [fiberlet({ emitAddon: true })], build: { ssr: join(dir, "app.js"), write: false } })
      .then(() => null, (e: Error) => e.message);
    expect(refused).toMatch(/^fiberlet\/rollup: emitAddon is for Rollup builds; in Vite, leave fiberlet external in SSR builds/);
    // The same bundle without emitAddon, deployed alone, has no addon to load.
    const deploy = mkdtempSync(join(tmpdir(), "fiberlet-deploy-none-"));
    const bundle = await rollup({ input: join(dir, "app.js"), plugins: [fiberlet(), nodeResolve()] });
    await bundle.write({ dir: deploy, entryFileNames: "app.mjs", format: "es" });
    const r = spawnSync(process.execPath, [join(deploy, "app.mjs")], { cwd: tmpdir(), encoding: "utf8", env: { ...process.env, FIBERLET_BACKEND: "native" } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("could not locate the fiberlet package directory");
  });
});
