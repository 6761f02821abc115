/**
 * Compiles real, installed libraries with the fiberlet Babel plugin and loads
 * them as CommonJS modules, next to their uncompiled originals.
 *
 * - The library's distributed file gets a module-level marking directive in
 *   front of its text (so every function in it is marked), and is compiled
 *   with @babel/core `transformSync`, `sourceType: "script"` (the emitted
 *   runtime import becomes a `require` of dist/cjs/runtime/protocol.js by
 *   absolute path).
 * - Compiled output is cached under node_modules/.cache/fiberlet-libraries,
 *   keyed by a hash of the library file and of the built plugin (every file
 *   of dist/cjs/babel-plugin, plus the @babel/core version): a second run is
 *   fast, and any rebuild of the plugin recompiles. A lock file keeps two
 *   test workers from compiling the same file at once.
 * - `loadPackage` loads a file and, recursively, every file it requires from
 *   inside the same package through one private module cache, compiled or
 *   not. The plain and the compiled copy are loaded the same way, so they
 *   differ only by the plugin.
 *
 * Everything uses dist/ (the built plugin and runtime), never the TypeScript
 * sources: emitted code and the Fiber API must share one runtime. The
 * directive text is built, never written out: the Vitest config compiles any
 * file that contains it, and this file must stay plain.
 *
 * FIBERLET_LIBRARIES_DIST=/path/to/dist uses another build (for instance one
 * of an older commit) for the plugin, the runtime and the Fiber API.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const DIRECTIVE = "use " + "fiber";
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const distDir = process.env.FIBERLET_LIBRARIES_DIST ? resolve(process.env.FIBERLET_LIBRARIES_DIST) : join(repoRoot, "dist");
export const protocolPath = join(distDir, "cjs/runtime/protocol.js");
export const cacheDir = join(repoRoot, "node_modules/.cache/fiberlet-libraries");
export const nodeModules = join(repoRoot, "node_modules");

const require = createRequire(import.meta.url);

/** The Fiber API of the same build the emitted code uses. */
export function fiberApi() {
  if (!existsSync(join(distDir, "cjs/runtime/index.js"))) throw new Error(`no build at ${distDir}: run \`npm run build\` first`);
  return require(join(distDir, "cjs/runtime/index.js"));
}

/** The installed libraries under test: the file that is compiled and loaded. */
export const libraries = {
  // UMD build (the package's `require` entry).
  acorn: join(nodeModules, "acorn/dist/acorn.js"),
  // UMD build; the package is "type": "module", so it is loaded by hand.
  marked: join(nodeModules, "marked/lib/marked.umd.js"),
  // js-yaml 5 ships no dist/js-yaml.js; its `require` entry is this bundle.
  "js-yaml": join(nodeModules, "js-yaml/dist/js-yaml.cjs.js"),
  // lodash is loaded from its per-method CommonJS modules (lodash/chunk.js
  // and what it requires), not from the 540 KB lodash.js: that single file
  // takes about two minutes to compile (one 17,000-line function), the
  // modules needed by the tests about 15 seconds. Same code, split up.
  lodash: join(nodeModules, "lodash"),
};

let pluginState;
/** The built plugin and the hash of everything that decides its output. */
function plugin() {
  if (!pluginState) {
    const dir = join(distDir, "cjs/babel-plugin");
    if (!existsSync(join(dir, "index.js"))) throw new Error(`no built plugin at ${dir}: run \`npm run build\` first`);
    const hash = createHash("sha256");
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) {
      hash.update(name).update("\0").update(readFileSync(join(dir, name))).update("\0");
    }
    hash.update(require("@babel/core/package.json").version).update("\0").update(protocolPath);
    pluginState = { plugin: require(join(dir, "index.js")).default, hash: hash.digest("hex") };
  }
  return pluginState;
}

/** The source with a module-level directive first. It goes on the first
 * line (line numbers stay), after a hashbang if there is one; a "use strict"
 * that opened the file stays in the directive prologue, right behind it. */
export function withDirective(source) {
  const marker = `"${DIRECTIVE}"; `;
  if (source.startsWith("#!")) {
    const eol = source.indexOf("\n");
    return eol < 0 ? source : source.slice(0, eol + 1) + marker + source.slice(eol + 1);
  }
  return marker + source;
}

/** Compiles a source with the plugin; throws what Babel throws. */
export function compile(source, filename) {
  return require("@babel/core").transformSync(source, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: "script",
    highlightCode: false,
    compact: false,
    plugins: [[plugin().plugin, { runtime: protocolPath }]],
  }).code;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Is the process that wrote a lock file gone (or the lock very old)? */
function staleLock(lock) {
  try {
    const pid = Number(readFileSync(lock, "utf8"));
    if (Date.now() - statSync(lock).mtimeMs > 1_800_000) return true;
    if (!pid) return false; // being written
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return e.code === "ESRCH";
  }
}

/** Runs `fn` holding an exclusive lock file (one compile of a file at a
 * time across test workers; a lock left by a dead process is taken over). */
function withLock(lock, fn) {
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      if (staleLock(lock)) rmSync(lock, { force: true });
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

let pruned = false;
/** Once per process: drops cache entries unused for a week (each plugin
 * build leaves a full set of compiled libraries behind, tens of MB). */
function pruneCache() {
  if (pruned) return;
  pruned = true;
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of readdirSync(cacheDir)) {
    try {
      if (statSync(join(cacheDir, name)).atimeMs < weekAgo) rmSync(join(cacheDir, name), { force: true });
    } catch {
      // removed by another worker meanwhile
    }
  }
}

