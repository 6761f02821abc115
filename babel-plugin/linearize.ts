/**
 * Linearization: the one owner of evaluation order in a marked function.
 *
 * A call site can suspend the frame, and the frame is resumed by jumping back
 * to a statement, so no half-evaluated expression may span a call site.
 * `expr(e, out)` rewrites `e` so that every call site inside it becomes a
 * statement `temp = call` appended to `out`, and returns what is left of `e`
 * (an expression with no call site, evaluated after `out`).
 *
 * The rule, for every kind of expression (regenerator's explodeExpression):
 * operands are evaluated left to right; once a later operand contains a call
 * site, every earlier operand is *settled* first, in order: its value is read
 * into a temp (unless reading it later gives the same value and runs no
 * code), and the conversion the language does at that point (a computed
 * key's ToPropertyKey, a template substitution's ToString, a spread's
 * iteration) happens there. Reference operations (property reads, the `this`
 * value of a method call) happen exactly once, where the specification does
 * them. Operands after the last call site stay where they are.
 *
 * A call site itself must run no code between the store of its callee's
 * brand and the callee's prologue (docs/protocol.md), so every operand of
 * the call that could run code is settled before it too.
 */
import { types as t } from "@babel/core";
import { hasCallSite, hasForOf, hasSite, type SiteFacts } from "./sites.js";
import { isAnonymousFunction, nameFunction } from "./nodes.js";

export { isAnonymousFunction, nameFunction };

/** One call site: the statement `temp = call` and how to read its brand. */
export interface Site {
  temp: t.Identifier;
  /** Expression whose `[FM]` tells if the callee is marked; null when the
   * callee is statically known to be marked. */
  brand: t.Expression | null;
}

export type Fail = (node: t.Node, message: string) => Error;

/** How an operand is consumed where it stands (see Linearizer.settle). */
type OperandKind = "value" | "spread" | "objectSpread" | "string" | "key";

interface Operand {
  expr: t.Expression;
  kind: OperandKind;
  /** Name a settled anonymous function or class must keep. */
  name?: string;
}

const value = (expr: t.Expression, name?: string): Operand => ({ expr, kind: "value", name });

/** Operands of an argument list: spread elements are iterated where they stand. */
function argOperands(args: (t.Expression | t.SpreadElement | t.ArgumentPlaceholder)[]): Operand[] {
  return args.map((a) => (t.isSpreadElement(a) ? { expr: a.argument, kind: "spread" } : value(a as t.Expression)));
}

function rebuildArgs(args: (t.Expression | t.SpreadElement | t.ArgumentPlaceholder)[], vals: t.Expression[]): (t.Expression | t.SpreadElement)[] {
  return args.map((a, i) => (t.isSpreadElement(a) ? t.spreadElement(vals[i]) : vals[i]));
}

export class Linearizer {
  readonly temps: t.Identifier[] = [];
  private tempCount = 0;
  readonly sites = new Map<t.ExpressionStatement, Site>();

  constructor(
    protected readonly facts: SiteFacts,
    protected readonly prefix: string,
    protected readonly fail: Fail,
    /** `R` of the runtime protocol, as an expression. */
    protected readonly runtime: () => t.Expression,
    /** Declares a module-level constant initialized with `init`. */
    protected readonly hoist: (init: t.Expression) => t.Identifier,
  ) {}

  newTemp(): t.Identifier {
    const id = t.identifier(`${this.prefix}${this.tempCount++}`);
    this.temps.push(id);
    return t.identifier(id.name);
  }

  protected needs(node: t.Node | null | undefined): boolean {
    return hasSite(node, this.facts) || hasForOf(node);
  }

  protected has(node: t.Node | null | undefined): boolean {
    return hasSite(node, this.facts);
  }

  /** Contains a call site other than implicit iteration. */
  protected hasCall(node: t.Node | null | undefined): boolean {
    return hasCallSite(node, this.facts);
  }

  protected helper(name: string, args: t.Expression[]): t.CallExpression {
    return t.callExpression(t.memberExpression(this.runtime(), t.identifier(name)), args);
  }

  /**
   * Emits a call site `temp = call` and returns the temp. The brand is read
   * from a temp (materialized here if needed, before the call): later passes
   * rewrite names in the body (boxes), and the brand read is only added to
   * the body when the copies are emitted.
   */
  site(brand: t.Expression | null, call: t.Expression, out: t.Statement[]): t.Identifier {
    if (brand && !(t.isIdentifier(brand) && this.isTemp(brand))) {
      const temp = this.materialize(t.cloneNode(brand), out);
      replaceOperand(call, brand, temp);
      if (t.isCallExpression(call) && t.isIdentifier(call.callee, { name: temp.name })) {
        // The callee keeps its own text in the TypeError.
        call.callee = this.callable(temp, brand);
      }
      brand = temp;
    }
    const temp = this.newTemp();
    const stmt = t.expressionStatement(t.assignmentExpression("=", temp, call));
    this.sites.set(stmt, { temp: t.identifier(temp.name), brand });
    out.push(stmt);
    return t.identifier(temp.name);
  }

  /** Reads `e` into a temp now (unless it already is one). */
  materialize(e: t.Expression, out: t.Statement[]): t.Identifier {
    if (t.isIdentifier(e) && this.isTemp(e)) return e;
    const temp = this.newTemp();
    out.push(assign(temp, e));
    return t.identifier(temp.name);
  }

  protected isTemp(e: t.Identifier): boolean {
    return e.name.startsWith(this.prefix);
  }

