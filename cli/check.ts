/**
 * `fiberlet check [tsconfig.json | dir] [--fix] [--format text|json|sarif]
 * [--browser]`: the static checker (checker/index.ts). Exit 1 when it finds
 * an error (or --fix cannot finish), 0 otherwise; warnings and hints do not
 * fail a build.
 */
import { EXIT, UsageError, type Command } from "./command.js";

export const check: Command = {
  summary: "find switches a stackless fiber cannot make, and mark what needs marking (--fix)",
  usage: [
    "Usage: fiberlet check [tsconfig.json | dir] [--fix] [--format text|json|sarif] [--browser]",
    "",
    "Analyses the project (its tsconfig.json, or every source file under dir; default: .)",
    "across modules and reports, each at file:line:column with its fix:",
    "  missing-mark    error    a function that may suspend, called from marked code, not marked",
    "  callback        error    a callback that may suspend, called by code that is not marked",
    "  unmarkable      error    a switch inside a getter, setter, generator, async function or field",
    "  stackful-only   error    (browsers) an unmarked fiber target that may suspend",
    "  unknown-callee  warning  a call it cannot resolve, where it could break a fiber",
    "  needless-mark   hint     a \"use fiber\" that never matters",
    "",
    "  --fix       add \"use fiber\" where needed, remove it where it never matters, and rewrite",
    "              forEach loops where provably the same; files are written only if all succeeds",
    "  --format    text (default), json or sarif",
    "  --browser   the project runs in browsers (default: its tsconfig lib includes DOM)",
    "Exits 1 when an error is found.",
  ].join("\n"),
  main(args) {
    const { target, fix, format, browser } = parseArgs(args);
    // Loaded here: ts-morph is large, and only this command needs it.
    const { check: run, formatFindings, ProjectError } = require("../checker/index.js") as typeof import("../checker/index.js");
    let result;
    try {
      result = run(target, { fix, browser });
    } catch (err) {
      if (err instanceof ProjectError) throw new UsageError(err.message);
      throw err;
    }
    for (const problem of result.configProblems) console.error(`fiberlet: check: ${problem} (analysed anyway)`);
    console.log(formatFindings(result, format));
    return result.errors ? EXIT.failed : EXIT.ok;
  },
};

function parseArgs(args: string[]) {
  let target: string | undefined;
  let fix = false;
  let browser: boolean | undefined;
  let format: "text" | "json" | "sarif" = "text";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--fix") fix = true;
    else if (a === "--browser") browser = true;
    else if (a === "--format" || a.startsWith("--format=")) {
      const value = a === "--format" ? args[++i] : a.slice("--format=".length);
      if (value !== "text" && value !== "json" && value !== "sarif") throw new UsageError(`check: --format is text, json or sarif (got ${value ?? "nothing"})`);
      format = value;
    } else if (a.startsWith("-")) throw new UsageError(`check: unknown option ${a}`);
    else if (target === undefined) target = a;
    else throw new UsageError(`check: one project only (got ${target} and ${a})`);
  }
  return { target: target ?? ".", fix, format, browser };
}
