/**
 * What a callee expression (or a value passed as an argument) may be, asked
 * of the type checker: units of the project, fiberlet's suspending API, code
 * outside the project (a library, a builtin), a parameter of some unit (a
 * callback, resolved later by callbacks.ts), or unknown, with the reason.
 *
 * Methods are resolved by type: a call on a class's type may enter that
 * method or any override in a subclass; a call through an interface, any
 * implementation of it in the project's classes.
 */
import { dirname, join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import type { TS } from "./project.js";
import type { Unit, Units } from "./units.js";

/** fiberlet's calls that suspend the calling fiber. */
export type Primitive = "Fiber#switch" | "Fiber#throw" | "waitFor";

export interface ParamRef {
  unit: Unit;
  index: number;
}

export interface Target {
  units: Set<Unit>;
  primitive: Primitive | null;
  /** `new Fiber(...)`/`spawn(...)`: its function arguments become fiber targets. */
  fiberEntry: boolean;
  /** The name of a callee outside the project (`Array.forEach`), or null. */
  external: string | null;
  /** Why (part of) the callee cannot be known, or null. */
  unknown: string | null;
  params: ParamRef[];
}

export function emptyTarget(): Target {
  return { units: new Set(), primitive: null, fiberEntry: false, external: null, unknown: null, params: [] };
}

export class Resolver {
  private packageNames = new Map<string, string | null>();
  private subclasses = new Map<TS.Node, TS.ClassLikeDeclaration[]>();
  private implementers = new Map<TS.Node, TS.ClassLikeDeclaration[]>();

  constructor(
    private ts: typeof TS,
    private checker: TS.TypeChecker,
    readonly units: Units,
  ) {
    for (const u of units.all) if (u.kind === "module") this.indexClasses(u.file);
  }

  /** The callee of a call or `new`. */
  callee(expr: TS.Expression, isNew: boolean): Target {
    const { ts } = this;
    const e = skipOuter(ts, expr);
    const target = emptyTarget();
    // f.call(...) / f.apply(...) enter f.
    if (ts.isPropertyAccessExpression(e) && (e.name.text === "call" || e.name.text === "apply") && !isNew) {
      const decl = this.checker.getSymbolAtLocation(e.name)?.declarations?.[0];
      if (decl && this.isOutside(decl) && /lib\.[^/]*\.d\.ts$/.test(decl.getSourceFile().fileName)) return this.value(e.expression, target, 0, isNew);
    }
    return this.value(e, target, 0, isNew);
  }

  /** What calling the value of `expr` may enter, added to `into`. */
  value(expr: TS.Expression, into: Target, depth: number, isNew = false): Target {
    const { ts, checker } = this;
    const e = skipOuter(ts, expr);
    const text = shortText(e);
    if (ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isClassExpression(e)) {
      return this.declaration(e, into, text, depth, isNew);
    }
    if (e.kind === ts.SyntaxKind.SuperKeyword) {
      const cls = ts.findAncestor(e, ts.isClassLike);
      const base = cls && this.baseClass(cls);
      if (base) return this.declaration(base, into, text, depth, true);
      into.external ??= "super";
      return into;
    }
    const nameNode = ts.isPropertyAccessExpression(e) ? e.name : ts.isElementAccessExpression(e) ? e.argumentExpression : e;
    let symbol = checker.getSymbolAtLocation(nameNode);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
      const imported = importedFrom(ts, symbol);
      symbol = checker.getAliasedSymbol(symbol);
      if (!symbol.declarations?.length) {
        // The module did not resolve: only fiberlet's own names are known.
        if (imported?.module === "fiberlet" && imported.name === "waitFor") into.primitive = "waitFor";
        else if (imported?.module === "fiberlet" && (imported.name === "spawn" || imported.name === "Fiber")) into.fiberEntry = true;
        else into.unknown ??= `\`${text}\` is imported from "${imported?.module ?? "?"}", which does not resolve`;
        return into;
      }
    }
    if (!symbol?.declarations?.length) {
      const type = checker.getTypeAtLocation(e);
      if (type.flags & ts.TypeFlags.Any) {
        into.unknown ??= `\`${text}\` has type any`;
        return into;
      }
      const signatures = isNew ? type.getConstructSignatures() : type.getCallSignatures();
      const decls = signatures.map((s) => s.getDeclaration()).filter((d): d is TS.SignatureDeclaration => !!d);
      if (!decls.length) {
        into.unknown ??= `the callee \`${text}\` cannot be resolved`;
        return into;
      }
      for (const d of decls) this.declaration(d, into, text, depth, isNew);
      return into;
    }
    for (const d of symbol.declarations) this.declaration(d, into, text, depth, isNew);
    return into;
  }

  private declaration(d: TS.Node, into: Target, text: string, depth: number, isNew: boolean): Target {
    const { ts, checker } = this;
    if (this.isOutside(d)) {
      const name = outsideName(ts, d);
      const pkg = this.packageOf(d.getSourceFile().fileName);
      if (pkg === "fiberlet") {
        if (name === "waitFor") into.primitive = "waitFor";
        else if (name === "Fiber.switch") into.primitive = "Fiber#switch";
        else if (name === "Fiber.throw") into.primitive = "Fiber#throw";
        else if (name === "spawn" || name === "Fiber" || name === "Fiber.constructor" || name === "OwnFiber") into.fiberEntry = true;
        else into.external ??= name;
      } else into.external ??= name;
      return into;
    }
    if (depth > 8) {
      into.unknown ??= `\`${text}\` is too many assignments away`;
      return into;
    }
    const unit = this.units.byNode.get(d);
    if (unit) {
      // A generator's body runs when it is iterated, not when it is called.
      if (unit.kind !== "generator" && unit.kind !== "field") into.units.add(unit);
      if (unit.kind === "method") for (const o of this.overrides(d as TS.MethodDeclaration)) into.units.add(o);
      return into;
    }
    if (ts.isClassLike(d)) {
      this.construct(d, into);
      return into;
    }
    if (ts.isParameter(d)) {
      const owner = this.units.byNode.get(d.parent);
      if (owner && ts.isIdentifier(d.name)) into.params.push({ unit: owner, index: (d.parent as TS.SignatureDeclaration).parameters.indexOf(d) });
      else into.unknown ??= `\`${text}\` is a destructured parameter`;
      return into;
    }
    if (ts.isShorthandPropertyAssignment(d)) {
      const value = checker.getShorthandAssignmentValueSymbol(d);
      for (const v of value?.declarations ?? []) this.declaration(v, into, text, depth + 1, isNew);
      if (!value?.declarations?.length) into.unknown ??= `\`${text}\` cannot be followed`;
      return into;
    }
    const init =
      ts.isVariableDeclaration(d) || ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d)
        ? d.initializer
        : ts.isBinaryExpression(d)
          ? d.right
          : ts.isPropertyAccessExpression(d) && ts.isBinaryExpression(d.parent) && d.parent.left === d
            ? d.parent.right
            : undefined;
    if (ts.isVariableDeclaration(d) && init && !isConstDeclaration(ts, d)) {
      into.unknown ??= `\`${text}\` is a variable that may be reassigned`;
      return into;
    }
    if (init) return this.value(init, into, depth + 1, isNew);
    if (ts.isMethodSignature(d) || ts.isPropertySignature(d)) {
      const found = this.implementations(d);
      for (const u of found) into.units.add(u);
      if (!found.length) into.unknown ??= `\`${text}\` is declared by a type with no implementation in the project`;
      return into;
    }
    if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) return into; // an overload signature without a body
    into.unknown ??= `\`${text}\` cannot be followed to a function`;
    return into;
  }

  /** `new C()`: C's constructor (or the nearest inherited one) and the field
   * initializers of C and of its bases, which run as part of it. */
  private construct(cls: TS.ClassLikeDeclaration, into: Target): void {
    let constructed = false;
    for (let c: TS.ClassLikeDeclaration | null = cls; c; c = this.baseClass(c)) {
      if (this.isOutside(c)) {
        const pkg = this.packageOf(c.getSourceFile().fileName);
        if (pkg === "fiberlet" && c.name?.text === "Fiber") into.fiberEntry = true;
        break;
      }
      for (const m of c.members) {
        const u = this.units.byNode.get(m);
        if (!u) continue;
        if (u.kind === "field" && !isStatic(this.ts, m)) into.units.add(u);
        if (u.kind === "constructor" && !constructed) into.units.add(u);
      }
      // A constructor of its own calls super() explicitly: that call is its edge.
      if (c.members.some((m) => this.ts.isConstructorDeclaration(m) && m.body)) constructed = true;
      if (constructed) break;
    }
  }

  baseClass(cls: TS.ClassLikeDeclaration): TS.ClassLikeDeclaration | null {
    const { ts, checker } = this;
    const ext = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!ext) return null;
    let s = checker.getSymbolAtLocation(ext.expression);
    if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    const d = s?.declarations?.find((x) => ts.isClassLike(x));
    return (d as TS.ClassLikeDeclaration | undefined) ?? null;
  }

  /** Methods overriding `m` in the project's subclasses of its class. */
  private overrides(m: TS.MethodDeclaration): Unit[] {
    const name = memberName(this.ts, m);
    const cls = m.parent as TS.ClassLikeDeclaration;
    if (!name || !this.ts.isClassLike(cls)) return [];
    const found: Unit[] = [];
    const walk = (c: TS.Node, seen: Set<TS.Node>) => {
      for (const sub of this.subclasses.get(c) ?? []) {
        if (seen.has(sub)) continue;
        seen.add(sub);
        const own = sub.members.find((x) => memberName(this.ts, x) === name);
        const u = own && this.units.byNode.get(own);
        if (u) found.push(u);
        walk(sub, seen);
      }
    };
    walk(cls, new Set());
    return found;
  }

  /** Units implementing an interface member: the member of that name in
   * each project class implementing the interface (or one extending it),
   * its subclasses included. */
  private implementations(sig: TS.MethodSignature | TS.PropertySignature): Unit[] {
    const name = memberName(this.ts, sig);
    const owner = sig.parent;
    if (!name) return [];
    const classes = new Set<TS.ClassLikeDeclaration>();
    const addWithSubclasses = (c: TS.ClassLikeDeclaration) => {
      if (classes.has(c)) return;
      classes.add(c);
      for (const s of this.subclasses.get(c) ?? []) addWithSubclasses(s);
    };
    for (const c of this.implementers.get(owner) ?? []) addWithSubclasses(c);
    const found: Unit[] = [];
    for (const c of classes) {
      for (let k: TS.ClassLikeDeclaration | null = c; k && !this.isOutside(k); k = this.baseClass(k)) {
        const m = k.members.find((x) => memberName(this.ts, x) === name);
        const u = m && this.units.byNode.get(m);
        if (u) {
          found.push(u);
          break;
        }
      }
    }
    return found;
  }

  private indexClasses(file: TS.SourceFile): void {
    const { ts, checker } = this;
    const visit = (node: TS.Node): void => {
      if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) {
        for (const clause of node.heritageClauses ?? []) {
          for (const t of clause.types) {
            let s = checker.getSymbolAtLocation(t.expression);
            if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
            for (const d of s?.declarations ?? []) {
              if (ts.isClassLike(node) && clause.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(d)) push(this.subclasses, d, node);
              else if (ts.isClassLike(node)) push(this.implementers, d, node);
              else if (ts.isInterfaceDeclaration(d)) {
                // An interface extending another: its implementers implement both.
                push(this.interfaceChildren, d, node);
              }
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    // Close implementers over interface inheritance (after every file: see finish()).
  }

  private interfaceChildren = new Map<TS.Node, TS.Node[]>();

  /** Call once after construction: implementers of an interface include
   * those of the interfaces extending it. */
  finish(): this {
    const all = (i: TS.Node, seen: Set<TS.Node>): TS.ClassLikeDeclaration[] => {
      if (seen.has(i)) return [];
      seen.add(i);
      const own = this.implementers.get(i) ?? [];
      return [...own, ...(this.interfaceChildren.get(i) ?? []).flatMap((c) => all(c, seen))];
    };
    for (const i of this.interfaceChildren.keys()) this.implementers.set(i, all(i, new Set()));
    return this;
  }

  /** Declared outside the analysed sources: a .d.ts, node_modules, a lib file. */
  isOutside(d: TS.Node): boolean {
    const f = d.getSourceFile();
    return f.isDeclarationFile || /[\\/]node_modules[\\/]/.test(f.fileName) || !this.units.byNode.has(f);
  }

  /** The name in package.json of the package a file belongs to. */
  packageOf(fileName: string): string | null {
    const dir = dirname(fileName);
    if (this.packageNames.has(dir)) return this.packageNames.get(dir)!;
    let name: string | null = null;
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const json = JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown };
        name = typeof json.name === "string" ? json.name : null;
      } catch {
        name = null;
      }
      // dist/cjs/package.json says only its module type: keep looking up.
      if (name === null && dirname(dir) !== dir) name = this.packageOf(dir);
    } else if (dirname(dir) !== dir) name = this.packageOf(dir);
    this.packageNames.set(dir, name);
    return name;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function skipOuter(ts: typeof TS, e: TS.Expression): TS.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    // (0, f)(): the value of f
    else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = e.right;
    else return e;
  }
}

