/**
 * `array.forEach(cb)` -> `for (const x of array)` (or `for (const [i, x] of
 * array.entries())`), only where the two provably do the same:
 *
 * - forEach skips holes and stops at the length the array had when it
 *   started; for-of visits holes and sees elements added meanwhile. So the
 *   array must be fresh and dense, and reachable by nothing but the loop: an
 *   array literal without holes, a call that always returns a new dense
 *   array (Object.keys/values/entries, Array.from, Array.of, filter, split),
 *   or a local const initialised with one and used nowhere else. A callback
 *   that suspends lets other fibers run, so any array they could reach is
 *   out.
 * - the callback: an arrow or plain function expression with one or two
 *   simple parameters, no `return`, no `var` or function declarations (they
 *   would move into the enclosing function), and a function expression
 *   uses neither `this`, `arguments` nor its own name.
 * - the call is a statement of its own (its value, undefined, is unused) and
 *   passes no thisArg.
 *
 * Anything else is left as it is (the finding stays, with its advice).
 */
import type { CallSite } from "./graph.js";
import type { TextEdit, TS } from "./project.js";

export function forOfEdit(ts: typeof TS, checker: TS.TypeChecker, site: CallSite): TextEdit | null {
  const call = site.node;
  if (!ts.isCallExpression(call) || call.arguments.length !== 1 || !ts.isExpressionStatement(call.parent)) return null;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken || callee.name.text !== "forEach") return null;
  const cb = call.arguments[0];
  if (!(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) || cb.modifiers?.length || (ts.isFunctionExpression(cb) && cb.asteriskToken)) return null;
  const params = cb.parameters;
  if (params.length < 1 || params.length > 2) return null;
  if (params.some((p) => !ts.isIdentifier(p.name) || p.initializer || p.dotDotDotToken)) return null;
  const names = params.map((p) => (p.name as TS.Identifier).text);
  if (!freshDenseArray(ts, checker, callee.expression, call)) return null;
  if (mentions(ts, callee.expression, new Set(names))) return null; // the for-of head would read them in their TDZ
  if (!movableBody(ts, cb)) return null;

  const file = call.getSourceFile();
  const written = assigned(ts, cb.body, new Set(names));
  const decl = written ? "let" : "const";
  const receiver = callee.expression.getText(file);
  const head = names.length === 1 ? `for (${decl} ${names[0]} of ${receiver})` : `for (${decl} [${names[1]}, ${names[0]}] of ${receiver}.entries())`;
  const body = ts.isBlock(cb.body) ? cb.body.getText(file) : `${cb.body.getText(file)};`;
  const statement = call.parent;
  return { file: file.fileName, start: statement.getStart(file), end: statement.end, text: `${head} ${body}` };
}

const DENSE_STATIC = new Set(["Object.keys", "Object.values", "Object.entries", "Array.from", "Array.of"]);
const DENSE_METHODS = new Set(["filter", "split"]);

/** A new array without holes that only this loop can reach. */
function freshDenseArray(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression, loop: TS.Node): boolean {
  if (ts.isParenthesizedExpression(e)) return freshDenseArray(ts, checker, e.expression, loop);
  if (ts.isArrayLiteralExpression(e)) return !e.elements.some((x) => ts.isOmittedExpression(x));
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const decl = checker.getSymbolAtLocation(e.expression.name)?.declarations?.[0];
    if (!decl || !/[\\/]lib\.[^\\/]*\.d\.ts$/.test(decl.getSourceFile().fileName)) return false;
    const object = e.expression.expression;
    if (ts.isIdentifier(object) && DENSE_STATIC.has(`${object.text}.${e.expression.name.text}`)) return true;
    return DENSE_METHODS.has(e.expression.name.text);
  }
  if (ts.isIdentifier(e)) {
    const symbol = checker.getSymbolAtLocation(e);
    const d = symbol?.declarations?.[0];
    if (!d || symbol!.declarations!.length !== 1 || !ts.isVariableDeclaration(d) || !d.initializer) return false;
    if (!ts.isVariableDeclarationList(d.parent) || !(d.parent.flags & ts.NodeFlags.Const)) return false;
    // Declared in the function that loops, and used by the loop alone.
    const scope = ts.findAncestor(d, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n));
    if (ts.findAncestor(loop, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n)) !== scope) return false;
    let uses = 0;
    const count = (n: TS.Node): void => {
      if (ts.isIdentifier(n) && n.text === e.text && n !== d.name && checker.getSymbolAtLocation(n) === symbol) uses++;
      ts.forEachChild(n, count);
    };
    count(scope!);
    return uses === 1 && freshDenseArray(ts, checker, d.initializer, loop);
  }
  return false;
}

/** Can the callback's body become a loop body without changing meaning? */
function movableBody(ts: typeof TS, cb: TS.ArrowFunction | TS.FunctionExpression): boolean {
  let ok = true;
  const own = ts.isFunctionExpression(cb) ? cb.name?.text : undefined;
  const visit = (n: TS.Node, nested: boolean): void => {
    if (!ok) return;
    if (ts.isFunctionLike(n) && n !== (cb as TS.Node)) {
      // `this`/`arguments` inside a nested arrow still mean the callback's.
      const arrow = ts.isArrowFunction(n);
      ts.forEachChild(n, (c) => visit(c, nested || !arrow));
      return;
    }
    if (!nested) {
      if (ts.isReturnStatement(n) || ts.isFunctionDeclaration(n)) ok = false;
      if (ts.isVariableDeclarationList(n) && !(n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) ok = false;
      if (ts.isFunctionExpression(cb)) {
        if (n.kind === ts.SyntaxKind.ThisKeyword) ok = false;
        if (ts.isIdentifier(n) && (n.text === "arguments" || (own && n.text === own))) ok = false;
      }
    }
    ts.forEachChild(n, (c) => visit(c, nested));
  };
  ts.forEachChild(cb.body, (c) => visit(c, false));
  if (!ts.isBlock(cb.body)) visit(cb.body, false);
  return ok;
}

function mentions(ts: typeof TS, e: TS.Node, names: Set<string>): boolean {
  if (ts.isIdentifier(e) && names.has(e.text)) return true;
  return !!ts.forEachChild(e, (c) => mentions(ts, c, names) || undefined);
}

/** Is one of `names` assigned (or incremented) in `body`? Then the loop variable is a let. */
function assigned(ts: typeof TS, body: TS.Node, names: Set<string>): boolean {
  const isName = (n: TS.Node) => ts.isIdentifier(n) && names.has(n.text);
  const visit = (n: TS.Node): boolean => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && mentions(ts, n.left, names)) return true;
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && isName(n.operand)) return true;
    return !!ts.forEachChild(n, (c) => visit(c) || undefined);
  };
  return visit(body);
}
