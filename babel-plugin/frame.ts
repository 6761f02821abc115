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
import { iterationStart } from "./normalize.js";
import { initializers, isAnonymousFunction, loweredConstants, nameFunction } from "./linearize.js";

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
  usesSuper: boolean;
  callsSuper: boolean;
  /** Some `finally` guards code with a call site: a capture must not run it. */
  guardedFinally: boolean;
  /** `this` and `new.target` are kept as one value (NEW_SLOT). */
  foldsNew: boolean;
}

export const THIS_SLOT = "this";
export const ARGS_SLOT = "arguments";
export const NEW_TARGET_SLOT = "newTarget";
/** `new.target && this` of a plain function that reads neither (planFrame). */
export const NEW_SLOT = "new";
/** `super.x` of a method: an arrow made at capture that reads and writes it. */
export const SUPER_SLOT = "super";
/** `super(...)` of a derived constructor captured before it ran. */
export const SUPER_CALL_SLOT = "superCall";

/** Scopes of `fn` itself and its blocks (not nested functions). */
export function ownScopes(fn: NodePath<t.Function>): Scope[] {
  const scopes = new Set<Scope>([fn.scope]);
  fn.get("body").traverse({
    Function(p) {
      p.skip();
    },
    // A static block is a body of its own, run when the class is made.
    StaticBlock(p) {
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
  const inner = (p: NodePath): boolean => closureOf(p, fn) !== null;
  return binding.referencePaths.some(inner) || binding.constantViolations.some(inner);
}

/**
 * Variables that a nested function captures live in a box `{ v }` when the
 * closure and the frame could disagree after a resume: the variable is
 * assigned after its declaration, or a closure may be created before the
 * variable is initialized (a hoisted function, a closure textually before
 * the declaration). A closure created before a suspension and the resumed
 * frame then share the box. The box is created where the variable's scope
 * begins, so a hoisted `var` read early and a closure made early both see
 * it; a `let`/`const`/`class` box starts as R.box() (a hole) and reads that
 * could happen before the declaration check it (TDZ, R.get).
 */
export function boxCapturedVariables(fn: NodePath<t.Function>, R: string, resumeNames: Set<string>, mappedArguments: boolean): Captures {
  const order = visitOrder(fn);
  const chosen: Binding[] = [];
  const unshared = new Set<string>();
  for (const scope of ownScopes(fn)) {
    for (const binding of Object.values(scope.bindings) as Binding[]) {
      if (!["var", "let", "const", "param", "hoisted"].includes(binding.kind)) continue;
      // Resume functions are recreated with their scope, never saved.
      if (resumeNames.has(binding.identifier.name)) continue;
      if (!referencedFromNestedFunction(binding, fn)) continue;
      // A mapped parameter is its arguments element (see hasMappedArguments):
      // it may change without an assignment.
      if (mappedArguments && binding.kind === "param") {
        unshared.add(binding.identifier.name);
        continue;
      }
      // A `var`'s own initializer writes it again when it runs again (in a
      // loop) or once per iteration (a for-in/of head).
      const violations = binding.constantViolations.filter((p: NodePath) => !(p.isVariableDeclarator() && p.node.id === binding.identifier));
      if (binding.kind === "var" && binding.path.isVariableDeclarator() && runsRepeatedly(binding.path, fn)) violations.push(binding.path);
      // A function declaration is made before anything of its scope runs.
      const early = binding.kind !== "hoisted" && closureMayPrecedeInit(binding, fn, order);
      if (violations.length === 0 && !early) continue;
      if (binding.kind !== "hoisted" && boxable(binding)) chosen.push(binding);
      else unshared.add(binding.identifier.name);
    }
  }
  if (chosen.length === 0) return { boxed: false, unshared };
  // Uses first, while every path is still where Babel found it; then the
  // boxes where their scopes begin; then the declarations, each statement
  // once for all the boxed names it declares.
  for (const binding of chosen) rewriteUses(binding, fn, order, R);
  for (const binding of chosen) createBox(binding, fn, R);
  rewriteDeclarations(fn, new Map(chosen.map((b) => [b.identifier.name, b])));
  return { boxed: true, unshared };
}

/** Can this declarator run more than once in one call of `fn`: in a loop's
 * body, test or update, or as a for-in/of head? */
function runsRepeatedly(declarator: NodePath, fn: NodePath<t.Function>): boolean {
  for (let child: NodePath = declarator, p = declarator.parentPath; p && p !== fn; child = p, p = p.parentPath) {
    if (p.isForXStatement() && child.key === "left") return true;
    if (p.isLoop() && !(p.isForStatement() && child.key === "init")) return true;
  }
  return false;
}

/**
 * What boxing decided about the variables closures capture. Every captured
 * variable not in `unshared` is either boxed (closures hold the box) or
 * holds one value from before any closure sees it to the end: a closure may
 * take it by value when it is made (see lift.ts).
 */
export interface Captures {
  /** Whether any variable was boxed (the function's scopes need a crawl). */
  boxed: boolean;
  /** Captured variables that may change under a closure without a box. */
  unshared: Set<string>;
}

/** Declarations whose bindings can move into a box. */
function boxable(binding: Binding): boolean {
  if (binding.kind === "param" || binding.path.isCatchClause()) return true;
  const decl = declarationOf(binding);
  if (decl.isClassDeclaration()) return decl.parentPath!.isBlockStatement() || decl.parentPath!.isProgram() || decl.parentPath!.isSwitchCase();
  if (!decl.isVariableDeclaration()) return false;
  const parent = decl.parentPath!;
  const lexical = decl.node.kind !== "var";
  // A loop head's per-iteration bindings stay (for-of heads are lowered).
  if (parent.isForXStatement() && decl.key === "left") return !lexical;
  if (parent.isForStatement() && decl.key === "init") return !lexical || t.isIdentifier((binding.path.node as t.VariableDeclarator).id);
  return true;
}

/**
 * Reads and writes of a boxed binding go through its box. A read that may
 * come before the declaration is `R.get(box, name)` (the TDZ check). Every
 * write target (`=`, compound and logical assignment, `++`, a for-in/of head,
 * a pattern leaf) is a member expression: `x.v`, or, when the write may come
 * before the declaration or the binding is a `const`, the `v` of a reference
 * (`R.ref`, `R.constant`) whose accessors do what the binding would: check
 * the TDZ, and throw on writing a constant. Being a target, it keeps the
 * language's order (the right-hand side runs before the write, a compound
 * assignment reads before it evaluates its operand) and every path Babel
 * found stays valid: only identifiers are replaced.
 */
function rewriteUses(binding: Binding, fn: NodePath<t.Function>, order: Order, R: string): void {
  const name = binding.identifier.name;
  const decl = declarationOf(binding);
  const isCatch = binding.path.isCatchClause();
  const lexical = (binding.kind === "let" || binding.kind === "const") && !isCatch;
  const member = () => t.memberExpression(t.identifier(name), t.identifier("v"));
  const checked = (p: NodePath) => lexical && mayPrecedeInit(p, binding, fn, order);
  const call = (helper: string) => t.callExpression(t.memberExpression(t.identifier(R), t.identifier(helper)), [t.identifier(name), t.stringLiteral(name)]);
  const read = (p: NodePath) => (checked(p) ? call("get") : member());
  const target = (p: NodePath) => {
    if (isConstant(binding)) return t.memberExpression(call("constant"), t.identifier("v"));
    return checked(p) ? t.memberExpression(call("ref"), t.identifier("v")) : member();
  };
  // Inside its own body a class refers to its inner binding (the class
  // expression made below keeps the name), never to the box.
  const own = (p: NodePath) => decl.isClassDeclaration() && !!p.findParent((q) => q.node === decl.node);
  for (const ref of binding.referencePaths) {
    if (own(ref) || !ref.isIdentifier({ name })) continue;
    // An update's operand and a for-in/of head are targets (below), though
    // Babel lists them as references too.
    const parent = ref.parentPath!;
    if (parent.isUpdateExpression() || (parent.isForXStatement() && ref.key === "left")) continue;
    ref.replaceWith(read(ref));
  }
  for (const v of binding.constantViolations) {
    if (own(v)) continue;
    // A lowered pattern initializing its `const` writes the box directly.
    const write = initializers.has(v.node as t.AssignmentExpression) ? member : () => target(v);
    let left: NodePath;
    if (v.isAssignmentExpression()) {
      left = v.get("left");
      // (A parenthesized `(x) = function () {}` names nothing.)
      if (left.isIdentifier({ name }) && !left.node.extra?.parenthesized && ["=", "&&=", "||=", "??="].includes(v.node.operator) && isAnonymousFunction(v.node.right)) {
        // `x = function () {}` names the function "x"; `x.v = ...` would not.
        v.node.right = nameFunction(v.node.right, name);
      }
    } else if (v.isUpdateExpression()) left = v.get("argument");
    else if (v.isForXStatement()) left = v.get("left");
    else continue;
    if (left.isIdentifier({ name })) left.replaceWith(write());
    else if (left.isPattern()) retargetPattern(left, name, binding, write);
  }
}

/** A `const`, or a `const` whose array pattern was lowered into a `let`. */
function isConstant(binding: Binding): boolean {
  return binding.kind === "const" || loweredConstants.has(declarationOf(binding).node as t.VariableDeclaration);
}

/**
 * Writes to a lowered `const` that is not boxed (boxed ones are rewritten
 * with their uses) throw as assigning a constant does: the target becomes
 * `R.constant({ v: x }, "x").v`, which reads `x` for `x++` and `x += y` and
 * throws on the write, after the right-hand side ran.
 */
export function guardLoweredConstants(fn: NodePath<t.Function>, R: string): void {
  for (const scope of ownScopes(fn)) {
    for (const binding of Object.values(scope.bindings) as Binding[]) {
      if (binding.kind !== "let" || !isConstant(binding)) continue;
      const name = binding.identifier.name;
      const target = () =>
        t.memberExpression(
          t.callExpression(t.memberExpression(t.identifier(R), t.identifier("constant")), [t.objectExpression([t.objectProperty(t.identifier("v"), t.identifier(name))]), t.stringLiteral(name)]),
          t.identifier("v"),
        );
      for (const v of binding.constantViolations) {
        if (initializers.has(v.node as t.AssignmentExpression)) continue;
        const left = v.isAssignmentExpression() ? v.get("left") : v.isUpdateExpression() ? v.get("argument") : v.isForXStatement() ? v.get("left") : null;
        if (left?.isIdentifier({ name })) left.replaceWith(target());
        else if (left?.isPattern()) retargetPattern(left, name, binding, target);
      }
    }
  }
}

/** Declarations that make boxes (not declarations of the boxed variable). */
const boxDeclarations = new WeakSet<t.Node>();

/** The box itself, made where the binding's scope begins. */
function createBox(binding: Binding, fn: NodePath<t.Function>, R: string): void {
  const name = binding.identifier.name;
  const boxed = (value: t.Expression) => t.objectExpression([t.objectProperty(t.identifier("v"), value)]);
  const body = fn.get("body") as NodePath<t.BlockStatement>;
  if (binding.kind === "param" || binding.path.isCatchClause()) {
    const block = binding.path.isCatchClause() ? (binding.path.get("body") as NodePath<t.BlockStatement>) : body;
    block.unshiftContainer("body", t.expressionStatement(t.assignmentExpression("=", t.identifier(name), boxed(t.identifier(name)))));
    return;
  }
  const decl = declarationOf(binding);
  if (decl.isVariableDeclaration() && decl.node.kind === "var") {
    // Hoisted: the box exists from the function's entry.
    const made = t.variableDeclaration("var", [t.variableDeclarator(t.identifier(name), boxed(t.identifier("undefined")))]);
    boxDeclarations.add(made);
    body.unshiftContainer("body", made);
    return;
  }
  // A for-let loop makes its boxes in its head (see rewriteDeclarations).
  if (decl.parentPath?.isForStatement()) return;
  declareBoxAtScopeStart(decl, name, R);
}

/**
 * Every declaration of a boxed name assigns its box instead (a `var` may be
 * declared several times, and in an `if` or loop body); the names it
 * declares that are not boxed stay declared, in order.
 */
function rewriteDeclarations(fn: NodePath<t.Function>, boxed: Map<string, Binding>): void {
  const member = (name: string) => () => t.memberExpression(t.identifier(name), t.identifier("v"));
  const retargetAll = (id: t.LVal | t.VoidPattern): t.LVal => {
    let out = id as t.LVal;
    for (const name of Object.keys(t.getBindingIdentifiers(id as t.Node))) if (boxed.has(name)) out = retarget(out, name, member(name));
    return out;
  };
  const declares = (d: t.VariableDeclarator) => Object.keys(t.getBindingIdentifiers(d.id)).some((n) => boxed.has(n));
  // `let f = function () {}` names the function "f"; `f.v = ...` would not.
  const initOf = (d: t.VariableDeclarator): t.Expression | null | undefined =>
    d.init && t.isIdentifier(d.id) && isAnonymousFunction(d.init) ? nameFunction(d.init, d.id.name) : d.init;
  const hoisted: string[] = [];
  const declarations: NodePath<t.VariableDeclaration>[] = [];
  const classes: NodePath<t.ClassDeclaration>[] = [];
  fn.get("body").traverse({
    Function(p) {
      p.skip();
    },
    VariableDeclaration(p) {
      if (!boxDeclarations.has(p.node) && p.node.declarations.some(declares)) declarations.push(p);
    },
    ClassDeclaration(p) {
      if (p.node.id && boxed.has(p.node.id.name)) classes.push(p);
    },
  });
  for (const p of classes) {
    const cls = p.node;
    p.replaceWith(t.expressionStatement(t.assignmentExpression("=", member(cls.id!.name)(), t.classExpression(cls.id, cls.superClass, cls.body, cls.decorators))));
  }
  for (const p of declarations) {
    const { kind, declarations: list } = p.node;
    const parent = p.parentPath!;
    if (parent.isForStatement() && p.key === "init" && kind !== "var") {
      // A for-let loop copies its bindings into each iteration: each
      // iteration gets its own box, made before the update runs.
      const loop = parent.node;
      const copies: t.Expression[] = [];
      for (const d of [...list]) {
        if (!t.isIdentifier(d.id) || !boxed.has(d.id.name)) continue;
        const name = d.id.name;
        d.init = t.objectExpression([t.objectProperty(t.identifier("v"), initOf(d) ?? t.identifier("undefined"))]);
        const fresh = t.assignmentExpression("=", t.identifier(name), t.objectExpression([t.objectProperty(t.identifier("v"), member(name)())]));
        copies.push(t.cloneNode(fresh));
        const start = iterationStart.get(loop);
        if (start) {
          const body = (loop.body as t.BlockStatement).body;
          body.splice(body.indexOf(start), 0, t.expressionStatement(fresh));
        } else loop.update = loop.update ? t.sequenceExpression([fresh, loop.update]) : fresh;
      }
      // The first iteration gets its copy too (in its own environment, so
      // in the test, once): a closure made in the initializer keeps the
      // bindings as the initializer left them.
      if (copies.length && !iterationStart.get(loop) && list.some((d) => d.init && containsFunction(d.init))) {
        const first = fn.scope.generateUidIdentifier("first");
        list.push(t.variableDeclarator(first, t.booleanLiteral(true)));
        const copy = t.logicalExpression("&&", t.cloneNode(first), t.sequenceExpression([t.assignmentExpression("=", t.cloneNode(first), t.booleanLiteral(false)), ...copies]));
        loop.test = loop.test ? t.sequenceExpression([copy, loop.test]) : t.sequenceExpression([copy, t.booleanLiteral(true)]);
      }
      continue;
    }
    // Names that stay `var`s but lose this declaration are declared at the top.
    const keepVar = (d: t.VariableDeclarator) => Object.keys(t.getBindingIdentifiers(d.id)).filter((n) => !boxed.has(n));
    if ((parent.isForStatement() && p.key === "init") || (parent.isForXStatement() && p.key === "left")) {
      for (const d of list) hoisted.push(...keepVar(d));
      if (parent.isForXStatement()) {
        p.replaceWith(retargetAll(list[0].id));
      } else {
        const assigns = list.filter((d) => d.init).map((d) => t.assignmentExpression("=", retargetAll(d.id), initOf(d)!));
        p.replaceWith(assigns.length === 1 ? assigns[0] : t.sequenceExpression(assigns.length ? assigns : [t.identifier("undefined")]));
      }
      continue;
    }
    const replacement: t.Statement[] = [];
    for (const d of list) {
      if (!declares(d)) {
        replacement.push(t.variableDeclaration(kind, [d]));
        continue;
      }
      const others = keepVar(d);
      if (others.length) replacement.push(t.variableDeclaration(kind === "var" ? "var" : "let", others.map((n) => t.variableDeclarator(t.identifier(n)))));
      if (d.init || kind !== "var") {
        replacement.push(t.expressionStatement(t.assignmentExpression("=", retargetAll(d.id), initOf(d) ?? t.identifier("undefined"))));
      }
    }
    if (parent.isBlockStatement() || parent.isProgram() || parent.isSwitchCase()) {
      p.replaceWithMultiple(replacement.length ? replacement : [t.emptyStatement()]);
    } else {
      p.replaceWith(t.blockStatement(replacement)); // `if (c) var x = 1;`
    }
  }
  if (hoisted.length) {
    (fn.get("body") as NodePath<t.BlockStatement>).unshiftContainer("body", t.variableDeclaration("var", hoisted.map((n) => t.variableDeclarator(t.identifier(n)))));
  }
}

type Order = Map<t.Node, [number, number]>;

/** Pre-order entry and exit numbers of every node of the function. */
function visitOrder(fn: NodePath<t.Function>): Order {
  const order: Order = new Map();
  let clock = 0;
  const visit = (node: t.Node) => {
    const span: [number, number] = [clock++, 0];
    order.set(node, span);
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) { if (c && typeof c === "object") visit(c as t.Node); }
      else if (child && typeof child === "object") visit(child as t.Node);
    }
    span[1] = clock++;
  };
  visit(fn.node.body);
  return order;
}

/** The statement that declares a binding (its declarator's declaration). */
function declarationOf(binding: Binding): NodePath {
  return binding.path.isVariableDeclarator() ? binding.path.parentPath! : binding.path;
}

/** The outermost function inside `fn` that contains `p`, or null. */
function closureOf(p: NodePath, fn: NodePath<t.Function>): NodePath | null {
  let found: NodePath | null = null;
  for (let child: NodePath = p, q: NodePath | null = p; q && q !== fn; child = q, q = q.parentPath) {
    // (A method's computed key is evaluated by the enclosing function.)
    if (q !== p && q.isFunction() && !(child.key === "key" && (q.node as { computed?: boolean }).computed)) found = q;
    // A class's field initializers and static blocks are code that runs
    // apart from the frame (when instances or the class are made), like a
    // closure's: they share variables with the frame through boxes too.
    else if (q.isStaticBlock() || (q.listKey === undefined && q.key === "value" && (q.parentPath?.isClassProperty() || q.parentPath?.isClassPrivateProperty() || q.parentPath?.isClassAccessorProperty()))) found = q;
  }
  return found;
}

/** Could a read of `ref` happen before the binding is initialized? */
function mayPrecedeInit(ref: NodePath, binding: Binding, fn: NodePath<t.Function>, order: Order): boolean {
  if (binding.kind === "param" || binding.path.isCatchClause?.()) return false;
  const decl = declarationOf(binding);
  // Declarations in a switch case can be jumped over.
  if (decl.parentPath?.isSwitchCase()) return true;
  const declEnd = order.get(decl.node)?.[1];
  const closure = closureOf(ref, fn);
  const at = closure ?? ref;
  const start = order.get(at.node)?.[0];
  if (declEnd === undefined || start === undefined) return true;
  if (closure && closure.isFunctionDeclaration()) return true;
  return start < declEnd;
}

function closureMayPrecedeInit(binding: Binding, fn: NodePath<t.Function>, order: Order): boolean {
  return binding.referencePaths.some((ref) => closureOf(ref, fn) !== null && mayPrecedeInit(ref, binding, fn, order));
}

/** `let x = R.box()` where the scope of the declaration begins. */
function declareBoxAtScopeStart(decl: NodePath, name: string, R: string): void {
  const start = t.variableDeclaration("let", [t.variableDeclarator(t.identifier(name), t.callExpression(t.memberExpression(t.identifier(R), t.identifier("box")), []))]);
  boxDeclarations.add(start);
  const parent = decl.parentPath!;
  if (parent.isSwitchCase()) {
    // The scope is the whole switch block: the box goes before the switch.
    parent.parentPath!.insertBefore(start);
  } else if (parent.isBlockStatement() || parent.isProgram()) {
    (parent as NodePath<t.BlockStatement>).unshiftContainer("body", start);
  }
}

/** A pattern (or name) with `name` replaced by its box's `v`. */
function retarget(id: t.LVal | t.VoidPattern, name: string, member: () => t.MemberExpression): t.LVal {
  if (t.isIdentifier(id)) return id.name === name ? member() : id;
  const copy = t.cloneNode(id, true) as t.LVal;
  const visit = (node: t.Node): t.Node => {
    if (t.isIdentifier(node) && node.name === name) return member();
    if (t.isObjectProperty(node)) {
      if (node.shorthand && t.isIdentifier(node.value) && node.value.name === name) {
        node.shorthand = false;
        node.value = member();
        return node;
      }
      node.value = visit(node.value) as t.Expression;
      if (node.computed) node.key = visit(node.key) as t.Expression;
      return node;
    }
    if (t.isAssignmentPattern(node)) {
      node.left = visit(node.left) as typeof node.left;
      return node;
    }
    if (t.isArrayPattern(node)) {
      node.elements = node.elements.map((e) => (e ? (visit(e) as typeof e) : e));
      return node;
    }
    if (t.isObjectPattern(node)) {
      node.properties = node.properties.map((p) => visit(p) as typeof p);
      return node;
    }
    if (t.isRestElement(node)) {
      node.argument = visit(node.argument) as typeof node.argument;
      return node;
    }
    return node;
  };
  return visit(copy) as t.LVal;
}

function retargetPattern(target: NodePath, name: string, binding: Binding, member: () => t.MemberExpression): void {
  target.traverse({
    Identifier(p) {
      if (p.node.name === name && p.scope.getBinding(name) === binding && p.isBindingIdentifier()) {
        const parent = p.parentPath;
        if (parent.isObjectProperty() && parent.node.shorthand) parent.node.shorthand = false;
        // `[x = function () {}]` names the function "x"; `[x.v = ...]` would not.
        if (parent.isAssignmentPattern() && parent.node.left === p.node && !p.node.extra?.parenthesized && isAnonymousFunction(parent.node.right)) {
          parent.node.right = nameFunction(parent.node.right, name);
        }
        p.replaceWith(member());
        p.skip();
      }
    },
  });
}

/** Numbers the call sites in source order and plans what each one saves. */
export function planFrame(
  fn: NodePath<t.Function>,
  sites: Map<t.ExpressionStatement, Site>,
  resumeNames: Set<string>,
  temps: Set<string>,
  /** Can the function be called with `new`: a plain function, or a class constructor. */
  constructorLike: "plain" | "class" | null,
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
      // A named function expression's own name is a local of its frame
      // (the resume copy is declared elsewhere and must get it back).
      const ownName = binding.kind === "local" && binding.path.node === fn.node;
      if ((binding.kind === "local" && !ownName) || binding.kind === "module" || resumeNames.has(binding.identifier.name)) continue;
      const functionScoped = binding.kind === "var" || binding.kind === "param" || ownName ||
        (binding.kind === "hoisted" && scope === fn.scope);
      addSlot(binding.identifier.name, binding, functionScoped);
    }
  }
  let usesThis = false;
  let usesArguments = false;
  let usesNewTarget = false;
  let usesSuper = false;
  let callsSuper = false;
  const planned: SitePlan[] = [];
  const siteOf = new Map<t.Node, SitePlan>();
  fn.get("body").traverse({
    Function(p) {
      if (!p.isArrowFunctionExpression()) skipFunction(p);
    },
    // A class body's fields and static blocks have their own `this` and
    // `super` (its heritage and computed keys belong to this frame).
    ClassProperty(p) {
      p.skipKey("value");
    },
    ClassPrivateProperty(p) {
      p.skipKey("value");
    },
    ClassAccessorProperty(p) {
      p.skipKey("value");
    },
    StaticBlock(p) {
      p.skip();
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
    Super(p) {
      if (p.parentPath.isCallExpression({ callee: p.node })) callsSuper = true;
      else usesSuper = true;
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
  // finish the construction when resumed. A plain function that reads
  // neither keeps one value, `new.target && this`: its `this` when it was
  // constructed, else undefined (a plain call).
  const foldsNew = constructorLike === "plain" && planned.length > 0 && !usesThis && !usesNewTarget;
  if (constructorLike && planned.length && !foldsNew) {
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
  if (foldsNew) addSlot(NEW_SLOT, null, true);
  if (usesSuper) addSlot(SUPER_SLOT, null, true);
  if (callsSuper) addSlot(SUPER_CALL_SLOT, null, true);
  for (const plan of planned) {
    const live = liveNames.get(plan)!;
    for (const slot of slots) {
      const needed = live.has(slot.binding ? slot.name : slot.key) ||
        // Whether super is used again after a resume is not worth tracking.
        slot.key === SUPER_SLOT || slot.key === SUPER_CALL_SLOT ||
        // A constructor's `this` and `new.target` finish the construction.
        (constructorLike && !slot.binding && slot.key !== ARGS_SLOT) ||
        // The arguments object may alias a parameter, through any alias of
        // it made before the site (`var args = arguments`).
        (usesArguments && (slot.binding?.kind === "param" || slot.key === ARGS_SLOT));
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
  return { slots, slotOf, sites: planned, siteOf, range, usesThis, usesArguments, usesNewTarget, usesSuper, callsSuper, guardedFinally, foldsNew };
}

/** Is a block-scoped binding initialized when control is at `at`? */
export function isInitializedAt(binding: Binding, at: NodePath): boolean {
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

function containsFunction(node: t.Node): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (t.isFunction(n)) found = true;
  });
  return found;
}
