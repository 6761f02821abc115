/**
 * Normalization ("explode"): rewrites a marked function body so that every
 * call site is a statement of its own, `temp = callee(args)`, with everything
 * evaluated before it in the same expression already saved in temps. After
 * this pass a frame can be suspended at any call site and resumed by jumping
 * back to that statement (emit.ts), because no half-evaluated expression
 * spans a call site.
 *
 * Control flow that hides calls is made explicit here as well:
 * - `for-of` loops become explicit iterator-protocol loops (the engine's
 *   implicit `next()` call could be a marked function that switches);
 * - `for-in` loops with call sites in their body iterate a snapshot of keys;
 * - loop tests and updates with call sites move into the loop body;
 * - `finally` blocks with call sites become explicit completion records, so
 *   they can be suspended and resumed like ordinary code.
 */
import { types as t } from "@babel/core";
import { mapChildren } from "./nodes.js";
import { hasForOf, hasSite, type SiteFacts } from "./sites.js";

/** One call site: the statement `temp = call` and how to read its brand. */
export interface Site {
  temp: t.Identifier;
  /** Expression whose `[FM]` tells if the callee is marked; null when the
   * callee is statically known to be marked. */
  brand: t.Expression | null;
}

type Fail = (node: t.Node, message: string) => Error;

/** How an operand is consumed where it stands (see Normalizer.settle). */
type OperandKind = "value" | "spread" | "objectSpread" | "string";

const kindsOf = (items: (t.Node | null)[]): OperandKind[] =>
  items.filter((x) => x !== null).map((x) => (t.isSpreadElement(x) ? "spread" : "value"));

export class Normalizer {
  readonly temps: t.Identifier[] = [];
  private tempCount = 0;
  readonly sites = new Map<t.ExpressionStatement, Site>();
  private labelCount = 0;

  constructor(
    private readonly facts: SiteFacts,
    private readonly prefix: string,
    private readonly fail: Fail,
    /** `R` of the runtime protocol, as an expression. */
    private readonly runtime: () => t.Expression,
  ) {}

  newTemp(): t.Identifier {
    const id = t.identifier(`${this.prefix}${this.tempCount++}`);
    this.temps.push(id);
    return t.identifier(id.name);
  }

  private newLabel(): t.Identifier {
    return t.identifier(`${this.prefix}L${this.labelCount++}`);
  }

  private needs(node: t.Node | null | undefined): boolean {
    return hasSite(node, this.facts) || hasForOf(node);
  }

  private has(node: t.Node | null | undefined): boolean {
    return hasSite(node, this.facts);
  }

  // ---- statements -------------------------------------------------------

  body(stmts: t.Statement[]): t.Statement[] {
    const out: t.Statement[] = [];
    for (const s of stmts) this.stmt(s, out);
    return out;
  }

  private block(s: t.Statement): t.BlockStatement {
    if (t.isBlockStatement(s)) return t.blockStatement(this.body(s.body), s.directives);
    return t.blockStatement(this.body([s]));
  }

  stmt(s: t.Statement, out: t.Statement[], labels: t.Identifier[] = []): void {
    if (!this.needs(s)) {
      out.push(wrapLabels(s, labels));
      return;
    }
    switch (s.type) {
      case "ExpressionStatement": {
        const e = this.expr(s.expression, out);
        if (!isPure(e)) out.push(t.expressionStatement(e));
        return;
      }
      case "VariableDeclaration":
        for (const d of s.declarations) {
          if (!t.isIdentifier(d.id) && this.has(d.id)) {
            throw this.fail(d.id, "fiberlet: a call inside a destructuring default of a marked function is not supported; move the call into its own statement");
          }
          const init = d.init ? this.expr(d.init, out) : null;
          out.push(t.variableDeclaration(s.kind, [t.variableDeclarator(d.id, init)]));
        }
        return;
      case "ReturnStatement":
        out.push(t.returnStatement(s.argument ? this.expr(s.argument, out) : null));
        return;
      case "ThrowStatement":
        out.push(t.throwStatement(this.expr(s.argument, out)));
        return;
      case "BlockStatement":
        out.push(wrapLabels(this.block(s), labels));
        return;
      case "IfStatement": {
        const test = this.expr(s.test, out);
        out.push(wrapLabels(
          t.ifStatement(test, this.block(s.consequent), s.alternate ? this.block(s.alternate) : null),
          labels,
        ));
        return;
      }
      case "LabeledStatement":
        this.stmt(s.body, out, [...labels, s.label]);
        return;
      case "WhileStatement":
        out.push(wrapLabels(this.loopWithTest(s.test, s.body), labels));
        return;
      case "DoWhileStatement":
        out.push(wrapLabels(this.doWhile(s, labels), labels));
        return;
      case "ForStatement":
        this.forStatement(s, out, labels);
        return;
      case "ForInStatement":
        this.forIn(s, out, labels);
        return;
      case "ForOfStatement":
        this.forOf(s, out, labels);
        return;
      case "SwitchStatement": {
        for (const c of s.cases) {
          if (this.has(c.test)) {
            throw this.fail(c.test!, "fiberlet: a call inside a `case` test of a marked function is not supported; compute the value before the switch");
          }
        }
        const disc = this.expr(s.discriminant, out);
        out.push(wrapLabels(
          t.switchStatement(disc, s.cases.map((c) => t.switchCase(c.test, this.body(c.consequent)))),
          labels,
        ));
        return;
      }
      case "TryStatement":
        out.push(wrapLabels(this.tryStatement(s), labels));
        return;
      case "ClassDeclaration":
        if (this.has(s)) {
          throw this.fail(s, "fiberlet: a call in a computed key or `extends` clause of a class inside a marked function is not supported; compute it in a statement before the class");
        }
        out.push(s);
        return;
      default:
        throw this.fail(s, `fiberlet: cannot make a ${s.type} resumable`);
    }
  }

