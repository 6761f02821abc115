/**
 * Which addon file fits this Node.js, decided without opening any.
 *
 * The addon is built against V8's and Node's C++ ABI, which changes with
 * every Node major (`process.versions.modules`, NODE_MODULE_VERSION). A
 * binary built for another one must never reach `dlopen`: depending on
 * which symbols moved it fails there, or it loads and kills the process at
 * the first call ("symbol lookup error", exit 127). Every build carries a
 * stamp (native/src/build_stamp.cc) naming the ABI and Node version it was
 * compiled for; this module reads it from the file and refuses a mismatch
 * with a reason that names both versions and the fix.
 *
 * Where to look is node-gyp-build's convention: a local build
 * (`build/Release`, compiled on install or by a developer) first, else
 * `prebuilds/<platform>-<arch>/node.abi<N>.glibc.node`. A local build for
 * another Node (compiled, then the Node version switched) gives way to a
 * prebuild that fits.
 */
import type * as Fs from "node:fs";
import type * as Path from "node:path";

function builtin<T>(name: string): T {
  return (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(name);
}

/** What build_stamp.cc records: NODE_MODULE_VERSION and the Node version of the headers. */
export interface BuildStamp {
  abi: string;
  node: string;
}

const STAMP = "fiberlet-build:";

/** The stamp of an addon file, read as bytes (the file is not loaded); undefined if it has none. */
export function readBuildStamp(file: string): BuildStamp | undefined {
  const { readFileSync } = builtin<typeof Fs>("node:fs");
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const at = bytes.indexOf(STAMP);
  if (at < 0) return undefined;
  const end = bytes.indexOf(0, at);
  const fields = new Map(
    bytes
      .subarray(at + STAMP.length, end < 0 ? at + 200 : end)
      .toString("latin1")
      .split(";")
      .map((pair) => pair.split("=") as [string, string]),
  );
  const abi = fields.get("abi");
  const node = fields.get("node");
  return abi && node ? { abi, node } : undefined;
}

/** Why `file` does not fit this Node, or undefined when it does. */
export function mismatch(file: string): string | undefined {
  const stamp = readBuildStamp(file);
  const here = `this Node.js ${process.versions.node} (ABI ${process.versions.modules})`;
  if (!stamp) return `${file} has no fiberlet build stamp (built by an older fiberlet, or not an addon of fiberlet), so it may not fit ${here}.`;
  if (stamp.abi !== process.versions.modules) {
    return `${file} was built for Node.js ${stamp.node} (ABI ${stamp.abi}), not for ${here}.`;
  }
  return undefined;
}

export type Located = { file: string; error?: undefined } | { file?: undefined; error: string };

interface NodeGypBuild {
  path(dir: string): string;
}

/** The addon file in `dir` (a directory laid out like native/) that fits this Node. */
export function locateAddon(dir: string, nodeGypBuild: NodeGypBuild): Located {
  let file: string;
  try {
    file = nodeGypBuild.path(dir);
  } catch {
    return { error: `no addon for Node.js ${process.versions.node} (ABI ${process.versions.modules}) on ${process.platform}-${process.arch} in ${dir}. ${fix(dir)}` };
  }
  const reason = mismatch(file);
  if (reason === undefined) return { file };
  const prebuilt = prebuilds(dir).find((p) => p.stamp?.abi === process.versions.modules);
  if (prebuilt) return { file: prebuilt.file };
  return { error: `${reason} ${fix(dir)}` };
}

/** The prebuilt binaries for this platform and architecture, with their stamps. */
function prebuilds(dir: string): { file: string; stamp: BuildStamp | undefined }[] {
  const { readdirSync } = builtin<typeof Fs>("node:fs");
  const { join } = builtin<typeof Path>("node:path");
  const tuple = join(dir, "prebuilds", `${process.platform}-${process.arch}`);
  let names: string[];
  try {
    names = readdirSync(tuple).filter((name) => name.endsWith(".node")).sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ file: join(tuple, name), stamp: readBuildStamp(join(tuple, name)) }));
}

/** The fix, naming the Node versions that have a prebuilt addon here, if any. */
function fix(dir: string): string {
  const majors = [...new Set(prebuilds(dir).flatMap((p) => (p.stamp ? [p.stamp.node.split(".")[0]] : [])))];
  const last = majors.pop();
  const list = majors.length ? `${majors.join(", ")} or ${last}` : last;
  const switchTo = list ? `, or use Node.js ${list} (prebuilt for ${process.platform}-${process.arch})` : "";
  return `Fix: run \`npm rebuild fiberlet\` with this Node.js (it compiles the addon: python3, make and a C++ compiler)${switchTo}.`;
}
