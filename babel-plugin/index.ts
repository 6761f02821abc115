/**
 * fiberlet's Babel plugin: makes functions marked with "use fiber" resumable
 * (stackless fibers). Pipeline per marked function, innermost first:
 * marking (this file) -> sites.ts (which calls can suspend) -> normalize.ts
 * (one call site per statement) -> frame.ts (slots, boxes, numbering) ->
 * emit.ts (fast copy and resume copy). docs/protocol.md is the contract with
 * the runtime.
 */
import type { NodePath, PluginObj, PluginPass } from "@babel/core";
import { traverse, types as t } from "@babel/core";
import { declare } from "@babel/helper-plugin-utils";
import { addNamed } from "@babel/helper-module-imports";
import { classifyCalls, hasForOf, hasSite } from "./sites.js";
import { calleeFunction, quietFunctions } from "./quiet.js";
import { isAnonymousFunction, nameFunction } from "./linearize.js";
import { inheritLocations } from "./nodes.js";
import { Normalizer } from "./normalize.js";
import { boxCapturedVariables, guardLoweredConstants, planFrame, renameShadowed } from "./frame.js";
import { MAPPED_KEY, buildResume, decorateFast, type Names } from "./emit.js";
import { captureHelpers, planCapture, type CaptureHelpers } from "./capture.js";
import { liftNested } from "./lift.js";
import { chooseSourceType } from "./module-format.js";
import { annexBNames, explicitAnnexB } from "./annexb.js";

interface Placement {
  stmt: NodePath;
  insideClass: NodePath<t.Class> | null;
  /** Scopes between the function and the place that the place cannot see. */
  hidden: boolean;
  insert(stmts: t.Statement[], st: FileState): void;
}

export interface FiberletPluginOptions {
  /** Module the emitted code imports the runtime protocol from. */
  runtime?: string;
}

const DIRECTIVE = "use fiber";

function hasDirective(node: { directives?: t.Directive[] } | null | undefined): boolean {
  return !!node?.directives?.some((d) => d.value.value === DIRECTIVE);
}

function removeDirective(node: { directives?: t.Directive[] }): void {
  if (node.directives) node.directives = node.directives.filter((d) => d.value.value !== DIRECTIVE);
}

/** Why a function can never be marked, or null if it can. */
function ineligible(fn: t.Function): string | null {
  if (fn.generator) return "a generator";
  if (fn.async) return "an async function";
  if ((t.isObjectMethod(fn) || t.isClassMethod(fn) || t.isClassPrivateMethod(fn)) && (fn.kind === "get" || fn.kind === "set")) {
    return "a getter or setter";
  }
  return null;
}

function functionName(path: NodePath<t.Function>): string {
  const node = path.node;
  if ((t.isFunctionDeclaration(node) || t.isFunctionExpression(node)) && node.id) return node.id.name;
  if ((t.isObjectMethod(node) || t.isClassMethod(node)) && t.isIdentifier(node.key)) return node.key.name;
  if (t.isClassPrivateMethod(node)) return `#${node.key.id.name}`;
  const parent = path.parentPath;
  if (parent?.isVariableDeclarator() && t.isIdentifier(parent.node.id)) return parent.node.id.name;
  if (parent?.isObjectProperty() && t.isIdentifier(parent.node.key)) return parent.node.key.name;
  if (parent?.isAssignmentExpression() && t.isIdentifier(parent.node.left)) return parent.node.left.name;
  if ((parent?.isClassProperty()) && t.isIdentifier(parent.node.key)) return parent.node.key.name;
  return "";
}

interface FileState {
  names: Names;
  /** Names of the factories lift.ts made. */
  factoryNames: Set<string>;
  moduleMarked: boolean;
  marked: WeakSet<t.Node>;
  /** Marked functions that can never suspend (quiet.ts). */
  quiet: Set<t.Node>;
  done: WeakSet<t.Node>;
  prelude: t.Statement[];
  /** Module-level constants made so far (template objects). */
  hoisted: number;
  /** Functions given a resume function so far (numbers their helpers). */
  resumes: number;
  used: boolean;
}

/** Statements placed beside a function (placement()): resume functions and
 * factories. */
const placed = new WeakSet<t.Node>();

/** Resume function declarations that lifting leaves in place. */
const unliftable = new WeakSet<t.Node>();

/** `export default function () {}` declarations given a binding. */
const anonymousDefaults = new WeakSet<t.Node>();

