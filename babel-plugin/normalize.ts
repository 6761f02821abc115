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
import { mapChildren, renameIn } from "./nodes.js";
import { Linearizer, assign, isPure } from "./linearize.js";

export type { Site } from "./linearize.js";

/** A `for` loop whose update moved into its body: the statement where the
 * next iteration starts. */
export const iterationStart = new WeakMap<t.Node, t.Statement>();

export class Normalizer extends Linearizer {
  private labelCount = 0;
  /** Private twins of the names of destructuring for-let heads. */
  private twins = 0;

  private newLabel(): t.Identifier {
    return t.identifier(`${this.prefix}L${this.labelCount++}`);
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
          const init = d.init ? this.expr(d.init, out) : null;
          if (!t.isIdentifier(d.id) && this.has(d.id)) {
            // A pattern whose defaults or keys contain call sites is bound
            // step by step (s.kind is never "using": those are refused).
            this.bindPattern(d.id as t.LVal, this.materialize(init!, out), s.kind as "var" | "let" | "const", out);
          } else out.push(t.variableDeclaration(s.kind, [t.variableDeclarator(d.id, init)]));
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
        if (s.cases.some((c) => this.has(c.test))) {
          // In a block of its own: functions may move out of the switch.
          const own: t.Statement[] = [];
          own.push(wrapLabels(this.switchWithCalls(s, own), labels));
          out.push(t.blockStatement(own));
          return;
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
      case "ClassDeclaration": {
        const cls = this.classExpression(s, out);
        out.push(t.classDeclaration(s.id, cls.superClass, cls.body, s.decorators));
        return;
      }
      default:
        throw this.fail(s, `fiberlet: cannot make a ${s.type} resumable`);
    }
  }

  /**
   * A switch whose case tests contain call sites: the tests are evaluated
   * in the language's order (the cases before `default`, then the ones after
   * it, stopping at the first match) by an if-chain that picks a case
   * number, and a switch on that number keeps fallthrough and `break`.
   */
  private switchWithCalls(s: t.SwitchStatement, out: t.Statement[]): t.Statement {
    const disc = this.materialize(this.expr(s.discriminant, out), out);
    // The case tests move out of the switch block, whose function
    // declarations they may call: those move out before them (hoisted, they
    // exist before any test runs), unless they use the block's own let,
    // const or class declarations, which cannot move.
    const lexical = new Set<string>();
    for (const c of s.cases) {
      for (const d of c.consequent) {
        if (t.isVariableDeclaration(d) && d.kind !== "var") for (const name of Object.keys(t.getBindingIdentifiers(d))) lexical.add(name);
        if (t.isClassDeclaration(d) && d.id) lexical.add(d.id.name);
      }
    }
    const tested = (name: string) => s.cases.some((c) => c.test && mentions(c.test, name));
    for (const c of s.cases) {
      c.consequent = c.consequent.filter((d) => {
        if (!t.isFunctionDeclaration(d) || !d.id || !tested(d.id.name) || [...lexical].some((name) => mentions(d, name))) return true;
        out.push(d, t.expressionStatement(t.callExpression(t.memberExpression(this.runtime(), t.identifier("brand")), [t.identifier(d.id.name)])));
        return false;
      });
    }
    const chosen = this.newTemp();
    const defaultAt = s.cases.findIndex((c) => c.test === null);
    out.push(assign(chosen, t.valueToNode(defaultAt))); // -1: no default
    const order = s.cases.map((c, i) => i).filter((i) => s.cases[i].test !== null);
    const chain = (k: number): t.Statement[] => {
      if (k === order.length) return [];
      const i = order[k];
      const pre: t.Statement[] = [];
      const test = this.expr(s.cases[i].test!, pre);
      return [...pre, t.ifStatement(
        t.binaryExpression("===", t.cloneNode(disc), test),
        assign(chosen, t.numericLiteral(i)),
        t.blockStatement(chain(k + 1)),
      )];
    };
    out.push(...chain(0));
    return t.switchStatement(t.identifier(chosen.name), s.cases.map((c, i) => t.switchCase(t.numericLiteral(i), this.body(c.consequent))));
  }

