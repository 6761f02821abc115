/**
 * Emits the two copies of a normalized marked function (docs/protocol.md):
 *
 * - the fast copy is the function itself: its prologue notes whether its
 *   caller can take the sentinel, each call site stores the callee's brand
 *   and checks the result for the sentinel, saving the frame on suspension;
 * - the resume copy `(rec, value, mode)` is the same body with restore guards:
 *   while `pc` is nonzero it skips every statement before the suspended call
 *   site, re-enters the loops, branches, and try blocks around it, takes
 *   saved values at declarations, then continues as ordinary code.
 */
import type { NodePath } from "@babel/core";
import { types as t } from "@babel/core";
import { childNodes, mapChildren, renamed } from "./nodes.js";
import { isAnonymousFunction, nameFunction } from "./linearize.js";
import { ARGS_SLOT, NEW_SLOT, NEW_TARGET_SLOT, SUPER_CALL_SLOT, SUPER_SLOT, THIS_SLOT, type Frame, type SitePlan, type Slot } from "./frame.js";
import { siteArguments, slotKey, type CaptureHelpers } from "./capture.js";

export interface Names {
  /** Module-level binding of the protocol object `R`. */
  R: string;
  /** Module-level binding of the sentinel. */
  S: string;
  /** Module-level binding of the brand symbol. */
  FM: string;
  /** Prefix of the plugin's own local names. */
  p: string;
  /** Names of resume functions declared inside marked bodies: recreated, never saved. */
  resumeNames: Set<string>;
}

const id = (name: string) => t.identifier(name);
const mem = (obj: t.Expression, key: string) => t.memberExpression(obj, t.isValidIdentifier(key) ? id(key) : t.stringLiteral(key), !t.isValidIdentifier(key));
const set = (target: t.LVal, value: t.Expression) => t.expressionStatement(t.assignmentExpression("=", target, value));

interface Local {
  E: string; // fast copy: was I entered from marked code?
  U: string; // unwinding for a suspension: finally blocks must not run
  rec: string;
  v: string;
  mode: string;
  pc: string;
  self: string;
  args: string;
  nt: string;
  sup: string;
  supCall: string;
  /** NEW_SLOT's value in the resume copy. */
  made: string;
}

function locals(n: Names): Local {
  return {
    E: `${n.p}E`, U: `${n.p}U`, rec: `${n.p}rec`, v: `${n.p}v`, mode: `${n.p}mode`, pc: `${n.p}pc`,
    self: `${n.p}this`, args: `${n.p}arguments`, nt: `${n.p}newTarget`, sup: `${n.p}super`, supCall: `${n.p}superCall`, made: `${n.p}new`,
  };
}

/** Visits `node` and its descendants, not entering nested functions. */
function walk(node: t.Node, visit: (node: t.Node) => void): void {
  visit(node);
  if (!t.isFunction(node)) for (const child of childNodes(node)) walk(child, visit);
}

function slotValue(slot: Slot, L: Local, inResume: boolean, n?: Names, derived = false): t.Expression {
  if (slot.binding) return id(slot.name);
  if (inResume) return id(localOf(slot, L));
  if (slot.key === THIS_SLOT) {
    // Before super() a derived constructor has no `this` yet.
    return derived ? t.callExpression(mem(id(n!.R), "thisOr"), [t.arrowFunctionExpression([], t.thisExpression())]) : t.thisExpression();
  }
  if (slot.key === ARGS_SLOT) return id("arguments");
  if (slot.key === NEW_SLOT) return t.logicalExpression("&&", t.metaProperty(id("new"), id("target")), t.thisExpression());
  if (slot.key === SUPER_SLOT) {
    // Made only when the frame is captured: the resume copy is a plain
    // function, where `super` means nothing; this arrow keeps the method's.
    const k = id("k");
    const v = id("v");
    return t.arrowFunctionExpression([k, id("w"), v], t.conditionalExpression(
      id("w"),
      t.assignmentExpression("=", t.memberExpression(t.super(), t.cloneNode(k), true), t.cloneNode(v)),
      t.memberExpression(t.super(), t.cloneNode(k), true),
    ));
  }
  if (slot.key === SUPER_CALL_SLOT) {
    const a = id("a");
    return t.arrowFunctionExpression([t.restElement(a)], t.callExpression(t.super(), [t.spreadElement(t.cloneNode(a))]));
  }
  return t.metaProperty(id("new"), id("target"));
}