export default declare((api: { assertVersion(range: number | string): void }, options: FiberletPluginOptions) => {
  // Babel 7 and 8 (both accept a semver range here).
  api.assertVersion("^7.22.0 || ^8.0.0");
  const runtime = options.runtime ?? "fiberlet/protocol";

  function transformFunction(path: NodePath<t.Function>, st: FileState): void {
    const node = path.node;
    if (st.done.has(node) || !st.marked.has(node)) return;
    if (st.quiet.has(node)) {
      // It can never suspend (quiet.ts): it stays as written, branded 0 (a
      // falsy brand: call sites entering it leave the entry flag falsy, and
      // a fiber with it as target is still stackless).
      st.done.add(node);
      st.used = true;
      if (t.isBlockStatement(node.body)) removeDirective(node.body);
      refuseDynamicScope(path, (n, message) => path.hub.buildError(n, message, SyntaxError));
      if (path.isFunctionDeclaration() && !path.node.id) {
        path.node.id = path.scope.generateUidIdentifier("default");
        anonymousDefaults.add(path.node);
      }
      brand(path, st, true);
      return;
    }
    if (path.isFunctionDeclaration() && !path.node.id) {
      // `export default function () {}`: the brand needs a binding. The
      // function keeps its name "default" (R.brand's second argument).
      path.node.id = path.scope.generateUidIdentifier("default");
      anonymousDefaults.add(path.node);
    }
    st.done.add(node);
    st.used = true;
    const { names } = st;
    const name = functionName(path);
    const fail = (n: t.Node, message: string) => path.hub.buildError(n, message, SyntaxError);

    if (t.isBlockStatement(node.body)) removeDirective(node.body);
    else {
      (path.get("body") as NodePath).replaceWith(t.blockStatement([t.returnStatement(node.body as t.Expression)]));
    }
    // A plain function may be called with `new`: its resumed frame must
    // finish like `new` would (see docs/protocol.md, Constructors).
    const ctor = constructorKind(node);
    refuseDynamicScope(path, fail);
    const mapped = hasMappedArguments(path);
    moveParamsIntoBody(path);

    const facts = classifyCalls(path, (p) => isMarkedCallee(p, st), names.R);
    if (!hasSite(node.body, facts) && !hasForOf(node.body)) {
      // Nothing in it can suspend: it only keeps the entry-flag invariant.
      (node.body as t.BlockStatement).body.unshift(
        t.expressionStatement(t.assignmentExpression("=", t.memberExpression(t.identifier(names.R), t.identifier("m")), t.numericLiteral(0))),
      );
      brand(path, st);
      return;
    }
    const hoist = (init: t.Expression): t.Identifier => {
      const id = `${names.p}q${st.hoisted++}`;
      st.prelude.push(t.variableDeclaration("const", [t.variableDeclarator(t.identifier(id), init)]));
      return t.identifier(id);
    };
    const normalizer = new Normalizer(facts, `${names.p}t`, fail, () => t.identifier(names.R), hoist);
    const body = node.body as t.BlockStatement;
    const stmts = normalizer.body(body.body);
    if (normalizer.temps.length) {
      stmts.unshift(t.variableDeclaration("var", normalizer.temps.map((x) => t.variableDeclarator(t.identifier(x.name)))));
    }
    body.body = stmts;
    // Analyse and emit on the function alone (see detach()); placing the
    // resume function and the brand use the function's place in the file.
    const own = detach(node);
    renameShadowed(own);
    const captures = boxCapturedVariables(own, names.R, names.resumeNames, mapped);
    if (captures.boxed) own.scope.crawl();
    guardLoweredConstants(own, names.R);
    // Functions nested in one that is emitted twice move out (lift.ts),
    // beside it, unless that place is inside a class body or cannot see a
    // scope the function reads.
    const place = placement(path);
    const strict = isStrict(path);
    const factories = normalizer.sites.size && !place.insideClass && !place.hidden
      ? liftNested(own, captures, {
        isFactory: (n) => st.factoryNames.has(n),
        factoryName: () => {
          const n = `${names.p}f${st.factoryNames.size}`;
          st.factoryNames.add(n);
          return n;
        },
        argumentsName: `${names.p}args`,
        newTargetName: `${names.p}nt`,
        thisMayBeUninitialized: thisMayBeUninitialized(path),
        strictFactories: strict && !place.stmt.parentPath!.isInStrictMode(),
        keep: (n) => unliftable.has(n),
      })
      : [];
    const frame = planFrame(own, normalizer.sites, names.resumeNames, new Set(normalizer.temps.map((x) => x.name)),
      ctor === null ? null : t.isClassMethod(node) ? "class" : "plain");

    const n = st.resumes++;
    const rname = `${names.p}r${n}`;
    // A resume function made once (at module level, not in a class body) is
    // known to its saver; one made per entry of its scope is passed to it.
    const madeOnce = place.stmt.parentPath!.isProgram() && !place.insideClass;
    const helpers = planCapture(own, frame, { saver: `${names.p}s${n}`, writer: `${names.p}w${n}`, record: `${names.p}F${n}` }, ctor === "derived", mapped, !madeOnce);
    const placedNodes = frame.sites.length
      ? placeResume(path, place, buildResume(own, frame, names, name || "anonymous", ctor, helpers, mapped), st, name, rname, helpers)
      : [];
    if (factories.length) {
      for (const f of factories) st.done.add(f);
      place.insert(factories, st);
    }
    decorateFast(own, frame, names, helpers, () => t.identifier(rname), ctor, fieldsFirst(path) ? "e" : "m");
    inheritLocations(node);
    for (const placedNode of placedNodes) inheritLocations(placedNode, node.loc);
    brand(path, st);
  }

  /**
   * Puts the resume function where it sees the same variables as the
   * function itself, created once per creation of the function's scope, at
   * the start of that scope (a hoisted declaration may capture before the
   * statement that holds it runs). It is defined as `{ name: function }`
   * so that it carries the function's own name into stack traces.
   */
  function placeResume(path: NodePath<t.Function>, place: Placement, resume: t.FunctionExpression, st: FileState, name: string, rname: string, helpers: CaptureHelpers): t.Node[] {
    // Recreated with their scope, never saved (frame.ts, emit.ts).
    st.names.resumeNames.add(rname);
    st.names.resumeNames.add(helpers.saver);
    st.names.resumeNames.add(helpers.writer);
    st.names.resumeNames.add(helpers.record);
    resume.id = null;
    st.done.add(resume);
    const named = t.memberExpression(t.objectExpression([t.objectProperty(t.stringLiteral(name), resume)]), t.stringLiteral(name), true);
    const { writer, saver } = captureHelpers(helpers, st.names.R, t.identifier(rname), name, MAPPED_KEY);
    const helperDecls = [writer, ...saver];
    for (const decl of helperDecls) {
      const init = decl.declarations[0].init!;
      st.done.add(init);
      if (t.isCallExpression(init)) st.done.add(init.arguments[0]); // R.record(ctor, resume)
    }
    // Helpers that do not name the resume function are made once, at module
    // level (capture.ts), whatever makes the resume function again.
    if (helpers.resumeParam) {
      for (const decl of helperDecls) decl.kind = "var";
      st.prelude.push(...helperDecls);
    }
    if (place.insideClass) {
      // Private names, and a class expression's own name, are only reachable
      // inside the class body.
      place.stmt.insertBefore(t.variableDeclaration("let", [t.variableDeclarator(t.identifier(rname))]));
      place.insideClass.get("body").unshiftContainer("body", t.staticBlock([
        t.expressionStatement(t.assignmentExpression("=", t.identifier(rname), named)),
      ]));
      return [resume, ...helperDecls];
    }
    // `let` in a block: one resume function per entry of the block (a loop
    // body's closures of each iteration get their own).
    const decl = t.variableDeclaration("let", [t.variableDeclarator(t.identifier(rname), named)]);
    decl.loc = path.node.loc;
    // Placed where it cannot see some of the function's scopes (placement()):
    // a factory call would read their names too early; it stays a closure.
    if (place.hidden) unliftable.add(decl);
    // At module level, in the order each reads the others when made: the
    // writer, the resume function that calls it, the record constructor and
    // the saver that name the resume function.
    place.insert(helpers.resumeParam ? [decl] : [writer, decl, ...saver], st);
    return [resume, ...helperDecls];
  }

  /**
   * Where code that must see the same variables as the function goes (its
   * resume function, the factories of lift.ts): the start of the block, or
   * program, around the statement that holds the function; a closure in a
   * loop or branch body without braces gets a block. `insideClass` is the
   * class whose body it must be in instead (the function uses private
   * names, or a class expression's own name may be in scope).
   */
  function placement(path: NodePath<t.Function>): Placement {
    let stmt: NodePath = path;
    const isContainer = (p: NodePath) => p.isBlockStatement() || p.isProgram() || p.isSwitchCase() || p.isStaticBlock();
    while (stmt.parentPath && !isContainer(stmt.parentPath)) stmt = stmt.parentPath;
    // The nearest class body between the function and that statement, if any.
    let classPath: NodePath<t.Class> | null = null;
    for (let p: NodePath | null = path.parentPath; p && p !== stmt.parentPath; p = p.parentPath) {
      if (p.isClass()) {
        classPath = p;
        break;
      }
    }
    let usesPrivate = false;
    let usesOwnName = false;
    const className = classPath?.node.id?.name;
    if (classPath) {
      path.traverse({
        PrivateName(p) {
          usesPrivate = true;
          p.stop();
        },
        // Inside its body a class's name is the class, not the binding
        // outside it (a class expression's name exists only inside).
        Identifier(p) {
          if (className && p.node.name === className && p.isReferencedIdentifier() && p.scope.getBinding(className)?.path === classPath) {
            usesOwnName = true;
            p.stop();
          }
        },
      });
    }
    const insideClass = classPath && (usesPrivate || (classPath.isClassExpression() && classPath.node.id) || usesOwnName) ? classPath : null;
    // Scopes the function may read that the place does not see: a switch's
    // block (its cases' declarations), a loop head's `let`, a catch
    // parameter, the parameters of a function around it. Code placed there
    // would miss their bindings; nothing moves out of such a function.
    let hidden = stmt.parentPath!.isSwitchCase();
    for (let child: NodePath = path, p: NodePath | null = path.parentPath; p && p !== stmt.parentPath; child = p, p = p.parentPath) {
      if (p.isFunction() || (p.isCatchClause() && child.key === "param")) hidden = true;
      const head = (p.isForStatement() && child.key !== "body") || (p.isForXStatement() && child.key !== "body");
      if (head && p.isFor()) {
        const decl = p.isForStatement() ? p.node.init : (p.node as t.ForXStatement).left;
        if (t.isVariableDeclaration(decl) && decl.kind !== "var") hidden = true;
      }
    }
    let container: NodePath | null = null;
    const insert = (stmts: t.Statement[], st: FileState) => {
      if (!container) {
        container = stmt.parentPath!;
        for (let p: NodePath | null = path.parentPath; p && p !== container; p = p.parentPath) {
          const parent = p.parentPath;
          // Only a body: a labeled loop must keep its label on the loop itself.
          const isBody = (parent?.isLoop() && p.key === "body") || (parent?.isIfStatement() && (p.key === "consequent" || p.key === "alternate"));
          if (p.isStatement() && isBody && !p.isBlockStatement()) {
            p.replaceWith(t.blockStatement([p.node as t.Statement]));
            container = p;
            break;
          }
        }
      }
      if (container.isProgram()) {
        // (At the top level a resume function is a `var`: one per module.)
        for (const s of stmts) if (t.isVariableDeclaration(s)) s.kind = "var";
        st.prelude.push(...stmts);
      } else if (container.isBlockStatement() || container.isStaticBlock()) {
        // After the ones placed before (the program's prelude and the
        // statements before a switch keep that order too): a resume
        // function's factory call reads the resume functions of the
        // functions nested in it, which were placed first.
        const body = container.node.body;
        let at = 0;
        for (let i = 0; i < body.length; i++) if (placed.has(body[i])) at = i + 1;
        const list = container as NodePath<t.BlockStatement>;
        if (at === 0) list.unshiftContainer("body", stmts);
        else (list.get(`body.${at - 1}`) as NodePath).insertAfter(stmts);
      } else container.parentPath!.insertBefore(stmts); // a switch case: before the switch
      for (const s of stmts) placed.add(s);
    };
    return { stmt, insideClass, hidden, insert };
  }

  /** Brands a marked function (see docs/protocol.md, Brands); a `quiet`
   * one (it can never suspend) gets the falsy brand 0. */
  function brand(path: NodePath<t.Function>, st: FileState, quiet = false): void {
    const R = () => t.identifier(st.names.R);
    const node = path.node;
    const helper = quiet ? "quiet" : "brand";
    if (path.isFunctionDeclaration()) {
      const args: t.Expression[] = [t.identifier((node as t.FunctionDeclaration).id!.name)];
      // Its own name, where the plugin had to give it another binding.
      const name = anonymousDefaults.has(node) ? "default" : annexBNames.get(node);
      if (name !== undefined) args.push(t.stringLiteral(name));
      if (quiet && args.length > 1) args.push(t.numericLiteral(0));
      const stmt = t.expressionStatement(t.callExpression(t.memberExpression(R(), t.identifier(args.length > 1 ? "brand" : helper)), args));
      const container = path.parentPath.isExportDeclaration() ? path.parentPath.parentPath! : path.parentPath;
      if (container.isProgram()) st.prelude.push(stmt);
      else if (container.isBlockStatement()) container.unshiftContainer("body", stmt);
      else if (container.isSwitchCase()) {
        // Hoisted to the whole switch block: any case may be where execution
        // enters it, so every case brands the function first.
        for (const c of (container.parentPath as NodePath<t.SwitchStatement>).get("cases")) c.unshiftContainer("consequent", t.cloneNode(stmt));
      }
      return;
    }
    if (path.isFunctionExpression() || path.isArrowFunctionExpression()) {
      const parent = path.parentPath;
      const keyName = (k: t.Node) => (t.isIdentifier(k) ? k.name : t.isStringLiteral(k) ? k.value : null);
      if (parent.isObjectProperty() && parent.node.value === node && (parent.node.computed || keyName(parent.node.key) !== null)) {
        // Branded with the object's methods; stays in place to keep its name
        // (a computed key, symbols included, is captured where it is evaluated).
        const obj = parent.parentPath as NodePath<t.ObjectExpression>;
        const pending = pendingBrands(obj.node, quiet);
        if (parent.node.computed) {
          const scratch = obj.scope.generateUidIdentifier("key");
          obj.scope.push({ id: t.cloneNode(scratch) });
          // Converted once, here (R.key): the brand looks the property up with it.
          parent.node.key = t.assignmentExpression("=", t.cloneNode(scratch), t.callExpression(t.memberExpression(R(), t.identifier("key")), [parent.node.key as t.Expression]));
          pending.push(scratch);
        } else pending.push(t.stringLiteral(keyName(parent.node.key)!));
        return;
      }
      // An anonymous function takes its name from where it is defined; keep
      // that name through the brand call by defining it as a property.
      let name: string | null = null;
      if (!(node as t.FunctionExpression).id) {
        if (parent.isVariableDeclarator() && parent.node.init === node) name = keyName(parent.node.id);
        else if (parent.isAssignmentExpression() && ["=", "&&=", "||=", "??="].includes(parent.node.operator) && parent.node.right === node && !parent.node.left.extra?.parenthesized) name = keyName(parent.node.left);
        else if (parent.isExportDefaultDeclaration()) name = "default";
        else if (parent.isAssignmentPattern() && parent.node.right === node && !parent.node.left.extra?.parenthesized) name = keyName(parent.node.left);
        else if ((parent.isClassProperty() || parent.isClassPrivateProperty()) && parent.node.value === node && !(parent.node as t.ClassProperty).computed) {
          name = t.isPrivateName(parent.node.key) ? `#${parent.node.key.id.name}` : keyName(parent.node.key);
        }
      }
      const fnExpr = name === null
        ? (node as t.Expression)
        : t.memberExpression(t.objectExpression([t.objectProperty(t.stringLiteral(name), node as t.Expression)]), t.stringLiteral(name), true);
      path.replaceWith(t.callExpression(t.memberExpression(R(), t.identifier(helper)), [fnExpr]));
      path.skip();
      return;
    }
    if (path.isClassMethod({ kind: "constructor" })) {
      const first = fieldsFirst(path);
      if (first) {
        // The instance fields of a base class run before the constructor's
        // prologue: the first one takes the entry flag (into R.e, where the
        // prologue reads it), so no field initializer runs with R.m set.
        const take = t.sequenceExpression([
          t.assignmentExpression("=", t.memberExpression(R(), t.identifier("e")), t.memberExpression(R(), t.identifier("m"))),
          t.assignmentExpression("=", t.memberExpression(R(), t.identifier("m")), t.numericLiteral(0)),
          first.value ?? t.identifier("undefined"),
        ]);
        first.value = take;
      }
      // `new C()` reads the brand from the class itself.
      (path.parentPath as NodePath<t.ClassBody>).unshiftContainer("body", t.staticBlock([
        t.expressionStatement(t.callExpression(t.memberExpression(R(), t.identifier("brandClass")), quiet ? [t.thisExpression(), t.numericLiteral(0)] : [t.thisExpression()])),
      ]));
      return;
    }
    if (path.isObjectMethod() || path.isClassMethod()) {
      const m = node as t.ObjectMethod | t.ClassMethod;
      // The key's value is needed after the object or class exists; a
      // computed key is captured in a variable where it is evaluated.
      let key: t.Expression;
      if (m.computed) {
        const scratch = path.parentPath!.scope.generateUidIdentifier("key");
        (path.parentPath!.parentPath!.scope).push({ id: t.cloneNode(scratch) });
        m.key = t.assignmentExpression("=", t.cloneNode(scratch), t.callExpression(t.memberExpression(R(), t.identifier("key")), [m.key as t.Expression]));
        key = scratch;
      } else if (t.isIdentifier(m.key)) key = t.stringLiteral(m.key.name);
      else key = t.cloneNode(m.key as t.Expression);
      if (path.isObjectMethod()) {
        const obj = path.parentPath as NodePath<t.ObjectExpression>;
        pendingBrands(obj.node, quiet).push(key);
        return;
      }
      const classBody = path.parentPath as NodePath<t.ClassBody>;
      const home = (m as t.ClassMethod).static ? t.thisExpression() : t.memberExpression(t.thisExpression(), t.identifier("prototype"));
      classBody.unshiftContainer("body", t.staticBlock([
        t.expressionStatement(t.callExpression(t.memberExpression(R(), t.identifier(helper)), [t.memberExpression(home, key, true)])),
      ]));
    }
    // Private methods are recognised statically at their call sites.
  }

  /** Keys of an object literal's marked methods, branded once it exists:
   * [loud, quiet]. */
  const brandObjects = new WeakMap<t.Node, [t.Expression[], t.Expression[]]>();
  function pendingBrands(obj: t.Node, quiet: boolean): t.Expression[] {
    let lists = brandObjects.get(obj);
    if (!lists) brandObjects.set(obj, (lists = [[], []]));
    return lists[quiet ? 1 : 0];
  }

  return {
    name: "fiberlet",
    // CommonJS input gets `require` for the runtime (module-format.ts).
    manipulateOptions: chooseSourceType,
    visitor: {
      Program: {
        enter(program) {
          const p = program.scope.generateUid("fb");
          const st: FileState = {
            names: { R: `${p}R`, S: `${p}S`, FM: `${p}FM`, p: `${p}$`, resumeNames: new Set() },
            factoryNames: new Set(),
            moduleMarked: hasDirective(program.node),
            marked: new WeakSet(),
            quiet: new Set(),
            done: new WeakSet(),
            prelude: [],
            hoisted: 0,
            resumes: 0,
            used: false,
          };
          removeDirective(program.node);
          const needsBlock = new WeakSet<t.Node>();
          const markedScopes = new WeakSet<t.Node>();
          // Decide what is marked before anything is rewritten.
          program.traverse({
            Function(path) {
              // Marking is lexical, like "use strict": a function is marked by
              // its own directive, the module's, or any enclosing function's.
              const own = t.isBlockStatement(path.node.body) && hasDirective(path.node.body);
              const outer = path.findParent((p) => p.isFunction());
              if (!own && !st.moduleMarked && !(outer && markedScopes.has(outer.node))) return;
              markedScopes.add(path.node);
              const why = ineligible(path.node);
              if (why) {
                if (own) throw path.buildCodeFrameError(`fiberlet: "use fiber" cannot mark ${why}; only plain functions, arrows, methods and constructors can be suspended`);
                return;
              }
              st.marked.add(path.node);
              if (path.isClassMethod({ kind: "constructor" })) classOfConstructor.set(path.node, path.parentPath.parentPath!.node as t.Class);
              // Expression-bodied arrows around a marked function get a block
              // body, so its resume function can live in their scope.
              for (let p: NodePath | null = path.parentPath; p && !p.isStatement(); p = p.parentPath) {
                if (p.isArrowFunctionExpression() && !t.isBlockStatement(p.node.body)) needsBlock.add(p.node);
              }
            },
          });
          program.traverse({
            ArrowFunctionExpression(path) {
              if (needsBlock.has(path.node) && !t.isBlockStatement(path.node.body)) {
                path.get("body").replaceWith(t.blockStatement([t.returnStatement(path.node.body as t.Expression)]));
              }
            },
          });
          // Marked functions that can never suspend stay the code they were
          // (quiet.ts); calls of them are plain calls.
          // (Collected after the arrows above got their blocks: replacing a
          // body moves the path of an arrow that was that body.)
          const markedPaths: NodePath<t.Function>[] = [];
          program.traverse({
            Function(path) {
              if (st.marked.has(path.node)) markedPaths.push(path);
            },
          });
          for (const p of markedPaths) if (!isStrict(p)) explicitAnnexB(p);
          st.quiet = quietFunctions(markedPaths, (p) => isMarkedCallee(p, st), st.names.R);
          program.traverse({
            Function: {
              enter(path) {
                // Resume functions are emitted code: nothing in them to visit.
                if (st.done.has(path.node)) path.skip();
              },
              exit(path) {
                transformFunction(path, st);
              },
            },
            ObjectExpression: {
              exit(path) {
                const lists = brandObjects.get(path.node);
                if (!lists) return;
                brandObjects.delete(path.node);
                const [loud, quiet] = lists;
                const args: t.Expression[] = [path.node, t.arrayExpression(loud)];
                if (quiet.length) args.push(t.arrayExpression(quiet));
                path.replaceWith(t.callExpression(t.memberExpression(t.identifier(st.names.R), t.identifier("brandObject")), args));
                path.skip();
              },
            },
          });
          if (!st.used) return;
          const before = program.node.body.length;
          const imported = addNamed(program, "R", runtime, { nameHint: "fiberletRuntime" }) as t.Expression;
          const inserted = program.node.body.length - before;
          const prelude = [
            t.variableDeclaration("const", [t.variableDeclarator(t.identifier(st.names.R), imported)]),
            t.variableDeclaration("const", [t.variableDeclarator(t.identifier(st.names.S), t.memberExpression(t.identifier(st.names.R), t.identifier("S")))]),
            t.variableDeclaration("const", [t.variableDeclarator(t.identifier(st.names.FM), t.memberExpression(t.identifier(st.names.R), t.identifier("FM")))]),
            ...st.prelude,
          ];
          let at = inserted;
          while (at < program.node.body.length && t.isImportDeclaration(program.node.body[at])) at++;
          program.node.body.splice(at, 0, ...prelude);
        },
      },
    },
  } satisfies PluginObj<PluginPass>;
});