  /** `while (test) body`, with calls in the test moved into the body. */
  private loopWithTest(test: t.Expression, body: t.Statement): t.Statement {
    if (!this.has(test)) return t.whileStatement(test, this.block(body));
    const pre: t.Statement[] = [];
    const v = this.expr(test, pre);
    return t.whileStatement(
      t.booleanLiteral(true),
      t.blockStatement([...pre, t.ifStatement(t.unaryExpression("!", v), t.breakStatement()), ...this.block(body).body]),
    );
  }

  private doWhile(s: t.DoWhileStatement, labels: t.Identifier[]): t.Statement {
    if (!this.has(s.test)) return t.doWhileStatement(s.test, this.block(s.body));
    const inner = this.newLabel();
    const body = retargetContinues(this.block(s.body), labels, inner);
    const pre: t.Statement[] = [];
    const v = this.expr(s.test, pre);
    return t.whileStatement(
      t.booleanLiteral(true),
      t.blockStatement([
        t.labeledStatement(inner, body),
        ...pre,
        t.ifStatement(t.unaryExpression("!", v), t.breakStatement()),
      ]),
    );
  }

  private forStatement(s: t.ForStatement, out: t.Statement[], labels: t.Identifier[]): void {
    const before: t.Statement[] = [];
    let init = s.init;
    if (init && this.has(init)) {
      if (t.isVariableDeclaration(init)) {
        init = t.variableDeclaration(
          init.kind,
          init.declarations.map((d) => {
            if (!t.isIdentifier(d.id) && this.has(d.id)) {
              throw this.fail(d.id, "fiberlet: a call inside a destructuring default of a marked function is not supported");
            }
            return t.variableDeclarator(d.id, d.init ? this.materialize(this.expr(d.init, before), before) : null);
          }),
        );
      } else {
        const e = this.expr(init, before);
        if (!isPure(e)) before.push(t.expressionStatement(e));
        init = null;
      }
    }
    let test = s.test;
    let body = this.block(s.body);
    const head: t.Statement[] = [];
    if (test && this.has(test)) {
      const v = this.expr(test, head);
      head.push(t.ifStatement(t.unaryExpression("!", v), t.breakStatement()));
      test = null;
    }
    let update = s.update;
    let tail: t.Statement[] = [];
    if (update && this.has(update)) {
      const inner = this.newLabel();
      body = t.blockStatement([t.labeledStatement(inner, retargetContinues(body, labels, inner))]);
      const e = this.expr(update, tail);
      if (!isPure(e)) tail.push(t.expressionStatement(e));
      update = null;
    }
    const loop = t.forStatement(init, test, update, t.blockStatement([...head, ...body.body, ...tail]));
    if (before.length === 0) out.push(wrapLabels(loop, labels));
    else out.push(t.blockStatement([...before, wrapLabels(loop, labels)]));
  }

  private bindLoopValue(left: t.ForXStatement["left"], value: t.Expression): t.Statement {
    if (t.isVariableDeclaration(left)) {
      return t.variableDeclaration(left.kind, [t.variableDeclarator(left.declarations[0].id, value)]);
    }
    if (this.has(left)) throw this.fail(left, "fiberlet: a call inside a for-in/for-of target is not supported");
    return t.expressionStatement(t.assignmentExpression("=", left as t.LVal, value));
  }

  private forIn(s: t.ForInStatement, out: t.Statement[], labels: t.Identifier[]): void {
    const obj = this.materialize(this.expr(s.right, out), out, true);
    if (!this.needs(s.body)) {
      out.push(wrapLabels(t.forInStatement(s.left, obj, s.body), labels));
      return;
    }
    // Snapshot the keys so the loop can be left and re-entered; a key deleted
    // before it is reached is skipped, as for-in does.
    const keys = this.newTemp();
    const i = this.newTemp();
    const key = this.newTemp();
    const R = this.runtime;
    out.push(t.expressionStatement(t.assignmentExpression("=", keys, rawCall(t.memberExpression(R(), t.identifier("forInKeys")), [obj]))));
    out.push(wrapLabels(
      t.forStatement(
        t.assignmentExpression("=", i, t.numericLiteral(0)),
        t.binaryExpression("<", i, t.memberExpression(keys, t.identifier("length"))),
        t.updateExpression("++", i),
        t.blockStatement([
          t.expressionStatement(t.assignmentExpression("=", key, t.memberExpression(keys, i, true))),
          t.ifStatement(
            t.unaryExpression("!", rawCall(t.memberExpression(R(), t.identifier("hasKey")), [obj, key])),
            t.continueStatement(),
          ),
          this.bindLoopValue(s.left, key),
          ...this.block(s.body).body,
        ]),
      ),
      labels,
    ));
  }

