/**
 * `fiberlet build <src> --out-dir <dir>`: the ahead-of-time counterpart of
 * fiberlet/register. The tree under <src> is written to <dir> with the same
 * layout:
 *
 *   .ts .mts .cts          types stripped (marked code compiled) into .js
 *                          .mjs .cjs, relative imports of .ts files
 *                          rewritten to .js, a source map beside each
 *   .js .mjs .cjs, marked  compiled, with a source map beside
 *   everything else        copied as it is (unmarked JavaScript, .d.ts,
 *                          JSON, assets), so <dir> runs like <src>
 *
 * Skipped: node_modules, dot-files and dot-directories, and <dir> itself.
 * Every file that fails is reported (one line each, with its location) and
 * the build exits 1; the files that compiled are still written.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { compile } from "../register/compile.js";
import { displayPath, isCompileError } from "../register/diagnostic.js";
import { mayBeMarked, sourceKind } from "../register/source-kind.js";
import { EXIT, UsageError, type Command } from "./command.js";

const OUTPUT_EXTENSION: Record<string, string> = { ".ts": ".js", ".mts": ".mjs", ".cts": ".cjs" };

export const build: Command = {
  summary: "compile a directory (or file) into --out-dir, with source maps",
  usage: [
    "Usage: fiberlet build <src> --out-dir <dir>",
    "",
    "Writes every file under <src> to <dir>, keeping the directory layout:",
    "  .ts .mts .cts      types stripped, marked code compiled -> .js .mjs .cjs + .map",
    "  marked .js/.mjs/.cjs  compiled -> same name + .map",
    "  other files        copied as they are (unmarked JavaScript, .d.ts, JSON, ...)",
    "node_modules and dot-files are skipped. Exits 1 if any file fails to compile.",
  ].join("\n"),
  main(args) {
    const { src, outDir } = parseArgs(args);
    const source = resolve(src);
    const out = resolve(outDir);
    let stat;
    try {
      stat = statSync(source);
    } catch {
      throw new UsageError(`build: ${src} does not exist`);
    }
    const files = stat.isDirectory() ? walk(source, out) : [source];
    const base = stat.isDirectory() ? source : dirname(source);
    let compiled = 0;
    let copied = 0;
    let failed = 0;
    for (const file of files) {
      const target = join(out, relative(base, file));
      try {
        if (buildFile(file, target)) compiled++;
        else copied++;
      } catch (err) {
        if (!isCompileError(err)) throw err;
        console.error(`fiberlet: ${err.message}`);
        failed++;
      }
    }
    const summary = `fiberlet build: ${compiled} compiled, ${copied} copied into ${displayPath(out)}`;
    if (failed) {
      console.error(`${summary}; ${failed} failed`);
      return EXIT.failed;
    }
    console.log(summary);
    return EXIT.ok;
  },
};

function parseArgs(args: string[]): { src: string; outDir: string } {
  let src: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out-dir" || a === "-d") outDir = args[++i];
    else if (a.startsWith("--out-dir=")) outDir = a.slice("--out-dir=".length);
    else if (a.startsWith("-")) throw new UsageError(`build: unknown option ${a}`);
    else if (src === undefined) src = a;
    else throw new UsageError(`build: one <src> only (got ${src} and ${a})`);
  }
  if (src === undefined) throw new UsageError("build: no <src> to build");
  if (!outDir) throw new UsageError("build: --out-dir <dir> is required");
  return { src, outDir };
}

/** Files under dir, sorted, without node_modules, dot-entries and the output directory. */
function walk(dir: string, out: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (path === out) continue;
    if (entry.isDirectory()) files.push(...walk(path, out));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Writes one file's output; true if it was compiled, false if copied. */
function buildFile(file: string, target: string): boolean {
  mkdirSync(dirname(target), { recursive: true });
  const kind = sourceKind(file);
  const source = kind ? readFileSync(file, "utf8") : "";
  if (!kind || (kind === "js" && !mayBeMarked(source))) {
    copyFileSync(file, target);
    return false;
  }
  const ext = /\.[^.]*$/.exec(file)![0];
  const outFile = kind === "ts" ? target.slice(0, -ext.length) + OUTPUT_EXTENSION[ext.toLowerCase()] : target;
  const { code, map } = compile(source, file, { sourceMaps: "separate", rewriteImportExtensions: true });
  const mapFile = `${outFile}.map`;
  const sourceMap = { ...(map as object), file: basename(outFile), sources: [relative(dirname(outFile), file)] };
  writeFileSync(outFile, `${code}\n//# sourceMappingURL=${basename(mapFile)}\n`);
  writeFileSync(mapFile, JSON.stringify(sourceMap));
  return true;
}