  /** Evaluating `e` later gives the same value as now and runs no code. */
  protected isStable(e: t.Expression): boolean {
    if (t.isLiteral(e) && !t.isTemplateLiteral(e)) return true;
    if (t.isThisExpression(e)) return true;
    if (t.isIdentifier(e)) return this.isTemp(e) || this.facts.stable.has(e) || e.name === "undefined";
    if (t.isUnaryExpression(e) && (e.operator === "-" || e.operator === "void" || e.operator === "!") && t.isLiteral(e.argument)) return true;
    // Creating a function runs nothing, and its name comes from where it stands.
    return t.isFunctionExpression(e) || t.isArrowFunctionExpression(e);
  }

  /** Does now what evaluating the operand in place would have done (read
   * it, iterate a spread, copy an object spread, convert a substitution or a
   * key), and returns an expression that is stable. */
  protected settle(v: t.Expression, op: Operand, out: t.Statement[]): t.Expression {
    switch (op.kind) {
      case "spread":
        return this.iterateToArray(v, out);
      case "objectSpread":
        return this.materialize(t.objectExpression([t.spreadElement(v)]), out);
      case "string":
        if (t.isStringLiteral(v) || t.isNumericLiteral(v)) return v;
        return this.materialize(t.templateLiteral([t.templateElement({ raw: "" }), t.templateElement({ raw: "" }, true)], [v]), out);
      case "key":
        if (t.isStringLiteral(v) || t.isNumericLiteral(v)) return v;
        return this.materialize(this.helper("key", [v]), out);
      default:
        if (this.isStable(v)) return v;
        if (op.name !== undefined && t.isClassExpression(v) && !v.id) {
          // `{ name: class {} }` names the class; a temp would rename it.
          return this.materialize(t.memberExpression(t.objectExpression([t.objectProperty(t.stringLiteral(op.name), v)]), t.stringLiteral(op.name), true), out);
        }
        return this.materialize(v, out);
    }
  }

  /**
   * Evaluates operands left to right and settles them by `mode`:
   * - "order": every operand before the last one with a call site;
   * - "call": also every operand that could run code (a call site's
   *   operands: nothing may run between the brand store and the call), and
   *   so every operand before such an operand;
   * - "all": every operand (they are used after code that comes later).
   */
  protected operands(list: Operand[], out: t.Statement[], mode: "order" | "call" | "all" = "order"): t.Expression[] {
    let last = mode === "all" ? list.length - 1 : -1;
    if (mode !== "all") {
      list.forEach((op, i) => {
        // A spread calls the iterator's next(), which may suspend.
        if (this.has(op.expr) || op.kind === "spread" || (mode === "call" && !(op.kind === "value" && isInert(op.expr)))) last = i;
      });
    }
    return list.map((op, i) => {
      const v = this.expr(op.expr, out);
      if (i < last || (i === last && mode !== "order") || op.kind === "spread") return this.settle(v, op, out);
      return v;
    });
  }

  expr(e: t.Expression, out: t.Statement[]): t.Expression {
    if (!this.has(e)) return e;
    switch (e.type) {
      case "CallExpression":
      case "TaggedTemplateExpression":
        return this.call(e, out);
      case "OptionalCallExpression":
      case "OptionalMemberExpression":
        return this.optionalChain(e, out, false);
      case "NewExpression":
        return this.construct(e, out);
      case "MemberExpression": {
        if (t.isSuper(e.object)) {
          const [prop] = this.operands([value(e.property as t.Expression)], out);
          return t.memberExpression(e.object, prop, true);
        }
        const ops = [value(e.object as t.Expression)];
        if (e.computed) ops.push(value(e.property as t.Expression));
        const [obj, prop] = this.operands(ops, out);
        return t.memberExpression(obj, e.computed ? prop : e.property, e.computed);
      }
      case "BinaryExpression": {
        if (t.isPrivateName(e.left)) return t.binaryExpression(e.operator, e.left, this.expr(e.right, out));
        const [l, r] = this.operands([value(e.left), value(e.right)], out);
        return t.binaryExpression(e.operator, l, r);
      }
      case "LogicalExpression":
        return this.logical(e, out);
      case "ConditionalExpression":
        return this.conditional(e, out);
      case "AssignmentExpression":
        return this.assignment(e, out);
      case "UnaryExpression":
        if (e.operator === "delete") {
          const arg = e.argument;
          if (t.isOptionalMemberExpression(arg) || t.isOptionalCallExpression(arg)) return this.optionalChain(arg, out, true);
          // A reference is deleted where it is; anything else is evaluated
          // and `delete` of a value is true (`delete temp` would be an early
          // error in strict code).
          if (t.isMemberExpression(arg)) return t.unaryExpression("delete", this.memberTarget(arg, out, false));
          if (t.isIdentifier(arg)) return e;
          const v = this.expr(arg, out);
          if (!isPure(v)) out.push(t.expressionStatement(v));
          return t.booleanLiteral(true);
        }
        return t.unaryExpression(e.operator, this.expr(e.argument, out));
      case "UpdateExpression": {
        const arg = e.argument as t.Expression;
        if (t.isMemberExpression(arg)) return t.updateExpression(e.operator, this.memberTarget(arg, out, false), e.prefix);
        return e;
      }
      case "SequenceExpression": {
        const list = e.expressions;
        for (let i = 0; i < list.length - 1; i++) {
          const v = this.expr(list[i], out);
          if (!isPure(v)) out.push(t.expressionStatement(v));
        }
        return this.expr(list[list.length - 1], out);
      }
      case "ArrayExpression": {
        const items = e.elements.filter((x): x is t.Expression | t.SpreadElement => x !== null);
        const vals = this.operands(argOperands(items), out);
        let j = 0;
        return t.arrayExpression(e.elements.map((x) => (x === null ? null : t.isSpreadElement(x) ? t.spreadElement(vals[j++]) : vals[j++])));
      }
      case "ObjectExpression":
        return this.object(e, out);
      case "TemplateLiteral":
        return t.templateLiteral(e.quasis, this.operands(e.expressions.map((x) => ({ expr: x as t.Expression, kind: "string" as const })), out));
      case "ClassExpression":
        return this.classExpression(e, out);
      case "ImportExpression": {
        // import() in Babel 8's AST (Babel 7: a call of Import, see call()):
        // never a call site; its operands are evaluated like arguments.
        const ops = [value(e.source)];
        if (e.options) ops.push(value(e.options));
        const [source, options] = this.operands(ops, out);
        return Object.assign(t.cloneNode(e, false), { source, options: e.options ? options : e.options });
      }
      case "ParenthesizedExpression":
        return this.expr(e.expression, out);
      case "TSAsExpression":
      case "TSSatisfiesExpression":
      case "TSNonNullExpression":
      case "TSTypeAssertion":
      case "TypeCastExpression":
        return this.expr(e.expression, out);
      default:
        throw this.fail(e, `fiberlet: cannot make a call inside a ${e.type} resumable`);
    }
  }

