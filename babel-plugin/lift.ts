/**
 * Nested functions emitted once. A marked function that can suspend is
 * emitted twice (its fast copy and its resume copy, emit.ts), so a function
 * or class written inside it would be copied into both, and each level of
 * nesting would double the output. Instead, before the copies are made,
 * each nested function moves out into a *factory* beside the marked one:
 *
 *     function _fb$f3(y, k) { return (z) => y.v + k + z; }
 *
 * and both copies call the factory where the function was: `_fb$f3(y, k)`.
 * The factory's parameters are the marked function's variables that the
 * nested one uses: a boxed variable is passed as its box, any other as its
 * value. A value is safe to pass because boxing (frame.ts, Captures) left
 * unboxed only variables that hold one value from before any closure is
 * made until the end; the ones for which that is not known (`unshared`)
 * keep their function in place. The nested function keeps its name, its
 * `this` (the factory is called with the frame's `this`), its `arguments`
 * and `new.target` (passed in), so it behaves as it did in place.
 *
 * Factories that the functions nested here left inside this function (their
 * own lifting put them beside them, in this body) float out with the rest:
 * the variables of this function they use become extra parameters, passed
 * at each of their calls. So every function's code is emitted once, and the
 * output grows linearly with nesting.
 *
 * Kept in place (still copied): function declarations (the resume copy
 * restores them rather than copying them, except in blocks), class
 * declarations, getters, setters, methods with computed keys or `super`,
 * and functions that use `super`, a private name of a class outside them,
 * a variable in `unshared`, or `this` where it may not be initialized yet.
 */
import type { NodePath } from "@babel/core";
import type { Binding, Scope } from "@babel/traverse";
import { types as t } from "@babel/core";
import { nameFunction } from "./nodes.js";
import { skipFunction } from "./sites.js";
import { isInitializedAt, ownScopes, type Captures } from "./frame.js";

export interface LiftOptions {
  /** Is `name` a factory made by lifting (so it floats out with the rest)? */
  isFactory(name: string): boolean;
  /** A new factory's name, unique in the program. */
  factoryName(): string;
  /** Names for a lexical `arguments` and `new.target` passed in. */
  argumentsName: string;
  newTargetName: string;
  /** `this` may be uninitialized while the function runs (a derived
   * constructor before `super()`, or an arrow inside one). */
  thisMayBeUninitialized: boolean;
  /** The function is strict code and the factories' place is not: they
   * need their own "use strict" (which also keeps the `this` they pass on
   * from being made an object). */
  strictFactories: boolean;
  /** Statements whose functions stay where they are. */
  keep(statement: t.Node): boolean;
}

/** What a nested function or class uses from the frame around it. */
interface Uses {
  /** The frame's bindings it reads, in order of first use. */
  bindings: Map<string, Binding>;
  this: boolean;
  arguments: NodePath[];
  newTarget: NodePath[];
}

/**
 * Moves every function and class nested in `fn` (a detached, boxed marked
 * function) that can move into a factory; returns the factories, to be
 * placed where the marked function's resume function goes.
 */
export function liftNested(fn: NodePath<t.Function>, captures: Captures, opts: LiftOptions): t.FunctionDeclaration[] {
  const own = new Set<Scope>(ownScopes(fn));
  const factories: t.FunctionDeclaration[] = [];
  // Factories already here float out first. A factory's calls may be inside
  // another factory (or a function lifted below), which must then pass the
  // new arguments on: repeat until no factory gains a parameter.
  // The ones that float go to one place and see each other there: their
  // names are not the frame's to pass. (Whether one can float does not
  // depend on the others.)
  const found = factoriesIn(fn, opts);
  const moving = new Set<string>();
  const stuck = new Set<NodePath<t.FunctionDeclaration>>();
  for (const decl of found) {
    if (usesOf(decl, own, captures, opts, true, moving)) moving.add(decl.node.id!.name);
    else stuck.add(decl);
  }
  const floating = found.filter((d) => !stuck.has(d));
  const params = new Map(floating.map((d) => [d, new Set<string>()]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const decl of floating) {
      const uses = usesOf(decl, own, captures, opts, true, moving)!;
      // (Parameters added earlier still resolve to the frame here: the
      // factory's scope was not told about them.)
      const have = params.get(decl)!;
      const added = [...uses.bindings.keys()].filter((n) => !have.has(n));
      if (!added.length) continue;
      for (const n of added) have.add(n);
      decl.node.params.unshift(...added.map((n) => t.identifier(n)));
      prependArguments(fn, decl.node.id!.name, added);
      changed = true;
    }
  }
  for (const unit of unitsIn(fn)) {
    if (opts.keep(unit.getStatementParent()?.node ?? unit.node)) continue;
    const uses = usesOf(unit, own, captures, opts, false, moving);
    if (!uses) continue;
    factories.push(lift(unit, uses, opts));
  }
  // (A factory that cannot float stays, and is called as it was.)
  for (const decl of floating) {
    if (opts.strictFactories) useStrict(decl.node);
    factories.push(decl.node);
    // Taken out of its list as a node: path.remove() would also drop the
    // frame's bindings named like the factory's parameters from its scope.
    const list = decl.container as t.Node[];
    list.splice(list.indexOf(decl.node), 1);
    // Its own name is no longer a binding of the frame (no slot for it).
    const name = decl.node.id!.name;
    decl.parentPath!.scope.getBinding(name)?.scope.removeOwnBinding(name);
  }
  return factories;
}