/**
 * The compiled text of one file of a library (directive added), from the
 * cache when the file and the plugin are unchanged. Returns
 * { code, cached, stats: { file, compileMs, rawBytes, outBytes, rawGzip, outGzip } }
 * or throws the compile error (a refusal of the plugin, for instance).
 * `fresh: true` ignores (and refreshes) the cache.
 */
export function compileFile(file, { fresh = false } = {}) {
  const source = readFileSync(file, "utf8");
  const key = createHash("sha256").update(plugin().hash).update("\0").update(file).update("\0").update(source).digest("hex").slice(0, 32);
  mkdirSync(cacheDir, { recursive: true });
  pruneCache();
  const out = join(cacheDir, `${key}.js`);
  const meta = join(cacheDir, `${key}.json`);
  const read = () => {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (m.error) {
      const err = new Error(m.error);
      err.cachedCompileError = true;
      throw err;
    }
    return { code: readFileSync(out, "utf8"), cached: true, stats: m };
  };
  if (!fresh && existsSync(meta)) return read();
  return withLock(`${out}.lock`, () => {
    if (!fresh && existsSync(meta)) return read(); // compiled by another worker meanwhile
    const t0 = performance.now();
    let code;
    try {
      code = compile(withDirective(source), file);
    } catch (e) {
      // Refusals are cached too: the same plugin refuses the same file.
      writeFileSync(meta, JSON.stringify({ file, error: String(e.message) }));
      throw e;
    }
    const stats = {
      file,
      compileMs: Math.round(performance.now() - t0),
      rawBytes: Buffer.byteLength(source),
      outBytes: Buffer.byteLength(code),
      rawGzip: gzipSync(source).length,
      outGzip: gzipSync(code).length,
    };
    writeFileSync(`${out}.tmp`, code);
    renameSync(`${out}.tmp`, out);
    writeFileSync(`${meta}.tmp`, JSON.stringify(stats));
    renameSync(`${meta}.tmp`, meta);
    return { code, cached: false, stats };
  });
}

/**
 * A CommonJS loader with a private module cache: every `.js` file required
 * from inside `root` is loaded through it, compiled when `compiled` is true;
 * anything else (the fiberlet runtime, Node builtins) comes from Node's own
 * require, and "fiberlet" is the Fiber API of the build in use (fiberApi()).
 * Returns { load(file) -> exports, stats: [per compiled file] }.
 */
export function createLoader({ compiled, root, fresh = false }) {
  const modules = new Map();
  const stats = [];
  const load = (file) => {
    const known = modules.get(file);
    if (known) return known.exports;
    let code = readFileSync(file, "utf8");
    if (compiled) {
      const r = compileFile(file, { fresh });
      code = r.code;
      // Once per file (a module whose dependency failed is retried later).
      if (!stats.some((s) => s.file === file)) stats.push({ ...r.stats, cached: r.cached });
    }
    const m = new Module(file, null);
    m.filename = file;
    m.paths = Module._nodeModulePaths(dirname(file));
    modules.set(file, m);
    m.require = (request) => {
      if (request === "fiberlet") return fiberApi();
      const resolved = Module._resolveFilename(request, m);
      const inRoot = resolved.startsWith(root + sep) && !resolved.startsWith(distDir + sep);
      if (inRoot && resolved.endsWith(".js")) return load(resolved);
      return require(resolved);
    };
    try {
      m._compile(code, file);
    } catch (e) {
      modules.delete(file);
      throw e;
    }
    m.loaded = true;
    return m.exports;
  };
  return { load, stats };
}

/** `entry` and what it requires from inside `root` (default: the entry's
 * folder), through a loader of its own. Returns { exports, stats }. */
export function loadPackage(entry, { compiled, root = dirname(entry), fresh = false } = {}) {
  const loader = createLoader({ compiled, root, fresh });
  return { exports: loader.load(entry), stats: loader.stats };
}

/** Sums per-file stats (a library of several files). */
export function totalStats(stats) {
  const sum = (k) => stats.reduce((a, s) => a + (s[k] ?? 0), 0);
  return {
    files: stats.length,
    cached: stats.every((s) => s.cached),
    compileMs: sum("compileMs"),
    rawBytes: sum("rawBytes"),
    outBytes: sum("outBytes"),
    rawGzip: sum("rawGzip"),
    outGzip: sum("outGzip"),
  };
}

/** One line for the test log: compile time and size ratios. */
export function describeStats(name, s) {
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  return (
    `${name}: ${s.files ?? 1} file(s), compile ${(s.compileMs / 1000).toFixed(1)} s${s.cached ? " (cached, time of the compiling run)" : ""}, ` +
    `raw ${kb(s.rawBytes)} -> ${kb(s.outBytes)} (x${(s.outBytes / s.rawBytes).toFixed(1)}), ` +
    `gzip ${kb(s.rawGzip)} -> ${kb(s.outGzip)} (x${(s.outGzip / s.rawGzip).toFixed(1)})`
  );
}

/** A marked helper module of this folder (fixtures/*.js), compiled with the
 * same plugin and runtime as the libraries. */
export function loadFixture(name, { compiled = true } = {}) {
  const file = join(dirname(fileURLToPath(import.meta.url)), "fixtures", name);
  return loadPackage(file, { compiled }).exports;
}