/**
 * The first instance field of a base class whose constructor is marked, if
 * it has one: field initializers run between `new`'s brand store and the
 * constructor's prologue (see brand()).
 */
function fieldsFirst(path: NodePath<t.Function>): t.ClassProperty | t.ClassPrivateProperty | null {
  if (!path.isClassMethod({ kind: "constructor" })) return null;
  const cls = path.parentPath.parentPath;
  if (!cls?.isClass() || cls.node.superClass) return null;
  for (const member of cls.node.body.body) {
    if ((t.isClassProperty(member) || t.isClassPrivateProperty(member)) && !member.static) return member;
  }
  return null;
}

/** Is the function strict code? (isInStrictMode() looks only around it.) */
function isStrict(path: NodePath<t.Function>): boolean {
  const body = path.node.body;
  return (t.isBlockStatement(body) && body.directives.some((d) => d.value.value === "use strict")) || path.isInStrictMode();
}

/**
 * Can `this` be uninitialized while the function runs: it is a derived
 * class's constructor, or an arrow in one (before `super()`).
 */
function thisMayBeUninitialized(path: NodePath<t.Function>): boolean {
  for (let p: NodePath | null = path; p; p = p.parentPath) {
    // A field's value and a static block run with `this` made.
    if (p.isStaticBlock() || p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) return false;
    if (!p.isFunction() || p.isArrowFunctionExpression()) continue;
    if (!p.isClassMethod({ kind: "constructor" })) return false;
    return !!(p.parentPath?.parentPath?.node as t.Class | undefined)?.superClass;
  }
  return false;
}