  /** `while (test) body`, with calls in the test moved into the body. */
  private loopWithTest(test: t.Expression, body: t.Statement): t.Statement {
    if (!this.has(test)) return t.whileStatement(test, this.block(body));
    const pre: t.Statement[] = [];
    const v = this.expr(test, pre);
    // The body keeps a block of its own: its declarations must not shadow
    // what the test reads.
    return t.whileStatement(
      t.booleanLiteral(true),
      t.blockStatement([...pre, t.ifStatement(t.unaryExpression("!", v), t.breakStatement()), this.block(body)]),
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
    if (t.isVariableDeclaration(init) && init.kind !== "var" && this.needs(s) && init.declarations.some((d) => !t.isIdentifier(d.id))) {
      // The resume copy re-declares the loop's per-iteration bindings one
      // name at a time, so a pattern binds twins first, in a block around
      // the loop: `{ let [a$] = e; for (let a = a$; ...) }`. Exact: the
      // loop's first iteration copies the head's bindings, and what the head
      // itself saw (its defaults, closures made there) sees the twins,
      // which nothing but those closures can change afterwards.
      const names = Object.keys(t.getBindingIdentifiers(init));
      const twins = new Map(names.map((name) => [name, `${this.prefix}h${this.twins++}_${name}`]));
      const own: t.Statement[] = [];
      this.stmt(renameIn(init, twins), own);
      const loop = t.forStatement(
        // `for (const [,] = e; ...)` declares nothing.
        names.length ? t.variableDeclaration(init.kind, names.map((name) => t.variableDeclarator(t.identifier(name), t.identifier(twins.get(name)!)))) : null,
        s.test,
        s.update,
        s.body,
      );
      this.forStatement(loop, own, labels);
      out.push(t.blockStatement(own));
      return;
    }
    if (init && this.has(init)) {
      if (t.isVariableDeclaration(init) && init.kind === "var") {
        // A `var` head is an ordinary statement before the loop.
        this.stmt(init, before);
        init = null;
      } else if (t.isVariableDeclaration(init)) {
        // (Patterns were given twins above: only names are left.)
        init = t.variableDeclaration(
          init.kind,
          init.declarations.map((d) => t.variableDeclarator(d.id, d.init ? this.materialize(this.expr(d.init, before), before) : null)),
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
      // Where the next iteration begins (its per-iteration bindings are made
      // before the update runs): frame.ts gives boxed `let`s fresh boxes here.
      const start = t.emptyStatement();
      iterationStart.set(s, start);
      tail.push(start);
      const inner = this.newLabel();
      body = t.blockStatement([t.labeledStatement(inner, retargetContinues(body, labels, inner))]);
      const e = this.expr(update, tail);
      if (!isPure(e)) tail.push(t.expressionStatement(e));
      update = null;
    }
    const loop = t.forStatement(init, test, update, t.blockStatement([...head, ...(head.length || tail.length ? [body] : body.body), ...tail]));
    const start = iterationStart.get(s);
    if (start) iterationStart.set(loop, start);
    if (before.length === 0) out.push(wrapLabels(loop, labels));
    else out.push(t.blockStatement([...before, wrapLabels(loop, labels)]));
  }

  private bindLoopValue(left: t.ForXStatement["left"], value: t.Expression): t.Statement {
    if (t.isVariableDeclaration(left)) {
      return t.variableDeclaration(left.kind, [t.variableDeclarator(left.declarations[0].id, value)]);
    }
    return t.expressionStatement(t.assignmentExpression("=", left as t.LVal, value));
  }

  /**
   * The expression of a `for (let/const x of/in expr)` head is evaluated
   * where the loop's names exist uninitialized (reading one is a TDZ error,
   * a closure made there never sees a value). When it mentions one of them,
   * it is evaluated in a block that declares them after it, unreached.
   */
  private headExpression(s: t.ForXStatement, out: t.Statement[]): t.Identifier {
    const left = s.left;
    const names = t.isVariableDeclaration(left) && left.kind !== "var" ? Object.keys(t.getBindingIdentifiers(left)) : [];
    if (!names.some((name) => mentions(s.right, name))) return this.materialize(this.expr(s.right, out), out);
    const inner: t.Statement[] = [];
    const value = this.materialize(this.expr(s.right, inner), inner);
    // The declarations are never reached: the names stay uninitialized.
    const label = t.identifier(`${this.prefix}h${this.temps.length}`);
    inner.push(t.breakStatement(label), t.variableDeclaration("let", names.map((name) => t.variableDeclarator(t.identifier(name)))));
    out.push(t.labeledStatement(label, t.blockStatement(inner)));
    return value;
  }

  private forIn(s: t.ForInStatement, out: t.Statement[], labels: t.Identifier[]): void {
    const obj = this.headExpression(s, out);
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
          this.block(s.body),
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
    const iterable = this.headExpression(s, out);
    const getIterator = this.materialize(
      t.memberExpression(iterable, t.memberExpression(t.identifier("Symbol"), t.identifier("iterator")), true),
      out,
    );
    const it = this.site(
      getIterator,
      t.callExpression(t.memberExpression(this.callable(getIterator, "iterable[Symbol.iterator]"), t.identifier("call")), [iterable]),
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
    // The body is a scope of its own (it may redeclare the loop variable).
    loopBody.push(...bindOut, this.block(s.body));
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
        t.ifStatement(
          t.binaryExpression("===", completion, t.numericLiteral(1)),
          // Leaving by an exception: that exception wins over any failure
          // of getting or calling return().
          t.tryStatement(t.blockStatement([
            assign(ret, t.memberExpression(it, t.identifier("return"))),
            t.ifStatement(t.binaryExpression("!=", ret, t.nullLiteral()), t.blockStatement(quiet)),
          ]), t.catchClause(e, t.blockStatement([]))),
          t.blockStatement([
            assign(ret, t.memberExpression(it, t.identifier("return"))),
            t.ifStatement(t.binaryExpression("!=", ret, t.nullLiteral()), t.blockStatement(loud)),
          ]),
        ),
      ])),
    ])));
  }

  private tryStatement(s: t.TryStatement): t.Statement {
    let handler = s.handler;
    if (handler) {
      let param = handler.param;
      let body = handler.body.body;
      if (param && !t.isIdentifier(param)) {
        // Destructure inside the block so the caught value has one slot; the
        // block keeps a scope of its own (a closure in the pattern's defaults
        // must not see the block's declarations).
        const id = this.newTemp();
        body = [t.variableDeclaration("let", [t.variableDeclarator(param, id)]), t.blockStatement(body)];
        param = t.identifier(id.name);
        this.temps.pop(); // a catch parameter, not a function-level temp
      }
      handler = t.catchClause(param, t.blockStatement(this.body(body)));
    }
    const block = t.blockStatement(this.body(s.block.body));
    if (!s.finalizer) return t.tryStatement(block, handler, null);
    const finalizer = t.blockStatement(this.body(s.finalizer.body));
    if (!this.needs(s.finalizer)) return t.tryStatement(block, handler, finalizer);
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

}

/** A call emitted by the plugin that is never a call site (runtime helpers). */
function rawCall(callee: t.Expression, args: t.Expression[]): t.CallExpression {
  return t.callExpression(callee, args);
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

/** Whether `node` contains the identifier `name` anywhere (nested functions too). */
function mentions(node: t.Node, name: string): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (!found && t.isIdentifier(n) && n.name === name) found = true;
  });
  return found;
}
