// The published package, installed without scripts (--ignore-scripts, as pnpm
// does by default): its prebuilt addons give stackful fibers on Node 20, 22,
// 24 and 26, on linux-x64 and (under qemu-user) linux-arm64, and a binary
// built for another Node is refused before it is opened, with one warning
// naming both versions and the fix.
//
// Needs the prebuilds (scripts/prebuild.mjs), Node 22/24/26 and the arm64
// Nodes from the npm registry, and qemu-user: run with `npm run test:pack`
// (.ci/run does).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the build scripts
import { nodeFor } from "../../scripts/node-versions.mjs";
// @ts-expect-error: a plain ES module of the build scripts
import { MAJORS, sourcesHash, toolchain } from "../../scripts/prebuild.mjs";

const root = resolve(__dirname, "../..");
const tuple = `${process.platform}-${process.arch}`;
type NodeBinary = { node: string; version: string };
const nodes: Record<string, NodeBinary> = Object.fromEntries((MAJORS as string[]).map((m) => [m, nodeFor(m)]));
const arm64: Record<string, NodeBinary> = Object.fromEntries((MAJORS as string[]).map((m) => [m, nodeFor(m, { arch: "arm64" })]));
const emulator = (toolchain("arm64") as { emulator: string[] } | undefined)?.emulator;

let work: string;
let packed: string[];
let installed: string; // a project with the tarball installed, never modified

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "fiberlet-pack-"));
  // prepack (scripts/prebuild.mjs) runs here: a no-op when the prebuilds are current.
  const [pack] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" }),
  ) as { filename: string; files: { path: string }[] }[];
  packed = pack.files.map((f) => f.path);
  installed = join(work, "app");
  mkdirSync(installed);
  writeFileSync(join(installed, "package.json"), JSON.stringify({ name: "app", private: true }));
  execFileSync(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", join(work, pack.filename)],
    { cwd: installed, stdio: "pipe" },
  );
  writeFileSync(
    join(installed, "fibers.cjs"),
    // An unmarked target that switches: only a stackful fiber can do that
    // (a stackless one raises FiberError at the switch).
    `const { Fiber, current } = require("fiberlet");
     const main = current();
     const fiber = new Fiber((a) => main.switch(a + 1) * 2, [1]);
     console.log(JSON.stringify([fiber.switch(), fiber.switch(21)]));`,
  );
  writeFileSync(
    join(installed, "plain.cjs"),
    // Fibers that never switch run on either backend.
    `const { Fiber } = require("fiberlet");
     try {
       console.log(JSON.stringify([new Fiber(() => 42).switch(), new Fiber(() => 43).switch()]));
     } catch (err) {
       console.log(JSON.stringify([err.name, err.message]));
     }`,
  );
}, 600_000);

/** A copy of the installed project to break in some way. */
function copyOfProject(): string {
  const dir = mkdtempSync(join(work, "copy-"));
  cpSync(installed, dir, { recursive: true });
  return dir;
}