/** The resume copy's local for a slot that is not a binding. */
function localOf(slot: Slot, L: Local): string {
  switch (slot.key) {
    case THIS_SLOT: return L.self;
    case ARGS_SLOT: return L.args;
    case NEW_SLOT: return L.made;
    case SUPER_SLOT: return L.sup;
    case SUPER_CALL_SLOT: return L.supCall;
    default: return L.nt;
  }
}

/**
 * Builds the resume copy from the normalized body. Must run before the fast
 * copy is decorated in place (it reads the undecorated statements).
 */
export function buildResume(fn: NodePath<t.Function>, frame: Frame, n: Names, fnName: string, ctor: "base" | "derived" | null, helpers: CaptureHelpers, mappedArguments = false): t.FunctionExpression {
  const L = locals(n);
  const body = (fn.node.body as t.BlockStatement);
  const guarded = frame.guardedFinally;
  const rec = () => id(L.rec);
  const pcIs0 = () => t.binaryExpression("===", id(L.pc), t.numericLiteral(0));
  const restoring = () => t.binaryExpression("!==", id(L.pc), t.numericLiteral(0));
  // A slot no site saves has no field: its restored value is never read.
  const saved = (slot: Slot): t.Expression => (helpers.recorded.has(slot) ? mem(rec(), slotKey(slot)) : t.unaryExpression("void", t.numericLiteral(0)));
  const slotByName = new Map(frame.slots.filter((s) => s.binding).map((s) => [s.name, s]));

  // The writer stores what can change (capture.ts): `this`, `arguments` and
  // `new.target` are already in the record.
  const recapture = (plan: SitePlan): t.Statement[] => {
    const values = siteArguments(helpers.written, plan, (slot) => slotValue(slot, L, true));
    const ret = t.returnStatement(t.callExpression(id(helpers.writer), [rec(), t.numericLiteral(plan.k), ...values]));
    suspensionReturns.add(ret);
    return [...(guarded ? [set(id(L.U), t.booleanLiteral(true))] : []), ret];
  };

  /** A call site, and the statements without sites just before it (`before`:
   * they run, like the call, only when not restoring). */
  const siteStatement = (s: t.ExpressionStatement, plan: SitePlan, before: t.Statement[] = []): t.Statement => {
    const call = t.cloneNode(s, true);
    const temp = plan.temp.name;
    return t.ifStatement(
      pcIs0(),
      t.blockStatement([
        ...before,
        set(mem(id(n.R), "m"), brandRead(plan, n)),
        call,
        t.ifStatement(t.binaryExpression("===", id(temp), id(n.S)), t.blockStatement(recapture(plan))),
      ]),
      t.ifStatement(
        t.binaryExpression("===", id(L.pc), t.numericLiteral(plan.k)),
        t.blockStatement([
          set(id(L.pc), t.numericLiteral(0)),
          t.ifStatement(id(L.mode), t.throwStatement(id(L.v))),
          set(id(temp), id(L.v)),
        ]),
      ),
    );
  };

  const inRange = (node: t.Node): t.Expression => {
    const r = frame.range.get(node);
    if (!r) return t.booleanLiteral(false);
    if (r[0] === r[1]) return t.binaryExpression("===", id(L.pc), t.numericLiteral(r[0]));
    return t.logicalExpression("&&",
      t.binaryExpression(">=", id(L.pc), t.numericLiteral(r[0])),
      t.binaryExpression("<=", id(L.pc), t.numericLiteral(r[1])));
  };

  let constants = 0;
  /** `let x = init` restoring x when the frame is being restored. */
  const declaration = (d: t.VariableDeclaration): t.Statement[] => {
    if (d.kind === "var") {
      // Keep the declaration itself (restored values come from the top).
      // A pattern declares its names (`var { a }` needs an initializer).
      const names = d.declarations.flatMap((decl) => Object.keys(t.getBindingIdentifiers(decl.id)));
      const out: t.Statement[] = names.length ? [t.variableDeclaration("var", names.map((name) => t.variableDeclarator(id(name))))] : [];
      for (const decl of d.declarations) {
        if (decl.init) out.push(t.ifStatement(pcIs0(), set(t.cloneNode(decl.id, true) as t.LVal, t.cloneNode(decl.init, true))));
      }
      return out;
    }
    const out: t.Statement[] = [];
    for (const decl of d.declarations) {
      const names = Object.keys(t.getBindingIdentifiers(decl.id));
      if (t.isIdentifier(decl.id)) {
        const slot = slotByName.get(decl.id.name);
        let init = decl.init ? t.cloneNode(decl.init, true) : t.identifier("undefined");
        // The conditional would not pass the binding's name on to a function.
        if (slot && isAnonymousFunction(init)) init = nameFunction(init, decl.id.name);
        // A `const` stays one: assigning it must throw in the resume copy too.
        out.push(t.variableDeclaration(d.kind === "const" ? "const" : "let", [t.variableDeclarator(t.cloneNode(decl.id), slot ? t.conditionalExpression(restoring(), saved(slot), init) : init)]));
        continue;
      }
      const init = decl.init ? t.cloneNode(decl.init, true) : t.identifier("undefined");
      if (d.kind === "const" && names.length) {
        // A constant must stay one: the pattern binds fresh names (its
        // defaults read them too; constants never change, so closures there
        // see the same values), then `const a = fresh` declares the names.
        const fresh = new Map(names.map((name) => [name, `${n.p}c${constants++}`]));
        out.push(t.variableDeclaration("let", [...fresh.values()].map((f) => t.variableDeclarator(id(f)))));
        const restore = names.map((name) => set(id(fresh.get(name)!), saved(slotByName.get(name)!)));
        out.push(t.ifStatement(restoring(), t.blockStatement(restore), set(renamed(decl.id as t.LVal, fresh), init)));
        out.push(t.variableDeclaration("const", names.map((name) => t.variableDeclarator(id(name), id(fresh.get(name)!)))));
        continue;
      }
      if (names.length) out.push(t.variableDeclaration("let", names.map((name) => t.variableDeclarator(id(name)))));
      const restore = names.map((name) => set(id(name), saved(slotByName.get(name)!)));
      out.push(t.ifStatement(restoring(), t.blockStatement(restore), set(t.cloneNode(decl.id, true) as t.LVal, init)));
    }
    return out;
  };

  /** A block-level function declaration, hoisted: its saved value while
   * restoring, else a new function. */
  const hoistedFunction = (s: t.FunctionDeclaration): t.Statement => {
    const slot = slotByName.get(s.id!.name)!;
    const expr = t.functionExpression(s.id, s.params, s.body, s.generator, s.async);
    return t.variableDeclaration("let", [t.variableDeclarator(t.cloneNode(s.id!), t.conditionalExpression(restoring(), saved(slot), t.cloneNode(expr, true)))]);
  };

  const list = (stmts: t.Statement[], top = false, hoist = !top): t.Statement[] => {
    const out: t.Statement[] = [];
    let pending: t.Statement[] = [];
    const flush = () => {
      if (pending.length) out.push(t.ifStatement(pcIs0(), t.blockStatement(pending)));
      pending = [];
    };
    // Block-level function declarations are hoisted to the top of their block.
    if (hoist) for (const s of stmts) if (t.isFunctionDeclaration(s)) out.push(hoistedFunction(s));
    for (const s of stmts) {
      if (t.isFunctionDeclaration(s)) continue; // restored above or at the top
      if (isResumeDeclaration(s, n)) {
        // A nested function's resume function: made again, never restored.
        out.push(t.cloneNode(s, true));
        continue;
      }
      if (t.isVariableDeclaration(s)) {
        flush();
        out.push(...declaration(s));
        continue;
      }
      if (t.isClassDeclaration(s)) {
        flush();
        const slot = slotByName.get(s.id!.name)!;
        const cls = t.classExpression(s.id, s.superClass, s.body, s.decorators);
        out.push(t.variableDeclaration("let", [t.variableDeclarator(t.cloneNode(s.id!), t.conditionalExpression(restoring(), saved(slot), t.cloneNode(cls, true)))]));
        continue;
      }
      if (!frame.range.has(s)) {
        pending.push(t.cloneNode(s, true));
        continue;
      }
      const plan = frame.siteOf.get(s);
      if (plan) {
        out.push(siteStatement(s as t.ExpressionStatement, plan, pending));
        pending = [];
        continue;
      }
      flush();
      out.push(statement(s));
    }
    flush();
    return out;
  };

  const block = (s: t.Statement): t.BlockStatement =>
    t.blockStatement(list(t.isBlockStatement(s) ? s.body : [s]));

  /** A statement that contains the call sites in frame.range.get(s). The
   * guard skips it while restoring a later call site; a labeled statement
   * keeps its label directly on the loop (`continue label` needs that). */
  const statement = (s: t.Statement, withRangeGuard = true): t.Statement => {
    const plan = frame.siteOf.get(s);
    if (plan) return siteStatement(s as t.ExpressionStatement, plan);
    const r = frame.range.get(s)!;
    const guard = (inner: t.Statement) => withRangeGuard ? t.ifStatement(t.binaryExpression("<=", id(L.pc), t.numericLiteral(r[1])), inner) : inner;
    switch (s.type) {
      case "BlockStatement":
        return guard(block(s));
      case "LabeledStatement":
        return guard(t.labeledStatement(t.cloneNode(s.label), statement(s.body, false)));
      case "IfStatement": {
        const test = t.conditionalExpression(restoring(), inRange(s.consequent), t.cloneNode(s.test, true));
        return guard(t.ifStatement(test, block(s.consequent), s.alternate ? block(s.alternate) : null));
      }
      case "WhileStatement":
        return guard(t.whileStatement(t.logicalExpression("||", restoring(), t.cloneNode(s.test, true)), block(s.body)));
      case "DoWhileStatement":
        return guard(t.doWhileStatement(t.cloneNode(s.test, true), block(s.body)));
      case "ForStatement": {
        let init: t.ForStatement["init"] = null;
        if (t.isVariableDeclaration(s.init) && s.init.kind !== "var") {
          const decls = declaration(s.init);
          if (!decls.every((x) => t.isVariableDeclaration(x))) {
            throw new Error("fiberlet: destructuring in a for-let head with a call site in the loop is not supported");
          }
          // One declaration per declarator from declaration(): merged back.
          init = t.variableDeclaration(s.init.kind, (decls as t.VariableDeclaration[]).flatMap((x) => x.declarations));
        } else if (t.isVariableDeclaration(s.init)) {
          // var: declared (and restored) at the top; only the assignment stays.
          const assigns = s.init.declarations.filter((d) => d.init).map((d) => t.assignmentExpression("=", t.cloneNode(d.id, true) as t.LVal, t.cloneNode(d.init!, true)));
          if (assigns.length) init = t.conditionalExpression(pcIs0(), assigns.length === 1 ? assigns[0] : t.sequenceExpression(assigns), t.identifier("undefined"));
        } else if (s.init) init = t.conditionalExpression(pcIs0(), t.cloneNode(s.init, true), t.identifier("undefined"));
        const test = s.test ? t.logicalExpression("||", restoring(), t.cloneNode(s.test, true)) : null;
        return guard(t.forStatement(init, test, s.update ? t.cloneNode(s.update, true) : null, block(s.body)));
      }
      case "ForInStatement":
        return guard(t.forInStatement(t.cloneNode(s.left, true), t.cloneNode(s.right, true), block(s.body)));
      case "SwitchStatement": {
        const disc = t.conditionalExpression(restoring(), id(L.pc), t.cloneNode(s.discriminant, true));
        const cases = t.switchStatement(disc, s.cases.map((c) => {
          const test = c.test
            ? t.conditionalExpression(restoring(), t.conditionalExpression(t.logicalExpression("&&", t.booleanLiteral(frame.range.has(c)), inRange(c)), id(L.pc), t.valueToNode(-1)), t.cloneNode(c.test, true))
            : null;
          return t.switchCase(test, list(c.consequent, false, false));
        }));
        // Functions declared in any case exist in the whole switch block,
        // whichever case runs first.
        const functions = s.cases.flatMap((c) => c.consequent.filter((x): x is t.FunctionDeclaration => t.isFunctionDeclaration(x)));
        return guard(functions.length ? t.blockStatement([...functions.map(hoistedFunction), cases]) : cases);
      }
      case "TryStatement": {
        const enter: t.Statement[] = [];
        if (s.handler && frame.range.has(s.handler)) {
          // Re-enter the catch block by throwing the caught value again.
          const param = s.handler.param as t.Identifier | null;
          const value = param ? saved(slotByName.get(param.name)!) : t.identifier("undefined");
          enter.push(t.ifStatement(t.logicalExpression("&&", restoring(), inRange(s.handler)), t.throwStatement(value)));
        }
        const tryBlock = t.blockStatement([...enter, ...list(s.block.body)]);
        const handler = s.handler ? t.catchClause(s.handler.param ? t.cloneNode(s.handler.param, true) : null, block(s.handler.body)) : null;
        const finalizer = s.finalizer ? finallyGuard(t.cloneNode(s.finalizer, true), guarded, L) : null;
        return guard(t.tryStatement(tryBlock, handler, finalizer));
      }
      default:
        throw new Error(`fiberlet internal error: unexpected ${s.type} containing a call site`);
    }
  };

  // Function-scoped slots (params, vars, temps, top-level functions, this...)
  // are restored up front; block-scoped ones at their declarations.
  const prologue: t.Statement[] = [
    t.variableDeclaration("var", [t.variableDeclarator(id(L.pc), mem(rec(), "k"))]),
  ];
  const fnScoped = frame.slots.filter((s) => s.functionScoped);
  if (fnScoped.length) {
    prologue.push(t.variableDeclaration("var", fnScoped.map((slot) => {
      const name = slot.binding ? slot.name : localOf(slot, L);
      return t.variableDeclarator(id(name), saved(slot));
    })));
  }
  if (guarded) prologue.push(t.variableDeclaration("let", [t.variableDeclarator(id(L.U), t.booleanLiteral(false))]));
  const resumeBody = t.blockStatement([...prologue, ...list(body.body, true)]);
  if (ctor) finishLikeNew(resumeBody, L, n, frame, ctor === "derived");
  if (mappedArguments && frame.usesArguments) aliasParameters(resumeBody, fn.node.params as t.Identifier[], L, prologue);
  replaceFrameReferences(resumeBody, L, frame, n);
  const resume = t.functionExpression(
    id(`${safeName(fnName)}$resume`),
    [id(L.rec), id(L.v), id(L.mode)],
    resumeBody,
  );
  return resume;
}