/** Factory declarations left in `fn`'s body by the functions nested in it. */
function factoriesIn(fn: NodePath<t.Function>, opts: LiftOptions): NodePath<t.FunctionDeclaration>[] {
  const found: NodePath<t.FunctionDeclaration>[] = [];
  fn.get("body").traverse({
    Function(p) {
      if (p.isFunctionDeclaration() && p.node.id && opts.isFactory(p.node.id.name)) found.push(p);
      skipFunction(p);
    },
    Class(p) {
      p.skip();
    },
  });
  return found;
}

/** Adds `names` in front of the arguments of every call of `factory` in `fn`
 * (`f(...)` or `f.call(this, ...)`); the names resolve there as they did
 * where the factory was. */
function prependArguments(fn: NodePath<t.Function>, factory: string, names: string[]): void {
  const args = () => names.map((n) => t.identifier(n));
  fn.get("body").traverse({
    CallExpression(p) {
      const callee = p.node.callee;
      if (t.isIdentifier(callee, { name: factory })) p.node.arguments.unshift(...args());
      else if (t.isMemberExpression(callee) && t.isIdentifier(callee.object, { name: factory })) p.node.arguments.splice(1, 0, ...args());
    },
  });
}

/** The functions and classes nested directly in `fn` that could move. */
function unitsIn(fn: NodePath<t.Function>): NodePath[] {
  const units: NodePath[] = [];
  fn.get("body").traverse({
    Function(p) {
      if (p.isFunctionExpression() || p.isArrowFunctionExpression()) units.push(p);
      else if (p.isObjectMethod() && p.node.kind === "method" && !p.node.computed) units.push(p);
      skipFunction(p);
    },
    Class(p) {
      if (p.isClassExpression()) {
        units.push(p);
        p.skip();
      }
      // A class declaration stays; its methods belong to it.
      else p.skip();
    },
  });
  return units;
}

/**
 * What `unit` uses from `fn`'s frame, or null if it cannot move: it writes a
 * frame variable (only a box may be written from elsewhere), reads one the
 * closure may not take by value, or uses `super`, a private name declared
 * outside it, or a `this` that may not exist yet.
 */