  // ---- calls ------------------------------------------------------------

  private isSiteCall(e: t.Node): boolean {
    const kind = this.facts.kinds.get(e);
    return kind === "site" || kind === "marked-site";
  }

  /** The brand a call site stores: null when the callee is known marked. */
  private brandOf(e: t.Node, fn: t.Expression): t.Expression | null {
    return this.facts.kinds.get(e) === "marked-site" ? null : fn;
  }

  private call(e: t.CallExpression | t.TaggedTemplateExpression, out: t.Statement[]): t.Expression {
    const isSite = this.isSiteCall(e);
    const callee = t.isCallExpression(e) ? e.callee : e.tag;
    if (t.isTaggedTemplateExpression(e)) return this.taggedTemplate(e, isSite, out);
    const rawArgs = e.arguments;
    if (t.isImport(callee) || t.isSuper(callee) || t.isV8IntrinsicIdentifier(callee)) {
      // import() and super() are never call sites (super() enters the parent
      // constructor, which takes it as a call from unmarked code).
      return t.callExpression(callee, rebuildArgs(rawArgs, this.operands(argOperands(rawArgs), out)));
    }
    const argsHaveSite = rawArgs.some((a) => this.has(a));
    if (!isSite && !argsHaveSite && !t.isOptionalMemberExpression(callee)) {
      // Only the callee has call sites: explode it, keep the call shape (and
      // with it the `this` of a method call).
      if (t.isMemberExpression(callee)) {
        return t.callExpression(this.expr(callee, out) as t.MemberExpression, rawArgs);
      }
      return t.callExpression(this.expr(callee as t.Expression, out), rawArgs);
    }
    const { fn, receiver } = this.callee(callee as t.Expression, out);
    const args = rebuildArgs(rawArgs, this.operands(argOperands(rawArgs), out, isSite ? "call" : "order"));
    // A callee that moved into a temp keeps its own text in the TypeError.
    const direct = fn === callee ? fn : this.callable(fn, callee as t.Expression);
    const call = receiver
      ? t.callExpression(t.memberExpression(this.callable(fn, callee as t.Expression), t.identifier("call")), [receiver, ...args])
      : t.callExpression(direct, args);
    if (!isSite) return call;
    // f.call(...) and f.apply(...) enter f directly: f's brand is the one.
    const viaCallOrApply = t.isMemberExpression(callee) && !callee.computed && t.isIdentifier(callee.property) &&
      (callee.property.name === "call" || callee.property.name === "apply");
    return this.site(this.brandOf(e, viaCallOrApply ? receiver! : fn), call, out);
  }

  /** The function a call calls, settled, and its `this` for a method: the
   * method is read once, before the arguments are evaluated. */
  private callee(callee: t.Expression, out: t.Statement[]): { fn: t.Expression; receiver: t.Expression | null } {
    if (t.isOptionalMemberExpression(callee)) {
      // `(a?.b)()` keeps its reference: `this` is `a` unless the chain
      // short-circuited (then the call throws anyway).
      const receiver = this.newTemp();
      out.push(assign(receiver, t.identifier("undefined")));
      return { fn: this.optionalChain(callee, out, false, receiver), receiver: t.identifier(receiver.name) };
    }
    if (!t.isMemberExpression(callee)) return { fn: this.operands([value(callee)], out, "all")[0], receiver: null };
    const target = this.memberTarget(callee, out, true);
    return { fn: this.materialize(target, out), receiver: t.isSuper(target.object) ? t.thisExpression() : target.object };
  }

  /**
   * A tagged template passes the same strings object every time its site
   * runs. Its code exists twice (fast and resume copy), so when the call
   * must be taken apart the strings object is made once, at module level
   * (R.strings), and the tag is called with it like any function.
   */
  private taggedTemplate(e: t.TaggedTemplateExpression, isSite: boolean, out: t.Statement[]): t.Expression {
    const tag = e.tag;
    const { fn, receiver } = this.callee(tag, out);
    const subs = this.operands(e.quasi.expressions.map((x) => value(x as t.Expression)), out, isSite ? "call" : "order");
    const strings = this.templateObject(e.quasi);
    const call = receiver
      ? t.callExpression(t.memberExpression(this.callable(fn, tag), t.identifier("call")), [receiver, strings, ...subs])
      : t.callExpression(fn, [strings, ...subs]);
    if (!isSite) return call;
    return this.site(this.brandOf(e, fn), call, out);
  }

