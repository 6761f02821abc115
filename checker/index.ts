/**
 * fiberlet/check: the whole-program, typed version of the plugin's own
 * analysis (babel-plugin/quiet.ts looks at one module at a time). It proves
 * where a stackless switch can fail and computes the marking a project
 * needs:
 *
 *   project.ts (ts-morph, behind an interface) -> units.ts -> graph.ts with
 *   resolve.ts -> callbacks.ts -> suspend.ts (fixed point) -> reports.ts
 *   -> fix.ts (--fix) / format.ts (text, json, sarif)
 */
import { bindCallbacks } from "./callbacks.js";
import { planFix } from "./fix.js";
import { buildGraph } from "./graph.js";
import { type CheckProject, ProjectError, openProject } from "./project.js";
import { type Finding, report } from "./reports.js";
import { analyse } from "./suspend.js";
import { collectUnits } from "./units.js";

export type { Finding, FindingCode, Severity } from "./reports.js";
export { ProjectError };
export { formatFindings, type Format } from "./format.js";

export interface CheckOptions {
  /** Apply the fixes (adds and removes "use fiber", rewrites forEach): written only if all of them succeed. */
  fix?: boolean;
  /** Treat the project as running in browsers (report 5); default: its tsconfig's `lib` includes "DOM". */
  browser?: boolean;
}

export interface CheckResult {
  /** The directory paths are relative to in reports. */
  root: string;
  findings: Finding[];
  /** Problems in the configuration (an option this compiler does not know, ...). */
  configProblems: string[];
  /** Files analysed. */
  files: number;
  /** With fix: the files written (absolute paths) and what was changed. */
  fixed?: { files: string[]; marked: number; unmarked: number; loops: number };
  /** Errors among the findings: the CLI exits 1 when there is any. */
  errors: number;
}

/** Checks the project of `target`: a tsconfig.json, or a directory. */
export function check(target: string, options: CheckOptions = {}): CheckResult {
  let project = openProject(target);
  const browser = options.browser ?? usesDom(project);
  let findings = analyseProject(project, browser);
  let fixed: CheckResult["fixed"];
  if (options.fix) {
    const plan = planFix(project.ts, project.checker, findings);
    if (plan.edits.length) {
      const next = project.withEdits(plan.edits);
      const after = analyseProject(next, browser);
      // Saved only when the fix did all it set out to: nothing left to mark.
      const left = after.filter((f) => f.code === "missing-mark" || f.code === "stackful-only");
      if (left.length) {
        throw new Error(`check --fix: ${left.length} function(s) still need marking after the fix (${left[0].file}:${left[0].line}); nothing was written`);
      }
      next.save();
      project = next;
      findings = after;
      fixed = { files: plan.files, marked: plan.marked, unmarked: plan.unmarked, loops: plan.loops };
    } else fixed = { files: [], marked: 0, unmarked: 0, loops: 0 };
  }
  return {
    root: project.root,
    findings,
    configProblems: project.configProblems,
    files: project.files.length,
    fixed,
    errors: findings.filter((f) => f.severity === "error").length,
  };
}

function analyseProject(project: CheckProject, browser: boolean): Finding[] {
  const { ts, checker, files } = project;
  const units = collectUnits(ts, files);
  const graph = buildGraph(ts, checker, units);
  const callbacks = bindCallbacks(ts, graph);
  const suspension = analyse(units, graph, callbacks, { browser });
  return report(ts, units, graph, callbacks, suspension, { browser });
}

function usesDom(project: CheckProject): boolean {
  const lib = project.program.getCompilerOptions().lib;
  return !!lib?.some((l) => /(^|[/.])dom([.]|$)/i.test(l));
}
