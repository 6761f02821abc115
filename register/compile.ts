/**
 * One file through Babel: TypeScript types stripped (@babel/preset-typescript,
 * for .ts, .mts and .cts) and marked functions compiled (fiberlet's plugin),
 * with a source map. The loader (hooks.ts, require-hook.ts) and
 * `fiberlet build` both compile through here; the loader through the cache.
 *
 * Babel's configuration files are not read: the output depends on the file
 * alone, so the loader and `fiberlet build` give the same code, and the cache
 * key covers every input.
 */
import { goalOf } from "../babel-plugin/module-format.js";
import { readCache, writeCache, cacheKey } from "./cache.js";
import { debug } from "./debug.js";
import { compileError, setupError } from "./diagnostic.js";
import { extensionOf, sourceKind } from "./source-kind.js";

/** How a file is parsed, and so what Node runs it as: an ES module or a
 * CommonJS script. */
export type Goal = "module" | "script";

export interface CompileOptions {
  /** The parse goal, when Node's rules already decided the file's format;
   * otherwise the plugin decides (babel-plugin/module-format.ts). */
  goal?: Goal;
  /** "inline": a data: URL comment (the loader); "separate": returned as
   * `map` (fiberlet build writes it beside the file). */
  sourceMaps: "inline" | "separate";
  /** Relative imports of .ts/.mts/.cts files rewritten to .js/.mjs/.cjs
   * (fiberlet build, whose output has no TypeScript files). */
  rewriteImportExtensions?: boolean;
}

export interface Compiled {
  code: string;
  map?: object | null;
  /** How the output must be loaded. */
  goal: Goal;
}

type Babel = typeof import("@babel/core");

let babel: Babel | undefined;
function loadBabel(): Babel {
  if (!babel) babel = need<Babel>("@babel/core", "to compile marked code");
  return babel;
}

function need<T>(name: string, why: string): T {
  try {
    return require(name) as T;
  } catch (err) {
    if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
    throw setupError(`fiberlet needs ${name} ${why}: npm install --save-dev ${name}`);
  }
}

export function compile(source: string, filename: string, options: CompileOptions): Compiled {
  const { transformSync } = loadBabel();
  const typescript = sourceKind(filename) === "ts";
  const presets = typescript
    ? [[need<object>("@babel/preset-typescript", "to strip TypeScript types"), { rewriteImportExtensions: !!options.rewriteImportExtensions }]]
    : [];
  let parsed: Goal = "script";
  const plugin = (require("../babel-plugin/index.js") as { default: object }).default;
  let out;
  try {
    out = transformSync(source, {
      filename,
      babelrc: false,
      configFile: false,
      sourceType: options.goal,
      presets,
      plugins: [
        plugin,
        // Records how the file was parsed (the plugin may have chosen).
        { name: "fiberlet-goal", pre(file: { ast: { program: { sourceType: Goal } } }) { parsed = file.ast.program.sourceType; } },
      ],
      sourceMaps: options.sourceMaps === "inline" ? "inline" : true,
      // Large files keep their layout (and no "deoptimised the styling" note).
      compact: false,
    } as import("@babel/core").TransformOptions);
  } catch (err) {
    throw compileError(err, filename);
  }
  // preset-typescript turns a .cts file's import/export into require/exports.
  const goal = extensionOf(filename) === ".cts" ? "script" : parsed;
  return { code: out!.code!, map: out!.map, goal };
}

/** compile() with inline source maps, through the on-disk cache (cache.ts). */
export function compileCached(source: string, filename: string, goal: Goal | undefined): Compiled {
  const key = cacheKey([filename, goal ?? `auto:${goalOf(filename)}`, source]);
  const hit = readCache(key);
  if (hit) {
    debug("cache hit %s", filename);
    return hit;
  }
  const started = Date.now();
  const { code, goal: parsed } = compile(source, filename, { goal, sourceMaps: "inline" });
  debug("compiled %s (%d ms, cache miss)", filename, Date.now() - started);
  writeCache(key, { code, goal: parsed });
  return { code, goal: parsed };
}