  private templateObject(quasi: t.TemplateLiteral): t.Identifier {
    const template = t.templateLiteral(quasi.quasis.map((q) => t.cloneNode(q)), quasi.expressions.map(() => t.numericLiteral(0)));
    return this.hoist(t.taggedTemplateExpression(t.memberExpression(this.runtime(), t.identifier("strings")), template));
  }

  private construct(e: t.NewExpression, out: t.Statement[]): t.Expression {
    const isSite = this.isSiteCall(e);
    const [callee, ...args] = this.operands([value(e.callee as t.Expression), ...argOperands(e.arguments)], out, isSite ? "call" : "order");
    const node = t.newExpression(callee, rebuildArgs(e.arguments, args));
    if (!isSite) return node;
    return this.site(this.brandOf(e, callee), node, out);
  }

  /** `fn`, or a TypeError naming the original callee (or `original` itself,
   * a text) when it is not callable. */
  protected callable(fn: t.Expression, original: t.Expression | string): t.Expression {
    return t.conditionalExpression(
      t.binaryExpression("===", t.unaryExpression("typeof", t.cloneNode(fn)), t.stringLiteral("function")),
      t.cloneNode(fn),
      this.helper("notCallable", [t.cloneNode(fn), t.stringLiteral(typeof original === "string" ? original : calleeText(original))]),
    );
  }

  /**
   * An optional chain `a?.b.c(x)?.[k]` as nested ifs: each link reads its
   * object once; a method call gets the object of the member link before it
   * as `this`. With `remove` (`delete a?.b`), the last link is deleted.
   */
  private optionalChain(e: t.OptionalCallExpression | t.OptionalMemberExpression, out: t.Statement[], remove: boolean, receiverOut?: t.Identifier): t.Expression {
    type Link = t.OptionalCallExpression | t.OptionalMemberExpression;
    const links: Link[] = [];
    let base: t.Expression = e;
    while (t.isOptionalCallExpression(base) || t.isOptionalMemberExpression(base)) {
      links.unshift(base);
      base = t.isOptionalCallExpression(base) ? (base.callee as t.Expression) : (base.object as t.Expression);
    }
    const result = this.newTemp();
    let start: t.Identifier;
    let receiver: t.Expression | null = null;
    if (t.isOptionalCallExpression(links[0]) && t.isMemberExpression(base)) {
      // `a.b?.()`: the call's `this` is a.
      const target = this.memberTarget(base, out, true);
      receiver = t.isSuper(target.object) ? t.thisExpression() : target.object;
      start = this.materialize(target, out);
    } else start = this.materialize(this.expr(base, out), out);
    const walk = (i: number, cur: t.Identifier, receiver: t.Expression | null, sink: t.Statement[]): void => {
      const link = links[i];
      const last = i === links.length - 1;
      const inner: t.Statement[] = [];
      if (t.isOptionalMemberExpression(link)) {
        const prop = link.computed ? this.expr(link.property as t.Expression, inner) : (link.property as t.Expression);
        const member = t.memberExpression(t.cloneNode(cur), prop, link.computed);
        if (last && receiverOut) inner.push(assign(receiverOut, t.cloneNode(cur)));
        if (last) inner.push(assign(result, remove ? t.unaryExpression("delete", member) : member));
        else walk(i + 1, this.materialize(member, inner), cur, inner);
      } else {
        const args = rebuildArgs(link.arguments, this.operands(argOperands(link.arguments), inner, "call"));
        const call = receiver
          ? t.callExpression(t.memberExpression(this.callable(cur, t.identifier("expression")), t.identifier("call")), [receiver, ...args])
          : t.callExpression(t.cloneNode(cur), args);
        const got = this.site(t.cloneNode(cur), call, inner);
        if (last) inner.push(assign(result, got));
        else walk(i + 1, got, null, inner);
      }
      if (link.optional) {
        sink.push(t.ifStatement(
          t.binaryExpression("==", t.cloneNode(cur), t.nullLiteral()),
          assign(result, remove ? t.booleanLiteral(true) : t.identifier("undefined")),
          t.blockStatement(inner),
        ));
      } else sink.push(...inner);
    };
    walk(0, start, receiver, out);
    return t.identifier(result.name);
  }

  // ---- operators --------------------------------------------------------

  private logical(e: t.LogicalExpression, out: t.Statement[]): t.Expression {
    const left = this.expr(e.left, out);
    if (!this.has(e.right)) return t.logicalExpression(e.operator, left, e.right);
    const r = this.materialize(left, out);
    const result = this.newTemp();
    out.push(assign(result, r));
    const inner: t.Statement[] = [];
    inner.push(assign(result, this.expr(e.right, inner)));
    out.push(t.ifStatement(shortCircuitTest(e.operator, result), t.blockStatement(inner)));
    return t.identifier(result.name);
  }

  private conditional(e: t.ConditionalExpression, out: t.Statement[]): t.Expression {
    const test = this.expr(e.test, out);
    if (!this.has(e.consequent) && !this.has(e.alternate)) return t.conditionalExpression(test, e.consequent, e.alternate);
    const r = this.newTemp();
    const c: t.Statement[] = [];
    c.push(assign(r, this.expr(e.consequent, c)));
    const a: t.Statement[] = [];
    a.push(assign(r, this.expr(e.alternate, a)));
    out.push(t.ifStatement(test, t.blockStatement(c), t.blockStatement(a)));
    return t.identifier(r.name);
  }

