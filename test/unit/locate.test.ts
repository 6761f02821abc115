// Which addon file the loader picks, and why it refuses one: decided from the
// build stamp inside each file (native/src/build_stamp.cc), never by opening
// it, so the files here are fakes holding just a stamp.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { locateAddon, mismatch, readBuildStamp } from "../../runtime/native/locate";

const root = resolve(__dirname, "../..");
const nodeGypBuild = createRequire(join(root, "package.json"))("node-gyp-build") as { path(dir: string): string };
const here = process.versions.modules;
const other = String(Number(here) + 12);
const tuple = `${process.platform}-${process.arch}`;

/** A native/-like directory with fake binaries: path -> stamp (or raw bytes). */
function nativeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "fiberlet-locate-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), Buffer.concat([Buffer.from("\x7fELF junk\0"), Buffer.from(content), Buffer.from("\0more")]));
  }
  return dir;
}
const stamp = (abi: string, node: string) => `fiberlet-build:abi=${abi};node=${node};`;

describe("build stamps", () => {
  it("are read from a fake file without loading it", () => {
    const dir = nativeDir({ "a.node": stamp("115", "20.20.2"), "b.node": "no stamp here" });
    expect(readBuildStamp(join(dir, "a.node"))).toEqual({ abi: "115", node: "20.20.2" });
    expect(readBuildStamp(join(dir, "b.node"))).toBeUndefined();
    expect(mismatch(join(dir, "b.node"))).toContain("has no fiberlet build stamp");
  });
});

describe("locateAddon", () => {
  it("takes the local build when it fits", () => {
    const dir = nativeDir({
      "build/Release/fiberlet.node": stamp(here, process.versions.node),
      [`prebuilds/${tuple}/node.abi${here}.glibc.node`]: stamp(here, process.versions.node),
    });
    expect(locateAddon(dir, nodeGypBuild)).toEqual({ file: join(dir, "build/Release/fiberlet.node") });
  });

  it("passes over a local build for another Node to the prebuild that fits", () => {
    const dir = nativeDir({
      "build/Release/fiberlet.node": stamp(other, "99.0.0"),
      [`prebuilds/${tuple}/node.abi${here}.glibc.node`]: stamp(here, process.versions.node),
    });
    expect(locateAddon(dir, nodeGypBuild)).toEqual({ file: join(dir, `prebuilds/${tuple}/node.abi${here}.glibc.node`) });
  });

  it("refuses a prebuild whose stamp contradicts its name, naming both versions and the fix", () => {
    const dir = nativeDir({ [`prebuilds/${tuple}/node.abi${here}.glibc.node`]: stamp(other, "99.1.2") });
    const { error } = locateAddon(dir, nodeGypBuild);
    expect(error).toContain(`was built for Node.js 99.1.2 (ABI ${other}), not for this Node.js ${process.versions.node} (ABI ${here}).`);
    expect(error).toContain("Fix: run `npm rebuild fiberlet` with this Node.js");
    expect(error).toContain(`or use Node.js 99 (prebuilt for ${tuple})`);
  });

  it("without any build for this Node says which Node versions have one", () => {
    const dir = nativeDir({
      [`prebuilds/${tuple}/node.abi${other}.glibc.node`]: stamp(other, "99.1.2"),
      [`prebuilds/${tuple}/node.abi1.glibc.node`]: stamp("1", "98.0.0"),
    });
    const { error } = locateAddon(dir, nodeGypBuild);
    expect(error).toContain(`no addon for Node.js ${process.versions.node} (ABI ${here}) on ${tuple} in ${dir}.`);
    expect(error).toContain(`or use Node.js 98 or 99 (prebuilt for ${tuple})`);
  });

  it("accepts the addon this checkout built, whichever way it was built", () => {
    const located = locateAddon(join(root, "native"), nodeGypBuild);
    expect(located.error).toBeUndefined();
    expect(readBuildStamp(located.file!)).toEqual({ abi: here, node: process.versions.node });
  });
});
