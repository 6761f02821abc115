// Builds the prebuilt addons that ship in the package: one per Node.js major
// (the addon uses V8's C++ ABI, so a binary fits one NODE_MODULE_VERSION),
// named the way node-gyp-build looks them up:
//
//   native/prebuilds/<platform>-<arch>/node.abi<NODE_MODULE_VERSION>.glibc.node
//
//   node scripts/prebuild.mjs                 Node 20, 22, 24 and 26 for this machine
//   node scripts/prebuild.mjs 22 24           some majors
//   node scripts/prebuild.mjs --force         rebuild even when up to date
//
// Node binaries and headers come from the npm registry (scripts/node-versions.mjs).
// A binary is rebuilt only when native/src or binding.gyp changed since it
// was built (native/prebuilds/sources.json records a hash of them), so
// `npm pack` (prepack) costs nothing when they are current. Each build is
// loaded and runs one fiber round trip in its own Node before it is kept.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFor } from "./node-versions.mjs";

export const MAJORS = ["20", "22", "24", "26"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const tuple = `${process.platform}-${process.arch}`;
const outDir = join(nativeDir, "prebuilds", tuple);
const recordFile = join(nativeDir, "prebuilds", "sources.json");

/** A hash of everything the binary is compiled from. */
export function sourcesHash() {
  const hash = createHash("sha256");
  const files = ["binding.gyp", ...readdirSync(join(nativeDir, "src")).sort().map((f) => `src/${f}`)];
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(nativeDir, file))).update("\0");
  return hash.digest("hex");
}

function readRecord() {
  try {
    return JSON.parse(readFileSync(recordFile, "utf8"));
  } catch {
    return { sources: undefined, builds: [] };
  }
}

/** node-gyp's environment: npm passes its config as npm_config_* (under
 * `npm run` or prepack a user's `nodedir` or `target` would override the
 * command line and build against another Node's headers). */
function gypEnv(node, nodedir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  return { ...env, npm_config_nodedir: nodedir, PATH: `${dirname(node)}:${process.env.PATH}` };
}

function build({ node, nodedir, version }) {
  const abi = execFileSync(node, ["-p", "process.versions.modules"], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(nativeDir, ".cache", `prebuild-${version}-`));
  try {
    execFileSync("cp", ["-r", join(nativeDir, "binding.gyp"), join(nativeDir, "src"), dir]);
    const gyp = spawnSync(
      node,
      [join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"), "rebuild", `--nodedir=${nodedir}`, "--jobs=max", "--loglevel=warn"],
      { cwd: dir, encoding: "utf8", env: gypEnv(node, nodedir) },
    );
    if (gyp.status !== 0) throw new Error(`node-gyp failed for Node ${version}:\n${gyp.stdout}\n${gyp.stderr}`);
    const built = join(dir, "build", "Release", "fiberlet.node");
    // One round trip through a fiber, in the Node it was built for.
    const smoke = spawnSync(
      node,
      ["-e", `const a = require(${JSON.stringify(built)}); a.handoff(a.spawn(() => a.self(), 131072)); console.log("ok")`],
      { encoding: "utf8" },
    );
    if (smoke.stdout.trim() !== "ok") throw new Error(`the Node ${version} build does not run:\n${smoke.stdout}\n${smoke.stderr}`);
    mkdirSync(outDir, { recursive: true });
    const name = `node.abi${abi}.glibc.node`;
    copyFileSync(built, join(outDir, name));
    return { file: `${tuple}/${name}`, node: version, abi };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(args) {
  const force = args.includes("--force");
  const majors = args.filter((a) => !a.startsWith("--"));
  const sources = sourcesHash();
  const record = readRecord();
  if (record.sources !== sources) record.builds = [];
  record.sources = sources;
  mkdirSync(join(nativeDir, ".cache"), { recursive: true });
  for (const major of majors.length ? majors : MAJORS) {
    const current = record.builds.find((b) => b.node.split(".")[0] === major);
    if (!force && current && existsSync(join(nativeDir, "prebuilds", current.file))) {
      console.error(`prebuild: Node ${current.node}: ${current.file} is up to date`);
      continue;
    }
    const started = Date.now();
    const result = build(nodeFor(major));
    record.builds = [...record.builds.filter((b) => b.abi !== result.abi), result].sort((a, b) => a.abi - b.abi);
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    console.error(`prebuild: Node ${result.node}: ${result.file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`prebuild: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