/**
 * Can this function run as a constructor (so its resumed frame must finish
 * like `new` would)? "derived" constructors have `this` only after super().
 */
export function constructorKind(fn: t.Function): "base" | "derived" | null {
  if (t.isClassMethod(fn) && fn.kind === "constructor") {
    return t.isClass(fnParentClass(fn)) && fnParentClass(fn)!.superClass ? "derived" : "base";
  }
  if ((t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn)) && !fn.generator && !fn.async) return "base";
  return null;
}

const classOfConstructor = new WeakMap<t.Node, t.Class>();
function fnParentClass(fn: t.Node): t.Class | undefined {
  return classOfConstructor.get(fn);
}

/** Is the function or class a call site calls statically marked? */
/** Is this known callee marked and able to suspend (not quiet)? */
function isMarkedCallee(p: NodePath, st: FileState): boolean {
  const fn = calleeFunction(p);
  return st.marked.has(fn) && !st.quiet.has(fn);
}

/**
 * A path to `fn` in a file of its own, with fresh scopes. The rewritten body
 * needs its bindings recomputed; crawling it in place would also re-register
 * every reference to the module's own functions (Babel scans a binding's
 * references on each crawl), which made large modules quadratic. Names from
 * outside the function are globals here, which is all the analysis needs.
 */