function memberName(ts: typeof TS, m: TS.Node): string | undefined {
  const n = (m as { name?: TS.PropertyName }).name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return n.getText();
}

function isStatic(ts: typeof TS, m: TS.Node): boolean {
  return !!(m as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
}

function isConstDeclaration(ts: typeof TS, d: TS.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(d.parent) && (d.parent.flags & ts.NodeFlags.Const) !== 0;
}

/** `Array.forEach`, `Promise.then`, `readFile`: an outside declaration's name. */
function outsideName(ts: typeof TS, d: TS.Node): string {
  const own = (d as { name?: TS.Node }).name;
  const name = own && (ts.isIdentifier(own) || ts.isStringLiteral(own)) ? own.text : ts.isConstructorDeclaration(d) ? "constructor" : "?";
  const holder = d.parent;
  if (holder && (ts.isClassLike(holder) || ts.isInterfaceDeclaration(holder)) && holder.name) return `${holder.name.text}.${name}`;
  return name;
}

function importedFrom(ts: typeof TS, symbol: TS.Symbol): { module: string; name: string } | null {
  const d = symbol.declarations?.[0];
  if (!d || !ts.isImportSpecifier(d)) return null;
  const decl = d.parent.parent.parent;
  if (!ts.isImportDeclaration(decl) || !ts.isStringLiteral(decl.moduleSpecifier)) return null;
  return { module: decl.moduleSpecifier.text, name: (d.propertyName ?? d.name).text };
}

export function shortText(e: TS.Node): string {
  const text = e.getText().replace(/\s+/g, " ");
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
