/**
 * Units of code: the pieces the call graph connects. Every function, method,
 * arrow, constructor and accessor is one; so is each class field initializer
 * and static block (they run inside `new`/class creation, never in a frame
 * of their own that could be marked) and each module's top-level code.
 *
 * Marking follows the Babel plugin exactly (babel-plugin/index.ts): it is
 * lexical like "use strict" (a function is marked by its own directive, the
 * module's or an enclosing function's), and generators, async functions,
 * getters and setters are never transformed even inside marked code.
 */
import type { TS } from "./project.js";

export const DIRECTIVE = "use fiber";

export type UnitKind =
  | "function"
  | "method"
  | "constructor"
  | "arrow"
  | "getter"
  | "setter"
  | "generator"
  | "async"
  | "field"
  | "static-block"
  | "module";

export interface Unit {
  id: number;
  kind: UnitKind;
  /** The function-like node, property declaration, static block or source file. */
  node: TS.Node;
  file: TS.SourceFile;
  /** A readable name for messages: `walk`, `Channel.send`, `arrow in leaves`. */
  name: string;
  parent: Unit | null;
  /** The unit's own "use fiber" statement, if it has one. */
  directive: TS.ExpressionStatement | null;
  /** Inside a marked scope (its own directive, an enclosing one, the module's). */
  inMarkedScope: boolean;
  /** Can the plugin make it resumable at all? */
  eligible: boolean;
  /** Transformed by the plugin: in a marked scope and eligible. */
  marked: boolean;
}

export interface Units {
  all: Unit[];
  byNode: Map<TS.Node, Unit>;
  /** The unit whose code `node` is evaluated in. */
  unitOf(node: TS.Node): Unit;
}

/** The "use fiber" statement of a block's or file's directive prologue. */
export function findDirective(ts: typeof TS, statements: readonly TS.Statement[]): TS.ExpressionStatement | null {
  for (const s of statements) {
    if (!ts.isExpressionStatement(s) || !ts.isStringLiteral(s.expression)) return null;
    if (s.expression.text === DIRECTIVE) return s;
  }
  return null;
}

export function collectUnits(ts: typeof TS, files: readonly TS.SourceFile[]): Units {
  const all: Unit[] = [];
  const byNode = new Map<TS.Node, Unit>();
  const add = (u: Omit<Unit, "id" | "marked">): Unit => {
    const unit = { ...u, id: all.length, marked: u.inMarkedScope && u.eligible };
    all.push(unit);
    byNode.set(u.node, unit);
    return unit;
  };

  for (const file of files) {
    const moduleDirective = findDirective(ts, file.statements);
    const moduleUnit = add({
      kind: "module", node: file, file, name: `top level of ${baseName(file.fileName)}`, parent: null,
      directive: moduleDirective, inMarkedScope: !!moduleDirective, eligible: false,
    });
    const visit = (node: TS.Node, parent: Unit): void => {
      let unit: Unit | null = null;
      const kind = unitKind(ts, node);
      if (kind) {
        const body = (node as { body?: TS.Node }).body;
        const directive = body && ts.isBlock(body) && kind !== "field" && kind !== "static-block" ? findDirective(ts, body.statements) : null;
        unit = add({
          kind, node, file, name: unitName(ts, node, kind), parent, directive,
          // A field initializer or static block is no function: what is
          // written inside it takes its marking from around the class.
          inMarkedScope: !!directive || parent.inMarkedScope,
          eligible: kind === "function" || kind === "method" || kind === "constructor" || kind === "arrow",
        });
      }
      ts.forEachChild(node, (child) => visit(child, unit ?? parent));
    };
    ts.forEachChild(file, (child) => visit(child, moduleUnit));
  }

  const unitOf = (node: TS.Node): Unit => {
    let child = node;
    for (let p = node.parent; p; child = p, p = p.parent) {
      const u = byNode.get(p);
      // A computed name is evaluated by the code around the method or field.
      if (u && !((p as { name?: TS.Node }).name === child && u.kind !== "module")) return u;
    }
    return byNode.get(node.getSourceFile())!;
  };
  return { all, byNode, unitOf };
}

function unitKind(ts: typeof TS, node: TS.Node): UnitKind | null {
  const isAsync = () => !!(node as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  const isGenerator = () => !!(node as { asteriskToken?: unknown }).asteriskToken;
  if (ts.isGetAccessorDeclaration(node)) return "getter";
  if (ts.isSetAccessorDeclaration(node)) return "setter";
  if (ts.isConstructorDeclaration(node)) return (node as TS.ConstructorDeclaration).body ? "constructor" : null;
  if (ts.isClassStaticBlockDeclaration(node)) return "static-block";
  if (ts.isPropertyDeclaration(node)) return node.initializer ? "field" : null;
  if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node)) {
    if (!(node as TS.FunctionLikeDeclaration).body) return null; // overloads, abstract and ambient methods
    if (isGenerator()) return "generator";
    if (isAsync()) return "async";
    if (ts.isArrowFunction(node)) return "arrow";
    return ts.isMethodDeclaration(node) ? "method" : "function";
  }
  return null;
}

function unitName(ts: typeof TS, node: TS.Node, kind: UnitKind): string {
  const own = (node as { name?: TS.Node }).name;
  const text = own && (ts.isIdentifier(own) || ts.isPrivateIdentifier(own) || ts.isStringLiteral(own)) ? own.text : own ? own.getText() : undefined;
  const cls = ts.isClassLike(node.parent) ? node.parent.name?.text ?? "class" : undefined;
  if (kind === "constructor") return `${cls} constructor`;
  if (kind === "static-block") return `static block of ${cls}`;
  if (text && cls) return `${cls}.${text}`;
  if (text) return text;
  // `const f = () => ...`, `{ f: function () {} }`: the name it is given.
  const holder = node.parent;
  if (holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) && holder.initializer === node) {
    return holder.name.getText();
  }
  const file = node.getSourceFile();
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${kind === "arrow" ? "arrow function" : "function"} at ${baseName(file.fileName)}:${line + 1}:${character + 1}`;
}

function baseName(fileName: string): string {
  return fileName.slice(fileName.lastIndexOf("/") + 1);
}