/**
 * A mapped arguments object (sloppy mode, simple parameters) keeps the i-th
 * parameter and `arguments[i]` one variable, for the i that were passed. In
 * the resume copy the parameter's local is a copy, so its reads and writes
 * go through the saved arguments object while it is mapped.
 */
function aliasParameters(body: t.BlockStatement, params: t.Identifier[], L: Local, prologue: t.Statement[]): void {
  const mappedMask = `${L.args}$m`;
  const index = new Map(params.map((p, i) => [p.name, i]));
  const restoreAt = body.body.indexOf(prologue[prologue.length - 1]) + 1;
  // Which parameters the first capture found still mapped (a bit each); no
  // saved arguments object: nothing can observe the mapping any more.
  body.body.splice(restoreAt, 0, t.variableDeclaration("var", [t.variableDeclarator(id(mappedMask),
    t.conditionalExpression(t.binaryExpression("===", id(L.args), id("undefined")), t.numericLiteral(0), mem(id(L.rec), MAPPED_KEY)))]));
  const element = (i: number) => t.memberExpression(id(L.args), t.numericLiteral(i), true);
  const mapped = (i: number) =>
    t.binaryExpression("!==", t.binaryExpression("&", id(mappedMask), t.numericLiteral(2 ** Math.min(i, 30))), t.numericLiteral(0));
  const visit = (parent: t.Node) =>
    mapChildren(parent, (node) => {
      if (t.isAssignmentExpression(node) && t.isIdentifier(node.left) && index.has(node.left.name)) {
        const name = node.left.name;
        const i = index.get(name)!;
        node.right = replaceIn(node.right);
        const op = node.operator;
        const value = (target: t.Expression) => {
          const right = t.cloneNode(node.right, true);
          return op === "=" ? right : t.binaryExpression(op.slice(0, -1) as t.BinaryExpression["operator"], target, right);
        };
        return t.conditionalExpression(mapped(i), t.assignmentExpression("=", element(i), value(element(i))), t.assignmentExpression("=", id(name), value(id(name))));
      }
      if (t.isIdentifier(node) && index.has(node.name) && !isNonReference(parent, node)) {
        const i = index.get(node.name)!;
        return t.conditionalExpression(mapped(i), element(i), id(node.name));
      }
      if (t.isUpdateExpression(node) && t.isIdentifier(node.argument) && index.has(node.argument.name)) return node;
      if (!t.isFunction(node) || t.isArrowFunctionExpression(node)) visit(node);
      return node;
    });
  const replaceIn = (e: t.Expression) => rewriteExpression(e, visit);
  for (const stmt of body.body.slice(restoreAt + 1)) visit(t.blockStatement([stmt]));
}

