/**
 * Findings: what the analysis means for a stackless fiber, each at a source
 * position with one line saying what goes wrong and one saying the fix.
 *
 *   missing-mark    (1, error)   may suspend, not marked, called from marked code
 *   callback        (2, error)   a callback that may suspend, passed to code that is not marked
 *   unmarkable      (3, error)   may suspend inside a getter, setter, generator, async
 *                                function, field initializer or static block
 *   needless-mark   (4, hint)    a "use fiber" that can never matter
 *   stackful-only   (5, error)   browsers: an unmarked fiber target that may suspend
 *   unknown-callee  (warning)    a call the checker cannot see, where it could break a fiber
 */
import type { Callbacks } from "./callbacks.js";
import type { CallGraph, CallSite } from "./graph.js";
import type { TS } from "./project.js";
import { type Suspension, chain } from "./suspend.js";
import type { Unit, Units } from "./units.js";

export type FindingCode = "missing-mark" | "callback" | "unmarkable" | "needless-mark" | "stackful-only" | "unknown-callee";
export type Severity = "error" | "warning" | "hint";

export const SEVERITY: Record<FindingCode, Severity> = {
  "missing-mark": "error",
  callback: "error",
  unmarkable: "error",
  "needless-mark": "hint",
  "stackful-only": "error",
  "unknown-callee": "warning",
};

/** What --fix can do about a finding. */
export type Remedy =
  | { kind: "mark"; unit: Unit }
  | { kind: "unmark"; unit: Unit; directive: TS.ExpressionStatement }
  | { kind: "for-of"; site: CallSite };

export interface Finding {
  code: FindingCode;
  severity: Severity;
  file: string;
  /** 1-based, as editors count. */
  line: number;
  column: number;
  message: string;
  fix: string;
  remedy?: Remedy;
}

export interface ReportOptions {
  /** The project runs in browsers: no stackful fibers to fall back on. */
  browser: boolean;
}

const UNMARKABLE: Record<string, string> = {
  getter: "a getter is never transformed",
  setter: "a setter is never transformed",
  generator: "a generator body is never transformed",
  async: "an async function body is never transformed",
  field: "a class field initializer runs while the object is built, in no frame that can be marked",
  "static-block": "a static block runs while the class is built, in no frame that can be marked",
};

