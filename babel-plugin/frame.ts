/**
 * Frame layout of one normalized marked function: its slots (one per local
 * binding, temp, and saved `this`/`arguments`/`new.target`), which variables
 * live in shared boxes, the numbering of its call sites, and which bindings
 * hold a value at each call site (the rest are in their temporal dead zone).
 */
import type { NodePath } from "@babel/core";
import type { Binding, Scope } from "@babel/traverse";
import { types as t } from "@babel/core";
import type { Site } from "./normalize.js";
import { functionOf, skipFunction } from "./sites.js";

export interface Slot {
  key: string;
  /** Name in the function body; null for this/arguments/new.target. */
  binding: Binding | null;
  name: string;
  /** Restored at the top of the resume function (function-scoped). */
  functionScoped: boolean;
}

export interface SitePlan extends Site {
  k: number;
  path: NodePath<t.ExpressionStatement>;
  /** Slots holding a value at this site. */
  live: Set<Slot>;
}

export interface Frame {
  slots: Slot[];
  slotOf: Map<Binding, Slot>;
  sites: SitePlan[];
  siteOf: Map<t.Node, SitePlan>;
  /** Lowest and highest call-site number inside each statement. */
  range: WeakMap<t.Node, [number, number]>;
  usesThis: boolean;
  usesArguments: boolean;
  usesNewTarget: boolean;
  /** Some `finally` guards code with a call site: a capture must not run it. */
  guardedFinally: boolean;
}

export const THIS_SLOT = "this";
export const ARGS_SLOT = "arguments";
export const NEW_TARGET_SLOT = "newTarget";

/** Scopes of `fn` itself and its blocks (not nested functions). */
function ownScopes(fn: NodePath<t.Function>): Scope[] {
  const scopes = new Set<Scope>([fn.scope]);
  fn.get("body").traverse({
    Function(p) {
      p.skip();
    },
    Scopable(p) {
      // A class's own scope only holds its inner name, not a local of ours.
      if (!p.isClass()) scopes.add(p.scope);
    },
  });
  return [...scopes];
}

/** Gives every binding of the function a distinct name, so that no binding
 * shadows another one that a call site must save. */
export function renameShadowed(fn: NodePath<t.Function>): void {
  const seen = new Set<string>();
  for (const scope of ownScopes(fn)) {
    for (const name of Object.keys(scope.bindings)) {
      const binding = scope.bindings[name];
      if (binding.kind === "local" || binding.kind === "module") continue;
      if (seen.has(name)) scope.rename(name, fn.scope.generateUid(name));
      else seen.add(binding.identifier.name);
    }
  }
}

function referencedFromNestedFunction(binding: Binding, fn: NodePath<t.Function>): boolean {
  const inner = (p: NodePath): boolean => functionOf(p) !== fn;
  return binding.referencePaths.some(inner) || binding.constantViolations.some(inner);
}

/**
 * Variables that a nested function captures and that are assigned after
 * their declaration live in a box `{ v }`: a closure created before a
 * suspension must see the same variable as the resumed frame.
 */
export function boxCapturedVariables(fn: NodePath<t.Function>): boolean {
  let boxed = false;
  for (const scope of ownScopes(fn)) {
    for (const binding of Object.values(scope.bindings) as Binding[]) {
      if (!["var", "let", "param"].includes(binding.kind)) continue;
      const violations = binding.constantViolations.filter((p: NodePath) => !(p.isVariableDeclarator() && p.node.id === binding.identifier));
      if (violations.length === 0 || !referencedFromNestedFunction(binding, fn)) continue;
      box(binding, fn);
      boxed = true;
    }
  }
  return boxed;
}