function detach(fn: t.Function): NodePath<t.Function> {
  let holder: t.Statement;
  if (t.isFunctionDeclaration(fn)) holder = fn;
  else if (t.isObjectMethod(fn)) holder = t.expressionStatement(t.objectExpression([fn]));
  else if (t.isClassMethod(fn) || t.isClassPrivateMethod(fn)) {
    holder = t.expressionStatement(t.classExpression(null, null, t.classBody([fn])));
  } else holder = t.expressionStatement(fn as t.Expression);
  let found: NodePath<t.Function> | null = null;
  traverse(t.file(t.program([holder])), {
    Function(p) {
      found = p;
      p.stop();
    },
  });
  return found!;
}



/**
 * A sloppy-mode function with simple parameters that uses `arguments` has a
 * *mapped* arguments object: `arguments[i]` and the i-th parameter are one
 * variable. Such parameters are never boxed (the box would replace the
 * value the arguments object shows), and the resume copy reads and writes
 * them through the saved arguments object.
 */
function hasMappedArguments(path: NodePath<t.Function>): boolean {
  return path.node.params.every((p) => t.isIdentifier(p)) && sloppyArguments(path);
}

/** Whether the function has its own `arguments` object in sloppy mode and
 * its body uses it. */
function sloppyArguments(path: NodePath<t.Function>): boolean {
  if (path.isArrowFunctionExpression()) return false;
  const body = path.node.body;
  const ownStrict = t.isBlockStatement(body) && body.directives.some((d) => d.value.value === "use strict");
  if (ownStrict || path.isInStrictMode()) return false;
  let uses = false;
  path.get("body").traverse({
    Function(p) {
      if (!p.isArrowFunctionExpression()) p.skip();
    },
    Identifier(p) {
      if (p.node.name === "arguments" && p.isReferencedIdentifier() && !p.scope.getBinding("arguments")) {
        uses = true;
        p.stop();
      }
    },
  });
  return uses;
}