function usesOf(unit: NodePath, own: Set<Scope>, captures: Captures, opts: LiftOptions, isFactory: boolean, moving: Set<string>): Uses | null {
  if (namedByComputedKey(unit)) return null;
  const uses: Uses = { bindings: new Map(), this: false, arguments: [], newTarget: [] };
  let movable = true;
  const stop = (p: NodePath) => {
    movable = false;
    p.stop();
  };
  // A class's heritage and computed keys run when the unit is made; the rest
  // (functions, field values, static blocks) later, as a closure does. A
  // read that runs when the unit is made must not move before the
  // declaration it reads (the factory's arguments are read first).
  const runsLater = (p: NodePath) => {
    if (isFactory || unit.isFunction()) return true;
    for (let q: NodePath | null = p; q && q !== unit; q = q.parentPath) {
      if (q.isFunction() || q.isStaticBlock()) return true;
      if (q.key === "value" && (q.parentPath?.isClassProperty() || q.parentPath?.isClassPrivateProperty() || q.parentPath?.isClassAccessorProperty())) return true;
    }
    return false;
  };
  const declaredInside = (p: NodePath<t.PrivateName>) => {
    const name = p.node.id.name;
    for (let q: NodePath | null = p.parentPath; q && q !== unit.parentPath; q = q.parentPath) {
      if (q.isClassBody() && q.node.body.some((m) => (t.isClassPrivateProperty(m) || t.isClassPrivateMethod(m) || t.isClassAccessorProperty(m)) && t.isPrivateName(m.key) && m.key.id.name === name)) return true;
    }
    return false;
  };
  const identifier = (p: NodePath<t.Identifier>) => {
    const reference = p.isReferencedIdentifier();
    const target = (p as NodePath).isBindingIdentifier();
    if (!reference && !target) return;
    const binding = p.scope.getBinding(p.node.name);
    // (A name Babel finds no binding for may be a block function's `var`.)
    if (!binding || !own.has(binding.scope)) return;
    const name = p.node.name;
    if (moving.has(name)) return;
    const parent = p.parentPath!;
    const write = target || (parent.isUpdateExpression() && p.key === "argument");
    if (write || captures.unshared.has(name)) return stop(p);
    const lexical = binding.kind === "let" || binding.kind === "const";
    if (lexical && !runsLater(p) && !isInitializedAt(binding, unit)) return stop(p);
    if (!uses.bindings.has(name)) uses.bindings.set(name, binding);
  };
  const closed = { Identifier: identifier, PrivateName(p: NodePath<t.PrivateName>) { if (!declaredInside(p)) stop(p); } };
  if (isFactory) {
    // (Not its name: that is the frame's binding it leaves.)
    (unit.get("body") as NodePath).traverse(closed);
    return movable ? uses : null;
  }
  if (unit.isFunction() && !unit.isArrowFunctionExpression()) {
    // Its own `this`, `arguments` and `new.target`; a method's `super` is
    // tied to the object it is defined in.
    unit.traverse({
      Identifier: identifier,
      PrivateName(p) {
        if (!declaredInside(p)) stop(p);
      },
      Super(p) {
        if (unit.isObjectMethod() && superOf(p) === unit) stop(p);
      },
    });
    return movable ? uses : null;
  }
  // An arrow or a class: `this`, `arguments`, `new.target` and `super`
  // outside its own functions belong to the frame.
  const lexical = {
    Function(p: NodePath<t.Function>) {
      if (!p.isArrowFunctionExpression()) {
        skipFunction(p);
        // Still the frame's variables, through closures.
        p.traverse(closed);
      }
    },
    ClassProperty(p: NodePath<t.ClassProperty>) {
      ownThis(p.get("value") as NodePath);
      p.skipKey("value");
    },
    ClassPrivateProperty(p: NodePath<t.ClassPrivateProperty>) {
      ownThis(p.get("value") as NodePath);
      p.skipKey("value");
    },
    ClassAccessorProperty(p: NodePath<t.ClassAccessorProperty>) {
      ownThis(p.get("value") as NodePath);
      p.skipKey("value");
    },
    StaticBlock(p: NodePath<t.StaticBlock>) {
      ownThis(p);
      p.skip();
    },
    ThisExpression() {
      uses.this = true;
    },
    Identifier(p: NodePath<t.Identifier>) {
      if (p.node.name === "arguments" && p.isReferencedIdentifier() && !p.scope.getBinding("arguments")) uses.arguments.push(p);
      else identifier(p);
    },
    MetaProperty(p: NodePath<t.MetaProperty>) {
      if (p.node.meta.name === "new") uses.newTarget.push(p);
    },
    Super(p: NodePath<t.Super>) {
      stop(p);
    },
    PrivateName(p: NodePath<t.PrivateName>) {
      if (!declaredInside(p)) stop(p);
    },
  };
  // Field values and static blocks have the instance or class as `this`.
  const ownThis = (p: NodePath | null | undefined) => {
    if (!p?.node) return;
    visitSelf(p, closed);
    p.traverse(closed);
  };
  if (unit.isArrowFunctionExpression()) {
    for (const param of unit.get("params")) param.traverse(lexical);
    (unit.get("body") as NodePath).traverse(lexical);
    // (An expression body that is itself a `this` or an identifier.)
    visitSelf(unit.get("body") as NodePath, lexical);
  } else unit.traverse(lexical);
  if (!movable) return null;
  if (uses.this && opts.thisMayBeUninitialized) return null;
  return uses;
}

/** Runs the visitor's handler for the path itself (traverse only visits
 * descendants). */
function visitSelf(p: NodePath, visitor: Record<string, unknown>): void {
  // (traverse() rewrites a visitor in place to `{ enter: [handler] }`.)
  const handler = visitor[p.node.type] as ((p: NodePath) => void) | { enter?: ((p: NodePath) => void)[] } | undefined;
  if (typeof handler === "function") handler(p);
  else for (const enter of handler?.enter ?? []) enter(p);
}

/** The method whose `super` this is. */
function superOf(p: NodePath): NodePath | null {
  return p.findParent((q) => q.isFunction() && !q.isArrowFunctionExpression());
}