function box(binding: Binding, fn: NodePath<t.Function>): void {
  const name = binding.identifier.name;
  const boxed = (value: t.Expression) => t.objectExpression([t.objectProperty(t.identifier("v"), value)]);
  const read = () => t.memberExpression(t.identifier(name), t.identifier("v"));
  // Snapshot: each replacement registers new references while we iterate.
  const refs = [...binding.referencePaths];
  const violations = [...binding.constantViolations];
  for (const ref of refs) if (ref.isIdentifier({ name })) ref.replaceWith(read());
  for (const v of violations) {
    if (v.isAssignmentExpression() || v.isUpdateExpression()) {
      const target = v.isAssignmentExpression() ? v.get("left") : v.get("argument");
      if (target.isIdentifier({ name })) target.replaceWith(read());
      else if (target.isPattern()) target.traverse({
        Identifier(p) {
          if (p.node.name === name && p.scope.getBinding(name) === binding && p.isBindingIdentifier()) {
            p.replaceWith(read());
            p.skip();
          }
        },
      });
    }
  }
  const decl = binding.path;
  if (binding.kind === "param") {
    const body = fn.get("body") as NodePath<t.BlockStatement>;
    body.unshiftContainer("body", t.expressionStatement(t.assignmentExpression("=", t.identifier(name), boxed(t.identifier(name)))));
    return;
  }
  if (decl.isVariableDeclarator()) {
    const init = decl.node.init ?? t.identifier("undefined");
    decl.get("init").replaceWith(boxed(init));
    // A for-let loop copies its bindings into each iteration: give each
    // iteration its own box, as the unboxed variable would have had.
    const loop = decl.parentPath.parentPath;
    if (loop?.isForStatement() && decl.parentPath.node === loop.node.init && (decl.parentPath.node as t.VariableDeclaration).kind !== "var") {
      const fresh = t.assignmentExpression("=", t.identifier(name), boxed(read()));
      loop.node.update = loop.node.update ? t.sequenceExpression([fresh, loop.node.update]) : fresh;
    }
  }
}

/** Numbers the call sites in source order and plans what each one saves. */
export function planFrame(
  fn: NodePath<t.Function>,
  sites: Map<t.ExpressionStatement, Site>,
  resumeNames: Set<string>,
  temps: Set<string>,
  constructorLike: boolean,
): Frame {
  const slots: Slot[] = [];
  const slotOf = new Map<Binding, Slot>();
  const keys = new Set<string>();
  const addSlot = (name: string, binding: Binding | null, functionScoped: boolean): Slot => {
    let key = name;
    for (let i = 2; keys.has(key); i++) key = `${name}$${i}`;
    keys.add(key);
    const slot = { key, binding, name, functionScoped };
    slots.push(slot);
    if (binding) slotOf.set(binding, slot);
    return slot;
  };
  for (const scope of ownScopes(fn)) {
    for (const binding of Object.values(scope.bindings) as Binding[]) {
      if (binding.kind === "local" || binding.kind === "module" || resumeNames.has(binding.identifier.name)) continue;
      const functionScoped = binding.kind === "var" || binding.kind === "param" ||
        (binding.kind === "hoisted" && scope === fn.scope);
      addSlot(binding.identifier.name, binding, functionScoped);
    }
  }
  let usesThis = false;
  let usesArguments = false;
  let usesNewTarget = false;
  const planned: SitePlan[] = [];
  const siteOf = new Map<t.Node, SitePlan>();
  fn.get("body").traverse({
    Function(p) {
      if (!p.isArrowFunctionExpression()) skipFunction(p);
    },
    ThisExpression() {
      usesThis = true;
    },
    Identifier(p) {
      if (p.node.name === "arguments" && p.isReferencedIdentifier() && !p.scope.getBinding("arguments")) usesArguments = true;
    },
    MetaProperty(p) {
      if (p.node.meta.name === "new") usesNewTarget = true;
    },
    ExpressionStatement(p) {
      if (functionOf(p) !== fn) return;
      const site = sites.get(p.node);
      if (!site) return;
      const plan: SitePlan = { ...site, k: planned.length + 1, path: p, live: new Set() };
      planned.push(plan);
      siteOf.set(p.node, plan);
    },
  });
  // A frame that may belong to `new` keeps its `this` and `new.target` to
  // finish the construction when resumed.
  if (constructorLike && planned.length) {
    usesThis = true;
    usesNewTarget = true;
  }
  const liveNames = slotLiveness(fn, planned, new Set(slots.map((slot) => slot.name)), temps);
  // A temp gets a slot only if some call site must save it.
  for (let i = slots.length - 1; i >= 0; i--) {
    const slot = slots[i];
    if (temps.has(slot.name) && !planned.some((plan) => liveNames.get(plan)!.has(slot.name))) {
      slots.splice(i, 1);
      slotOf.delete(slot.binding!);
    }
  }
  if (usesThis) addSlot(THIS_SLOT, null, true);
  if (usesArguments) addSlot(ARGS_SLOT, null, true);
  if (usesNewTarget) addSlot(NEW_TARGET_SLOT, null, true);
  for (const plan of planned) {
    const live = liveNames.get(plan)!;
    for (const slot of slots) {
      const needed = live.has(slot.binding ? slot.name : slot.key) ||
        // A constructor's `this` and `new.target` finish the construction.
        (constructorLike && !slot.binding && slot.key !== ARGS_SLOT) ||
        // The arguments object may alias a parameter.
        (usesArguments && slot.binding?.kind === "param");
      if (!needed) continue;
      if (!slot.binding || slot.functionScoped || isInitializedAt(slot.binding, plan.path)) plan.live.add(slot);
    }
  }
  const range = new WeakMap<t.Node, [number, number]>();
  for (const plan of planned) {
    for (let p: NodePath | null = plan.path; p && p !== fn; p = p.parentPath) {
      const r = range.get(p.node);
      if (r) {
        r[0] = Math.min(r[0], plan.k);
        r[1] = Math.max(r[1], plan.k);
      } else range.set(p.node, [plan.k, plan.k]);
    }
  }
  let guardedFinally = false;
  fn.get("body").traverse({
    Function(p) {
      skipFunction(p);
    },
    TryStatement(p) {
      const { block, handler, finalizer } = p.node;
      if (finalizer && (range.has(block) || (handler && range.has(handler)))) guardedFinally = true;
    },
  });
  return { slots, slotOf, sites: planned, siteOf, range, usesThis, usesArguments, usesNewTarget, guardedFinally };
}