  /** The object (and computed key) of a member reference, evaluated in order;
   * `settle` keeps them in temps (a later operand has a call site). */
  protected memberTarget(m: t.MemberExpression, out: t.Statement[], settle: boolean): t.MemberExpression {
    if (t.isSuper(m.object)) {
      if (!m.computed) return m;
      const [key] = this.operands([value(m.property as t.Expression)], out, settle ? "all" : "order");
      return t.memberExpression(m.object, key, true);
    }
    const ops = [value(m.object as t.Expression)];
    if (m.computed) ops.push(value(m.property as t.Expression));
    const vals = this.operands(ops, out, settle ? "all" : "order");
    return t.memberExpression(vals[0], m.computed ? vals[1] : m.property, m.computed);
  }

  private assignment(e: t.AssignmentExpression, out: t.Statement[]): t.Expression {
    const op = e.operator;
    const rightHas = this.has(e.right);
    const left = e.left;
    if (t.isObjectPattern(left) || t.isArrayPattern(left)) {
      // Destructuring assignment: the value is the right-hand side.
      const rhs = this.materialize(this.expr(e.right, out), out);
      if (!this.has(left)) {
        out.push(t.expressionStatement(t.assignmentExpression("=", left, rhs)));
      } else this.bindPattern(left, rhs, null, out);
      return t.identifier(rhs.name);
    }
    let target: t.LVal = left as t.LVal;
    if (t.isMemberExpression(target)) target = this.memberTarget(target, out, rightHas);
    if (op === "=") {
      const right = this.expr(e.right, out);
      return t.assignmentExpression("=", target, right);
    }
    if (op === "&&=" || op === "||=" || op === "??=") {
      const logicalOp = op.slice(0, 2) as "&&" | "||" | "??";
      const r = this.newTemp();
      out.push(assign(r, t.cloneNode(target) as t.Expression));
      const inner: t.Statement[] = [];
      const right = this.expr(e.right, inner);
      inner.push(assign(r, t.assignmentExpression("=", t.cloneNode(target), right)));
      out.push(t.ifStatement(shortCircuitTest(logicalOp, r), t.blockStatement(inner)));
      return t.identifier(r.name);
    }
    // x op= f(): the old value of x is read before f runs.
    const old = rightHas ? this.materialize(t.cloneNode(target) as t.Expression, out) : (t.cloneNode(target) as t.Expression);
    const right = this.expr(e.right, out);
    return t.assignmentExpression("=", target, t.binaryExpression(op.slice(0, -1) as t.BinaryExpression["operator"], old, right));
  }

  private object(e: t.ObjectExpression, out: t.Statement[]): t.Expression {
    const ops: Operand[] = [];
    for (const p of e.properties) {
      if (t.isSpreadElement(p)) ops.push({ expr: p.argument, kind: "objectSpread" });
      else {
        // A computed key is converted to a property key before the value is evaluated.
        if (p.computed) ops.push({ expr: p.key as t.Expression, kind: "key" });
        if (t.isObjectProperty(p)) ops.push(value(p.value as t.Expression, propertyName(p)));
      }
    }
    const vals = this.operands(ops, out);
    let j = 0;
    return t.objectExpression(e.properties.map((p) => {
      if (t.isSpreadElement(p)) return t.spreadElement(vals[j++]);
      const key = p.computed ? vals[j++] : p.key;
      if (t.isObjectProperty(p)) {
        const v = vals[j++];
        return t.objectProperty(key, v, p.computed, p.shorthand && t.isIdentifier(v) && t.isIdentifier(key) && v.name === key.name);
      }
      return t.objectMethod(p.kind, key as t.Expression, p.params, p.body, p.computed, p.generator, p.async);
    }));
  }

  /**
   * A class whose `extends` clause or computed keys contain call sites: the
   * heritage and the keys are evaluated (and the keys converted) in order
   * before the class is created; static code still runs when it is.
   */
  protected classExpression(e: t.ClassExpression | t.ClassDeclaration, out: t.Statement[]): t.ClassExpression {
    const ops: Operand[] = [];
    if (e.superClass) ops.push(value(e.superClass));
    const keyed = e.body.body.filter((m) => "computed" in m && m.computed) as (t.ClassMethod | t.ClassProperty)[];
    for (const m of keyed) ops.push({ expr: m.key as t.Expression, kind: "key" });
    // Every operand is settled: the class body evaluates them in place
    // together with code (field initializers) that is not an operand.
    const vals = this.operands(ops, out, "all");
    let j = 0;
    const superClass = e.superClass ? vals[j++] : null;
    for (const m of keyed) m.key = vals[j++];
    return t.classExpression(e.id, superClass, e.body, e.decorators);
  }

  // ---- destructuring ----------------------------------------------------

