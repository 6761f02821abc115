/**
 * The call graph: every place a unit may enter code (a call, a `new`, a
 * tagged template, a for-of loop's iterator calls), with what it may enter
 * (resolve.ts). Calls of a parameter and fiber targets are completed by
 * callbacks.ts.
 */
import type { TS } from "./project.js";
import { type Target, Resolver, emptyTarget, skipOuter, shortText } from "./resolve.js";
import { type Unit, type Units } from "./units.js";

export interface CallSite {
  node: TS.Node;
  from: Unit;
  /** The callee as written, for messages. */
  text: string;
  target: Target;
  /** Arguments (a for-of loop has none). */
  args: readonly TS.Expression[];
}

export interface CallGraph {
  sites: CallSite[];
  sitesOf: Map<Unit, CallSite[]>;
  resolver: Resolver;
}

export function buildGraph(ts: typeof TS, checker: TS.TypeChecker, units: Units): CallGraph {
  const resolver = new Resolver(ts, checker, units).finish();
  const sites: CallSite[] = [];
  const sitesOf = new Map<Unit, CallSite[]>(units.all.map((u) => [u, []]));
  const add = (node: TS.Node, text: string, target: Target, args: readonly TS.Expression[]) => {
    const from = units.unitOf(node);
    const site = { node, from, text, target, args };
    sites.push(site);
    sitesOf.get(from)!.push(site);
  };

  for (const u of units.all) {
    if (u.kind !== "module") continue;
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        if (node.expression.kind !== ts.SyntaxKind.ImportKeyword) {
          add(node, shortText(node.expression), resolver.callee(node.expression, ts.isNewExpression(node)), node.arguments ?? []);
        }
      } else if (ts.isTaggedTemplateExpression(node)) {
        add(node, shortText(node.tag), resolver.callee(node.tag, false), []);
      } else if (ts.isForOfStatement(node) && !node.awaitModifier) {
        add(node, `for-of over ${shortText(node.expression)}`, iteration(ts, checker, resolver, node.expression), []);
      }
      ts.forEachChild(node, visit);
    };
    visit(u.file);
  }

  return { sites, sitesOf, resolver };
}

/**
 * A for-of loop calls its iterable's [Symbol.iterator]() and the iterator's
 * next() (and return() on an early exit): the project's own implementations
 * of those are callees. Arrays, strings, Maps and the like are builtins.
 */
function iteration(ts: typeof TS, checker: TS.TypeChecker, resolver: Resolver, iterable: TS.Expression): Target {
  const target = emptyTarget();
  const type = checker.getTypeAtLocation(iterable);
  if (type.flags & ts.TypeFlags.Any) {
    target.unknown = `\`${shortText(iterable)}\` has type any`;
    return target;
  }
  const members = (t: TS.Type, name: (n: string) => boolean) =>
    t.getProperties().filter((p) => name(p.escapedName as string)).flatMap((p) => p.declarations ?? []);
  const iteratorDecls = members(type, (n) => n.startsWith("__@iterator"));
  let iteratorType: TS.Type | undefined;
  for (const d of iteratorDecls) {
    if (resolver.isOutside(d)) continue;
    const u = resolver.units.byNode.get(d);
    if (u) target.units.add(u);
    const sig = checker.getSignatureFromDeclaration(d as TS.SignatureDeclaration);
    if (sig) iteratorType = checker.getReturnTypeOfSignature(sig);
  }
  if (iteratorType) {
    for (const d of members(iteratorType, (n) => n === "next" || n === "return")) {
      if (resolver.isOutside(d)) continue;
      const u = resolver.units.byNode.get(d);
      if (u) target.units.add(u);
    }
  }
  if (!target.units.size) target.external = "the iterator protocol";
  return target;
}
