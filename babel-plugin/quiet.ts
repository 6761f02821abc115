/**
 * Marked functions that can never suspend ("quiet"): every call they make
 * (nested functions not counted) is plain or enters a known function of the
 * module that is quiet itself, and they iterate nothing explicitly (a for-of,
 * spread or array pattern may call a marked next()). A quiet function is
 * emitted exactly as written: no prologue, no brand, no resume copy. That
 * keeps the protocol: a call site entering it stores its (absent) brand, so
 * the entry flag stays falsy while it runs, and it never sees the sentinel.
 *
 * Computed as a greatest fixed point over the module's call graph, so
 * functions that only call each other (recursion) are quiet: only a call of
 * an unknown callee or an iteration can start a suspension, and it makes its
 * function and every known caller of it loud.
 */
import type { NodePath } from "@babel/core";
import { types as t } from "@babel/core";
import { type SiteFacts, classifyCalls, hasForOf, hasUnknownSite } from "./sites.js";

export function quietFunctions(
  marked: NodePath<t.Function>[],
  /** Is this declaration (function, class, private method) marked? */
  isMarkedDeclaration: (path: NodePath) => boolean,
  runtimeName: string,
): Set<t.Node> {
  const callers = new Map<t.Node, t.Node[]>();
  const loud: t.Node[] = [];
  for (const fn of marked) {
    const callees: t.Node[] = [];
    const facts: SiteFacts = classifyCalls(
      fn,
      (p) => {
        if (!isMarkedDeclaration(p)) return false;
        callees.push(calleeFunction(p));
        return true;
      },
      runtimeName,
      true,
    );
    const parts: t.Node[] = [...fn.node.params, fn.node.body];
    if (parts.some((part) => hasUnknownSite(part, facts) || hasForOf(part))) loud.push(fn.node);
    for (const callee of callees) {
      const list = callers.get(callee);
      if (list) list.push(fn.node);
      else callers.set(callee, [fn.node]);
    }
  }
  const isLoud = new Set<t.Node>();
  while (loud.length) {
    const fn = loud.pop()!;
    if (isLoud.has(fn)) continue;
    isLoud.add(fn);
    for (const caller of callers.get(fn) ?? []) loud.push(caller);
  }
  return new Set(marked.map((p) => p.node).filter((n) => !isLoud.has(n)));
}

/** The function a known callee's declaration runs: a class runs its
 * constructor (a class without one is never marked). */
export function calleeFunction(p: NodePath): t.Node {
  if (p.isClass()) return p.node.body.body.find((m) => t.isClassMethod(m) && m.kind === "constructor") ?? p.node;
  return p.node;
}
