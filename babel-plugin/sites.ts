/**
 * Which calls in a marked function are *call sites*: calls whose callee may be
 * a marked function and so may return the suspension sentinel. Only those are
 * rewritten; a call that can never suspend stays where it is, as fast as
 * unmarked code.
 *
 * A callee that is not marked can never return the sentinel: a switch from
 * unmarked code throws, and a marked function entered from unmarked code
 * refuses to suspend (docs/protocol.md, "Boundaries").
 */
import type { NodePath, Visitor } from "@babel/core";
import { types as t } from "@babel/core";
import { childNodes } from "./nodes.js";

/** Global namespaces whose methods are host or language builtins. */
const BUILTIN_NAMESPACES = new Set([
  "Math", "JSON", "Object", "Reflect", "Number", "String", "Array", "Symbol", "BigInt",
  "Date", "Promise", "Atomics", "Intl", "console", "Error", "Boolean", "ArrayBuffer",
]);
/** Global constructors that are builtins. */
const BUILTIN_CONSTRUCTORS = new Set([
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "Date", "Promise", "RegExp", "Error", "TypeError",
  "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError", "ArrayBuffer",
  "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
  "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
  "BigUint64Array", "Array", "Object", "Proxy", "URL", "URLSearchParams", "TextEncoder", "TextDecoder",
  "FinalizationRegistry", "AbortController", "Event", "EventTarget",
]);
/** Global functions that are builtins. */
const BUILTIN_FUNCTIONS = new Set([
  "parseInt", "parseFloat", "isNaN", "isFinite", "String", "Number", "Boolean", "Symbol",
  "BigInt", "Object", "Array", "Error", "TypeError", "RangeError", "encodeURIComponent",
  "decodeURIComponent", "encodeURI", "decodeURI", "require", "queueMicrotask", "setTimeout",
  "setImmediate", "setInterval", "clearTimeout", "clearInterval", "structuredClone",
]);

/**
 * Visits a nested function as opaque, except a method's computed key, which
 * is evaluated by the enclosing function (when the object or class is built).
 */
export function skipFunction(p: NodePath<t.Function>): void {
  if ((t.isObjectMethod(p.node) || t.isClassMethod(p.node)) && p.node.computed) {
    for (const key of ["params", "body", "returnType", "typeParameters", "decorators"]) p.skipKey(key);
  } else p.skip();
}

/** The function whose code `p` is part of (a method's computed key belongs
 * to the enclosing function, not to the method). */
export function functionOf(p: NodePath): NodePath<t.Function> | null {
  let child: NodePath = p;
  for (let parent = p.parentPath; parent; child = parent, parent = parent.parentPath) {
    if (parent.isFunction() && !(child.key === "key" && (parent.node as { computed?: boolean }).computed)) {
      return parent;
    }
  }
  return null;
}

/** "iteration": a spread or an array pattern, which call the iterator's
 * next() (maybe marked) implicitly; lowered to explicit call sites. */
export type CallKind = "site" | "marked-site" | "plain" | "iteration";

/** What the analysis of the original function body found, keyed by node (the
 * normalizer reuses the original nodes, so the facts survive the rewrite). */
export interface SiteFacts {
  kinds: WeakMap<t.Node, CallKind>;
  /** Identifiers whose binding is never reassigned: safe to read late. */
  stable: WeakSet<t.Identifier>;
}

