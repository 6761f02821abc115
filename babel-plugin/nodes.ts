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