/** Is a block-scoped binding initialized when control is at `at`? */
function isInitializedAt(binding: Binding, at: NodePath): boolean {
  let inScope = false;
  for (let s: Scope | undefined = at.scope; s; s = s.parent) {
    if (s === binding.scope) {
      inScope = true;
      break;
    }
  }
  if (!inScope) return false;
  if (binding.kind === "hoisted" || binding.path.isCatchClause()) return true;
  const decl = binding.path.isVariableDeclarator() ? binding.path.parentPath! : binding.path;
  if (decl.parentPath?.isFor() || decl.parentPath?.isForXStatement()) return true;
  for (let p: NodePath | null = at; p; p = p.parentPath) {
    if (p.parentPath === decl.parentPath && p.listKey === decl.listKey && p.container === decl.container) {
      return (p.key as number) > (decl.key as number);
    }
  }
  // Declared in another case of the same switch: whether it ran depends on
  // the path taken; treat it as uninitialized.
  return false;
}

/**
 * What a call site must save: the slots read again after it. A slot is live
 * at a site if it is referenced after the site, anywhere in a loop around the
 * site (the loop may come back to it), or from a nested function (a closure
 * may read it at any time). A temp must also have been assigned before the
 * site. Saving only these keeps the cold capture path from holding values
 * the hot path no longer needs.
 */
