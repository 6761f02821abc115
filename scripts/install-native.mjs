// "install" script: compiles the native stackful backend (native/) with
// node-gyp-build when no prebuilt binary (native/prebuilds) or earlier build
// fits this Node.js; when one fits it does nothing else, so installs without
// scripts (--ignore-scripts, pnpm) get the same addon. A failed build never
// fails the installation: fiberlet then runs on its stackless backend, and
// the runtime's loader (runtime/native/addon.ts) explains what is missing.
//
//   FIBERLET_SKIP_NATIVE=1     do not build
//   FIBERLET_REQUIRE_NATIVE=1  exit non-zero if the build fails (CI)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const required = process.env.FIBERLET_REQUIRE_NATIVE === "1";

function giveUp(reason) {
  const text = [
    "",
    "fiberlet: the native stackful backend was not built.",
    `  ${reason}`,
    "  fiberlet still works, on its stackless backend (functions marked \"use fiber\").",
    "  To enable stackful fibers: install python3, make and a C++ compiler (g++ or clang++),",
    "  then run `npm rebuild fiberlet`.",
    "",
  ].join("\n");
  console.warn(text);
  process.exit(required ? 1 : 0);
}

if (process.env.FIBERLET_SKIP_NATIVE === "1") {
  console.warn("fiberlet: FIBERLET_SKIP_NATIVE=1, not building the native backend.");
  process.exit(0);
}
if (process.platform !== "linux" && process.platform !== "darwin") {
  giveUp(`The native backend supports Linux and macOS, not ${process.platform}.`);
}

let bin;
try {
  bin = createRequire(join(root, "package.json")).resolve("node-gyp-build/bin.js");
} catch {
  giveUp("The node-gyp-build package is missing.");
}

// Keep a prebuild or build that fits this Node, judged by its build stamp
// the way the runtime does (runtime/native/locate.ts): nothing is loaded.
// The published package has dist/; a source checkout before its first build
// does not, and compiles.
if (process.env.npm_config_build_from_source !== "true") {
  try {
    const require = createRequire(join(root, "package.json"));
    const { locateAddon } = require("./dist/cjs/runtime/native/locate.js");
    if (locateAddon(nativeDir, require("node-gyp-build")).file) process.exit(0);
  } catch {
    // no dist/ (a source checkout) or a Node without process.getBuiltinModule: compile
  }
}

// Straight to node-gyp: node-gyp-build's own "does it load" test would open a
// build made for another Node.
const env = { ...process.env, npm_config_build_from_source: "true" };
// Build against this Node's own headers when it ships them, so no download
// from nodejs.org is needed (node-gyp fetches headers otherwise).
if (!env.npm_config_nodedir) {
  const prefix = dirname(dirname(process.execPath));
  const versionH = join(prefix, "include", "node", "node_version.h");
  if (existsSync(versionH)) {
    const h = readFileSync(versionH, "utf8");
    const part = (name) => h.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
    if (`v${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}` === process.version) {
      env.npm_config_nodedir = prefix;
    }
  }
}
env.npm_config_jobs ??= "max";

const result = spawnSync(process.execPath, [bin], { cwd: nativeDir, env, stdio: "inherit" });
if (result.error) giveUp(`Could not run node-gyp-build: ${result.error.message}`);
if (result.status !== 0) giveUp(`node-gyp-build exited with status ${result.status} (see the output above).`);
