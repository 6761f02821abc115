/**
 * The vendored copy of tc39/test262 (test/test262/test262.tar.gz, pinned in
 * test262.json): CI has no network, so the suite lives in the repository
 * and is unpacked into a git-ignored cache on first use.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
export const suiteDir = dirname(here);
export const repoRoot = join(suiteDir, "..", "..");
export const pin = JSON.parse(readFileSync(join(suiteDir, "test262.json"), "utf8"));
/** Git-ignored (under node_modules): the unpacked suite, compiled harness. */
export const cacheDir = join(repoRoot, "node_modules", ".cache", "fiberlet-test262");

/** The unpacked suite's root (it holds harness/, test/, LICENSE), unpacking
 * it first if this commit is not cached yet. */
export function test262Root() {
  const root = join(cacheDir, pin.commit);
  if (existsSync(join(root, ".complete"))) return root;
  const bytes = readFileSync(join(suiteDir, pin.archive));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== pin.sha256) throw new Error(`${pin.archive}: sha256 ${sha256}, test262.json says ${pin.sha256}`);
  // Unpack beside the final place and rename, so a run killed halfway (or
  // two runs at once) never leaves a partial tree that looks complete.
  const tmp = `${root}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const { path, data } of untar(gunzipSync(bytes))) {
    const rel = path.replace(/^test262\//, "");
    if (!rel || rel.endsWith("/")) continue;
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), data);
  }
  writeFileSync(join(tmp, ".complete"), pin.commit + "\n");
  rmSync(root, { recursive: true, force: true });
  try {
    renameSync(tmp, root);
  } catch (e) {
    if (!existsSync(join(root, ".complete"))) throw e; // else another run won the race
    rmSync(tmp, { recursive: true, force: true });
  }
  return root;
}

/**
 * The regular files of a POSIX tar archive as written by `git archive`:
 * ustar headers, long names in a pax `x` record for the next entry, and a
 * global pax header (`g`, the commit id) that is skipped.
 */
function* untar(buf) {
  let longPath = null;
  for (let at = 0; at + 512 <= buf.length; ) {
    const header = buf.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from, len) => header.subarray(from, from + len).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const data = buf.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      longPath = paxPath(data);
      continue;
    }
    if (type !== "0") continue; // directories, the global header
    const prefix = field(345, 155);
    const path = longPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longPath = null;
    yield { path, data };
  }
}

/** The `path` of a pax extended header ("<len> key=value\n" records; the
 * length counts bytes). */
function paxPath(bytes) {
  for (let at = 0; at < bytes.length; ) {
    const space = bytes.indexOf(0x20, at);
    const len = parseInt(bytes.subarray(at, space).toString("latin1"), 10);
    const record = bytes.subarray(space + 1, at + len - 1).toString("utf8");
    at += len;
    if (record.startsWith("path=")) return record.slice(5);
  }
  return null;
}