  /**
   * Binds `pattern` to the settled value `v` step by step, in the order the
   * language does it, so defaults and computed keys may contain call sites.
   * `kind` declares the bound names (`let`, `const`, `var`); null assigns.
   */
  bindPattern(pattern: t.LVal, v: t.Expression, kind: "var" | "let" | "const" | null, out: t.Statement[]): void {
    if (t.isIdentifier(pattern)) {
      out.push(kind ? t.variableDeclaration(kind, [t.variableDeclarator(pattern, v)]) : assign(pattern, v));
      return;
    }
    if (t.isAssignmentPattern(pattern)) throw this.fail(pattern, "fiberlet internal error: default outside a pattern element");
    if (t.isMemberExpression(pattern)) {
      out.push(t.expressionStatement(t.assignmentExpression("=", pattern, v)));
      return;
    }
    if (t.isObjectPattern(pattern)) {
      out.push(t.expressionStatement(this.helper("coercible", [v])));
      const keys: t.Expression[] = [];
      for (const p of pattern.properties) {
        if (t.isRestElement(p)) {
          const rest = this.materialize(this.helper("objectRest", [v, t.arrayExpression(keys.map((k) => t.cloneNode(k)))]), out);
          this.bindElement(p.argument, rest, null, kind, out);
          continue;
        }
        let key: t.Expression;
        if (p.computed) key = this.settle(this.expr(p.key as t.Expression, out), { expr: p.key as t.Expression, kind: "key" }, out);
        else key = t.isIdentifier(p.key) ? t.stringLiteral(p.key.name) : t.isNumericLiteral(p.key) ? t.stringLiteral(String(p.key.value)) : (p.key as t.Expression);
        keys.push(key);
        const target = p.value as t.LVal;
        const element = t.isAssignmentPattern(target) ? target.left : target;
        const lref = this.targetReference(element, out);
        const got = this.materialize(t.memberExpression(v, t.cloneNode(key), true), out);
        this.bindElement(lref, got, t.isAssignmentPattern(target) ? target.right : null, kind, out);
      }
      return;
    }
    if (t.isArrayPattern(pattern)) {
      this.bindArray(pattern, v, kind, out);
      return;
    }
    throw this.fail(pattern, `fiberlet: cannot destructure into a ${pattern.type}`);
  }

  /** The reference an assignment element writes to, evaluated before the
   * value is read (for a member target); patterns and names stay as they are. */
  private targetReference(element: t.LVal, out: t.Statement[]): t.LVal {
    if (t.isMemberExpression(element)) return this.memberTarget(element, out, true);
    return element;
  }

  private bindElement(target: t.LVal, got: t.Identifier, fallback: t.Expression | null, kind: "var" | "let" | "const" | null, out: t.Statement[]): void {
    if (fallback) {
      const inner: t.Statement[] = [];
      const name = t.isIdentifier(target) && !target.extra?.parenthesized ? target.name : undefined;
      const d = this.expr(fallback, inner);
      inner.push(assign(got, name !== undefined && isAnonymousFunction(fallback) ? nameFunction(d, name) : d));
      out.push(t.ifStatement(t.binaryExpression("===", t.cloneNode(got), t.identifier("undefined")), t.blockStatement(inner)));
    }
    if (t.isObjectPattern(target) || t.isArrayPattern(target)) this.bindPattern(target, got, kind, out);
    else if (t.isAssignmentPattern(target)) this.bindElement(target.left, got, target.right, kind, out);
    else this.bindPattern(target, got, kind, out);
  }

  /**
   * The values a spread takes from `v`, as a fresh array. A plain array
   * (R.plainArray: its iteration runs no user code) is copied natively;
   * anything else is iterated with explicit call sites, so an iterator whose
   * next() is marked may suspend in the middle.
   */
  protected iterateToArray(v: t.Expression, out: t.Statement[]): t.Identifier {
    const src = this.materialize(v, out);
    const arr = this.newTemp();
    const slow: t.Statement[] = [];
    const it = this.openIterator(src, slow);
    slow.push(assign(arr, t.arrayExpression([])));
    const loop: t.Statement[] = [];
    const value = this.stepIterator(it, loop, true);
    loop.push(t.expressionStatement(t.callExpression(t.memberExpression(t.identifier(arr.name), t.identifier("push")), [value])));
    slow.push(t.whileStatement(t.booleanLiteral(true), t.blockStatement(loop)));
    out.push(t.ifStatement(
      this.helper("plainArray", [t.cloneNode(src)]),
      assign(arr, t.arrayExpression([t.spreadElement(t.cloneNode(src))])),
      t.blockStatement(slow),
    ));
    return t.identifier(arr.name);
  }

  /** GetIterator as call sites: `{ it, next, done }` temps. */
  private openIterator(src: t.Identifier, out: t.Statement[]): IteratorTemps {
    const method = this.materialize(this.helper("iteratorMethod", [t.cloneNode(src)]), out);
    const it = this.site(method, t.callExpression(t.memberExpression(t.identifier(method.name), t.identifier("call")), [t.cloneNode(src)]), out);
    out.push(t.expressionStatement(this.helper("checkObject", [t.identifier(it.name)])));
    const next = this.materialize(t.memberExpression(t.identifier(it.name), t.identifier("next")), out);
    const done = this.newTemp();
    out.push(assign(done, t.booleanLiteral(false)));
    return { it, next, done };
  }

