/**
 * The sources each mode runs, and the fiberlet Babel plugin applied to them.
 *
 * - plain: the test as test262 gives it;
 * - main: the test with a file-level marking directive, every function marked;
 * - fiber: the test wrapped in a marked function that the runner starts as a
 *   fiber, with the harness compiled too and switching out on every call.
 *
 * The directive text is built, never written out: Vitest compiles any file
 * that contains it with the plugin, and this file must stay plain.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cacheDir, repoRoot } from "./archive.mjs";

export const DIRECTIVE = ["use", "fiber"].join(" ");
const require = createRequire(import.meta.url);
const babel = require("@babel/core");

/** The build under test: the repository's dist/, or another build of it
 * (FIBERLET_TEST262_DIST, set by `--dist`) while dist/ is being rebuilt. */
export const distDir = process.env.FIBERLET_TEST262_DIST || join(repoRoot, "dist");
export const runtimeDir = join(distDir, "cjs", "runtime");
/** What emitted code imports (the plugin's `runtime` option). */
export const protocolPath = join(runtimeDir, "protocol.js");
export const fiberApiPath = join(runtimeDir, "index.js");

/** Names the runner adds to a realm; chosen so test code cannot collide. */
export const BODY = "__fiberlet262Body";
export const SWITCHER = "__fiberlet262";

let plugin;
function fiberletPlugin() {
  if (!plugin) {
    try {
      plugin = require(join(distDir, "cjs", "babel-plugin", "index.js")).default;
    } catch (e) {
      throw new Error(`cannot load the plugin from ${distDir} (run \`npm run build\` first): ${e.message}`);
    }
  }
  return plugin;
}

/** A prologue line for strict scenarios, kept as a directive. */
const prologue = (strict) => (strict ? '"use strict";\n' : "");

/** A scenario's source in one of its shapes (before compilation): as is
 * ("plain"), with the marking directive first ("marked"), or "wrapped". */
export function shapeSource(shape, source, { strict, module }) {
  if (shape === "plain") return prologue(strict && !module) + source;
  if (shape === "marked") return prologue(strict && !module) + `"${DIRECTIVE}";\n` + source;
  // Top-level code becomes a function body: its var and function
  // declarations become locals and `this` changes, which is why the fiber
  // mode's oracle is this same wrapped source run unmarked.
  return prologue(strict) + `"${DIRECTIVE}";\nfunction ${BODY}() {\n${source}\n}\n`;
}

/**
 * Compiles with the fiberlet plugin (or, `withPlugin: false`, with Babel
 * alone: the same parse and print without the transform). `reserve` (a
 * number) keeps the plugin's module-level names (`_fbR`, resume functions
 * `_fb$r0`...) apart from those of the other compiled scripts of the same
 * realm: scripts share one global scope, and two `const _fbR` would collide.
 */
export function compile(code, { module = false, filename, reserve = 0, withPlugin = true, extraPlugins = [] }) {
  const plugins = [...extraPlugins];
  if (reserve) plugins.push(reserveNames(reserve));
  if (withPlugin) plugins.push([fiberletPlugin(), { runtime: protocolPath }]);
  return babel.transformSync(code, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: module ? "module" : "script",
    highlightCode: false,
    compact: false,
    plugins,
  }).code;
}

/** Takes the first `count` uid prefixes, so the plugin gets the next one. */
function reserveNames(count) {
  return () => ({
    visitor: {
      Program(path) {
        for (let i = 0; i < count; i++) path.scope.generateUid("fb");
      },
    },
  });
}

/**
 * One harness file for the fiber mode, compiled marked: every harness
 * function (declared at top level or assigned to a top-level name's
 * property, like `assert.sameValue`) first switches out to the main fiber and
 * back, so every assertion a test makes suspends the test's whole stack of
 * marked frames and resumes it. `slot` (a different number for each harness
 * file) keeps its module-level names apart from the other scripts'.
 *
 * The plugin takes a second or two per harness file, and every process of
 * the pool needs the same few files: the output is cached on disk, keyed by
 * the plugin build and the input.
 */
export function fiberHarness(name, source, slot) {
  const code = `"${DIRECTIVE}";\n${name === "assert.js" ? SWITCHER_SOURCE : ""}\n${source}`;
  const key = createHash("sha256").update(`${pluginFingerprint()}\0${slot}\0${code}`).digest("hex").slice(0, 32);
  const file = join(cacheDir, "harness", `${name}.${key}.js`);
  if (existsSync(file)) return readFileSync(file, "utf8");
  const out = compile(code, { filename: `harness/${name}`, reserve: slot, extraPlugins: [switchOnEntry] });
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return out;
}

let fingerprint;
/** Identifies the plugin build (and Babel) that compiled a cached file. */
function pluginFingerprint() {
  if (!fingerprint) {
    // The runtime's path is part of the output (its require()).
    const hash = createHash("sha256").update(babel.version).update(protocolPath);
    const dir = join(distDir, "cjs", "babel-plugin");
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".js")) hash.update(f).update(readFileSync(join(dir, f)));
    fingerprint = hash.digest("hex");
  }
  return fingerprint;
}

/**
 * The switch every harness function starts with (defined with assert.js,
 * which every harnessed test loads first). A switch that must suspend
 * unmarked frames (the harness called from a native callback, a getter, a
 * generator...) is refused with a FiberError at the switch: that is the
 * documented boundary, so it is counted and the assertion goes on. When the
 * harness runs on the main fiber (a promise job after the test's fiber
 * ended) there is nothing to switch to.
 */
const SWITCHER_SOURCE = `
var ${SWITCHER} = (function () {
  var fibers = require(${JSON.stringify(fiberApiPath)});
  var main = fibers.current();
  var counts = { done: 0, refused: 0, outside: 0 };
  function switchOut() {
    if (fibers.current() === main) {
      counts.outside++;
      return;
    }
    try {
      main.switch();
      counts.done++;
    } catch (e) {
      if (!(e instanceof fibers.FiberError) || !/^cannot suspend this fiber/.test(e.message)) throw e;
      counts.refused++;
    }
  }
  return { main: main, counts: counts, switchOut: switchOut };
})();
`;

/** Babel plugin: a `SWITCHER.switchOut()` call at the start of every
 * top-level harness function. */
function switchOnEntry({ types: t }) {
  const call = () => t.expressionStatement(t.callExpression(t.memberExpression(t.identifier(SWITCHER), t.identifier("switchOut")), []));
  const instrument = (fn) => {
    if ((t.isFunctionExpression(fn) || t.isFunctionDeclaration(fn)) && !fn.generator && !fn.async) fn.body.body.unshift(call());
  };
  return {
    visitor: {
      Program(path) {
        for (const stmt of path.node.body) {
          if (t.isFunctionDeclaration(stmt)) instrument(stmt);
          else if (t.isExpressionStatement(stmt) && t.isAssignmentExpression(stmt.expression)) instrument(stmt.expression.right);
          else if (t.isVariableDeclaration(stmt)) for (const d of stmt.declarations) instrument(d.init);
        }
      },
    },
  };
}