/** Runs a children-rewriting `visit` on an expression itself (through a
 * holder statement, since `visit` replaces children of what it gets). */
function rewriteExpression(e: t.Expression, visit: (parent: t.Node) => void): t.Expression {
  const holder = t.expressionStatement(e);
  visit(holder);
  return holder.expression;
}

/** An identifier that is a property name, a label or a declaration, not a read. */
function isNonReference(parent: t.Node, node: t.Identifier): boolean {
  if ((t.isMemberExpression(parent) || t.isOptionalMemberExpression(parent)) && parent.property === node && !parent.computed) return true;
  if ((t.isObjectProperty(parent) || t.isObjectMethod(parent) || t.isClassMethod(parent) || t.isClassProperty(parent)) && (parent as { key: t.Node }).key === node && !(parent as { computed?: boolean }).computed) return true;
  if (t.isVariableDeclarator(parent) && parent.id === node) return true;
  if (t.isLabeledStatement(parent) || t.isBreakStatement(parent) || t.isContinueStatement(parent)) return true;
  if (t.isFunction(parent) && (parent.params as t.Node[]).includes(node)) return true;
  return false;
}

function isResumeDeclaration(s: t.Statement, n: Names): boolean {
  return t.isVariableDeclaration(s) && s.declarations.length === 1 && t.isIdentifier(s.declarations[0].id) && n.resumeNames.has(s.declarations[0].id.name);
}

