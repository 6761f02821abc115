/**
 * The one module that knows ts-morph. Everything else in checker/ sees a
 * CheckProject: the project's source files, a type checker, and a way to
 * apply text edits that are written to disk only all together.
 *
 * Why behind an interface: ts-morph bundles its own TypeScript (28.0.0 has
 * TypeScript 6), and TypeScript 7 (the Go port) has no JavaScript compiler
 * API yet. The checker reads the project's tsconfig.json with the bundled
 * compiler, never the project's own `typescript`, so a project built with
 * TypeScript 7 is checked all the same (options this compiler does not know
 * become warnings). Moving to another front end means rewriting this file.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ts as TS } from "ts-morph";

export type { TS };

/** A text edit in one file: replace [start, end) with `text`. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface CheckProject {
  /** The TypeScript namespace the program was built with (the bundled one). */
  ts: typeof TS;
  checker: TS.TypeChecker;
  /** Source files to analyse: the program's, without declarations and node_modules. */
  files: readonly TS.SourceFile[];
  /** Every file of the program (declarations included). */
  program: TS.Program;
  /** The directory findings are reported relative to. */
  root: string;
  /** Problems reading the configuration (unknown options, ...), one line each. */
  configProblems: string[];
  /** Applies edits in memory and returns the project rebuilt from them; nothing is written. */
  withEdits(edits: TextEdit[]): CheckProject;
  /** Writes every file changed by withEdits() (of this project or its ancestors). */
  save(): void;
}

/** A project that cannot be opened: printed as one line by the CLI. */
export class ProjectError extends Error {}

type Morph = typeof import("ts-morph");

function loadMorph(): Morph {
  try {
    return require("ts-morph") as Morph;
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND") {
      throw new ProjectError("fiberlet check needs ts-morph: npm install --save-dev ts-morph@28.0.0");
    }
    throw err;
  }
}

const SOURCE_GLOB = "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}";

/**
 * Opens `target`: a tsconfig.json (or any .json config), a directory with a
 * tsconfig.json, or a directory of sources without one (then every source
 * file under it, JavaScript included, with defaults for a modern project).
 */
export function openProject(target: string): CheckProject {
  const morph = loadMorph();
  const path = resolve(target);
  if (!existsSync(path)) throw new ProjectError(`check: ${target} does not exist`);
  const isDir = statSync(path).isDirectory();
  const config = isDir ? join(path, "tsconfig.json") : path;
  const root = isDir ? path : dirname(path);
  let project: import("ts-morph").Project;
  const configProblems: string[] = [];
  if (existsSync(config)) {
    project = new morph.Project({ tsConfigFilePath: config, skipFileDependencyResolution: false });
    for (const d of project.getConfigFileParsingDiagnostics()) {
      configProblems.push(morph.ts.flattenDiagnosticMessageText(d.compilerObject.messageText, " "));
    }
  } else {
    const { ts } = morph;
    project = new morph.Project({
      compilerOptions: {
        allowJs: true,
        checkJs: false,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
      },
    });
    project.addSourceFilesAtPaths([join(root, SOURCE_GLOB), `!${join(root, "**/node_modules/**")}`, `!${join(root, "**/*.d.ts")}`]);
    project.resolveSourceFileDependencies();
  }
  return wrap(morph, project, root, configProblems);
}

function wrap(morph: Morph, project: import("ts-morph").Project, root: string, configProblems: string[]): CheckProject {
  const program = project.getProgram().compilerObject;
  const files = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !/[\\/]node_modules[\\/]/.test(f.fileName));
  return {
    ts: morph.ts,
    checker: program.getTypeChecker(),
    files,
    program,
    root,
    configProblems,
    withEdits(edits) {
      const byFile = new Map<string, TextEdit[]>();
      for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
      for (const [file, list] of byFile) {
        const sf = project.getSourceFileOrThrow(file);
        let text = sf.getFullText();
        // From the end, so earlier offsets stay valid; overlapping edits are a bug.
        list.sort((a, b) => b.start - a.start);
        for (let i = 1; i < list.length; i++) {
          if (list[i].end > list[i - 1].start) throw new Error(`check --fix: overlapping edits in ${file}`);
        }
        for (const e of list) text = text.slice(0, e.start) + e.text + text.slice(e.end);
        sf.replaceWithText(text);
      }
      return wrap(morph, project, root, configProblems);
    },
    save() {
      project.saveSync();
    },
  };
}