  /**
   * for (left of right) body  =>  the iterator protocol, spelled out:
   *   it = right[Symbol.iterator](); next = it.next; done = true;
   *   L: while (true) { done = true; r = next.call(it); check r;
   *        if (r.done) break; v = r.value; done = false; left = v; body }
   * run as the guarded part of an explicit finally (see explicitFinally)
   * whose finalizer closes the iterator when the loop was left early:
   *   if (!done) { done = true; ret = it.return; if (ret != null) {
   *     if (leaving by an exception) try { ret.call(it) } catch {}
   *     else { r = ret.call(it); check r } } }
   * `done` is true whenever leaving the loop must not call return(). Every
   * call of the protocol is a call site, so next() and return() may switch.
   */
  private forOf(s: t.ForOfStatement, out: t.Statement[], labels: t.Identifier[]): void {
    if (s.await) throw this.fail(s, "fiberlet: for await is only allowed in async functions, which are never marked");
    const R = this.runtime;
    const iterable = this.materialize(this.expr(s.right, out), out, true);
    const getIterator = this.materialize(
      t.memberExpression(iterable, t.memberExpression(t.identifier("Symbol"), t.identifier("iterator")), true),
      out,
      true,
    );
    const it = this.site(
      getIterator,
      t.callExpression(t.memberExpression(this.callable(getIterator, t.identifier("iterable[Symbol.iterator]")), t.identifier("call")), [iterable]),
      out,
    );
    out.push(t.ifStatement(
      t.binaryExpression("!==", rawCall(t.identifier("Object"), [it]), it),
      t.expressionStatement(rawCall(t.memberExpression(R(), t.identifier("notIterResult")), [it])),
    ));
    const next = this.newTemp();
    out.push(assign(next, t.memberExpression(it, t.identifier("next"))));
    const done = this.newTemp();
    out.push(assign(done, t.booleanLiteral(true)));
    const loopBody: t.Statement[] = [assign(done, t.booleanLiteral(true))];
    const result = this.site(next, t.callExpression(t.memberExpression(next, t.identifier("call")), [it]), loopBody);
    const value = this.newTemp();
    loopBody.push(
      t.ifStatement(
        t.binaryExpression("!==", rawCall(t.identifier("Object"), [result]), result),
        t.expressionStatement(rawCall(t.memberExpression(R(), t.identifier("notIterResult")), [result])),
      ),
      t.ifStatement(t.memberExpression(result, t.identifier("done")), t.breakStatement()),
      assign(value, t.memberExpression(result, t.identifier("value"))),
      assign(done, t.booleanLiteral(false)),
    );
    const bindOut: t.Statement[] = [];
    this.stmt(this.bindLoopValue(s.left, value), bindOut);
    loopBody.push(...bindOut, ...this.block(s.body).body);
    const loop = wrapLabels(t.whileStatement(t.booleanLiteral(true), t.blockStatement(loopBody)), labels);

    const ret = this.newTemp();
    const quiet: t.Statement[] = [];
    this.site(ret, t.callExpression(t.memberExpression(ret, t.identifier("call")), [it]), quiet);
    const loud: t.Statement[] = [];
    const closed = this.site(ret, t.callExpression(t.memberExpression(ret, t.identifier("call")), [it]), loud);
    loud.push(t.ifStatement(
      t.binaryExpression("!==", rawCall(t.identifier("Object"), [closed]), closed),
      t.expressionStatement(rawCall(t.memberExpression(R(), t.identifier("notIterResult")), [closed])),
    ));
    const e = t.identifier(`${this.prefix}e`);
    out.push(this.explicitFinally(loop, (completion) => t.blockStatement([
      t.ifStatement(t.unaryExpression("!", done), t.blockStatement([
        assign(done, t.booleanLiteral(true)),
        assign(ret, t.memberExpression(it, t.identifier("return"))),
        t.ifStatement(t.binaryExpression("!=", ret, t.nullLiteral()), t.ifStatement(
          t.binaryExpression("===", completion, t.numericLiteral(1)),
          // Leaving by an exception: that exception wins over return()'s.
          t.tryStatement(t.blockStatement(quiet), t.catchClause(e, t.blockStatement([]))),
          t.blockStatement(loud),
        )),
      ])),
    ])));
  }