/**
 * `with` and direct `eval` resolve names at run time, against the frame the
 * plugin rewrites (renamed, boxed, split into two copies): they cannot be
 * made resumable.
 */
function refuseDynamicScope(path: NodePath<t.Function>, fail: (n: t.Node, m: string) => Error): void {
  // Nested functions that are marked are checked on their own; generators
  // and async functions are never transformed but still see (boxed) marked
  // locals, so a direct eval in them is refused too. Parameters are moved
  // into the body (moveParamsIntoBody), so they are checked with it.
  const visitor = {
    Function(p: NodePath<t.Function>) {
      if (!p.node.generator && !p.node.async) p.skip();
    },
    WithStatement(p: NodePath<t.WithStatement>) {
      throw fail(p.node, "fiberlet: a `with` statement cannot be used in a marked function; move it into a function outside the marked code (without \"use fiber\")");
    },
    CallExpression(p: NodePath<t.CallExpression>) {
      if (p.get("callee").isIdentifier({ name: "eval" }) && !p.scope.getBinding("eval")) {
        throw fail(p.node, "fiberlet: a direct `eval` cannot see the variables of a marked function; use an indirect eval `(0, eval)(code)` or move it into a function outside the marked code");
      }
    },
  };
  for (const param of path.get("params")) param.traverse(visitor);
  path.get("body").traverse(visitor);
}

