// The README's "Promises: waitFor and spawn" snippet runs as printed:
// compiled with the plugin (stackless) and as it is (stackful, on the addon).
import { transformSync } from "@babel/core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { loadNativeAddon } from "../../runtime/native/addon.js";

const root = resolve(__dirname, "../..");
let project: string;
let snippet: string;

beforeAll(() => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Promises: waitFor and spawn"));
  snippet = /```js\n([\s\S]*?)```/.exec(section)![1];
  project = mkdtempSync(join(tmpdir(), "fiberlet-readme-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "fiberlet"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "readme-app", type: "module" }));
});

function run(file: string, code: string): string {
  writeFileSync(join(project, file), code);
  return execFileSync(process.execPath, [join(project, file)], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, FIBERLET_BACKEND: "auto", NODE_OPTIONS: "" },
  }).trim();
}

const printed = "[ 'readme-app after 20 ms', 'readme-app after 10 ms' ]";

it("compiled with the plugin (stackless fibers)", () => {
  const { code } = transformSync(snippet, {
    babelrc: false,
    configFile: false,
    plugins: [resolve(root, "dist/cjs/babel-plugin/index.js")],
  })!;
  expect(run("compiled.mjs", code!)).toBe(printed);
});

it.skipIf(!loadNativeAddon().addon)("as it is (stackful fibers)", () => {
  expect(run("plain.mjs", snippet)).toBe(printed);
});