  private tryStatement(s: t.TryStatement): t.Statement {
    let handler = s.handler;
    if (handler) {
      let param = handler.param;
      let body = handler.body.body;
      if (param && !t.isIdentifier(param)) {
        // Destructure inside the block so the caught value has one slot.
        const id = this.newTemp();
        body = [t.variableDeclaration("let", [t.variableDeclarator(param, id)]), ...body];
        param = t.identifier(id.name);
        this.temps.pop(); // a catch parameter, not a function-level temp
      }
      handler = t.catchClause(param, t.blockStatement(this.body(body)));
    }
    const block = t.blockStatement(this.body(s.block.body));
    if (!s.finalizer) return t.tryStatement(block, handler, null);
    const finalizer = t.blockStatement(this.body(s.finalizer.body));
    if (!this.has(s.finalizer)) return t.tryStatement(block, handler, finalizer);
    return this.explicitFinally(handler ? t.tryStatement(block, handler, null) : block, () => finalizer);
  }

  /**
   * try { guarded } finally { fin }, with call sites in `fin`, becomes
   *   c = 0; L: { try { guarded' } catch (e) { c = 1; cv = e } }
   *   fin
   *   if (c === 1) throw cv; if (c === 2) return cv; if (c === 3) break X; ...
   * where guarded' records every jump that leaves it in (c, cv) and breaks to
   * L, so the finalizer is ordinary code that can be suspended and resumed.
   */
  private explicitFinally(guarded: t.Statement, finalizer: (completion: t.Identifier) => t.BlockStatement): t.Statement {
    const c = this.newTemp();
    const fin = finalizer(t.identifier(c.name));
    const cv = this.newTemp();
    const exit = this.newLabel();
    const jumps: t.Statement[] = [];
    const rewritten = rewriteExits(guarded, (jump) => {
      let code: number;
      const record: t.Statement[] = [];
      if (t.isReturnStatement(jump)) {
        code = 2;
        record.push(t.expressionStatement(t.assignmentExpression("=", t.identifier(cv.name), jump.argument ?? t.identifier("undefined"))));
      } else {
        code = 3 + jumps.length;
        jumps.push(jump);
      }
      record.unshift(t.expressionStatement(t.assignmentExpression("=", t.identifier(c.name), t.numericLiteral(code))));
      return t.blockStatement([...record, t.breakStatement(t.identifier(exit.name))]);
    });
    const e = t.identifier(`${this.prefix}e`);
    const is = (code: number) => t.binaryExpression("===", t.identifier(c.name), t.numericLiteral(code));
    return t.blockStatement([
      t.expressionStatement(t.assignmentExpression("=", t.identifier(c.name), t.numericLiteral(0))),
      t.labeledStatement(
        exit,
        t.blockStatement([
          t.tryStatement(
            t.isBlockStatement(rewritten) ? rewritten : t.blockStatement([rewritten]),
            t.catchClause(e, t.blockStatement([
              t.expressionStatement(t.assignmentExpression("=", t.identifier(c.name), t.numericLiteral(1))),
              t.expressionStatement(t.assignmentExpression("=", t.identifier(cv.name), t.identifier(e.name))),
            ])),
          ),
        ]),
      ),
      ...fin.body,
      t.ifStatement(is(1), t.throwStatement(t.identifier(cv.name))),
      t.ifStatement(is(2), t.returnStatement(t.identifier(cv.name))),
      ...jumps.map((j, i) => t.ifStatement(is(3 + i), t.cloneNode(j))),
    ]);
  }

  // ---- expressions ------------------------------------------------------

  /** Emits a call site `temp = call` and returns the temp. */
  site(brand: t.Expression | null, call: t.Expression, out: t.Statement[]): t.Identifier {
    const temp = this.newTemp();
    const stmt = t.expressionStatement(t.assignmentExpression("=", temp, call));
    this.sites.set(stmt, { temp: t.identifier(temp.name), brand });
    out.push(stmt);
    return t.identifier(temp.name);
  }

  /** Saves a value that must be read now, before a later call site runs. */
  materialize(e: t.Expression, out: t.Statement[], force = false): t.Expression {
    if (!force && this.isStable(e)) return e;
    if (force && (t.isIdentifier(e) && this.isTemp(e))) return e;
    const temp = this.newTemp();
    out.push(t.expressionStatement(t.assignmentExpression("=", temp, e)));
    return t.identifier(temp.name);
  }

  private isTemp(e: t.Identifier): boolean {
    return e.name.startsWith(this.prefix);
  }

  private isStable(e: t.Expression): boolean {
    if (t.isLiteral(e) && !t.isTemplateLiteral(e)) return true;
    if (t.isThisExpression(e)) return true;
    if (t.isIdentifier(e)) return this.isTemp(e) || this.facts.stable.has(e) || e.name === "undefined";
    return false;
  }