  /**
   * One IteratorStep as a call site. With `breakWhenDone` (a loop body), a
   * finished iterator breaks out; otherwise the value is undefined once the
   * iterator is done, and it is not called again.
   */
  private stepIterator(iter: IteratorTemps, out: t.Statement[], breakWhenDone: boolean): t.Identifier {
    const value = this.newTemp();
    const body: t.Statement[] = [];
    // Whatever goes wrong inside the iterator leaves it done (not closed).
    body.push(assign(iter.done, t.booleanLiteral(true)));
    const result = this.site(iter.next, t.callExpression(t.memberExpression(t.identifier(iter.next.name), t.identifier("call")), [t.identifier(iter.it.name)]), body);
    body.push(t.expressionStatement(this.helper("checkObject", [t.identifier(result.name)])));
    const done = t.memberExpression(t.identifier(result.name), t.identifier("done"));
    if (breakWhenDone) {
      body.push(t.ifStatement(done, t.breakStatement()));
      body.push(assign(value, t.memberExpression(t.identifier(result.name), t.identifier("value"))));
      body.push(assign(iter.done, t.booleanLiteral(false)));
      out.push(...body);
      return t.identifier(value.name);
    }
    body.push(t.ifStatement(t.unaryExpression("!", done), t.blockStatement([
      assign(value, t.memberExpression(t.identifier(result.name), t.identifier("value"))),
      assign(iter.done, t.booleanLiteral(false)),
    ])));
    out.push(assign(value, t.identifier("undefined")));
    out.push(t.ifStatement(t.unaryExpression("!", t.identifier(iter.done.name)), t.blockStatement(body)));
    return t.identifier(value.name);
  }

  /** IteratorClose as call sites; `quiet` ignores its failures (the
   * pattern is being left by an exception, which wins). */
  private closeIterator(iter: IteratorTemps, out: t.Statement[], quiet: boolean): void {
    const body: t.Statement[] = [assign(iter.done, t.booleanLiteral(true))];
    const ret = this.materialize(t.memberExpression(t.identifier(iter.it.name), t.identifier("return")), body);
    const call: t.Statement[] = [];
    const result = this.site(ret, t.callExpression(t.memberExpression(t.identifier(ret.name), t.identifier("call")), [t.identifier(iter.it.name)]), call);
    if (!quiet) call.push(t.expressionStatement(this.helper("checkObject", [t.identifier(result.name)])));
    body.push(t.ifStatement(t.binaryExpression("!=", t.identifier(ret.name), t.nullLiteral()), t.blockStatement(call)));
    const guarded = quiet ? [t.tryStatement(t.blockStatement(body), t.catchClause(null, t.blockStatement([])))] : body;
    out.push(t.ifStatement(t.unaryExpression("!", t.identifier(iter.done.name)), t.blockStatement(guarded)));
  }

  /**
   * Array destructuring through the iterator protocol, one element at a
   * time with explicit call sites, so a default or the iterator's next()
   * may suspend; the iterator is closed if the pattern ends before it does,
   * or quietly when binding throws. A plain array whose pattern has no other
   * call site is destructured natively instead.
   */
  private bindArray(pattern: t.ArrayPattern, v: t.Expression, kind: "var" | "let" | "const" | null, out: t.Statement[]): void {
    const src = this.materialize(v, out);
    const names = Object.keys(t.getBindingIdentifiers(pattern));
    if (kind && names.length) {
      // The names are declared outside the branches and guards (a
      // declaration inside them would be scoped to them); those assign them.
      // A `const` becomes a `let` that only its pattern assigns (see
      // loweredConstants).
      const declaration = t.variableDeclaration(kind === "var" ? "var" : "let", names.map((n) => t.variableDeclarator(t.identifier(n))));
      if (kind === "const") loweredConstants.add(declaration);
      out.push(declaration);
    }
    const body: t.Statement[] = [];
    const iter = this.openIterator(src, body);
    const guarded: t.Statement[] = [];
    for (const element of pattern.elements) {
      if (element === null) {
        this.stepIterator(iter, guarded, false);
        continue;
      }
      if (t.isRestElement(element)) {
        const lref = this.targetReference(element.argument as t.LVal, guarded);
        const rest = this.newTemp();
        guarded.push(assign(rest, t.arrayExpression([])));
        const loop: t.Statement[] = [t.ifStatement(t.identifier(iter.done.name), t.breakStatement())];
        const value = this.stepIterator(iter, loop, true);
        loop.push(t.expressionStatement(t.callExpression(t.memberExpression(t.identifier(rest.name), t.identifier("push")), [value])));
        guarded.push(t.whileStatement(t.booleanLiteral(true), t.blockStatement(loop)));
        this.bindElement(lref, t.identifier(rest.name), null, kind, guarded);
        continue;
      }
      const target = (t.isAssignmentPattern(element) ? element.left : element) as t.LVal;
      const lref = this.targetReference(target, guarded);
      const got = this.stepIterator(iter, guarded, false);
      this.bindElement(lref, got, t.isAssignmentPattern(element) ? element.right : null, kind, guarded);
    }
    if (kind) retargetDeclarations(guarded);
    const failed: t.Statement[] = [];
    this.closeIterator(iter, failed, true);
    const e = t.identifier(`${this.prefix}x`);
    body.push(t.tryStatement(t.blockStatement(guarded), t.catchClause(e, t.blockStatement([...failed, t.throwStatement(t.identifier(e.name))]))));
    this.closeIterator(iter, body, false);
    if (this.hasCall(pattern)) {
      out.push(...body);
      return;
    }
    // (Only a declaration's pattern initializes its names.)
    const copy = t.assignmentExpression("=", t.cloneNode(pattern), t.cloneNode(src));
    const native = t.expressionStatement(kind ? initializing(copy) : copy);
    out.push(t.ifStatement(this.helper("plainArray", [t.cloneNode(src)]), native, t.blockStatement(body)));
  }
}

interface IteratorTemps {
  it: t.Identifier;
  next: t.Identifier;
  done: t.Identifier;
}

/** Replaces `from` (by identity, or an identical name) where it is the
 * callee, receiver or constructor of `call`. */
