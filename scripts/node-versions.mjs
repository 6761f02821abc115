// Node.js binaries and headers by major version, for builds and tests that
// span versions: this machine's node when its major matches, else the
// `node-<platform>-<arch>` package of the npm registry (bin/node plus
// include/node), cached in native/.cache/node/<major> like
// scripts/native-matrix.sh does, so both share downloads.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const cache = join(root, "native", ".cache", "node");

/** `{ node, nodedir, version }` for a Node major on this platform (`arch` other than this machine's: headers only). */
export function nodeFor(major, { arch = process.arch } = {}) {
  major = String(major);
  if (arch === process.arch && process.versions.node.split(".")[0] === major) {
    const prefix = dirname(dirname(process.execPath));
    if (existsSync(join(prefix, "include", "node", "node_version.h"))) {
      return { node: process.execPath, nodedir: prefix, version: process.versions.node };
    }
  }
  const pkg = `node-${process.platform}-${arch}`;
  const dir = arch === process.arch ? join(cache, major) : join(cache, `${arch}-${major}`);
  const node = join(dir, "package", "bin", "node");
  if (!existsSync(node)) {
    mkdirSync(cache, { recursive: true });
    let tgz = newestTarball(pkg, major);
    if (!tgz) {
      console.error(`fetching ${pkg}@${major} from the npm registry`);
      execFileSync("npm", ["pack", `${pkg}@${major}`, "--silent"], { cwd: cache, stdio: ["ignore", "ignore", "inherit"] });
      tgz = newestTarball(pkg, major);
      if (!tgz) throw new Error(`npm pack ${pkg}@${major} left no tarball in ${cache}`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["xzf", join(cache, tgz), "-C", dir]);
  }
  const { version } = JSON.parse(readFileSync(join(dir, "package", "package.json"), "utf8"));
  return { node, nodedir: join(dir, "package"), version };
}

function newestTarball(pkg, major) {
  const pattern = new RegExp(`^${pkg}-${major}\\.(\\d+)\\.(\\d+)\\.tgz$`);
  return readdirSync(cache)
    .map((name) => ({ name, m: pattern.exec(name) }))
    .filter((t) => t.m)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]) || Number(a.m[2]) - Number(b.m[2]))
    .pop()?.name;
}