/** The `return writer(rec, ...)` of recaptures: they hand on the sentinel. */
const suspensionReturns = new WeakSet<t.Node>();

/**
 * A resumed constructor frame is an ordinary call, so it finishes what `new`
 * would have done: a constructor's result is `this` unless it returns an
 * object (and a plain call, with no new.target, returns what it returns).
 * super() cannot run again after a resume: it had already run.
 */
function finishLikeNew(body: t.BlockStatement, L: Local, n: Names, frame: Frame, derived: boolean): void {
  // (A folded frame's one value is `this` when constructed, else undefined:
  // it is both the object and the sign of `new`.)
  const self = frame.foldsNew ? L.made : L.self;
  const nt = frame.foldsNew ? L.made : L.nt;
  const result = (value: t.Expression) =>
    t.callExpression(mem(id(n.R), "constructed"), [value, id(self), id(nt), ...(derived ? [t.numericLiteral(1)] : [])]);
  const fix = (node: t.Node): t.Node => {
    if (t.isReturnStatement(node) && !suspensionReturns.has(node)) return t.returnStatement(result(node.argument ?? t.identifier("undefined")));
    if (t.isCallExpression(node) && t.isSuper(node.callee)) {
      // super(...) through the arrow saved at capture: it runs the parent
      // constructor with this constructor's new.target and initializes the
      // fields, binding `this`, as the call in place would have.
      if (!frame.callsSuper) return t.callExpression(mem(id(n.R), "superAgain"), []);
      mapChildren(node, fix);
      return t.assignmentExpression("=", id(L.self), t.callExpression(id(L.supCall), node.arguments));
    }
    if (!t.isFunction(node)) mapChildren(node, fix);
    return node;
  };
  mapChildren(body, fix);
  body.body.push(t.returnStatement(result(t.identifier("undefined"))));
}

