/**
 * Callbacks: a call of a parameter enters whatever functions are passed for
 * it. `walk(tree, (leaf) => consumer.switch(leaf))` makes walk's `emit(node)`
 * a call of that arrow, and `walk(child, emit)` inside walk passes it on.
 * Computed as a least fixed point over every call site whose callee is
 * known (flow-insensitive: a parameter may be any function ever passed).
 *
 * A parameter of an exported function may also receive functions from code
 * outside the project: its calls stay partly unknown.
 */
import type { CallGraph, CallSite } from "./graph.js";
import type { TS } from "./project.js";
import { type ParamRef, emptyTarget, skipOuter } from "./resolve.js";
import type { Unit } from "./units.js";

/** What a call site may enter once callbacks are known. */
export interface Resolved {
  units: Set<Unit>;
  /** Why part of the callee is unknown, or null. */
  unknown: string | null;
}

export interface Callbacks {
  resolved(site: CallSite): Resolved;
  /** The functions a value (an argument) may be. */
  valuesOf(arg: TS.Expression): Set<Unit>;
  /** Fiber targets, parameters included (`go(fn) { new Fiber({ target: fn }) }`). */
  fiberTargets: Map<Unit, CallSite>;
}

export function bindCallbacks(ts: typeof TS, graph: CallGraph): Callbacks {
  const bindings = new Map<string, Set<Unit>>();
  const key = (p: ParamRef) => `${p.unit.id}:${p.index}`;
  const argCache = new Map<TS.Expression, { units: Set<Unit>; params: ParamRef[] }>();
  const argValue = (arg: TS.Expression) => {
    let v = argCache.get(arg);
    if (!v) {
      const e = skipOuter(ts, arg);
      // Only what can name a function: literals and calls are never followed.
      const named = ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isElementAccessExpression(e);
      const t = named ? graph.resolver.value(e, emptyTarget(), 0) : emptyTarget();
      v = { units: t.units, params: t.params };
      argCache.set(arg, v);
    }
    return v;
  };
  const valuesOf = (arg: TS.Expression): Set<Unit> => {
    const v = argValue(arg);
    const out = new Set(v.units);
    for (const p of v.params) for (const u of bindings.get(key(p)) ?? []) out.add(u);
    return out;
  };
  const calleesOf = (site: CallSite): Set<Unit> => {
    const out = new Set(site.target.units);
    for (const p of site.target.params) for (const u of bindings.get(key(p)) ?? []) out.add(u);
    return out;
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const site of graph.sites) {
      if (!site.args.length) continue;
      for (const callee of calleesOf(site)) {
        site.args.forEach((arg, i) => {
          if (ts.isSpreadElement(arg)) return;
          const values = valuesOf(arg);
          if (!values.size) return;
          const k = key({ unit: callee, index: i });
          let set = bindings.get(k);
          if (!set) bindings.set(k, (set = new Set()));
          for (const u of values) {
            if (!set.has(u)) {
              set.add(u);
              changed = true;
            }
          }
        });
      }
    }
  }

  const resolved = (site: CallSite): Resolved => {
    let unknown = site.target.unknown;
    for (const p of site.target.params) {
      const name = (p.unit.node as TS.SignatureDeclaration).parameters[p.index]?.name.getText() ?? "?";
      if (!bindings.get(key(p))?.size) unknown ??= `\`${name}\` is a parameter of ${p.unit.name} and no function passed for it was found`;
      else if (isExported(ts, p.unit)) unknown ??= `\`${name}\` is a parameter of exported ${p.unit.name}, which code outside the project may call`;
    }
    return { units: calleesOf(site), unknown };
  };

  const fiberTargets = new Map<Unit, CallSite>();
  for (const site of graph.sites) {
    if (!site.target.fiberEntry || !site.args[0]) continue;
    const first = skipOuter(ts, site.args[0]);
    let fn: TS.Expression | undefined = first;
    if (ts.isObjectLiteralExpression(first)) {
      const prop = first.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === "target");
      fn = prop && ts.isPropertyAssignment(prop) ? prop.initializer : prop && ts.isShorthandPropertyAssignment(prop) ? prop.name : undefined;
    }
    if (fn) for (const u of valuesOf(fn)) if (!fiberTargets.has(u)) fiberTargets.set(u, site);
  }
  return { resolved, valuesOf, fiberTargets };
}

/** Can code outside the project call this unit (an exported function, or a
 * method or constructor of an exported class)? */
function isExported(ts: typeof TS, unit: Unit): boolean {
  let node: TS.Node = unit.node;
  if (ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) node = node.parent;
  else if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) node = node.parent.parent.parent;
  const mods = (node as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}
