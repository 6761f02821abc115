/**
 * Real inputs found on this machine, for the library tests: files of the
 * project's node_modules (installed by `npm ci` from package-lock.json, so
 * the same on every developer machine and in CI). The selection is
 * deterministic: every file of a kind, sorted by path, then `count` of them
 * evenly spaced over that list (so the corpus spans many packages instead of
 * the first few alphabetically).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { nodeModules } from "./library.mjs";

let all;
/** Every regular file under node_modules (not .cache, not .bin links), sorted. */
export function allFiles() {
  if (!all) {
    all = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === ".cache" || entry.name === ".bin") continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile()) all.push(path);
      }
    };
    walk(nodeModules);
    all.sort();
  }
  return all;
}

/**
 * `count` files whose name matches `pattern` and whose size is within
 * [minBytes, maxBytes], evenly spaced over the sorted list. Returns
 * [{ path, name (relative to node_modules), text }].
 */
export function pick(pattern, { count, minBytes = 1, maxBytes = Infinity, exclude = () => false } = {}) {
  const matching = allFiles().filter((f) => {
    if (!pattern.test(f) || exclude(f)) return false;
    const size = statSync(f).size;
    return size >= minBytes && size <= maxBytes;
  });
  const chosen = [];
  const n = Math.min(count, matching.length);
  for (let i = 0; i < n; i++) chosen.push(matching[Math.floor((i * matching.length) / n)]);
  return chosen.map((path) => ({ path, name: relative(nodeModules, path), text: readFileSync(path, "utf8") }));
}