function finallyGuard(fin: t.BlockStatement, guarded: boolean, L: Local): t.BlockStatement {
  if (!guarded) return fin;
  return t.blockStatement([t.ifStatement(t.unaryExpression("!", id(L.U)), fin)]);
}

function brandRead(plan: SitePlan, n: Names): t.Expression {
  if (plan.brand === null) return t.numericLiteral(1);
  return t.optionalMemberExpression(t.cloneNode(plan.brand, true), id(n.FM), true, true);
}

function safeName(name: string): string {
  return t.isValidIdentifier(name) ? name : "anonymous";
}

/** In the resume copy, `this`, `arguments` and `new.target` (also inside
 * arrow functions) are the saved ones. */
function replaceFrameReferences(body: t.BlockStatement, L: Local, frame: Frame, n: Names): void {
  const isSuperMember = (e: t.Node): e is t.MemberExpression => t.isMemberExpression(e) && t.isSuper(e.object);
  const keyOf = (m: t.MemberExpression): t.Expression =>
    m.computed ? replaceIn(m.property as t.Expression) : t.stringLiteral((m.property as t.Identifier).name);
  const sup = (...args: t.Expression[]) => t.callExpression(id(L.sup), args);
  /** `super.x` and friends, through the arrow saved at capture. */
  const superForm = (node: t.Node): t.Expression | null => {
    if (isSuperMember(node)) return sup(keyOf(node), t.numericLiteral(0));
    if (t.isCallExpression(node) && isSuperMember(node.callee)) {
      const args = node.arguments.map((a) => (t.isSpreadElement(a) ? t.spreadElement(replaceIn(a.argument)) : replaceIn(a as t.Expression)));
      return t.callExpression(t.memberExpression(sup(keyOf(node.callee), t.numericLiteral(0)), id("call")), [frame.usesThis ? id(L.self) : t.thisExpression(), ...args]);
    }
    if (t.isAssignmentExpression(node) && isSuperMember(node.left)) {
      const key = keyOf(node.left);
      const right = replaceIn(node.right);
      if (node.operator === "=") return sup(key, t.numericLiteral(1), right);
      const logical = node.operator.slice(0, -1);
      if (logical === "&&" || logical === "||" || logical === "??") {
        return t.logicalExpression(logical, sup(key, t.numericLiteral(0)), sup(t.cloneNode(key), t.numericLiteral(1), right));
      }
      return sup(key, t.numericLiteral(1), t.binaryExpression(logical as t.BinaryExpression["operator"], sup(t.cloneNode(key), t.numericLiteral(0)), right));
    }
    if (t.isUpdateExpression(node) && isSuperMember(node.argument)) {
      return t.callExpression(mem(id(n.R), "superUpdate"), [id(L.sup), keyOf(node.argument), t.valueToNode(node.operator === "++" ? 1 : -1), t.booleanLiteral(node.prefix)]);
    }
    if (t.isUnaryExpression(node, { operator: "delete" }) && isSuperMember(node.argument)) {
      return t.callExpression(mem(id(n.R), "superDelete"), [keyOf(node.argument)]);
    }
    return null;
  };
  const visit = (parent: t.Node) =>
    mapChildren(parent, (node) => {
      if (frame.callsSuper && t.isCallExpression(node) && t.isSuper(node.callee)) {
        // super(...) in an arrow of a derived constructor (the constructor's
        // own were rewritten by finishLikeNew): through the saved arrow.
        const args = node.arguments.map((a) => (t.isSpreadElement(a) ? t.spreadElement(replaceIn(a.argument)) : replaceIn(a as t.Expression)));
        return t.assignmentExpression("=", id(L.self), t.callExpression(id(L.supCall), args));
      }
      if (frame.usesSuper) {
        const replaced = superForm(node);
        if (replaced) return replaced;
      }
      // `delete this` and `delete new.target` delete a value (true), not
      // the local that replaces it (false, or an early error in strict code).
      const value = (e: t.Expression) => (t.isUnaryExpression(parent, { operator: "delete" }) ? t.sequenceExpression([t.numericLiteral(0), e]) : e);
      if (t.isThisExpression(node) && frame.usesThis) return value(id(L.self));
      if (t.isIdentifier(node) && node.name === "arguments" && frame.usesArguments &&
        !(t.isMemberExpression(parent) && parent.property === node && !parent.computed)) return id(L.args);
      if (t.isMetaProperty(node) && node.meta.name === "new" && frame.usesNewTarget) return value(id(L.nt));
      if (t.isClass(node)) {
        // A class body has its own `this` (fields, static blocks); only
        // the heritage and computed keys are evaluated in the frame.
        if (node.superClass) node.superClass = replaceIn(node.superClass);
        for (const member of node.body.body) {
          if ("computed" in member && member.computed) (member as { key: t.Expression }).key = replaceIn((member as { key: t.Expression }).key);
        }
        return node;
      }
      // An object method's computed key is evaluated by the frame.
      if (t.isObjectMethod(node) && node.computed) node.key = replaceIn(node.key as t.Expression);
      if (!t.isFunction(node) || t.isArrowFunctionExpression(node)) visit(node);
      return node;
    });
  const replaceIn = (e: t.Expression) => rewriteExpression(e, visit);
  visit(body);
}