export function report(
  ts: typeof TS,
  units: Units,
  graph: CallGraph,
  callbacks: Callbacks,
  s: Suspension,
  options: ReportOptions,
): Finding[] {
  const findings: Finding[] = [];
  const callees = (site: CallSite) => callbacks.resolved(site).units;
  const why = (u: Unit) => chain(s, callees, u);
  const at = (node: TS.Node) => {
    const file = node.getSourceFile();
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return { file: file.fileName, line: line + 1, column: character + 1 };
  };
  const where = (node: TS.Node) => {
    const p = at(node);
    return `${p.file.slice(p.file.lastIndexOf("/") + 1)}:${p.line}:${p.column}`;
  };
  const add = (code: FindingCode, node: TS.Node, message: string, fix: string, remedy?: Remedy) =>
    findings.push({ code, severity: SEVERITY[code], ...at(node), message, fix, remedy });

  // 1: must be marked, is not.
  for (const [u, site] of s.required) {
    if (u.marked || !u.eligible || !site) continue; // no site: an unmarked browser target, report 5
    const from = `${site.from.marked ? "marked " : ""}${site.from.name} calls it (${where(site.node)})`;
    add(
      "missing-mark",
      nameNode(ts, u),
      `${u.name} may suspend (${why(u)}) but is not marked, and ${from}: a switch through it throws "cannot suspend this fiber"`,
      `add "use fiber" as the first statement of ${u.name}`,
      { kind: "mark", unit: u },
    );
  }

  // 2 and unknown callees: calls made by code a stackless fiber runs.
  for (const site of graph.sites) {
    const inFiber = s.running.has(site.from);
    const r = callbacks.resolved(site);
    if (inFiber && !site.target.fiberEntry && !site.target.primitive) {
      site.args.forEach((arg) => {
        const suspending = [...callbacks.valuesOf(arg)].find((c) => s.verdict(c) === "may");
        if (!suspending) return;
        const enters = r.units.has(suspending);
        if (enters && !site.target.external && !r.unknown) return; // a project function calls it: edges of the graph
        const callee = site.target.external ? `\`${site.target.external}\`` : `\`${site.text}\``;
        if (site.target.external) {
          const forEach = site.target.external === "Array.forEach" || site.target.external === "ReadonlyArray.forEach";
          add(
            "callback",
            arg,
            `this callback may suspend (${why(suspending)}) but ${callee} calls it, which is not marked: the switch throws "cannot suspend this fiber"`,
            forEach
              ? "loop with for-of in marked code instead of forEach"
              : `call it from marked code instead of through ${callee}, or run this fiber stackful (Node)`,
            forEach ? { kind: "for-of", site } : undefined,
          );
        } else if (r.unknown && !r.units.size) {
          add(
            "unknown-callee",
            arg,
            `this callback may suspend (${why(suspending)}) and is passed to ${callee}, which the checker cannot see: ${r.unknown}`,
            `give ${callee} a type, or make sure it is marked code that calls the callback directly`,
          );
        }
      });
    }
    // An unmarked unit that marked code runs, calling what nobody can see.
    if (r.unknown && !site.from.marked && s.running.has(site.from) && s.verdict(site.from) !== "may" && site.from.kind !== "module") {
      add(
        "unknown-callee",
        site.node,
        `cannot tell whether this call may suspend (${r.unknown}); ${site.from.name} is not marked and a stackless fiber runs it`,
        `give it a type, or add "use fiber" to ${site.from.name} if it can switch`,
      );
    }
  }

  // 3: suspensions where no mark can help.
  for (const u of units.all) {
    if (u.kind === "module" || u.eligible || s.verdict(u) !== "may") continue;
    // Accessors and generator bodies are entered by property reads and
    // iteration, which the graph does not follow.
    if (u.kind !== "getter" && u.kind !== "setter" && u.kind !== "generator" && !s.running.has(u)) continue;
    add(
      "unmarkable",
      nameNode(ts, u),
      `${u.name} may suspend (${why(u)}), but ${UNMARKABLE[u.kind]}: in a stackless fiber the switch throws "cannot suspend this fiber"`,
      u.kind === "field" || u.kind === "static-block"
        ? "do the work that switches in a marked constructor or method instead"
        : `turn it into a plain marked function or method (${u.kind === "async" ? "waitFor instead of await" : "called explicitly"})`,
    );
  }

  // 4: directives that never matter.
  const holders = units.all.filter((u) => u.directive);
  const scopeOf = new Map<Unit, Unit[]>(holders.map((h) => [h, []]));
  for (const u of units.all) {
    if (!u.eligible || !u.marked) continue;
    let h: Unit | null = u;
    while (h && !h.directive) h = h.parent;
    if (h) scopeOf.get(h)!.push(u);
  }
  for (const h of holders) {
    const redundant = h.kind !== "module" && h.parent?.inMarkedScope;
    const matters = scopeOf.get(h)!.some((u) => s.verdict(u) !== "never" || callbacks.fiberTargets.has(u) || s.required.has(u));
    if (!redundant && matters) continue;
    const what = h.kind === "module" ? "this module's \"use fiber\"" : `"use fiber" in ${h.name}`;
    add(
      "needless-mark",
      h.directive!,
      redundant ? `${what} is redundant: the code around it is marked already` : `${what} never matters: nothing it marks can suspend or runs as a fiber's target`,
      "remove the directive (smaller, faster output)",
      { kind: "unmark", unit: h, directive: h.directive! },
    );
  }

  // 5: browsers have no stackful backend to run an unmarked target.
  if (options.browser) {
    for (const [u, site] of callbacks.fiberTargets) {
      if (u.marked || s.verdict(u) !== "may" || !u.eligible) continue;
      add(
        "stackful-only",
        nameNode(ts, u),
        `fiber target ${u.name} (${where(site.node)}) may suspend (${why(u)}) but is not marked: on Node it runs stackful, in a browser it is stackless and its switch throws`,
        `add "use fiber" as the first statement of ${u.name}`,
        { kind: "mark", unit: u },
      );
    }
  }

  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
}

/** Where a unit is reported: its name, or where it starts. */
function nameNode(ts: typeof TS, u: Unit): TS.Node {
  const name = (u.node as { name?: TS.Node }).name;
  if (name) return name;
  if (ts.isConstructorDeclaration(u.node)) return u.node.getFirstToken() ?? u.node;
  return u.node;
}
