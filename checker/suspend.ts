/**
 * May a unit suspend? A least fixed point over the call graph on the
 * lattice never < unknown < may: a unit may suspend if it calls fiberlet's
 * switch/throw/waitFor or a unit that may; it is unknown if it calls
 * something the checker cannot see (and nothing that surely may). Unknown is
 * never treated as safe: it keeps a mark (no hint to remove it) and is
 * reported where it could break a fiber.
 *
 * Then what marking needs: every unit on a path of calls from a stackless
 * fiber's target to a suspension must be marked ("required"), since a
 * stackless switch saves only marked frames. That is the marking --fix
 * writes, and nothing more. A switch in code only the main fiber (or a
 * stackful fiber) runs needs no mark: it suspends no stackless frame.
 */
import type { Callbacks } from "./callbacks.js";
import type { CallGraph, CallSite } from "./graph.js";
import type { Unit, Units } from "./units.js";

export type Verdict = "never" | "unknown" | "may";
const RANK: Record<Verdict, number> = { never: 0, unknown: 1, may: 2 };

export interface Suspension {
  verdict(u: Unit): Verdict;
  /** For a unit that may suspend: the call that makes it so. */
  witness(u: Unit): CallSite | undefined;
  /** Units that must be marked, each with the call from marked (or required) code that reaches it. */
  required: Map<Unit, CallSite | null>;
  /** Units a stackless fiber may run (from its target, through known calls). */
  running: Set<Unit>;
}

export function analyse(units: Units, graph: CallGraph, callbacks: Callbacks, options: { browser: boolean }): Suspension {
  const verdict = new Map<Unit, Verdict>();
  const witness = new Map<Unit, CallSite>();
  const callers = new Map<Unit, CallSite[]>();
  const calleesOf = new Map<CallSite, Set<Unit>>();
  const work: Unit[] = [];
  const raise = (u: Unit, v: Verdict, why: CallSite) => {
    const old = verdict.get(u) ?? "never";
    if (RANK[v] <= RANK[old]) return;
    verdict.set(u, v);
    if (v === "may") witness.set(u, why);
    work.push(u);
  };

  for (const site of graph.sites) {
    const r = callbacks.resolved(site);
    calleesOf.set(site, r.units);
    for (const c of r.units) (callers.get(c) ?? callers.set(c, []).get(c)!).push(site);
  }
  for (const site of graph.sites) {
    if (site.target.primitive) raise(site.from, "may", site);
    else if (callbacks.resolved(site).unknown) raise(site.from, "unknown", site);
  }
  while (work.length) {
    const u = work.pop()!;
    const v = verdict.get(u)!;
    for (const site of callers.get(u) ?? []) raise(site.from, v, site);
  }
  const verdictOf = (u: Unit): Verdict => verdict.get(u) ?? "never";

  // What stackless fibers run: from each fiber target that is marked (or
  // that will be, in a browser), every unit it may call. A project that
  // starts no fibers itself (a library) is checked as if every marked
  // function ran in one.
  const targets = [...callbacks.fiberTargets.keys()].filter((u) => u.marked || (options.browser && u.eligible));
  const roots = targets.length ? targets : units.all.filter((u) => u.marked);
  const running = new Set<Unit>(roots);
  const runQueue = [...roots];
  while (runQueue.length) {
    const u = runQueue.pop()!;
    for (const site of graph.sitesOf.get(u) ?? []) {
      for (const c of calleesOf.get(site)!) {
        if (!running.has(c)) {
          running.add(c);
          runQueue.push(c);
        }
      }
    }
  }
  // Every unit on a path of calls from a root to a suspension must be marked.
  const required = new Map<Unit, CallSite | null>();
  const queue: Unit[] = [];
  for (const u of roots) {
    if (verdictOf(u) === "may") {
      required.set(u, null);
      queue.push(u);
    }
  }
  while (queue.length) {
    const u = queue.shift()!;
    for (const site of graph.sitesOf.get(u) ?? []) {
      for (const c of calleesOf.get(site)!) {
        if (verdictOf(c) === "may" && !required.has(c)) {
          required.set(c, site);
          queue.push(c);
        }
      }
    }
  }
  return { verdict: verdictOf, witness: (u) => witness.get(u), required, running };
}

/** The chain of calls from `u` to a suspension: `walk -> emit -> Fiber#switch`. */
export function chain(s: Suspension, callees: (site: CallSite) => Set<Unit>, u: Unit): string {
  const names: string[] = [];
  const seen = new Set<Unit>();
  for (let at: Unit | undefined = u; at && !seen.has(at) && names.length < 6; ) {
    seen.add(at);
    const site = s.witness(at);
    if (!site) break;
    if (site.target.primitive) {
      names.push(site.target.primitive === "waitFor" ? "waitFor" : `${site.text.replace(/\.(switch|throw)$/, "")}.${site.target.primitive.slice(6)}`);
      break;
    }
    const next: Unit | undefined = [...callees(site)].find((c) => s.verdict(c) === "may" && !seen.has(c));
    names.push(next?.name ?? site.text);
    at = next;
  }
  return names.join(" -> ");
}
