/**
 * One module through Babel with the fiberlet plugin, for a bundler: the
 * options a bundled file needs (TypeScript stripped by
 * @babel/preset-typescript, JSX left for the bundler), a source map of this
 * step only (the bundler chains it with the maps before and after), and
 * Babel's errors turned into one line with a source location.
 */
import { transformAsync, type TransformOptions } from "@babel/core";
import { createRequire } from "node:module";
import { join } from "node:path";
import fiberletBabel from "../babel-plugin/index.js";

/** A version 3 source map, as Babel writes it and bundlers take it. */
export interface SourceMap {
  version: number;
  file?: string;
  sources: string[];
  sourcesContent?: string[];
  names: string[];
  mappings: string;
}

export interface Compiled {
  code: string;
  map: SourceMap | null;
}

/** A compile error located in the module's source (line 1-based, column 0-based). */
export class CompileError extends Error {
  constructor(message: string, readonly loc: { line: number; column: number } | undefined, readonly frame: string | undefined) {
    super(message);
  }
}

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;
const JSX = /\.[jt]sx$/;

/**
 * Compiles `code` (the module `file`, without a query) with the fiberlet
 * Babel plugin. `extra` holds the user's Babel options: its plugins and
 * presets run next to fiberlet's, anything else overrides the defaults.
 */
export async function compile(code: string, file: string, extra: TransformOptions, root: string): Promise<Compiled | null> {
  const { plugins, presets, parserOpts, ...rest } = extra;
  const typescript = TYPESCRIPT.test(file) ? [[typescriptPreset(root), {}]] : [];
  try {
    const out = await transformAsync(code, {
      filename: file,
      cwd: root,
      babelrc: false,
      configFile: false,
      sourceType: "module",
      sourceMaps: true,
      ...rest,
      // Plugins run before presets: fiberlet sees the TypeScript syntax,
      // which the preset then strips (the plugin keeps type-only nodes intact).
      plugins: [...(plugins ?? []), fiberletBabel],
      presets: [...(presets ?? []), ...typescript],
      // JSX is left in place for the bundler's own JSX transform; Babel only
      // needs to parse it (.tsx gets it from the preset).
      parserOpts: { ...parserOpts, plugins: [...(parserOpts?.plugins ?? []), ...(JSX.test(file) && !TYPESCRIPT.test(file) ? ["jsx" as const] : [])] },
    });
    return out?.code == null ? null : { code: out.code, map: out.map ?? null };
  } catch (err) {
    throw located(err, file);
  }
}

/**
 * Babel reports "file: message" followed by a code frame; a parse error
 * carries `loc`, an error raised by a plugin (fiberlet's refusal of a direct
 * eval, say) only the frame, whose marked line and caret give the location.
 */
function located(err: unknown, file: string): CompileError {
  if (!(err instanceof Error)) return new CompileError(`fiberlet: ${String(err)}`, undefined, undefined);
  const text = err.message.replace(/\u001b\[[0-9;]*m/g, "");
  const lines = text.split("\n");
  let message = lines[0].startsWith(`${file}: `) ? lines[0].slice(file.length + 2) : lines[0];
  message = message.replace(/ \(\d+:\d+\)$/, "");
  const frameStart = lines.findIndex((l, i) => i > 0 && /^[ >]\s*\d+ \|/.test(l));
  const frame = frameStart < 0 ? undefined : lines.slice(frameStart).join("\n");
  const babelLoc = (err as { loc?: { line: number; column: number } }).loc;
  let loc = babelLoc && { line: babelLoc.line, column: babelLoc.column };
  if (!loc && frame) {
    const frameLines = frame.split("\n");
    const at = frameLines.findIndex((l) => /^>\s*\d+ \|/.test(l));
    const caret = frameLines[at + 1];
    if (at >= 0 && caret !== undefined && caret.includes("^")) {
      const bar = frameLines[at].indexOf("|");
      loc = { line: Number(/\d+/.exec(frameLines[at])![0]), column: caret.indexOf("^") - bar - 2 };
    }
  }
  return new CompileError(message, loc, frame);
}

/** @babel/preset-typescript is the project's own (an optional peer dependency). */
function projectRequire(root: string): NodeJS.Require {
  return createRequire(join(root, "package.json"));
}

const presetPaths = new Map<string, string>();
function typescriptPreset(root: string): string {
  let path = presetPaths.get(root);
  if (path === undefined) {
    for (const from of [projectRequire(root), require]) {
      try {
        path = from.resolve("@babel/preset-typescript");
        break;
      } catch {}
    }
    if (path === undefined) {
      throw new CompileError(
        "fiberlet/rollup compiles TypeScript with @babel/preset-typescript: npm install --save-dev @babel/preset-typescript",
        undefined,
        undefined,
      );
    }
    presetPaths.set(root, path);
  }
  return path;
}