/**
 * Non-simple parameters (defaults, patterns) are evaluated before the body,
 * where a call could run before the prologue reads its caller flag. They move
 * into the body as declarations, in order, keeping the language's scoping:
 * - without parameter expressions, parameters and body `var`s are one scope,
 *   so the parameters become `var`s;
 * - with them (defaults, computed keys), parameters are `let`s (a default
 *   sees the parameters before it, the ones after it are in their TDZ), and
 *   the body's `var`s and functions live in a scope of their own: a body
 *   binding that shares a parameter's name, or a name a parameter expression
 *   refers to, is renamed, and a `var` named like a parameter starts with
 *   the parameter's value.
 * `fn.length` is kept by leaving a `= void 0` default where the original had
 * one.
 */
function moveParamsIntoBody(path: NodePath<t.Function>): void {
  const params = path.node.params;
  if (params.every((p) => t.isIdentifier(p))) return;
  // TypeScript parameter properties (`constructor(private x)`) are the
  // TypeScript transform's to rewrite; leave such a parameter list alone.
  if (params.some((p) => t.isTSParameterProperty(p))) return;
  const hasExpressions = path.get("params").some((p) => {
    let found = false;
    p.traverse({
      Function(q) {
        found = true;
        q.stop();
      },
      AssignmentPattern(q) {
        found = true;
        q.stop();
      },
      ObjectProperty(q) {
        if (q.node.computed) {
          found = true;
          q.stop();
        }
      },
    });
    return found || t.isAssignmentPattern(p.node);
  });
  const kind = hasExpressions ? "let" : "var";
  const unmapped = sloppyArguments(path);
  const body = path.node.body as t.BlockStatement;
  const separate: t.Statement[] = hasExpressions ? separateBodyScope(path) : [];
  const moved: t.Statement[] = [];
  path.node.params = params.map((param, i) => {
    if (t.isIdentifier(param) && !hasExpressions) return param;
    const id = path.scope.generateUidIdentifier(`p${i}`);
    if (t.isAssignmentPattern(param)) {
      // The default keeps the name the parameter gives it (a conditional
      // would not pass it on).
      const fallback = t.isIdentifier(param.left) && isAnonymousFunction(param.right) ? nameFunction(param.right, param.left.name) : param.right;
      const value = t.conditionalExpression(t.binaryExpression("===", t.cloneNode(id), t.identifier("undefined")), fallback, t.cloneNode(id));
      moved.push(t.variableDeclaration(kind, [t.variableDeclarator(param.left as t.LVal, value)]));
      return t.assignmentPattern(id, t.unaryExpression("void", t.numericLiteral(0)));
    }
    if (t.isRestElement(param)) {
      if (t.isIdentifier(param.argument) && !hasExpressions) return param;
      moved.push(t.variableDeclaration(kind, [t.variableDeclarator(param.argument as t.LVal, t.cloneNode(id))]));
      return t.restElement(id);
    }
    moved.push(t.variableDeclaration(kind, [t.variableDeclarator(param as t.LVal, t.cloneNode(id))]));
    return id;
  });
  // A non-simple parameter list has an unmapped `arguments`; a list of
  // names would map it, so a rest parameter (which `length` ignores) keeps
  // the list non-simple.
  if (unmapped && path.node.params.every((p) => t.isIdentifier(p))) path.node.params.push(t.restElement(path.scope.generateUidIdentifier("rest")));
  body.body.unshift(...moved, ...separate);
}