export function classifyCalls(
  fn: NodePath<t.Function>,
  isMarkedDeclaration: (path: NodePath) => boolean,
  runtimeName: string,
  /** The parameters too, and an expression body itself (quiet.ts asks
   * before any rewriting; the transform asks once they are in the body). */
  whole = false,
): SiteFacts {
  const kinds = new WeakMap<t.Node, CallKind>();
  const stable = new WeakSet<t.Identifier>();
  const kindOf = (callee: NodePath): CallKind => {
    if (callee.isSuper() || callee.isImport()) return "plain";
    // A function expression or arrow this call certainly enters (an arrow
    // cannot be `new`ed: that call would throw after the site stored its
    // brand; generators and async functions are never marked).
    const enters = (f: NodePath<t.Node | null | undefined>) =>
      (f.isFunctionExpression() || (f.isArrowFunctionExpression() && !callee.parentPath!.isNewExpression())) && !f.node.generator && !f.node.async;
    // An immediately invoked function is known.
    if (enters(callee)) return isMarkedDeclaration(callee) ? "marked-site" : "plain";
    if (callee.isIdentifier()) {
      const binding = callee.scope.getBinding(callee.node.name);
      if (!binding) {
        const builtin = callee.parentPath.isNewExpression() ? BUILTIN_CONSTRUCTORS : BUILTIN_FUNCTIONS;
        return builtin.has(callee.node.name) ? "plain" : "site";
      }
      if (binding.constant && binding.kind === "hoisted" && binding.path.isFunctionDeclaration()) {
        const f = binding.path.node;
        if (f.generator || f.async) return "plain";
        return isMarkedDeclaration(binding.path) ? "marked-site" : "plain";
      }
      if (binding.constant && binding.path.isClassDeclaration() && callee.parentPath.isNewExpression()) {
        return isMarkedDeclaration(binding.path) ? "marked-site" : "plain";
      }
      // `const f = () => ...`: known too. Not a `var` (read before it is
      // assigned it is undefined, and the call would throw after the site
      // stored its brand); a `let` or `const` read early throws before that.
      if (binding.constant && (binding.kind === "const" || binding.kind === "let") && binding.path.isVariableDeclarator()) {
        const init = (binding.path as NodePath<t.VariableDeclarator>).get("init");
        if (enters(init)) return isMarkedDeclaration(init as NodePath) ? "marked-site" : "plain";
      }
      return "site";
    }
    if (callee.isMemberExpression() && t.isIdentifier(callee.node.object, { name: runtimeName })) return "plain";
    if (callee.isMemberExpression() && t.isPrivateName(callee.node.property)) {
      // In a computed key of its own class the call runs before any object
      // has the private method (always a TypeError); it stays where it is,
      // inside the class, since the key cannot move out with a private name.
      if (callee.findParent((p) => (p.parentPath?.isClassBody() ?? false) && "computed" in p.node && !!p.node.computed && callee.isDescendant(p.get("key") as NodePath))) return "plain";
      const cls = callee.findParent((p) => p.isClassBody()) as NodePath<t.ClassBody> | null;
      const name = callee.node.property.id.name;
      const method = cls?.node.body.find((m) => t.isClassPrivateMethod(m) && m.key.id.name === name) as t.ClassPrivateMethod | undefined;
      if (method && method.kind === "method") return isMarkedDeclaration(cls!.get("body").find((m) => m.node === method)!) ? "marked-site" : "plain";
      return "site";
    }
    if (callee.isMemberExpression() && !callee.node.computed) {
      const obj = callee.get("object");
      if (obj.isIdentifier() && !obj.scope.getBinding(obj.node.name) && BUILTIN_NAMESPACES.has(obj.node.name)) {
        return "plain";
      }
    }
    return "site";
  };
  const visitor: Visitor = {
    Function(p) {
      skipFunction(p);
    },
    CallExpression(p) {
      kinds.set(p.node, kindOf(p.get("callee")));
    },
    NewExpression(p) {
      // A constructor's frame can be saved too: `new` hands on the sentinel
      // (an object) like a call does.
      kinds.set(p.node, kindOf(p.get("callee")));
    },
    OptionalCallExpression(p) {
      kinds.set(p.node, "site");
    },
    TaggedTemplateExpression(p) {
      kinds.set(p.node, kindOf(p.get("tag")));
    },
    SpreadElement(p) {
      if (!p.parentPath.isObjectExpression()) kinds.set(p.node, "iteration");
    },
    ArrayPattern(p) {
      kinds.set(p.node, "iteration");
    },
    Identifier(p) {
      if (!p.isReferencedIdentifier()) return;
      const binding = p.scope.getBinding(p.node.name);
      if (binding && binding.constant && binding.kind !== "module") stable.add(p.node);
    },
  };
  if (whole) fn.traverse(visitor);
  else (fn.get("body") as NodePath).traverse(visitor);
  return { kinds, stable };
}

/** Does evaluating `node` (not counting nested functions) run a node of
 * one of `kinds`? Memoized per question. */
function contains(node: t.Node | null | undefined, facts: SiteFacts, kinds: Set<CallKind>, memo: WeakMap<t.Node, boolean>): boolean {
  if (!node) return false;
  const known = memo.get(node);
  if (known !== undefined) return known;
  const inside = (child: t.Node | null | undefined) => contains(child, facts, kinds, memo);
  let found = false;
  const kind = facts.kinds.get(node);
  if (kind !== undefined && kinds.has(kind)) found = true;
  else if (t.isFunction(node)) {
    found = (t.isObjectMethod(node) || t.isClassMethod(node)) && node.computed && inside(node.key);
  } else if (t.isClass(node)) {
    found = inside(node.superClass) || node.body.body.some((m) => "computed" in m && m.computed && inside((m as { key: t.Node }).key));
  } else found = childNodes(node).some(inside);
  memo.set(node, found);
  return found;
}

const SITES = new Set<CallKind>(["site", "marked-site", "iteration"]);
const CALLS = new Set<CallKind>(["site", "marked-site"]);
const UNKNOWN = new Set<CallKind>(["site", "iteration"]);
const hasSiteMemo = new WeakMap<t.Node, boolean>();
const hasCallMemo = new WeakMap<t.Node, boolean>();

/** Does evaluating `node` (not counting nested functions) call an unknown
 * callee or iterate? Not memoized: asked once per function (quiet.ts), with
 * facts that differ from the transform's. */
export function hasUnknownSite(node: t.Node | null | undefined, facts: SiteFacts): boolean {
  return contains(node, facts, UNKNOWN, new WeakMap());
}

/** Does evaluating `node` (not counting nested functions) run a call site? */
export function hasSite(node: t.Node | null | undefined, facts: SiteFacts): boolean {
  return contains(node, facts, SITES, hasSiteMemo);
}

/** Like hasSite, not counting implicit iteration (spreads, array patterns). */
export function hasCallSite(node: t.Node | null | undefined, facts: SiteFacts): boolean {
  return contains(node, facts, CALLS, hasCallMemo);
}

/** Does `node` contain a for-of loop of this function (always rewritten: its
 * implicit next() calls may be marked)? */
export function hasForOf(node: t.Node | null | undefined): boolean {
  if (!node) return false;
  if (t.isFunction(node)) return (t.isObjectMethod(node) || t.isClassMethod(node)) && node.computed && hasForOf(node.key);
  if (t.isForOfStatement(node)) return true;
  return childNodes(node).some(hasForOf);
}
