/** Walking raw AST nodes (no paths, no scopes) for the plugin's own passes. */
import { types as t } from "@babel/core";

type Fields = Record<string, unknown>;

const isNode = (value: unknown): value is t.Node => !!value && typeof value === "object";

/** The child nodes of `node`, in Babel's visiting order. */
export function childNodes(node: t.Node): t.Node[] {
  const children: t.Node[] = [];
  for (const key of t.VISITOR_KEYS[node.type] ?? []) {
    const child = (node as unknown as Fields)[key];
    if (Array.isArray(child)) children.push(...child.filter(isNode));
    else if (isNode(child)) children.push(child);
  }
  return children;
}

/** Replaces each child of `node` with `replace(child)`, in place. */
export function mapChildren(node: t.Node, replace: (child: t.Node) => t.Node): void {
  const fields = node as unknown as Fields;
  for (const key of t.VISITOR_KEYS[node.type] ?? []) {
    const child = fields[key];
    if (Array.isArray(child)) fields[key] = child.map((c) => (isNode(c) ? replace(c) : c));
    else if (isNode(child)) fields[key] = replace(child);
  }
}

/**
 * Gives every node under `root` that has no source location the location of
 * its nearest ancestor that has one, so that each emitted line maps to the
 * source line it was made from (the guards and records of a statement map
 * to that statement). Nested functions that keep their own locations are
 * walked too: their emitted nodes inherit from them.
 */
export function inheritLocations(root: t.Node, loc: t.SourceLocation | null | undefined = root.loc): void {
  for (const child of childNodes(root)) {
    if (!child.loc && loc) child.loc = loc;
    inheritLocations(child, child.loc ?? loc);
  }
}

export function isAnonymousFunction(e: t.Expression): boolean {
  return ((t.isFunctionExpression(e) || t.isClassExpression(e)) && !e.id) || t.isArrowFunctionExpression(e);
}

/** `{ "name": fn }["name"]`: an anonymous function keeps the name its
 * position gave it after it moves. */
export function nameFunction(fn: t.Expression, name: string): t.Expression {
  return t.memberExpression(t.objectExpression([t.objectProperty(t.stringLiteral(name), fn)]), t.stringLiteral(name), true);
}

/**
 * A copy of `node` with the identifiers named in `names` renamed: binding
 * leaves and every read or write, in nested functions too (a name they
 * declare themselves is renamed with its uses, consistently); never a
 * property name. Used where a declaration's names get private twins.
 */
export function renamed<N extends t.Node>(node: N, names: Map<string, string>): N {
  return renameIn(t.cloneNode(node, true), names);
}

/** Like renamed(), in place (the nodes stay the ones analyses know). */
export function renameIn<N extends t.Node>(copy: N, names: Map<string, string>): N {
  // An anonymous function named by its binding keeps the original name.
  const keepName = (id: t.Node, fn: t.Expression | null | undefined): t.Expression | null => {
    if (!fn || !isAnonymousFunction(fn) || !t.isIdentifier(id) || !names.has(id.name)) return null;
    return nameFunction(fn, id.name);
  };
  const visit = (n: t.Node | null | undefined): void => {
    if (!n) return;
    if (t.isAssignmentPattern(n) || (t.isAssignmentExpression(n) && ["=", "&&=", "||=", "??="].includes(n.operator))) {
      n.right = keepName(n.left, n.right) ?? n.right;
    } else if (t.isVariableDeclarator(n)) n.init = keepName(n.id, n.init) ?? n.init;
    if (t.isIdentifier(n)) {
      const to = names.get(n.name);
      if (to) n.name = to;
      return;
    }
    if (t.isObjectProperty(n)) {
      if (n.shorthand && t.isIdentifier(n.key) && names.has(n.key.name)) {
        n.shorthand = false;
        n.key = t.identifier(n.key.name);
      }
      if (n.computed) visit(n.key);
      visit(n.value);
      return;
    }
    if (t.isMemberExpression(n) || t.isOptionalMemberExpression(n)) {
      visit(n.object);
      if (n.computed) visit(n.property);
      return;
    }
    if (t.isObjectMethod(n) || t.isClassMethod(n) || t.isClassPrivateMethod(n) || t.isClassProperty(n) || t.isClassPrivateProperty(n)) {
      if ("computed" in n && n.computed) visit(n.key);
      if (t.isClassProperty(n) || t.isClassPrivateProperty(n)) visit(n.value);
      else {
        n.params.forEach(visit);
        visit(n.body);
      }
      return;
    }
    for (const child of childNodes(n)) visit(child);
  };
  visit(copy);
  return copy;
}