  /** Evaluates operands left to right; each one that a later call site could
   * change is saved first. */
  private operands(list: t.Expression[], out: t.Statement[], forSite = false, kinds?: OperandKind[]): t.Expression[] {
    let last = -1;
    list.forEach((e, i) => {
      if (this.has(e)) last = i;
    });
    return list.map((e, i) => {
      const v = this.expr(e, out);
      const kind = kinds?.[i] ?? "value";
      if (i < last) return this.settle(v, kind, out);
      if (forSite && (kind !== "value" || !isInert(v))) return this.settle(v, kind, out);
      return v;
    });
  }

  /** Does now what evaluating the operand in place would have done: read
   * it, iterate a spread, copy an object spread, convert a substitution. */
  private settle(v: t.Expression, kind: OperandKind, out: t.Statement[]): t.Expression {
    switch (kind) {
      case "spread":
        return this.materialize(t.arrayExpression([t.spreadElement(v)]), out, true);
      case "objectSpread":
        return this.materialize(t.objectExpression([t.spreadElement(v)]), out, true);
      case "string":
        return this.materialize(t.templateLiteral([t.templateElement({ raw: "" }), t.templateElement({ raw: "" }, true)], [v]), out, true);
      default:
        return this.materialize(v, out);
    }
  }

  expr(e: t.Expression, out: t.Statement[]): t.Expression {
    if (!this.has(e)) return e;
    switch (e.type) {
      case "CallExpression":
        return this.call(e, out);
      case "OptionalCallExpression":
      case "OptionalMemberExpression":
        return this.optionalChain(e, out);
      case "TaggedTemplateExpression":
        return this.call(e, out);
      case "MemberExpression": {
        if (e.computed) {
          const [obj, prop] = this.operands([e.object as t.Expression, e.property as t.Expression], out);
          return t.memberExpression(obj, prop, true);
        }
        return t.memberExpression(this.expr(e.object as t.Expression, out), e.property);
      }
      case "BinaryExpression": {
        if (t.isPrivateName(e.left)) return t.binaryExpression(e.operator, e.left, this.expr(e.right, out));
        const [l, r] = this.operands([e.left, e.right], out);
        return t.binaryExpression(e.operator, l, r);
      }
      case "LogicalExpression":
        return this.logical(e, out);
      case "ConditionalExpression": {
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
      case "AssignmentExpression":
        return this.assignment(e, out);
      case "UnaryExpression":
        if (e.operator === "delete" && t.isMemberExpression(e.argument)) {
          return t.unaryExpression("delete", this.expr(e.argument, out));
        }
        return t.unaryExpression(e.operator, this.expr(e.argument, out));
      case "UpdateExpression": {
        const arg = e.argument as t.Expression;
        if (t.isMemberExpression(arg)) {
          const target = this.memberTarget(arg, out, false);
          return t.updateExpression(e.operator, target, e.prefix);
        }
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
        const items = e.elements;
        const exprs = items.filter((x): x is t.Expression | t.SpreadElement => x !== null).map((x) => (t.isSpreadElement(x) ? x.argument : x));
        const vals = this.operands(exprs, out, false, kindsOf(items));
        let j = 0;
        return t.arrayExpression(items.map((x) => (x === null ? null : t.isSpreadElement(x) ? t.spreadElement(vals[j++]) : vals[j++])));
      }
      case "ObjectExpression":
        return this.object(e, out);
      case "TemplateLiteral":
        return t.templateLiteral(e.quasis, this.operands(e.expressions as t.Expression[], out, false, e.expressions.map(() => "string")));
      case "NewExpression": {
        const kind = this.facts.kinds.get(e);
        const isSite = kind === "site" || kind === "marked-site";
        const parts = this.operands([e.callee as t.Expression, ...e.arguments.map((a) => (t.isSpreadElement(a) ? a.argument : (a as t.Expression)))], out, isSite, ["value", ...kindsOf(e.arguments)]);
        const [callee, ...args] = parts;
        const node = t.newExpression(callee, e.arguments.map((a, i) => (t.isSpreadElement(a) ? t.spreadElement(args[i]) : args[i])));
        if (!isSite) return node;
        return this.site(kind === "marked-site" ? null : callee, node, out);
      }
      case "ParenthesizedExpression":
        return this.expr(e.expression, out);
      case "TSAsExpression":
      case "TSSatisfiesExpression":
      case "TSNonNullExpression":
      case "TSTypeAssertion":
      case "TypeCastExpression":
        return this.expr(e.expression, out);
      case "ClassExpression":
        throw this.fail(e, "fiberlet: a call in a computed key or `extends` clause of a class inside a marked function is not supported; compute it in a statement before the class");
      default:
        throw this.fail(e, `fiberlet: cannot make a call inside a ${e.type} resumable`);
    }
  }

  /**
   * A call site must run no code between the store of its callee's brand and
   * the callee's prologue (a getter or valueOf running there could enter a
   * marked function that would take the brand as its own). So the callee
   * value and every argument that could run code are computed first, and a
   * method is called through its saved function value with `.call`.
   */
  private call(e: t.CallExpression | t.TaggedTemplateExpression, out: t.Statement[]): t.Expression {
    const kind = this.facts.kinds.get(e);
    const isSite = kind === "site" || kind === "marked-site";
    const callee = t.isCallExpression(e) ? e.callee : e.tag;
    if (t.isMemberExpression(callee) && t.isSuper(callee.object)) {
      throw this.fail(callee, "fiberlet: `super` cannot be used in a marked function yet; move the super call into an unmarked helper method");
    }
    const rawArgs = t.isCallExpression(e) ? e.arguments : e.quasi.expressions;
    if (t.isImport(callee) || t.isSuper(callee)) {
      // import() and super() are never call sites (super() enters the parent
      // constructor from here, which is unmarked as far as it can tell).
      const vals = this.operands(rawArgs.map((a) => (t.isSpreadElement(a) ? a.argument : (a as t.Expression))), out, false, kindsOf(rawArgs));
      return t.callExpression(callee, rawArgs.map((a, i) => (t.isSpreadElement(a) ? t.spreadElement(vals[i]) : vals[i])));
    }
    const args = rawArgs.map((a) => (t.isSpreadElement(a) ? a.argument : (a as t.Expression)));
    const member = t.isMemberExpression(callee) ? callee : null;
    const front: t.Expression[] = member
      ? member.computed ? [member.object as t.Expression, member.property as t.Expression] : [member.object as t.Expression]
      : [callee as t.Expression];
    // The callee (and a method's function value) is read before the
    // arguments are evaluated, as JavaScript does.
    const argsHaveSite = args.some((a) => this.has(a));
    const eager = isSite || argsHaveSite;
    const frontVals = this.operands(front, out);
    let fn: t.Expression;
    let receiver: t.Expression | null = null;
    let method: t.MemberExpression | null = null;
    if (member) {
      receiver = eager ? this.materialize(frontVals[0], out) : frontVals[0];
      const prop = member.computed ? (eager ? this.materialize(frontVals[1], out) : frontVals[1]) : member.property;
      method = t.memberExpression(receiver, prop as t.Expression, member.computed);
      fn = eager ? this.materialize(method, out, true) : method;
    } else fn = eager ? this.materialize(frontVals[0], out) : frontVals[0];
    const argVals = this.operands(args, out, isSite, kindsOf(rawArgs));
    if (t.isTaggedTemplateExpression(e)) {
      // A tag keeps its receiver by being read again (a template cannot be
      // passed through .call without losing its cached strings object).
      const node = t.taggedTemplateExpression(method ? t.cloneNode(method) : fn, t.templateLiteral(e.quasi.quasis, argVals));
      if (!isSite) return node;
      return this.site(kind === "marked-site" ? null : fn, node, out);
    }
    const argNodes = rawArgs.map((a, i) => (t.isSpreadElement(a) ? t.spreadElement(argVals[i]) : argVals[i]));
    if (!isSite && !(receiver && eager)) return t.callExpression(fn, argNodes);
    const call = receiver
      ? t.callExpression(t.memberExpression(this.callable(fn, callee as t.Expression), t.identifier("call")), [receiver, ...argNodes])
      : t.callExpression(fn, argNodes);
    if (!isSite) return call;
    // f.call(...) and f.apply(...) enter f directly: f's brand is the one.
    const viaCallOrApply = member && !member.computed && t.isIdentifier(member.property) &&
      (member.property.name === "call" || member.property.name === "apply");
    return this.site(kind === "marked-site" ? null : viaCallOrApply ? receiver : fn, call, out);
  }

  /** `fn`, or a TypeError naming the original callee when it is not callable. */
  private callable(fn: t.Expression, original: t.Expression): t.Expression {
    let text = "expression";
    try {
      text = generateShort(original as t.Expression);
    } catch {
      /* keep the generic word */
    }
    return t.conditionalExpression(
      t.binaryExpression("===", t.unaryExpression("typeof", t.cloneNode(fn)), t.stringLiteral("function")),
      t.cloneNode(fn),
      rawCall(t.memberExpression(this.runtime(), t.identifier("notCallable")), [t.cloneNode(fn), t.stringLiteral(text)]),
    );
  }

  /** a?.b.c(x)?.d  =>  nested ifs on each optional link, result in a temp. */
  private optionalChain(e: t.OptionalCallExpression | t.OptionalMemberExpression, out: t.Statement[]): t.Expression {
    const links: (t.OptionalCallExpression | t.OptionalMemberExpression)[] = [];
    let base: t.Expression = e;
    while (t.isOptionalCallExpression(base) || t.isOptionalMemberExpression(base)) {
      links.unshift(base);
      base = t.isOptionalCallExpression(base) ? (base.callee as t.Expression) : (base.object as t.Expression);
    }
    const result = this.newTemp();
    const walk = (i: number, cur: t.Expression, receiver: t.Expression | null, key: t.Expression | null, computed: boolean, sink: t.Statement[]): void => {
      if (i === links.length) {
        sink.push(assign(result, cur));
        return;
      }
      const link = links[i];
      const inner: t.Statement[] = [];
      if (t.isOptionalMemberExpression(link)) {
        const prop = link.computed ? this.materialize(this.expr(link.property as t.Expression, inner), inner) : (link.property as t.Expression);
        const obj = this.materialize(cur, inner, true);
        const next = this.materialize(t.memberExpression(obj, prop, link.computed), inner, true);
        walk(i + 1, next, obj, prop, link.computed, inner);
      } else {
        const args = this.operands(link.arguments.map((a) => (t.isSpreadElement(a) ? a.argument : (a as t.Expression))), inner, true, kindsOf(link.arguments));
        const argNodes = link.arguments.map((a, j) => (t.isSpreadElement(a) ? t.spreadElement(args[j]) : args[j]));
        const callee = receiver && key ? t.memberExpression(receiver, key, computed) : cur;
        const value = this.site(cur, t.callExpression(callee, argNodes), inner);
        walk(i + 1, value, null, null, false, inner);
      }
      if (link.optional) {
        sink.push(t.ifStatement(
          t.binaryExpression("==", cur, t.nullLiteral()),
          assign(result, t.identifier("undefined")),
          t.blockStatement(inner),
        ));
      } else sink.push(...inner);
    };
    let start: t.Expression;
    let receiver: t.Expression | null = null;
    let key: t.Expression | null = null;
    let computed = false;
    if (t.isMemberExpression(base) && this.has(base) === false && t.isOptionalCallExpression(links[0]) && !links[0].optional) {
      start = base;
    } else if (t.isMemberExpression(base) && t.isOptionalCallExpression(links[0])) {
      // a.b?.() : the call's receiver is a.
      receiver = this.materialize(this.expr(base.object as t.Expression, out), out, true);
      key = base.computed ? this.materialize(this.expr(base.property as t.Expression, out), out) : (base.property as t.Expression);
      computed = base.computed;
      start = t.memberExpression(receiver, key, computed);
    } else start = this.expr(base, out);
    walk(0, this.materialize(start, out, true), receiver, key, computed, out);
    return t.identifier(result.name);
  }

  private logical(e: t.LogicalExpression, out: t.Statement[]): t.Expression {
    const left = this.expr(e.left, out);
    if (!this.has(e.right)) return t.logicalExpression(e.operator, left, e.right);
    const r = this.newTemp();
    out.push(assign(r, left));
    const inner: t.Statement[] = [];
    inner.push(assign(r, this.expr(e.right, inner)));
    out.push(t.ifStatement(shortCircuitTest(e.operator, r), t.blockStatement(inner)));
    return t.identifier(r.name);
  }

  /** Saves the object (and computed key) of an assignment/update target. */
  private memberTarget(m: t.MemberExpression, out: t.Statement[], keepOrder: boolean): t.MemberExpression {
    if (t.isSuper(m.object)) throw this.fail(m, "fiberlet: `super` cannot be used in a marked function yet");
    const obj = this.materialize(this.expr(m.object as t.Expression, out), out, keepOrder);
    const prop = m.computed ? this.materialize(this.expr(m.property as t.Expression, out), out, keepOrder) : m.property;
    return t.memberExpression(obj, prop as t.Expression, m.computed);
  }

  private assignment(e: t.AssignmentExpression, out: t.Statement[]): t.Expression {
    const op = e.operator;
    const rightHas = this.has(e.right);
    let target: t.LVal = e.left as t.LVal;
    if (t.isMemberExpression(target)) target = this.memberTarget(target, out, rightHas);
    else if (!t.isIdentifier(target) && this.has(target)) {
      throw this.fail(target, "fiberlet: a call inside a destructuring assignment target is not supported");
    }
    if (op === "=") return t.assignmentExpression("=", target, this.expr(e.right, out));
    if (op === "&&=" || op === "||=" || op === "??=") {
      const logicalOp = op.slice(0, 2) as "&&" | "||" | "??";
      const r = this.newTemp();
      out.push(assign(r, t.cloneNode(target) as t.Expression));
      const inner: t.Statement[] = [];
      inner.push(assign(r, t.assignmentExpression("=", t.cloneNode(target), this.expr(e.right, inner))));
      out.push(t.ifStatement(shortCircuitTest(logicalOp, r), t.blockStatement(inner)));
      return t.identifier(r.name);
    }
    // x op= f(): the old value of x is read before f runs.
    const old = rightHas ? this.materialize(t.cloneNode(target) as t.Expression, out, true) : (t.cloneNode(target) as t.Expression);
    const right = this.expr(e.right, out);
    return t.assignmentExpression("=", target, t.binaryExpression(op.slice(0, -1) as t.BinaryExpression["operator"], old, right));
  }

  private object(e: t.ObjectExpression, out: t.Statement[]): t.Expression {
    const exprs: t.Expression[] = [];
    const kinds: OperandKind[] = [];
    for (const p of e.properties) {
      if (t.isSpreadElement(p)) {
        exprs.push(p.argument);
        kinds.push("objectSpread");
      } else {
        if (p.computed) {
          // A computed key is converted to a property key at its position.
          exprs.push(p.key as t.Expression);
          kinds.push("value");
        }
        if (t.isObjectProperty(p)) {
          exprs.push(p.value as t.Expression);
          kinds.push("value");
        }
      }
    }
    const vals = this.operands(exprs, out, false, kinds);
    let j = 0;
    return t.objectExpression(e.properties.map((p) => {
      if (t.isSpreadElement(p)) return t.spreadElement(vals[j++]);
      const key = p.computed ? vals[j++] : p.key;
      if (t.isObjectProperty(p)) {
        const value = vals[j++];
        return t.objectProperty(key, value, p.computed, p.shorthand && t.isIdentifier(value) && t.isIdentifier(key) && value.name === key.name);
      }
      return t.objectMethod(p.kind, key as t.Expression, p.params, p.body, p.computed, p.generator, p.async);
    }));
  }
}

/** A call emitted by the plugin that is never a call site (runtime helpers). */
function rawCall(callee: t.Expression, args: t.Expression[]): t.CallExpression {
  return t.callExpression(callee, args);
}

function assign(id: t.Identifier, value: t.Expression): t.ExpressionStatement {
  return t.expressionStatement(t.assignmentExpression("=", t.identifier(id.name), value));
}

function shortCircuitTest(op: "&&" | "||" | "??", r: t.Identifier): t.Expression {
  const id = t.identifier(r.name);
  if (op === "&&") return id;
  if (op === "||") return t.unaryExpression("!", id);
  return t.binaryExpression("==", id, t.nullLiteral());
}

/** Evaluating it runs no user code (so it may sit between a brand store and
 * the call). */
function isInert(e: t.Expression): boolean {
  return t.isIdentifier(e) || (t.isLiteral(e) && !t.isTemplateLiteral(e)) || t.isThisExpression(e) ||
    (t.isUnaryExpression(e) && (e.operator === "-" || e.operator === "void") && t.isLiteral(e.argument));
}

function generateShort(node: t.Expression): string {
  if (t.isIdentifier(node)) return node.name;
  if (t.isMemberExpression(node) && !node.computed && t.isIdentifier(node.property)) {
    return `${generateShort(node.object as t.Expression)}.${node.property.name}`;
  }
  if (t.isThisExpression(node)) return "this";
  return "expression";
}

function isPure(e: t.Expression): boolean {
  return t.isIdentifier(e) || t.isLiteral(e) || t.isThisExpression(e);
}

function wrapLabels(s: t.Statement, labels: t.Identifier[]): t.Statement {
  return labels.reduceRight<t.Statement>((body, label) => t.labeledStatement(label, body), s);
}

const LOOPS = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement"]);

/** In a loop body moved inside a labeled block, `continue` for that loop
 * becomes `break <inner>`, which lands where the loop's update/test runs. */
function retargetContinues(body: t.BlockStatement, labels: t.Identifier[], inner: t.Identifier): t.BlockStatement {
  const names = new Set(labels.map((l) => l.name));
  const visit = (node: t.Node, depth: number): t.Node => {
    if (t.isFunction(node)) return node;
    if (t.isContinueStatement(node)) {
      if ((!node.label && depth === 0) || (node.label && names.has(node.label.name))) {
        return t.breakStatement(t.identifier(inner.name));
      }
      return node;
    }
    const nextDepth = LOOPS.has(node.type) ? depth + 1 : depth;
    mapChildren(node, (child) => visit(child, nextDepth));
    return node;
  };
  return visit(body, 0) as t.BlockStatement;
}

/**
 * Replaces every `return`, and every `break`/`continue` whose target lies
 * outside `root`, with `replace(jump)`.
 */
function rewriteExits(root: t.Statement, replace: (jump: t.ReturnStatement | t.BreakStatement | t.ContinueStatement) => t.Statement): t.Statement {
  const visit = (node: t.Node, labels: Set<string>, loops: number, breakables: number): t.Node => {
    if (t.isFunction(node)) return node;
    if (t.isReturnStatement(node)) return replace(node);
    if (t.isBreakStatement(node)) {
      const inside = node.label ? labels.has(node.label.name) : breakables > 0;
      return inside ? node : replace(node);
    }
    if (t.isContinueStatement(node)) {
      const inside = node.label ? labels.has(node.label.name) : loops > 0;
      return inside ? node : replace(node);
    }
    let nextLabels = labels;
    if (t.isLabeledStatement(node)) nextLabels = new Set([...labels, node.label.name]);
    const isLoop = LOOPS.has(node.type);
    const nextLoops = isLoop ? loops + 1 : loops;
    const nextBreakables = isLoop || t.isSwitchStatement(node) ? breakables + 1 : breakables;
    mapChildren(node, (child) => visit(child, nextLabels, nextLoops, nextBreakables));
    return node;
  };
  return visit(root, new Set(), 0, 0) as t.Statement;
}
