// fiberlet check (checker/): each finding on a fixture project of its own,
// the output formats and exit codes, --fix on a project whose fibers fail
// before and run after (compiled with the plugin, every fiber stackless),
// the examples without a finding, and a project that uses TypeScript 7.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject, root, type Project } from "../integration/project.js";

const bin = join(root, "dist/cjs/cli/main.js");

interface Json {
  findings: { code: string; severity: string; file: string; line: number; column: number; message: string; fix: string }[];
  errors: number;
  files: number;
  fixed?: { files: string[]; marked: number; unmarked: number; loops: number };
}

function fixture(name: string): Project {
  const p = makeProject({ name: "app", type: "module" });
  cpSync(join(__dirname, "fixtures", name), p.dir, { recursive: true });
  return p;
}

function check(p: Project, ...args: string[]) {
  const r = p.run([bin, "check", ...args]);
  return { ...r, json: args.includes("json") ? (JSON.parse(r.stdout) as Json) : undefined };
}

/** `file:line code` of each finding, for compact assertions. */
const where = (j: Json) => j.findings.map((f) => `${f.file}:${f.line} ${f.code}`);

describe("fiberlet check: findings", () => {
  it("1: functions that may suspend, called from a fiber, not marked (a callback several frames deep, a method through an interface and a re-export)", () => {
    const r = check(fixture("missing-mark"), "--format", "json");
    expect(r.status).toBe(1);
    expect(where(r.json!)).toEqual(["logger.ts:6 missing-mark", "tree.ts:3 missing-mark"]);
    const [write, visit] = r.json!.findings;
    expect(write).toMatchObject({ severity: "error", column: 3 });
    expect(write.message).toMatch(/^Logger.write may suspend \(me.parent.switch\) but is not marked, and marked arrow function at main.ts:11:30 calls it \(main.ts:13:5\)/);
    expect(visit.message).toMatch(/^visit may suspend \(arrow function at main.ts:12:17 -> consumer.switch\)/);
    expect(visit.fix).toBe('add "use fiber" as the first statement of visit');
  });

  it("2: callbacks that may suspend passed to forEach, map and Promise.then inside a fiber", () => {
    const r = check(fixture("callback"), "--format", "json");
    expect(r.status).toBe(1);
    expect(where(r.json!)).toEqual(["main.ts:12 callback", "main.ts:13 callback", "main.ts:14 callback", "main.ts:15 callback"]);
    expect(r.json!.findings.map((f) => /`([^`]+)` calls it/.exec(f.message)![1])).toEqual(["Array.forEach", "Array.forEach", "Array.map", "Promise.then"]);
  });

  it("3: a switch in a field initializer, a getter, an async function and a generator", () => {
    const r = check(fixture("unmarkable"), "--format", "json");
    expect(r.status).toBe(1);
    expect(where(r.json!)).toEqual(["main.ts:10 unmarkable", "main.ts:11 unmarkable", "main.ts:16 unmarkable", "main.ts:20 unmarkable"]);
    expect(r.json!.findings.map((f) => f.message.split(", but ")[1].split(":")[0])).toEqual([
      "a class field initializer runs while the object is built, in no frame that can be marked",
      "a getter is never transformed",
      "an async function body is never transformed",
      "a generator body is never transformed",
    ]);
  });

  it("4: marks that never matter are hints (exit 0); marks of code that suspends or of fiber targets are kept", () => {
    const r = check(fixture("needless"), "--format", "json");
    expect(r.status).toBe(0);
    expect(where(r.json!)).toEqual(["main.ts:6 needless-mark", "main.ts:13 needless-mark", "quiet.ts:1 needless-mark"]);
    expect(r.json!.findings.map((f) => f.severity)).toEqual(["hint", "hint", "hint"]);
    expect(r.json!.findings[1].message).toMatch(/redundant/);
  });

  it("5: an unmarked fiber target that switches, in a project whose lib has DOM", () => {
    const r = check(fixture("browser"), "--format", "json");
    expect(r.status).toBe(1);
    expect(where(r.json!)).toEqual(["main.ts:5 stackful-only"]);
    // Without DOM the same fiber is stackful on Node: no finding, unless --browser.
    const p = fixture("browser");
    p.write({ "tsconfig.json": JSON.stringify({ compilerOptions: { module: "ESNext", moduleResolution: "Bundler", noEmit: true, types: [] }, include: ["*.ts"] }) });
    expect(check(p, "--format", "json").json!.findings).toEqual([]);
    expect(where(check(p, "--browser", "--format", "json").json!)).toEqual(["main.ts:5 stackful-only"]);
  });

  it("unknown callees in code a stackless fiber runs are warnings, never assumed safe", () => {
    const r = check(fixture("unknown"), "--format", "json");
    expect(r.status).toBe(0);
    expect(where(r.json!)).toEqual(["helper.ts:3 unknown-callee"]);
    expect(r.json!.findings[0].message).toMatch(/`host.run` has type any/);
  });

  it("text (file:line:column: severity: message [code], then the fix) and SARIF", () => {
    const p = fixture("callback");
    const text = check(p);
    expect(text.stdout).toMatch(/^main\.ts:12:19: error: this callback may suspend \(main\.switch\) but `Array\.forEach` calls it, .* \[callback\]\n {2}fix: loop with for-of/);
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe("fiberlet check: 1 file(s), 4 errors, 0 warnings, 0 hints");
    const sarif = JSON.parse(check(p, "--format=sarif").stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results).toHaveLength(4);
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: "callback", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "main.ts" }, region: { startLine: 12, startColumn: 19 } } }] });
  });

  it("a bad command line or a missing project is one line and exit 2", () => {
    const p = makeProject();
    for (const args of [["missing-dir"], ["--format", "xml"], ["--wat"], ["a", "b"]]) {
      const r = check(p, ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^fiberlet: check: .+ \(see fiberlet --help\)\n$/);
    }
  });
});

describe("fiberlet check --fix", () => {
  it("marks what a fiber needs, unmarks what never matters, rewrites a provable forEach; the fiber fails before and runs after", () => {
    const p = fixture("fix");
    const stackless = { FIBERLET_BACKEND: "continuation" };
    const before = p.run([bin, "run", "main.ts"], { env: stackless });
    expect(before.status).toBe(1);
    expect(before.stderr).toMatch(/cannot suspend this fiber/);

    const r = check(p, "--fix", "--format", "json");
    expect(r.status).toBe(0);
    expect(r.json!.findings).toEqual([]);
    expect(r.json!.fixed).toEqual({ files: ["logger.ts", "main.ts", "math.ts", "tree.ts"], marked: 2, unmarked: 1, loops: 1 });
    expect(p.read("tree.ts")).toMatch(/^export function visit\(node: Tree, emit: \(leaf: number\) => void\): void \{\n {2}"use fiber";\n {2}if/m);
    expect(p.read("logger.ts")).toMatch(/write\(line: string\): void \{\n {4}"use fiber";\n/);
    expect(p.read("math.ts")).not.toMatch(/use fiber/);
    expect(p.read("main.ts")).toMatch(/for \(const \[i, x\] of \[10, 20\]\.entries\(\)\) consumer\.switch\(add\(x, i\)\);/);

    const after = p.run([bin, "run", "main.ts"], { env: stackless });
    expect(after.stderr).toBe("");
    expect(JSON.parse(after.stdout)).toEqual({ result: [1, 2, 3, 4, 10, 21, -1], lines: ["done"] });
    expect(check(p, "--format", "json").json!.findings).toEqual([]);
  });

  it("leaves what it cannot prove: a forEach over a parameter's array stays (and is still reported)", () => {
    const p = fixture("callback");
    const r = check(p, "--fix", "--format", "json");
    expect(r.status).toBe(1);
    expect(r.json!.fixed).toMatchObject({ loops: 1, marked: 0 });
    expect(where(r.json!)).toEqual(["main.ts:12 callback", "main.ts:14 callback", "main.ts:15 callback"]);
    const main = p.read("main.ts");
    expect(main).toMatch(/items\.forEach\(\(x\) => main\.switch\(x\)\);/);
    expect(main).toMatch(/for \(const x of \[1, 2\]\) main\.switch\(x\);/);
  });
});

describe("fiberlet check on other projects", () => {
  it("the examples (JavaScript, no tsconfig) pass with no finding", () => {
    const r = makeProject().run([bin, "check", join(root, "examples"), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.findings).toEqual([]);
    expect(json.files).toBeGreaterThanOrEqual(5);
  });

  it("a project built with TypeScript 7 is checked with fiberlet's own compiler; options it does not know are warnings", () => {
    const p = fixture("missing-mark");
    // A stand-in for TypeScript 7 (no JavaScript API): loading it fails.
    mkdirSync(join(p.dir, "node_modules/typescript"));
    writeFileSync(join(p.dir, "node_modules/typescript/package.json"), JSON.stringify({ name: "typescript", version: "7.0.0", main: "index.js" }));
    writeFileSync(join(p.dir, "node_modules/typescript/index.js"), 'throw new Error("TypeScript 7 has no JavaScript API");');
    const config = JSON.parse(p.read("tsconfig.json"));
    config.compilerOptions.futureOption = true;
    p.write({ "tsconfig.json": JSON.stringify(config) });
    const r = check(p, "--format", "json");
    expect(r.stderr).toMatch(/^fiberlet: check: Unknown compiler option 'futureOption'\. \(analysed anyway\)$/m);
    expect(where(r.json!)).toEqual(["logger.ts:6 missing-mark", "tree.ts:3 missing-mark"]);
  });
});
