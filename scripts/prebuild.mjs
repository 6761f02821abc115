// Builds the prebuilt addons that ship in the package: one per Node.js major
// (the addon uses V8's C++ ABI, so a binary fits one NODE_MODULE_VERSION) and
// architecture, named the way node-gyp-build looks them up:
//
//   native/prebuilds/linux-<arch>/node.abi<NODE_MODULE_VERSION>.glibc.node
//
//   node scripts/prebuild.mjs                  Node 20, 22, 24 and 26, linux-x64 and linux-arm64
//   node scripts/prebuild.mjs 22 24            some majors
//   node scripts/prebuild.mjs --arch=x64       one architecture
//   node scripts/prebuild.mjs --force          rebuild even when up to date
//
// On an x64 machine, arm64 is cross-compiled with Debian's
// g++-aarch64-linux-gnu and each build is tried under qemu-user
// (apt-get install g++-aarch64-linux-gnu qemu-user). Node binaries and
// headers come from the npm registry (scripts/node-versions.mjs). A binary
// is rebuilt only when native/src or binding.gyp changed since it was built
// (native/prebuilds/sources.json records a hash of them), so `npm pack`
// (prepack) costs nothing when they are current. Each build is loaded and
// runs one fiber round trip in its own Node before it is kept.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFor } from "./node-versions.mjs";

export const MAJORS = ["20", "22", "24", "26"];
export const ARCHS = ["x64", "arm64"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
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

/** How to compile for and run on `arch` from this machine (undefined: cannot). */
export function toolchain(arch) {
  if (arch === process.arch) return { env: {}, gypArgs: [], emulator: [] };
  if (arch === "arm64" && process.arch === "x64" && process.platform === "linux") {
    const cross = "aarch64-linux-gnu";
    const missing = [`/usr/bin/${cross}-g++`, "/usr/bin/qemu-aarch64"].filter((f) => !existsSync(f));
    if (missing.length) return undefined;
    return {
      env: { CC: `${cross}-gcc`, CXX: `${cross}-g++`, LINK: `${cross}-g++`, AR: `${cross}-ar` },
      gypArgs: ["--arch=arm64"],
      emulator: ["qemu-aarch64", "-L", `/usr/${cross}`],
    };
  }
  return undefined;
}

function build(arch, { node, nodedir, version }) {
  const tools = toolchain(arch);
  const header = readFileSync(join(nodedir, "include", "node", "node_version.h"), "utf8");
  const abi = /#define NODE_MODULE_VERSION (\d+)/.exec(header)?.[1];
  if (!abi) throw new Error(`no NODE_MODULE_VERSION in ${nodedir}/include/node/node_version.h`);
  const tuple = `${process.platform}-${arch}`;
  const dir = mkdtempSync(join(nativeDir, ".cache", `prebuild-${tuple}-${version}-`));
  // node-gyp runs on this machine's Node when cross-compiling, else on the target Node.
  const gypNode = arch === process.arch ? node : process.execPath;
  try {
    execFileSync("cp", ["-r", join(nativeDir, "binding.gyp"), join(nativeDir, "src"), dir]);
    const gyp = spawnSync(
      gypNode,
      [join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"), "rebuild", `--nodedir=${nodedir}`, ...tools.gypArgs, "--jobs=max", "--loglevel=warn"],
      { cwd: dir, encoding: "utf8", env: { ...gypEnv(gypNode, nodedir), ...tools.env } },
    );
    if (gyp.status !== 0) throw new Error(`node-gyp failed for Node ${version} ${tuple}:\n${gyp.stdout}\n${gyp.stderr}`);
    const built = join(dir, "build", "Release", "fiberlet.node");
    // One round trip through a fiber, in the Node it was built for.
    const [runner, ...runnerArgs] = [...tools.emulator, node];
    const smoke = spawnSync(
      runner,
      [...runnerArgs, "-e", `const a = require(${JSON.stringify(built)}); a.handoff(a.spawn(() => a.self(), 131072)); console.log("ok")`],
      { encoding: "utf8" },
    );
    if (smoke.stdout?.trim() !== "ok") throw new Error(`the Node ${version} ${tuple} build does not run:\n${smoke.stdout}\n${smoke.stderr}`);
    const outDir = join(nativeDir, "prebuilds", tuple);
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
  const archArg = args.find((a) => a.startsWith("--arch="));
  const archs = archArg ? archArg.slice("--arch=".length).split(",") : ARCHS;
  const majors = args.filter((a) => !a.startsWith("--"));
  for (const arch of archs) {
    if (!toolchain(arch)) {
      throw new Error(
        `cannot build for ${process.platform}-${arch} on ${process.platform}-${process.arch}` +
          (arch === "arm64" ? ": apt-get install g++-aarch64-linux-gnu qemu-user (or pass --arch=x64)" : ""),
      );
    }
  }
  const sources = sourcesHash();
  const record = readRecord();
  if (record.sources !== sources) record.builds = [];
  record.sources = sources;
  mkdirSync(join(nativeDir, ".cache"), { recursive: true });
  for (const arch of archs) {
    for (const major of majors.length ? majors : MAJORS) {
      const tuple = `${process.platform}-${arch}`;
      const current = record.builds.find((b) => b.file.startsWith(`${tuple}/`) && b.node.split(".")[0] === major);
      if (!force && current && existsSync(join(nativeDir, "prebuilds", current.file))) {
        console.error(`prebuild: Node ${current.node}: ${current.file} is up to date`);
        continue;
      }
      const started = Date.now();
      const result = build(arch, nodeFor(major, { arch }));
      record.builds = [...record.builds.filter((b) => b.file !== result.file), result].sort((a, b) => a.file.localeCompare(b.file));
      writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
      console.error(`prebuild: Node ${result.node}: ${result.file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
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