function slotLiveness(
  fn: NodePath<t.Function>,
  plans: SitePlan[],
  names: Set<string>,
  temps: Set<string>,
): Map<SitePlan, Set<string>> {
  let clock = 0;
  const firstDef = new Map<string, number>();
  const lastUse = new Map<string, number>();
  const captured = new Set<string>();
  const span = new Map<t.Node, [number, number]>();
  const loopRefs = new Map<t.Node, Set<string>>();
  const loopStart = new Map<t.Node, number>();
  const openLoops: Set<string>[] = [];
  const nameOf = (p: NodePath): string | null => {
    if (p.isThisExpression()) return THIS_SLOT;
    if (p.isMetaProperty() && p.node.meta.name === "new") return NEW_TARGET_SLOT;
    if (!p.isIdentifier() || !(names.has(p.node.name) || p.node.name === "arguments")) return null;
    const parent = p.parentPath;
    if ((parent.isMemberExpression() || parent.isOptionalMemberExpression()) && parent.node.property === p.node && !parent.node.computed) return null;
    if ((parent.isObjectProperty() || parent.isObjectMethod() || parent.isClassMethod() || parent.isClassProperty()) && (parent.node as { key: t.Node }).key === p.node && !(parent.node as { computed?: boolean }).computed) {
      return parent.isObjectProperty() && (parent.node as t.ObjectProperty).shorthand ? p.node.name : null;
    }
    if (parent.isLabeledStatement() || parent.isBreakStatement() || parent.isContinueStatement()) return null;
    return p.node.name === "arguments" ? ARGS_SLOT : p.node.name;
  };
  // References inside nested functions: those slots are always live.
  fn.get("body").traverse({
    Function(inner) {
      inner.traverse({
        enter(p) {
          if (p.isFunction() && !p.isArrowFunctionExpression()) {
            // `this`/`arguments`/`new.target` of a non-arrow are its own.
            p.traverse({
              Identifier(q) {
                const name = nameOf(q);
                if (name && name !== ARGS_SLOT) captured.add(name);
              },
            });
            p.skip();
            return;
          }
          const name = nameOf(p);
          if (name) captured.add(name);
        },
      });
      inner.skip();
    },
  });
  fn.get("body").traverse({
    enter(p) {
      if (p.isFunction()) {
        skipFunction(p);
        return;
      }
      const start = clock++;
      span.set(p.node, [start, start]);
      // A loop starts repeating after its init: where its test, update or
      // body begins.
      const parent = p.parentPath;
      if (parent?.isLoop() && p.key !== "init" && !loopStart.has(parent.node)) loopStart.set(parent.node, start);
      if (p.isLoop()) {
        const set = new Set<string>();
        loopRefs.set(p.node, set);
        openLoops.push(set);
      }
      const name = nameOf(p);
      if (name) {
        const isDef = p.parentPath!.isAssignmentExpression({ left: p.node }) && p.parentPath!.node.operator === "=";
        if (isDef) {
          if (!firstDef.has(name)) firstDef.set(name, start);
        } else lastUse.set(name, start);
        for (const set of openLoops) set.add(name);
      }
    },
    exit(p) {
      const s = span.get(p.node);
      if (s) s[1] = clock++;
      if (p.isLoop()) openLoops.pop();
    },
  });
  const result = new Map<SitePlan, Set<string>>();
  for (const plan of plans) {
    const [start, end] = span.get(plan.path.node)!;
    const live = new Set<string>();
    const inLoops = new Set<string>();
    for (let p: NodePath | null = plan.path.parentPath; p && p !== fn; p = p.parentPath) {
      const set = loopRefs.get(p.node);
      if (!set) continue;
      for (const name of set) {
        // A temp first assigned inside the loop is assigned again before its
        // next read in a later iteration.
        if (temps.has(name) && (firstDef.get(name) ?? -1) > loopStart.get(p.node)!) continue;
        inLoops.add(name);
      }
    }
    for (const name of [...names, THIS_SLOT, ARGS_SLOT, NEW_TARGET_SLOT]) {
      if (name === plan.temp.name) continue;
      if (temps.has(name)) {
        const def = firstDef.get(name);
        if (def === undefined || def > start) continue;
      }
      if (captured.has(name) || (lastUse.get(name) ?? -1) > end || inLoops.has(name)) live.add(name);
    }
    result.set(plan, live);
  }
  return result;
}