/** Moves `unit` into a new factory and calls the factory in its place. */
function lift(unit: NodePath, uses: Uses, opts: LiftOptions): t.FunctionDeclaration {
  const name = opts.factoryName();
  const loc = unit.node.loc;
  const params = [...uses.bindings.keys()].map((n) => t.identifier(n));
  const args: t.Expression[] = [...uses.bindings.keys()].map((n) => t.identifier(n));
  if (uses.arguments.length) {
    for (const p of uses.arguments) p.replaceWith(t.identifier(opts.argumentsName));
    params.push(t.identifier(opts.argumentsName));
    args.push(t.identifier("arguments"));
  }
  if (uses.newTarget.length) {
    for (const p of uses.newTarget) p.replaceWith(t.identifier(opts.newTargetName));
    params.push(t.identifier(opts.newTargetName));
    args.push(t.metaProperty(t.identifier("new"), t.identifier("target")));
  }
  const call = uses.this
    ? t.callExpression(t.memberExpression(t.identifier(name), t.identifier("call")), [t.thisExpression(), ...args])
    : t.callExpression(t.identifier(name), args);
  let made: t.Expression;
  if (unit.isObjectMethod()) {
    // `{ m() {} }.m`: still a method (no prototype, its own name), now a
    // value; `__proto__` as a computed key stays an own property.
    const method = unit.node;
    const key = method.key as t.Identifier | t.StringLiteral | t.NumericLiteral;
    const keyName = t.isIdentifier(key) ? key.name : String(key.value);
    made = t.memberExpression(t.objectExpression([method]), t.stringLiteral(keyName), true);
    const proto = keyName === "__proto__";
    unit.replaceWith(t.objectProperty(proto ? t.stringLiteral(keyName) : t.cloneNode(key), call, proto));
  } else {
    const wrapper = namingWrapper(unit);
    if (wrapper) {
      made = wrapper.node;
      wrapper.replaceWith(call);
    } else {
      const node = unit.node as t.Expression;
      const inferred = inferredName(unit);
      made = inferred === null ? node : nameFunction(node, inferred);
      unit.replaceWith(call);
    }
  }
  unit.skip();
  const factory = t.functionDeclaration(t.identifier(name), params, t.blockStatement([t.returnStatement(made)]));
  if (opts.strictFactories) useStrict(factory);
  // Its lines map to the function it makes.
  factory.loc = loc ?? null;
  return factory;
}

/**
 * The name an anonymous function or class gets from where it stands
 * (NamedEvaluation), or null if it has its own or gets none. A factory
 * returns it from a position that gives the same name.
 */
function inferredName(p: NodePath): string | null {
  const node = p.node;
  if (!(t.isArrowFunctionExpression(node) || ((t.isFunctionExpression(node) || t.isClassExpression(node)) && !node.id))) return null;
  const parent = p.parentPath!;
  const keyName = (k: t.Node) => (t.isIdentifier(k) ? k.name : t.isStringLiteral(k) ? k.value : t.isNumericLiteral(k) ? String(k.value) : null);
  const parenthesized = (n: t.Node) => !!(n.extra as { parenthesized?: boolean } | undefined)?.parenthesized;
  if (parent.isVariableDeclarator() && p.key === "init") return t.isIdentifier(parent.node.id) ? parent.node.id.name : null;
  if (parent.isAssignmentExpression() && p.key === "right" && ["=", "&&=", "||=", "??="].includes(parent.node.operator)) {
    return t.isIdentifier(parent.node.left) && !parenthesized(parent.node.left) ? parent.node.left.name : null;
  }
  if (parent.isAssignmentPattern() && p.key === "right") return t.isIdentifier(parent.node.left) && !parenthesized(parent.node.left) ? parent.node.left.name : null;
  if (parent.isObjectProperty() && p.key === "value" && !parent.node.computed) {
    const k = keyName(parent.node.key);
    return k === "__proto__" ? null : k;
  }
  return null;
}

function useStrict(factory: t.FunctionDeclaration): void {
  const directives = factory.body.directives;
  if (!directives.some((d) => d.value.value === "use strict")) directives.push(t.directive(t.directiveLiteral("use strict")));
}

/** The `{ "name": fn }["name"]` around `p` that names it (nameFunction), if
 * any: it moves with the function. */
function namingWrapper(p: NodePath): NodePath<t.MemberExpression> | null {
  const prop = p.parentPath;
  const obj = prop?.parentPath;
  const member = obj?.parentPath;
  if (!prop?.isObjectProperty() || prop.node.computed || !t.isStringLiteral(prop.node.key)) return null;
  if (!obj?.isObjectExpression() || obj.node.properties.length !== 1) return null;
  if (!member?.isMemberExpression() || !member.node.computed || member.node.object !== obj.node) return null;
  return t.isStringLiteral(member.node.property, { value: prop.node.key.value }) ? member : null;
}

/** Is `p` an anonymous function whose name comes from a computed key (known
 * only when the key is evaluated)? */
function namedByComputedKey(p: NodePath): boolean {
  const node = p.node;
  const anonymous = t.isArrowFunctionExpression(node) || ((t.isFunctionExpression(node) || t.isClassExpression(node)) && !node.id);
  const parent = p.parentPath;
  return anonymous && !!parent && (parent.isObjectProperty() || parent.isClassProperty()) && parent.node.computed && p.key === "value";
}
