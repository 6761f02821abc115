// Every rejection through the promise bridge surfaces exactly once, in the
// place it belongs (fixtures/promise-rejections.mjs), on both backends. Run in
// a child process, where unhandled rejections are the process's own.
import { transformSync } from "@babel/core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { loadNativeAddon } from "../../runtime/native/addon.js";

const root = resolve(__dirname, "../..");
const source = readFileSync(join(__dirname, "fixtures/promise-rejections.mjs"), "utf8");
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "fiberlet-rejections-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "fiberlet"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", type: "module" }));
});

function run(file: string, code: string): unknown[] {
  writeFileSync(join(project, file), code);
  const out = execFileSync(process.execPath, [join(project, file)], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, FIBERLET_BACKEND: "auto", NODE_OPTIONS: "" },
  });
  return JSON.parse(out.trim().split("\n").pop()!) as unknown[];
}

const expected = [
  "FiberError",
  "caught handled",
  "caught through",
  "in fiber waited",
  "unhandled main's own",
  "unhandled plain fiber",
  "unhandled spawn unhandled",
];

it("stackless: each rejection once, where it belongs", () => {
  const { code } = transformSync(source, {
    babelrc: false,
    configFile: false,
    cwd: project,
    plugins: [resolve(root, "dist/cjs/babel-plugin/index.js")],
  })!;
  expect(run("stackless.mjs", code!)).toEqual(["stackless", ...expected]);
});

it.skipIf(!loadNativeAddon().addon)("stackful: each rejection once, where it belongs", () => {
  expect(run("stackful.mjs", source)).toEqual(["stackful", ...expected]);
});
