/**
 * fiberlet/rollup: compiles the modules marked "use fiber" inside a Rollup 4
 * or Vite build (Vite 7 on Rollup, Vite 8 on Rolldown), with the Babel plugin
 * (compile.ts). Everything else passes untouched: the transform hook's
 * filter lets the bundler skip a module whose code never mentions the
 * directive before anything parses it.
 */
import type { TransformOptions } from "@babel/core";
import { createFilter, type FilterPattern } from "@rollup/pluginutils";
import { sep } from "node:path";
import { BUNDLED_ADDON_MODULE, bundledAddonModule } from "./addon.js";
import { compile, CompileError, type Compiled } from "./compile.js";

export type { Compiled, SourceMap } from "./compile.js";

export interface FiberletRollupOptions {
  /** Modules to compile (picomatch globs or regexps, as @rollup/pluginutils' createFilter); default: every module. */
  include?: FilterPattern;
  /** Modules never to compile. */
  exclude?: FilterPattern;
  /** Babel options for the compile: plugins and presets run next to fiberlet's, the rest overrides its defaults. */
  babel?: TransformOptions;
  /** Rollup Node bundles: emit the native addon as an asset and load it from there (the bundle then runs without fiberlet installed). Not in Vite. */
  emitAddon?: boolean;
}

/** What a bundler calls (structurally a Rollup 4, Vite 7 and Vite 8 plugin). */
export interface FiberletPlugin {
  name: "fiberlet";
  enforce: "pre";
  config(): { optimizeDeps: { include: string[] } };
  configResolved(config: { root: string; cacheDir: string }): void;
  transform: {
    filter: { id: RegExp; code: string };
    handler(this: TransformContext, code: string, id: string): Promise<Compiled | null>;
  };
  /** With emitAddon: the runtime's seam that says where the bundle's addon is (addon.ts). */
  load?: {
    filter: { id: RegExp };
    handler(this: LoadContext, id: string): string | null;
  };
}

interface TransformContext {
  error(error: { message: string; frame?: string; id?: string }, pos?: { line: number; column: number }): never;
}

interface LoadContext {
  emitFile(file: { type: "asset"; name: string; source: Uint8Array }): string;
  error(error: { message: string }): never;
}

/** JavaScript and TypeScript modules, with a bundler's query (`?v=...`) or not. */
const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)(?:\?|$)/;

/** The entry points compiled code imports: the one runtime every module shares. */
const RUNTIME = ["fiberlet", "fiberlet/protocol"];

/** fiberlet's own built files (their messages mention the directive), when this plugin runs from them. */
const OWN_BUILD = __dirname.includes(`${sep}dist${sep}`) ? __dirname.slice(0, __dirname.lastIndexOf(`${sep}dist${sep}`) + 6) : null;

export function fiberlet(options: FiberletRollupOptions = {}): FiberletPlugin {
  const { include, exclude, babel = {}, emitAddon = false, ...unknown } = options;
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw new TypeError(`fiberlet/rollup: unknown option ${JSON.stringify(extra[0])} (the options are include, exclude, babel and emitAddon)`);
  }
  const wanted = createFilter(include, exclude);
  // Vite's: the project root, and its pre-bundled dependencies (the
  // runtime among them), which are never compiled.
  let root = process.cwd();
  let prebundled: string | null = null;
  const plugin: FiberletPlugin = {
    name: "fiberlet",
    // In Vite, before its own TypeScript and JSX transforms and import analysis.
    enforce: "pre",
    config() {
      // The runtime import is added by this plugin's transform, so Vite's
      // dependency scan cannot see it; without this, the dev server would
      // find it on the first page load, re-bundle its dependencies and reload.
      return { optimizeDeps: { include: [...RUNTIME] } };
    },
    configResolved(config) {
      if (emitAddon) {
        // Vite resolves the asset URL for the browser ("/assets/...") and
        // does not write assets in SSR builds; SSR keeps node_modules
        // external by default, and the installed package loads its addon.
        throw new TypeError(
          "fiberlet/rollup: emitAddon is for Rollup builds; in Vite, leave fiberlet external in SSR builds (the default) so the installed package loads its addon",
        );
      }
      root = config.root;
      prebundled = config.cacheDir + sep;
    },
    transform: {
      // Rollup >= 4.38 and Rolldown skip the handler (and the parse) of a
      // module whose code never mentions the directive; the handler checks
      // again for older Rollup 4 releases.
      filter: { id: SCRIPT, code: "use fiber" },
      async handler(code, id) {
        if (!code.includes("use fiber") || !SCRIPT.test(id)) return null;
        const file = id.split("?")[0];
        if (!wanted(file) || (OWN_BUILD && file.startsWith(OWN_BUILD)) || (prebundled && file.startsWith(prebundled))) return null;
        try {
          return await compile(code, file, babel, root);
        } catch (err) {
          if (!(err instanceof CompileError)) throw err;
          return this.error({ message: err.message, frame: err.frame, id: file }, err.loc);
        }
      },
    },
  };
  if (emitAddon) {
    plugin.load = {
      filter: { id: BUNDLED_ADDON_MODULE },
      handler(id) {
        return BUNDLED_ADDON_MODULE.test(id) ? bundledAddonModule(this) : null;
      },
    };
  }
  return plugin;
}

export default fiberlet;
