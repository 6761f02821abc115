/**
 * Annex B's block functions, made explicit. In sloppy code a function
 * declared in a block also assigns a function-level `var` of its name when
 * its declaration is evaluated (ECMA-262 B.3.2.1), creating that var if the
 * function has none. Babel does not model this binding, and the transform
 * keys on bindings: it would neither save the var nor keep two functions of
 * one name apart, and the resume copy declares block functions with `let`.
 *
 * So, in a marked sloppy function, each such block function gets a name of
 * its own (its `name` property is restored by its brand, index.ts), the
 * function-level var is declared if it was implicit, and an assignment
 * takes the declaration's place in its block:
 *
 *   { function f() {} }   ->   var f; { function _f() {} f = _f; }
 *
 * The result means the same in strict and sloppy code, and every binding is
 * one Babel sees.
 */
import type { NodePath } from "@babel/core";
import { types as t } from "@babel/core";

/** Renamed block functions and the names they are known by. */
export const annexBNames = new WeakMap<t.Node, string>();

export function explicitAnnexB(fn: NodePath<t.Function>): void {
  const found: NodePath<t.FunctionDeclaration>[] = [];
  fn.get("body").traverse({
    Function(p) {
      const inBlock = (p.parentPath.isBlockStatement() && p.parentPath.node !== fn.node.body) || p.parentPath.isSwitchCase();
      if (p.isFunctionDeclaration() && p.node.id && !p.node.generator && !p.node.async && inBlock) found.push(p);
      p.skip();
    },
  });
  if (!found.length) return;
  const params = new Set(fn.node.params.flatMap((p) => Object.keys(t.getBindingIdentifiers(p))));
  let declared = false;
  for (const decl of found) {
    const name = decl.node.id!.name;
    if (params.has(name) || name === "arguments" || lexicallyBlocked(decl, fn, name)) continue;
    const own = decl.parentPath.scope;
    const fresh = own.generateUid(name);
    own.rename(name, fresh);
    annexBNames.set(decl.node, name);
    if (!fn.scope.hasOwnBinding(name)) {
      const [varDecl] = (fn.get("body") as NodePath<t.BlockStatement>).unshiftContainer("body", t.variableDeclaration("var", [t.variableDeclarator(t.identifier(name))]));
      fn.scope.registerDeclaration(varDecl);
      declared = true;
    }
    decl.insertAfter(t.expressionStatement(t.assignmentExpression("=", t.identifier(name), t.identifier(fresh))));
  }
  // References to the new vars were free names until now.
  if (declared) fn.scope.crawl();
}

/**
 * Would `var name` in the block of `decl` be an early error: a lexical
 * declaration of `name` (let, const, class) in a scope between the block and
 * the function, the function's body included? Then Annex B does not apply.
 * (A catch parameter of that name is left alone too.)
 */
function lexicallyBlocked(decl: NodePath<t.FunctionDeclaration>, fn: NodePath<t.Function>, name: string): boolean {
  for (let scope = decl.parentPath.scope; ; scope = scope.parent) {
    const b = scope.getOwnBinding(name);
    if (b && b.path.node !== decl.node && (b.kind === "let" || b.kind === "const" || b.kind === "module" || (b.kind as string) === "local" || t.isClassDeclaration(b.path.node) || b.path.isCatchClause())) return true;
    if (scope === fn.scope) return false;
  }
}