/**
 * Renames the body's `var`s and top-level functions that a parameter list
 * with expressions must not see (see moveParamsIntoBody); returns the
 * declarations that start a renamed `var` with its parameter's value.
 */
function separateBodyScope(path: NodePath<t.Function>): t.Statement[] {
  const paramNames = new Set<string>();
  const freeNames = new Set<string>();
  for (const p of path.get("params")) {
    for (const name of Object.keys(p.getBindingIdentifiers())) paramNames.add(name);
    p.traverse({
      Identifier(q) {
        const parent = (q as NodePath).parentPath!;
        if (q.isReferencedIdentifier() || (parent.isAssignmentExpression() && (q as NodePath).key === "left")) freeNames.add(q.node.name);
      },
    });
  }
  const starts: t.Statement[] = [];
  const body = path.get("body") as NodePath<t.BlockStatement>;
  const fnScope = path.scope;
  for (const name of [...new Set([...paramNames, ...freeNames])]) {
    const declaredInBody = bodyDeclares(body, name);
    if (!declaredInBody) continue;
    const renamed = fnScope.generateUid(name);
    body.traverse({
      Identifier(q) {
        if (q.node.name !== name) return;
        const binding = q.scope.getBinding(name);
        if (binding && binding.scope !== fnScope) return;
        q.node.name = renamed;
      },
    });
    if (paramNames.has(name) && declaredInBody === "var") {
      starts.push(t.variableDeclaration("var", [t.variableDeclarator(t.identifier(renamed), t.identifier(name))]));
    }
  }
  return starts;
}

/** How the body itself declares `name` at function level, if it does (a
 * top-level `let`, `const` or class can only share a name that parameter
 * expressions refer to, such as `arguments`). */
function bodyDeclares(body: NodePath<t.BlockStatement>, name: string): "var" | "function" | "lexical" | null {
  let found: "var" | "function" | "lexical" | null = null;
  body.traverse({
    Function(p) {
      if (p.isFunctionDeclaration() && p.node.id?.name === name && p.parentPath === body) found ??= "function";
      p.skip();
    },
    Class(p) {
      if (p.isClassDeclaration() && p.node.id?.name === name && p.parentPath === body) found = "lexical";
      p.skip();
    },
    VariableDeclaration(p) {
      const top = p.parentPath === body;
      if (p.node.kind !== "var" && !top) return;
      for (const d of p.node.declarations) if (name in t.getBindingIdentifiers(d.id)) found = p.node.kind === "var" ? "var" : "lexical";
    },
  });
  return found;
}