/** Decorates the function itself (the fast copy) in place. */
export function decorateFast(
  fn: NodePath<t.Function>,
  frame: Frame,
  n: Names,
  helpers: CaptureHelpers,
  /** The resume function, for a saver that takes it (capture.ts). */
  resumeRef: () => t.Expression,
  ctor: "base" | "derived" | null,
  /** `R` member the prologue takes its entry flag from (see fieldsFirst). */
  entryFlag = "m",
): void {
  const L = locals(n);
  const body = fn.node.body as t.BlockStatement;
  const guarded = frame.guardedFinally;
  const params = fn.node.params as t.Identifier[];
  for (const plan of frame.sites) {
    const values = siteArguments(helpers.order, plan, (slot) => slotValue(slot, L, false, n, ctor === "derived"));
    const save = t.callExpression(id(helpers.saver), [
      t.numericLiteral(plan.k),
      ...(helpers.resumeParam ? [resumeRef()] : []),
      ...(helpers.mapped ? [mappedParamsProbe(params, n)] : []),
      ...values,
    ]);
    // Entered from marked code: save the frame and hand the sentinel on.
    // Else the saver, called bare, refuses the suspension; its outcome is
    // the call's (never the sentinel).
    const outcome = t.conditionalExpression(id(L.E), save, t.callExpression(id(helpers.saver), []));
    const temp = plan.temp.name;
    const suspends = t.logicalExpression("&&",
      t.binaryExpression("===", id(temp), id(n.S)),
      t.binaryExpression("===", t.assignmentExpression("=", id(temp), outcome), id(n.S)));
    const handOn = t.returnStatement(id(n.S));
    const onSentinel = t.ifStatement(suspends, guarded ? t.blockStatement([set(id(L.U), t.booleanLiteral(true)), handOn]) : handOn);
    plan.path.insertBefore(set(mem(id(n.R), "m"), brandRead(plan, n)));
    plan.path.insertAfter(onSentinel);
  }
  if (guarded) {
    walk(body, (node) => {
      if (t.isTryStatement(node) && node.finalizer) node.finalizer = finallyGuard(node.finalizer, true, L);
    });
  }
  const prologue: t.Statement[] = [
    t.variableDeclaration("const", [t.variableDeclarator(id(L.E), mem(id(n.R), entryFlag))]),
    set(mem(id(n.R), entryFlag), t.numericLiteral(0)),
  ];
  if (guarded) prologue.push(t.variableDeclaration("let", [t.variableDeclarator(id(L.U), t.booleanLiteral(false))]));
  body.body.unshift(...prologue);
}

