/**
 * The load hook of fiberlet/register: what Node gets for each file.
 *
 *   .js .mjs .cjs   Node decides the format; a file that may be marked
 *                   (source-kind.ts) is compiled, any other is Node's as is.
 *   .ts .mts .cts   compiled (types stripped, marked code made resumable),
 *                   except an unmarked file on a Node that strips types
 *                   itself: that one is left to Node.
 *
 * Two variants of one hook: loadSync for module.registerHooks (Node 22.15+,
 * in-thread, used by import and require alike) and load for module.register
 * (older Node; it runs off-thread and sees only what goes through the ES
 * module loader, so CommonJS files are handed back to Node's CommonJS loader,
 * where require-hook.ts compiles them).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { goalOf } from "../babel-plugin/module-format.js";
import { compileCached, type Goal } from "./compile.js";
import { debug } from "./debug.js";
import { extensionOf, mayBeMarked, sourceKind, typesStrippedByNode } from "./source-kind.js";

export interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type LoadContext = { format?: string | null; conditions?: string[]; importAttributes?: object };

/** The parse goal of a TypeScript file when its extension or package says
 * (Node's rules); undefined leaves it to the source (import/export or not). */
export function typescriptGoal(filename: string): Goal | undefined {
  const ext = extensionOf(filename);
  if (ext === ".mts") return "module";
  if (ext === ".cts") return undefined; // preset-typescript: ESM syntax becomes require
  return goalOf(filename) === "module" ? "module" : undefined;
}

function text(source: LoadResult["source"], filename: string): string {
  if (source == null) return readFileSync(filename, "utf8");
  if (typeof source === "string") return source;
  return Buffer.from(ArrayBuffer.isView(source) ? source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) : source).toString("utf8");
}

function nodeFormat(goal: Goal): "module" | "commonjs" {
  return goal === "module" ? "module" : "commonjs";
}

/** Synchronous hook (module.registerHooks). */
export function loadSync(url: string, context: LoadContext, nextLoad: (url: string, context?: LoadContext) => LoadResult): LoadResult {
  const filename = url.startsWith("file:") ? fileURLToPath(url) : undefined;
  const kind = filename && sourceKind(filename);
  if (!filename || !kind) return nextLoad(url, context);
  if (kind === "js") {
    const loaded = nextLoad(url, context);
    if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
    const source = text(loaded.source, filename);
    if (!mayBeMarked(source)) return loaded;
    const { code } = compileCached(source, filename, loaded.format === "module" ? "module" : "script");
    return { format: loaded.format, source: code, shortCircuit: true };
  }
  const source = readFileSync(filename, "utf8");
  if (!mayBeMarked(source) && typesStrippedByNode()) {
    debug("left to Node's type stripping: %s", filename);
    return nextLoad(url, context);
  }
  const { code, goal } = compileCached(source, filename, typescriptGoal(filename));
  return { format: nodeFormat(goal), source: code, shortCircuit: true };
}

/** Asynchronous hook (module.register, Node before 22.15). */
export async function load(
  url: string,
  context: LoadContext,
  nextLoad: (url: string, context?: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  const filename = url.startsWith("file:") ? fileURLToPath(url) : undefined;
  const kind = filename && sourceKind(filename);
  if (!filename || !kind) return nextLoad(url, context);
  // A nullish source sends a CommonJS file to Node's CommonJS loader, whose
  // require hook compiles it (and whose require() calls it serves).
  const toCommonJS: LoadResult = { format: "commonjs", source: null, shortCircuit: true };
  if (kind === "js") {
    const loaded = await nextLoad(url, context);
    if (loaded.format === "commonjs") return toCommonJS;
    if (loaded.format !== "module") return loaded;
    const source = text(loaded.source, filename);
    if (!mayBeMarked(source)) return loaded;
    return { format: "module", source: compileCached(source, filename, "module").code, shortCircuit: true };
  }
  const source = readFileSync(filename, "utf8");
  if (!mayBeMarked(source) && typesStrippedByNode()) return nextLoad(url, context);
  const { code, goal } = compileCached(source, filename, typescriptGoal(filename));
  return goal === "module" ? { format: "module", source: code, shortCircuit: true } : toCommonJS;
}
