// The runtime and the compiled examples on other engines (Deno, Bun): run by
// scripts/engines.sh, which fetches the engines' binaries from the npm
// registry. Each program runs under Node first; every engine must print the
// same.
//
//   node test/engines/check.mjs deno=/path/to/deno bun=/path/to/bun
//
// A throwaway project imports fiberlet by name (node_modules/fiberlet links
// to this repository), so each engine resolves the package's exports itself.
import { transformFileSync } from "@babel/core";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const engines = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=")));
if (!Object.keys(engines).length) {
  console.error("usage: node test/engines/check.mjs deno=<binary> bun=<binary>");
  process.exit(2);
}

const project = mkdtempSync(join(tmpdir(), "fiberlet-engines-"));
mkdirSync(join(project, "node_modules"));
symlinkSync(root, join(project, "node_modules", "fiberlet"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "engines", type: "module" }));

// Examples 1 to 3 (a fiber-backed generator, a channel scheduler, a chunked
// CSV parser), compiled with the plugin as a user's build would.
const examples = ["generator.js", "channels.js", "parser.js"];
for (const name of examples) {
  const { code } = transformFileSync(join(root, "examples", name), {
    babelrc: false,
    configFile: false,
    plugins: [join(root, "dist/cjs/babel-plugin/index.js")],
  });
  writeFileSync(join(project, name), code);
}

// `fiberlet build` output of the TypeScript fixture app (marked .ts, .mts,
// .cts, .cjs and .mjs modules switching fibers across each other).
cpSync(join(root, "test/integration/fixtures/app"), join(project, "app"), {
  recursive: true,
  filter: (src) => !/[\\/]bad-|imports-bad/.test(src), // the compile-error fixtures
});
const build = spawnSync(process.execPath, [join(root, "dist/cjs/cli/main.js"), "build", "app", "--out-dir", "built"], { cwd: project, encoding: "utf8" });

const programs = {
  // Every example's main(), as JSON.
  "examples.mjs": `${examples.map((n, i) => `import * as e${i} from "./${n}";`).join("\n")}
console.log(JSON.stringify([${examples.map((_, i) => `e${i}.main()`).join(", ")}]));`,
  // The runtime alone: an unmarked target runs stackless once the addon
  // probe has said (one warning) that the stackful backend needs Node; a
  // marked one switches; the promise bridge waits on a timer.
  "runtime.mjs": `import { Fiber, current, spawn, waitFor } from "fiberlet";
const plain = new Fiber(() => 41 + 1);
const value = plain.switch();
const main = current();
const marked = new Fiber(function () { "use fiber"; return main.switch("paused") + "!"; });
const paused = marked.switch();
const resumed = marked.switch("resumed");
const waited = await spawn(function () { "use fiber"; return waitFor(new Promise((r) => setTimeout(() => r("waited"), 5))); });
console.log(JSON.stringify({ value, kind: plain.kind, paused, resumed, waited }));`,
  // FIBERLET_BACKEND=native asks for a stackful fiber: a FiberError says why not.
  "native.mjs": `import { Fiber, FiberError } from "fiberlet";
try { new Fiber(() => 1); console.log("no error"); }
catch (e) { console.log(JSON.stringify({ isFiberError: e instanceof FiberError, message: e.message.replace(/\\(.*/, "") })); }`,
  "built.mjs": `await import("./built/main.js");`,
};
for (const [name, text] of Object.entries(programs)) writeFileSync(join(project, name), text);
// The marked functions in runtime.mjs need the plugin too.
writeFileSync(
  join(project, "runtime.mjs"),
  transformFileSync(join(project, "runtime.mjs"), { babelrc: false, configFile: false, plugins: [join(root, "dist/cjs/babel-plugin/index.js")] }).code,
);

const command = {
  node: (bin, file) => [bin, [file]],
  deno: (bin, file) => [bin, ["run", "--allow-read", "--allow-env", file]],
  bun: (bin, file) => [bin, [file]],
};
function run(engine, bin, file, env = {}) {
  const [cmd, args] = command[engine](bin, file);
  const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", ...env } });
  return { status: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

const checks = [
  { file: "examples.mjs", env: {}, stderr: (s) => s === "" },
  { file: "built.mjs", env: {}, stderr: (s) => s === "" },
  // At most one warning, and it is the addon probe's.
  { file: "runtime.mjs", env: {}, stderr: (s) => (s.match(/FIBERLET_NO_NATIVE/g) ?? []).length === 1 },
  { file: "native.mjs", env: { FIBERLET_BACKEND: "native" }, engines: ["deno", "bun"] },
];

let passed = 0;
let failed = 0;
if (build.status !== 0) {
  console.log(`FAIL fiberlet build of the fixture app: ${build.stderr.trim()}`);
  failed++;
}
for (const check of checks) {
  // Node's output with every fiber stackless, as on the other engines.
  const expected = check.engines ? null : run("node", process.execPath, check.file, { ...check.env, FIBERLET_BACKEND: "continuation" });
  if (expected && expected.status !== 0) {
    console.log(`FAIL node ${check.file}: exit ${expected.status}\n${expected.stderr}`);
    failed++;
    continue;
  }
  for (const [engine, bin] of Object.entries(engines)) {
    if (check.engines && !check.engines.includes(engine)) continue;
    const r = run(engine, bin, check.file, check.env);
    const problems = [];
    if (r.status !== 0) problems.push(`exit ${r.status}`);
    if (expected && r.stdout !== expected.stdout) problems.push(`printed ${JSON.stringify(r.stdout)}, Node printed ${JSON.stringify(expected.stdout)}`);
    if (check.stderr && !check.stderr(r.stderr, engine)) problems.push(`stderr ${JSON.stringify(r.stderr)}`);
    if (check.file === "native.mjs") {
      const out = JSON.parse(r.stdout || "{}");
      if (!out.isFiberError || !/needs Node\.js/.test(out.message)) problems.push(`expected a FiberError saying it needs Node.js, got ${r.stdout}${r.stderr}`);
    }
    if (problems.length) {
      console.log(`FAIL ${engine} ${check.file}: ${problems.join("; ")}`);
      failed++;
    } else {
      console.log(`ok   ${engine} ${check.file}${check.file === "native.mjs" ? "" : `: ${r.stdout.trim().slice(0, 100)}`}`);
      passed++;
    }
  }
}
// Deno without --allow-env: the runtime reads FIBERLET_BACKEND as unset.
if (engines.deno) {
  const r = spawnSync(engines.deno, ["run", "--allow-read", "runtime.mjs"], { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ok = r.status === 0 && /"kind":"stackless"/.test(r.stdout);
  console.log(`${ok ? "ok  " : "FAIL"} deno runtime.mjs without --allow-env${ok ? "" : `: ${r.stderr}`}`);
  ok ? passed++ : failed++;
}
console.log(`engines: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
