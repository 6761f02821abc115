/**
 * The parse goal of a file the user gave no `sourceType` for: the emitted
 * code imports the runtime with `import` in a module and with `require` in
 * a script (@babel/helper-module-imports follows the parsed goal), and
 * strictness follows it too (a CommonJS file is sloppy unless it says
 * "use strict"). Babel's own default is "module" for every file, which gives
 * a CommonJS file an `import` statement Node refuses ("Cannot use import
 * statement outside a module").
 *
 * Decided like Node decides a file's format, as far as the file itself says:
 *   .mjs .mts                                  module
 *   .js .jsx .ts .tsx under package.json "type": "module"   module
 *   anything else (.cjs, .cts, "type": "commonjs" or none, no filename)
 *                                              "unambiguous": Babel parses
 *                                              it as a module if it has
 *                                              import/export, else as a script
 * A `.cjs` file is "unambiguous" rather than "script" so ESM syntax in it
 * still reaches a later CommonJS transform instead of failing to parse.
 */

interface InputOptions {
  filename?: string | null;
  sourceType?: string;
}

type Goal = "module" | "unambiguous";

/**
 * The plugin's manipulateOptions hook: sets the parse goal unless the user
 * chose one with the `sourceType` option. (`parserOpts` already holds
 * Babel's default "module" merged with the user's parserOpts, so a
 * `parserOpts.sourceType` other than "module" is the user's too.)
 */
export function chooseSourceType(opts: InputOptions, parserOpts: { sourceType?: string }): void {
  if (opts.sourceType !== undefined || parserOpts.sourceType !== "module") return;
  parserOpts.sourceType = goalOf(opts.filename ?? undefined);
}

export function goalOf(filename: string | undefined): Goal {
  if (!filename) return "unambiguous";
  const ext = /\.[^./\\]*$/.exec(filename)?.[0].toLowerCase() ?? "";
  if (ext === ".mjs" || ext === ".mts") return "module";
  if (ext === ".cjs" || ext === ".cts") return "unambiguous";
  return packageType(filename) === "module" ? "module" : "unambiguous";
}

const typeOfDir = new Map<string, string | undefined>();

/** The "type" of the nearest package.json above a file (Node's rule), or
 * undefined when there is none or the file system is not reachable (Babel
 * running in a browser). */
function packageType(filename: string): string | undefined {
  let fs: typeof import("node:fs");
  let path: typeof import("node:path");
  try {
    fs = require("node:fs");
    path = require("node:path");
  } catch {
    return undefined;
  }
  const seen: string[] = [];
  let found: string | undefined;
  for (let dir = path.dirname(path.resolve(filename)); ; ) {
    if (typeOfDir.has(dir)) {
      found = typeOfDir.get(dir);
      break;
    }
    seen.push(dir);
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.join(dir, "package.json"), "utf8");
    } catch {
      // no package.json here: look further up
    }
    if (text !== undefined) {
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        found = typeof type === "string" ? type : undefined;
      } catch {
        found = undefined; // Node, too, stops at an unreadable package.json
      }
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const dir of seen) typeOfDir.set(dir, found);
  return found;
}