function run(dir: string, script: string, major: string, env: Record<string, string> = {}, arch = process.arch) {
  const [command, ...args] = arch === process.arch ? [nodes[major].node, script] : [...emulator!, arm64[major].node, script];
  const r = spawnSync(command, args, {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: "", FIBERLET_BACKEND: "", FIBERLET_NATIVE_DIR: "", ...env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

const prebuilds = (dir: string) => join(dir, "node_modules", "fiberlet", "native", "prebuilds", tuple);

describe("the packed tarball", () => {
  it("holds one prebuilt addon per Node major, the sources, and no local build", () => {
    const addons = packed.filter((p) => p.startsWith("native/prebuilds/")).sort();
    const abis = ["115", "127", "137", "147"];
    expect(addons).toEqual([
      ...abis.map((abi) => `native/prebuilds/linux-arm64/node.abi${abi}.glibc.node`),
      ...abis.map((abi) => `native/prebuilds/linux-x64/node.abi${abi}.glibc.node`),
      "native/prebuilds/sources.json",
    ]);
    expect(packed).toContain("native/src/addon.cc");
    // Built from the sources the tarball carries (prepack rebuilt them if not).
    const record = JSON.parse(readFileSync(join(root, "native/prebuilds/sources.json"), "utf8")) as { sources: string };
    expect(record.sources).toBe(sourcesHash());
    expect(packed.filter((p) => p.startsWith("native/build"))).toEqual([]);
  });
});

describe.each(MAJORS as string[])("installed with --ignore-scripts, Node %s", (major) => {
  it("runs stackful fibers from the prebuilt addon, with no warning", () => {
    const r = run(installed, "fibers.cjs", major);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[2,42]");
    expect(r.status).toBe(0);
  });
});

describe.each(MAJORS as string[])("installed with --ignore-scripts, Node %s on linux-arm64 (qemu-user)", (major) => {
  it("runs stackful fibers from the prebuilt addon, with no warning", () => {
    expect(emulator, "qemu-user and g++-aarch64-linux-gnu (apt-get)").toBeDefined();
    const r = run(installed, "fibers.cjs", major, {}, "arm64");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[2,42]");
    expect(r.status).toBe(0);
  });
});

describe("an addon built for another Node", () => {
  let wrong: string;
  beforeAll(() => {
    // The Node 22 binary under the Node 20 name: node-gyp-build picks it by
    // name, the stamp inside says otherwise.
    wrong = copyOfProject();
    copyFileSync(join(prebuilds(wrong), "node.abi127.glibc.node"), join(prebuilds(wrong), "node.abi115.glibc.node"));
  });

  it("is never opened: fibers fall back to stackless with one warning naming both Node versions and the fix", () => {
    const r = run(wrong, "plain.cjs", "20");
    expect(r.stdout).toBe("[42,43]");
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/symbol lookup error|undefined symbol/);
    const warnings = r.stderr.split("\n").filter((line) => line.includes("Warning:"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("[FIBERLET_NO_NATIVE]");
    expect(warnings[0]).toContain(`was built for Node.js ${nodes["22"].version} (ABI 127), not for this Node.js ${nodes["20"].version} (ABI 115)`);
    expect(warnings[0]).toContain("Fix: run `npm rebuild fiberlet` with this Node.js");
  });

  it("with FIBERLET_BACKEND=native is a FiberError with that reason", () => {
    const r = run(wrong, "plain.cjs", "20", { FIBERLET_BACKEND: "native" });
    expect(r.status).toBe(0);
    const [name, message] = JSON.parse(r.stdout) as [string, string];
    expect(name).toBe("FiberError");
    expect(message).toContain(`was built for Node.js ${nodes["22"].version} (ABI 127), not for this Node.js ${nodes["20"].version}`);
    expect(message).toContain("FIBERLET_BACKEND=native");
  });

  it("in a local build (compiled, then Node switched) gives way to the prebuild that fits", () => {
    const dir = copyOfProject();
    const release = join(dir, "node_modules", "fiberlet", "native", "build", "Release");
    mkdirSync(release, { recursive: true });
    copyFileSync(join(prebuilds(dir), "node.abi115.glibc.node"), join(release, "fiberlet.node"));
    const r = run(dir, "fibers.cjs", "22");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[2,42]");
  });

  it("missing for this Node: the warning lists the Node versions that have one", () => {
    const dir = copyOfProject();
    rmSync(join(prebuilds(dir), "node.abi137.glibc.node"));
    const r = run(dir, "plain.cjs", "24");
    expect(r.stdout).toBe("[42,43]");
    expect(r.stderr).toContain(`no addon for Node.js ${nodes["24"].version} (ABI 137) on ${tuple}`);
    expect(r.stderr).toContain("or use Node.js 20, 22 or 26 (prebuilt for linux-x64)");
  });
});

describe("the install script, when a prebuild fits", () => {
  it("exits at once: no compiler runs, nothing is written", () => {
    const dir = copyOfProject();
    const pkg = join(dir, "node_modules", "fiberlet");
    const r = spawnSync(process.execPath, [join(pkg, "scripts", "install-native.mjs")], {
      cwd: pkg,
      encoding: "utf8",
      env: { ...process.env, PATH: "/nonexistent" }, // no make, no compiler, no python
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(readdirSync(join(pkg, "native")).sort()).toEqual(["binding.gyp", "prebuilds", "src"]);
  });
});
