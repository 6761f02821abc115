/**
 * The on-disk compile cache of fiberlet/register and `fiberlet run`: one
 * JSON file per compiled source, named by a hash of everything the output
 * depends on (the source text, its path, how it was asked to be compiled,
 * and the exact code of the plugin and of Babel), so an entry is never
 * stale: a changed input is a different name.
 *
 *   FIBERLET_CACHE_DIR=dir   where the entries go (default below)
 *   FIBERLET_CACHE=0         no cache (every load compiles)
 *
 * Default directory: node_modules/.cache/fiberlet of the nearest
 * node_modules above the working directory (where bundlers and Babel keep
 * theirs), else <os tmpdir>/fiberlet-cache.
 *
 * Writes are atomic (a temporary file renamed into place), so processes
 * sharing the cache never read half an entry; a cache that cannot be read
 * or written is skipped, never an error.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { debug } from "./debug.js";

export interface CacheEntry {
  code: string;
  /** "module" or "script": how the file was parsed (its format for Node). */
  goal: "module" | "script";
}

let dir: string | null | undefined;

function cacheDir(): string | null {
  if (dir !== undefined) return dir;
  const off = process.env.FIBERLET_CACHE;
  if (off === "0" || off === "false" || off === "off") return (dir = null);
  if (process.env.FIBERLET_CACHE_DIR) return (dir = process.env.FIBERLET_CACHE_DIR);
  for (let d = process.cwd(); ; ) {
    if (existsSync(join(d, "node_modules"))) return (dir = join(d, "node_modules", ".cache", "fiberlet"));
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return (dir = join(tmpdir(), "fiberlet-cache"));
}

/** A hash of the files of the Babel plugin and of the compiler itself: a
 * rebuilt plugin (even at the same version) never reads old entries. */
let toolHash: string | undefined;
function toolFingerprint(): string {
  if (toolHash !== undefined) return toolHash;
  const h = createHash("sha256");
  const pluginDir = join(__dirname, "..", "babel-plugin");
  for (const name of readdirSync(pluginDir).filter((n) => n.endsWith(".js")).sort()) {
    h.update(name).update(readFileSync(join(pluginDir, name)));
  }
  h.update(readFileSync(join(__dirname, "compile.js")));
  for (const pkg of ["@babel/core", "@babel/preset-typescript"]) {
    try {
      h.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`);
    } catch {
      h.update(`${pkg}@none`);
    }
  }
  return (toolHash = h.digest("hex"));
}

export function cacheKey(parts: readonly string[]): string {
  const h = createHash("sha256").update(toolFingerprint());
  for (const p of parts) h.update("\0").update(p);
  return h.digest("hex");
}

export function readCache(key: string): CacheEntry | undefined {
  const d = cacheDir();
  if (!d) return undefined;
  try {
    return JSON.parse(readFileSync(join(d, `${key}.json`), "utf8")) as CacheEntry;
  } catch {
    return undefined;
  }
}

export function writeCache(key: string, entry: CacheEntry): void {
  const d = cacheDir();
  if (!d) return;
  const file = join(d, `${key}.json`);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(d, { recursive: true });
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, file);
  } catch (err) {
    debug("cache not written (%s): %s", file, (err as Error).message);
  }
}
