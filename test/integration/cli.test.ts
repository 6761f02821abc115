// The fiberlet command line (cli/), run as the installed bin would be: help,
// version, run (arguments, exit codes, compile errors) and build (layout,
// source maps, copies, errors). Each failure is one line and an exit code.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, root, type Project } from "./project.js";

const bin = join(root, "dist/cjs/cli/main.js");
let p: Project;
beforeAll(() => {
  p = makeProject({ name: "app", type: "module" }, "app");
});
const fiberlet = (...args: string[]) => p.run([bin, ...args]);

describe("fiberlet CLI", () => {
  it("is the package's bin", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string>; version: string };
    expect(join(root, pkg.bin.fiberlet)).toBe(bin);
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("--help lists the commands (exit 0); no command prints it and exits 2; --version", () => {
    const help = fiberlet("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fiberlet <command>/);
    expect(help.stdout).toMatch(/^ {2}run +\S/m);
    expect(help.stdout).toMatch(/^ {2}build +\S/m);
    expect(fiberlet().status).toBe(2);
    expect(fiberlet("build", "--help").stdout).toMatch(/^Usage: fiberlet build <src> --out-dir <dir>/);
    const version = fiberlet("--version");
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });

  it("a bad command line is one line and exit 2", () => {
    for (const args of [["frob"], ["run"], ["run", "missing.ts"], ["build", "."], ["build", "--out-dir", "x"], ["build", ".", "-d", "x", "--wat"]]) {
      const r = fiberlet(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^fiberlet: .+ \(see fiberlet --help\)\n$/);
      expect(r.stdout).toBe("");
    }
  });

  it("run: the program gets its arguments, and its exit code (or signal) is the CLI's", () => {
    const r = fiberlet("run", "exits.mjs", "a", "--flag");
    expect(JSON.parse(r.stdout)).toEqual(["a", "--flag"]);
    expect(r.status).toBe(3);
    // A program ended by a signal ends the CLI with the same signal.
    p.write({ "killed.mjs": 'process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000);' });
    expect(fiberlet("run", "killed.mjs").signal).toBe("SIGTERM");
    const ts = fiberlet("run", "main.ts");
    expect(ts.status).toBe(0);
    expect(JSON.parse(ts.stdout)).toEqual({ leaves: [10, 20, 30], items: ["a", "b"] });
  });

  it("run: a compile error is the error line with the location, exit 1", () => {
    const r = fiberlet("run", "imports-bad.mjs");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad-syntax\.ts:3:13: Unexpected token/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("build: keeps the layout, compiles TypeScript and marked files with maps, copies the rest; the output runs", () => {
    const q = makeProject({ name: "app", type: "module" });
    q.write({
      "src/package.json": JSON.stringify({ type: "module" }),
      "src/data.json": '{ "n": 1 }',
      "src/lib/plain.js": readFileSync(join(__dirname, "fixtures/app/plain.js"), "utf8"),
      "src/lib/types.d.ts": "export type N = number;\n",
      "src/.hidden.ts": "not: valid",
      "src/node_modules/x/index.js": "",
    });
    for (const f of ["walk.cts", "each.cjs", "gen.mjs", "scale.mts", "main.ts", "show.ts", "boom.ts"]) {
      q.write({ [`src/${f}`]: readFileSync(join(__dirname, "fixtures/app", f), "utf8") });
    }
    const r = q.run([bin, "build", "src", "--out-dir", "dist"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("fiberlet build: 7 compiled, 4 copied into dist");
    for (const f of ["walk.cjs", "each.cjs", "gen.mjs", "scale.mjs", "main.js", "show.js", "boom.js"]) {
      expect(existsSync(join(q.dir, "dist", f)), f).toBe(true);
      const map = JSON.parse(q.read(`dist/${f}.map`)) as { sources: string[]; file: string };
      expect(map.file).toBe(f);
      expect(existsSync(join(q.dir, "dist", map.sources[0])), map.sources[0]).toBe(true);
      expect(q.read(`dist/${f}`)).toContain(`//# sourceMappingURL=${f}.map`);
    }
    // Unmarked JavaScript, declarations and data are copied byte for byte; dot-files and node_modules are not.
    expect(q.read("dist/lib/plain.js")).toBe(q.read("src/lib/plain.js"));
    expect(q.read("dist/lib/types.d.ts")).toBe(q.read("src/lib/types.d.ts"));
    expect(q.read("dist/data.json")).toBe(q.read("src/data.json"));
    expect(existsSync(join(q.dir, "dist/.hidden.ts"))).toBe(false);
    expect(existsSync(join(q.dir, "dist/node_modules"))).toBe(false);
    // Relative imports of .ts files now name the .js output.
    expect(q.read("dist/main.js")).toContain('from "./walk.cjs"');
    expect(q.read("dist/main.js")).toContain('from "./scale.mjs"');
    const ran = q.run(["dist/main.js"]);
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual({ leaves: [10, 20, 30], items: ["a", "b"] });
    // The maps lead a stack trace back to the TypeScript source.
    const boom = q.run(["--enable-source-maps", "dist/boom.js"]);
    expect(boom.stderr).toMatch(/src\/boom\.ts:10:\d+/);
  });

  it("build: each file that fails is one line with its location; the rest is written; exit 1", () => {
    const q = makeProject({ name: "app", type: "module" });
    for (const f of ["bad-with.cjs", "bad-syntax.ts", "gen.mjs"]) {
      q.write({ [`src/${f}`]: readFileSync(join(__dirname, "fixtures/app", f), "utf8") });
    }
    const r = q.run([bin, "build", "src", "--out-dir", "out"]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^fiberlet: src\/bad-syntax\.ts:3:13: Unexpected token$/),
      expect.stringMatching(/^fiberlet: src\/bad-with\.cjs:3:3: fiberlet: a `with` statement cannot be used in a marked function/),
      "fiberlet build: 1 compiled, 0 copied into out; 2 failed",
    ]);
    expect(existsSync(join(q.dir, "out/gen.mjs"))).toBe(true);
  });
});