function replaceOperand(call: t.Expression, from: t.Expression, to: t.Identifier): void {
  const same = (n: t.Node) => n === from || (t.isIdentifier(n) && t.isIdentifier(from) && n.name === from.name) || (t.isThisExpression(n) && t.isThisExpression(from));
  if (t.isCallExpression(call) || t.isNewExpression(call)) {
    if (same(call.callee)) call.callee = t.identifier(to.name);
    else if (t.isMemberExpression(call.callee)) {
      const m = call.callee;
      // `(typeof fn === "function" ? fn : R.notCallable(...)).call(receiver, ...)`
      if (t.isConditionalExpression(m.object)) {
        const c = m.object;
        if (same(c.consequent)) {
          c.consequent = t.identifier(to.name);
          (c.test as t.BinaryExpression).left = t.unaryExpression("typeof", t.identifier(to.name));
          ((c.alternate as t.CallExpression).arguments as t.Expression[])[0] = t.identifier(to.name);
        }
      }
      if (call.arguments.length && same(call.arguments[0] as t.Node)) call.arguments[0] = t.identifier(to.name);
    }
  } else if (t.isTaggedTemplateExpression(call) && same(call.tag)) call.tag = t.identifier(to.name);
}

/**
 * `const` declarations whose array pattern was lowered into a `let` and
 * assignments (`initializers`): every other write to those names must still
 * throw "Assignment to constant variable." (frame.ts guards them).
 */
export const loweredConstants = new WeakSet<t.VariableDeclaration>();
export const initializers = new WeakSet<t.AssignmentExpression>();

function initializing(a: t.AssignmentExpression): t.AssignmentExpression {
  initializers.add(a);
  return a;
}

/** Inside a lowered array pattern, declarations became assignments to
 * names declared before the guard (at any depth of the lowered code). */
function retargetDeclarations(body: t.Statement[]): void {
  for (let i = 0; i < body.length; i++) {
    const s = body[i];
    if (t.isVariableDeclaration(s)) {
      body[i] = t.expressionStatement(t.sequenceExpression(s.declarations.map((d) => initializing(t.assignmentExpression("=", d.id as t.LVal, d.init ?? t.identifier("undefined"))))));
    } else if (t.isBlockStatement(s)) retargetDeclarations(s.body);
    else if (t.isIfStatement(s)) {
      retargetDeclarations([s.consequent]);
      if (t.isBlockStatement(s.consequent)) retargetDeclarations(s.consequent.body);
      if (s.alternate && t.isBlockStatement(s.alternate)) retargetDeclarations(s.alternate.body);
    } else if (t.isTryStatement(s)) {
      retargetDeclarations(s.block.body);
      if (s.handler) retargetDeclarations(s.handler.body.body);
    } else if (t.isWhileStatement(s) && t.isBlockStatement(s.body)) retargetDeclarations(s.body.body);
  }
}

/** `id = v` for the plugin's own assignments (temps, lowered patterns):
 * `(0, class {})`, so the assignment does not name an anonymous function
 * or class after a temp (where it is named, nameFunction did it). */
export function assign(id: t.Identifier, v: t.Expression): t.ExpressionStatement {
  return t.expressionStatement(t.assignmentExpression("=", t.identifier(id.name), isAnonymousFunction(v) ? t.sequenceExpression([t.numericLiteral(0), v]) : v));
}

function shortCircuitTest(op: "&&" | "||" | "??", r: t.Identifier): t.Expression {
  const id = t.identifier(r.name);
  if (op === "&&") return id;
  if (op === "||") return t.unaryExpression("!", id);
  return t.binaryExpression("==", id, t.nullLiteral());
}

/** Evaluating it runs no user code (so it may sit between a brand store and
 * the call); a mutable variable read is inert but not stable. */
function isInert(e: t.Expression): boolean {
  return t.isIdentifier(e) || (t.isLiteral(e) && !t.isTemplateLiteral(e)) || t.isThisExpression(e) ||
    t.isFunctionExpression(e) || t.isArrowFunctionExpression(e) ||
    (t.isUnaryExpression(e) && (e.operator === "-" || e.operator === "void" || e.operator === "!") && t.isLiteral(e.argument));
}

export function isPure(e: t.Expression): boolean {
  return t.isIdentifier(e) || t.isLiteral(e) || t.isThisExpression(e) || t.isFunctionExpression(e) || t.isArrowFunctionExpression(e);
}


function propertyName(p: t.ObjectProperty): string | undefined {
  if (p.computed) return undefined;
  if (t.isIdentifier(p.key)) return p.key.name;
  if (t.isStringLiteral(p.key)) return p.key.value;
  return undefined;
}

function calleeText(node: t.Expression): string {
  if (t.isIdentifier(node)) return node.name;
  // The engine's own wording for a call's result and a computed member.
  if (t.isCallExpression(node) && t.isExpression(node.callee)) return `${calleeText(node.callee)}(...)`;
  if (t.isMemberExpression(node) && node.computed && (t.isNumericLiteral(node.property) || t.isStringLiteral(node.property) || t.isIdentifier(node.property))) {
    const key = t.isStringLiteral(node.property) ? JSON.stringify(node.property.value) : t.isNumericLiteral(node.property) ? String(node.property.value) : node.property.name;
    return `${calleeText(node.object as t.Expression)}[${key}]`;
  }
  if (t.isMemberExpression(node) && !node.computed && t.isIdentifier(node.property)) {
    return `${calleeText(node.object as t.Expression)}.${node.property.name}`;
  }
  if (t.isThisExpression(node)) return "this";
  if (t.isSuper(node)) return "super";
  return "expression";
}