/** The record key of the mapped-parameter mask (see mappedParamsProbe). */
export const MAPPED_KEY = "$$mapped";

/**
 * `R.mappedParams(arguments, count, get, set)`: which of a sloppy function's
 * parameters its `arguments` object still maps, found at capture by writing
 * a probe into each parameter and reading the element back (a mapping the
 * code removed, with `Object.defineProperty` or `delete`, no longer shows
 * it). Parameters past the 31st share the last bit.
 */
function mappedParamsProbe(params: t.Identifier[], n: Names): t.Expression {
  // Plugin names: a parameter may be called i or v.
  const i = `${n.p}pi`;
  const v = `${n.p}pv`;
  const pick = (k: number, make: (p: t.Identifier) => t.Expression): t.Expression =>
    k === params.length - 1 ? make(params[k]) : t.conditionalExpression(t.binaryExpression("===", id(i), t.numericLiteral(k)), make(params[k]), pick(k + 1, make));
  return t.callExpression(mem(id(n.R), "mappedParams"), [
    id("arguments"),
    t.numericLiteral(params.length),
    t.arrowFunctionExpression([id(i)], pick(0, (p) => id(p.name))),
    t.arrowFunctionExpression([id(i), id(v)], pick(0, (p) => t.assignmentExpression("=", id(p.name), id(v)))),
  ]);
}
