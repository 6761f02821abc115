/**
 * The grammar of fuzz programs, as fast-check arbitraries.
 *
 * The arbitraries produce context-free syntax trees; printer.mjs turns a tree
 * into source text and resolves everything that depends on context (which
 * variables are in scope, whether a `break` has a target, whether `this` is
 * usable). That split keeps the grammar a plain `letrec` whose values shrink
 * structurally: a failing program shrinks by dropping statements and
 * replacing subtrees with leaves (the first alternative of every `oneof`).
 *
 * Every production belongs to a feature. `programArbitrary(features)` only
 * uses the productions of the enabled features (plus `core`), so a feature
 * the transform gets wrong can be switched off in CI while the rest runs.
 * Some features are narrow on purpose, cut around a known bug so the rest of
 * a construct stays fuzzed; a few of them are not productions but choices of
 * the printer (caseFunctions, ctorReturn, superInFields, finallyIterators,
 * fnNames, spreadFunctions, labeledHeadFunctions) or of the harness
 * (messages).
 */
import fc from "fast-check";

/** Feature name -> what it adds to the grammar. `core` is always on. */
export const FEATURES = {
  core: "literals, variables, sw(x), e(tag, x), arithmetic, ?:, comma, =, let/const/var, if, blocks, return",
  constAssign: "assignments that may hit a const (TypeError)",
  closures: "arrows and functions (declared, hoisted, immediately invoked), calls of them, closures over outer variables",
  params: "parameter defaults and rest parameters",
  destructuring: "object and array patterns with defaults (without calls) and rest, in declarations, parameters, for-of, catch",
  defaultCalls: "calls (sw, e, ...) inside destructuring defaults",
  emptyPatterns: "empty object and array patterns: let {} = x, let [] = x",
  thisArgs: "this, arguments (reads and writes), new.target",
  shadowing: "declarations that reuse a name from an outer scope (parameters, loop variables, outer lets)",
  loops: "for, while, do-while, labels, labeled blocks, break and continue",
  labeledHeadFunctions: "labeled loops (any kind) with a function in their head: test, update, iterated value",
  forIn: "for-in loops",
  forOf: "for-of over arrays, strings and array variables",
  iterators: "for-of over custom iterators whose next() and return() are marked code",
  finallyIterators: "for-of over custom iterators inside finally blocks",
  tryCatch: "try/catch/finally, with returns, breaks and throws inside finally",
  exceptions: "throw statements and sw replies that throw",
  switch: "switch with fallthrough, default, break (case tests without calls)",
  caseCalls: "calls inside case tests",
  caseFunctions: "function declarations directly in case bodies (hoisted to the whole switch)",
  classes: "class declarations: fields, methods, static members, getters, setters, derived constructors with super(), new",
  classExpressions: "class expressions in any expression position",
  fnNames: "anonymous functions named by a logical assignment (x ??= () => {}) or a computed key ({ [k]: () => {} })",
  fieldSwitch: "calls and switches in class field initializers (a documented boundary)",
  ctorReturn: "return with a value in constructors (derived ones must return an object or undefined)",
  superMembers: "super.method() and super.property in methods of derived classes",
  superInFields: "super.method() and super.property in field initializers",
  classKeyCalls: "calls in computed class keys and in extends clauses",
  objects: "object literals: computed keys, spread, methods, function-valued properties, method calls",
  spreadFunctions: "object spread of function values ({ ...f })",
  coercion: "getters, setters, valueOf and toString that log (documented switch boundaries)",
  arrays: "array literals with holes and spread, spread arguments",
  templates: "template literals and tagged templates",
  optional: "optional chaining and optional calls",
  logical: "&&, ||, ?? and &&=, ||=, ??=",
  compound: "compound assignments (+= ...) and ++/-- on variables and members",
  members: "property reads, writes and delete on arbitrary values",
  newExpr: "new on function constructors; main itself called with new",
  nativeCallbacks: "marked callbacks called by natives: map, forEach, sort, reduce, replace, Array.from (boundaries)",
  callApply: "f.call(...) and f.apply(...)",
  privates: "private fields and methods (this.#p, this.#m())",
  generators: "generator functions (never transformed) iterated by for-of, calling marked code (a boundary)",
  // Not a production: how the harness compares errors (see harness.mjs).
  messages: "compare error messages exactly (off: the error class only; V8 quotes source text in some messages)",
};

export const ALL_FEATURES = Object.keys(FEATURES).filter((f) => f !== "core");

/** Features that only show up together with another one. */
const REQUIRES = {
  defaultCalls: ["destructuring"],
  caseCalls: ["switch"],
  caseFunctions: ["switch", "closures"],
  superMembers: ["classes"],
  superInFields: ["superMembers", "fieldSwitch"],
  classKeyCalls: ["classes"],
  coercion: ["objects"],
  spreadFunctions: ["objects"],
  callApply: ["closures"],
  newExpr: ["closures"],
  privates: ["classes"],
  classExpressions: ["classes"],
  fnNames: ["closures", "logical", "objects"],
  ctorReturn: ["classes"],
  fieldSwitch: ["classes"],
  emptyPatterns: ["destructuring"],
  labeledHeadFunctions: ["loops", "closures"],
  generators: ["forOf"],
  finallyIterators: ["iterators", "tryCatch"],
};

/** The features plus everything they need. */
export function withRequirements(features) {
  const out = new Set();
  const add = (f) => {
    if (out.has(f)) return;
    out.add(f);
    for (const r of REQUIRES[f] ?? []) add(r);
  };
  for (const f of features) add(f);
  return out;
}

const LITERALS = [0, 1, 2, -1, "a", "b", true, false, null, "undefined"];
const BIN_OPS = ["+", "-", "*", "<", "===", "!==", "%", "&"];
const MEMBER_BIN_OPS = ["in", "instanceof"];
const UN_OPS = ["-", "!", "typeof", "void"];
const COMPOUND_OPS = ["+=", "-=", "*=", "|="];
const LOGICAL_OPS = ["&&", "||", "??"];
const LOGICAL_ASSIGN_OPS = ["&&=", "||=", "??="];
const NATIVE_OPS = ["map", "forEach", "sort", "reduce", "replace", "from", "filter"];

export const SIZES = {
  tiny: { maxDepth: 3, block: 2, main: 3, depthSize: "medium" },
  small: { maxDepth: 4, block: 3, main: 4, depthSize: "medium" },
  large: { maxDepth: 7, block: 4, main: 8, depthSize: "medium" },
};

/** A tree node: `t` is the node type, the rest are its fields. */
const node = (t, fields = {}) => fc.record({ t: fc.constant(t), ...fields });

/**
 * The arbitrary of whole programs for a set of enabled features:
 * { main: { body, ret }, replies, asNew }.
 */
export function programArbitrary(features, { size = "small" } = {}) {
  const enabled = withRequirements(features);
  // The plugin's compile time grows faster than linearly with the size of a
  // function, so CI runs small programs; the CLI can ask for larger ones.
  const { maxDepth, block, main } = SIZES[size];
  const on = (f) => f === "core" || enabled.has(f);
  const depth = fc.createDepthIdentifier();
  const choice = (...alts) => {
    const kept = alts.filter((a) => on(a.f)).map((a) => ({ arbitrary: a.a, weight: a.w ?? 1 }));
    // Only productions of disabled features refer to an empty rule.
    if (!kept.length) return fc.constant({ t: "disabled" });
    return fc.oneof({ depthIdentifier: depth, depthSize: SIZES[size].depthSize, maxDepth, withCrossShrink: true }, ...kept);
  };
  const list = (arb, maxLength) => fc.array(arb, { maxLength, depthIdentifier: depth });
  const maybe = (arb) => fc.option(arb, { nil: null, depthIdentifier: depth });
  const idx = fc.nat(15);
  const minPattern = on("emptyPatterns") ? 0 : 1;

  const tree = fc.letrec((tie) => ({
    // ---------------------------------------------------------------- expressions
    expr: choice(
      { f: "core", a: tie("leaf"), w: 4 },
      { f: "core", a: node("sw", { a: tie("expr") }), w: 10 },
      { f: "core", a: node("log", { a: tie("expr") }), w: 3 },
      { f: "core", a: node("bin", { op: fc.constantFrom(...BIN_OPS), a: tie("expr"), b: tie("expr") }), w: 2 },
      { f: "members", a: node("bin", { op: fc.constantFrom(...MEMBER_BIN_OPS), a: tie("expr"), b: tie("expr") }) },
      { f: "core", a: node("un", { op: fc.constantFrom(...UN_OPS), a: tie("expr") }) },
      { f: "core", a: node("cond", { c: tie("expr"), a: tie("expr"), b: tie("expr") }) },
      { f: "core", a: node("comma", { a: tie("expr"), b: tie("expr") }) },
      { f: "core", a: node("assign", { op: fc.constant("="), target: tie("target"), v: tie("expr") }), w: 2 },
      { f: "compound", a: node("assign", { op: fc.constantFrom(...COMPOUND_OPS), target: tie("target"), v: tie("expr") }) },
      { f: "compound", a: node("update", { op: fc.constantFrom("++", "--"), prefix: fc.boolean(), target: tie("target") }) },
      { f: "logical", a: node("logic", { op: fc.constantFrom(...LOGICAL_OPS), a: tie("expr"), b: tie("expr") }) },
      { f: "logical", a: node("assign", { op: fc.constantFrom(...LOGICAL_ASSIGN_OPS), target: tie("target"), v: tie("expr") }) },
      { f: "closures", a: node("call", { k: idx, args: tie("args"), via: fc.constant("direct") }), w: 3 },
      { f: "callApply", a: node("call", { k: idx, args: tie("args"), via: fc.constantFrom("call", "apply") }) },
      { f: "optional", a: node("call", { k: idx, args: tie("args"), via: fc.constant("optional") }) },
      { f: "closures", a: node("fn", { f: tie("fn") }) },
      { f: "closures", a: node("iife", { f: tie("fn"), args: tie("args") }) },
      { f: "thisArgs", a: node("this") },
      { f: "thisArgs", a: node("arguments", { i: fc.constantFrom(0, 1, 2, "length") }) },
      { f: "thisArgs", a: node("newTarget") },
      { f: "closures", a: node("call", { k: idx, args: tie("args"), via: fc.constant("sw") }) },
      { f: "privates", a: node("priv", { j: idx, call: fc.boolean(), args: tie("args") }), w: 3 },
      { f: "generators", a: node("genCall", { k: idx, args: tie("args") }) },
      { f: "members", a: node("get", { o: tie("expr"), p: fc.constantFrom("p", "q", "length"), opt: fc.constant(false) }) },
      { f: "members", a: node("index", { o: tie("expr"), k: tie("expr"), opt: fc.constant(false) }) },
      { f: "members", a: node("delete", { o: tie("expr"), p: fc.constantFrom("p", "q") }) },
      { f: "optional", a: node("get", { o: tie("expr"), p: fc.constantFrom("p", "q"), opt: fc.constant(true) }) },
      { f: "optional", a: node("index", { o: tie("expr"), k: tie("expr"), opt: fc.constant(true) }) },
      { f: "objects", a: node("pread", { k: idx, j: idx, sw: fc.boolean() }) },
      { f: "objects", a: node("mcall", { k: idx, j: idx, args: tie("args"), opt: fc.constant(0), swRecv: fc.boolean() }), w: 2 },
      { f: "optional", a: node("mcall", { k: idx, j: idx, args: tie("args"), opt: fc.constantFrom(1, 2), swRecv: fc.boolean() }) },
      { f: "core", a: node("arr", { items: list(tie("expr"), 3) }) },
      { f: "arrays", a: node("arr", { items: list(tie("item"), 4) }) },
      { f: "objects", a: node("obj", { props: list(tie("prop"), 4) }), w: 2 },
      { f: "templates", a: node("tpl", { parts: list(tie("expr"), 3) }) },
      { f: "templates", a: node("tagged", { k: fc.option(idx, { nil: null }), parts: list(tie("expr"), 3) }) },
      { f: "newExpr", a: node("new", { k: idx, args: tie("args"), of: fc.constant("any") }) },
      { f: "classes", a: node("new", { k: idx, args: tie("args"), of: fc.constant("cls") }) },
      { f: "classExpressions", a: node("classExpr", { c: tie("cls") }) },
      { f: "superMembers", a: node("super", { call: fc.boolean(), j: idx, args: tie("args") }), w: 5 },
      { f: "nativeCallbacks", a: node("native", { op: fc.constantFrom(...NATIVE_OPS), f: tie("fn"), a: tie("expr") }) },
    ),
    // What an expression statement does: something with an effect.
    effect: choice(
      { f: "core", a: node("sw", { a: tie("expr") }), w: 4 },
      { f: "core", a: node("log", { a: tie("expr") }), w: 2 },
      { f: "core", a: node("assign", { op: fc.constant("="), target: tie("target"), v: tie("expr") }), w: 2 },
      { f: "compound", a: node("assign", { op: fc.constantFrom(...COMPOUND_OPS), target: tie("target"), v: tie("expr") }) },
      { f: "compound", a: node("update", { op: fc.constantFrom("++", "--"), prefix: fc.boolean(), target: tie("target") }) },
      { f: "logical", a: node("assign", { op: fc.constantFrom(...LOGICAL_ASSIGN_OPS), target: tie("target"), v: tie("expr") }) },
      { f: "closures", a: node("call", { k: idx, args: tie("args"), via: fc.constant("direct") }), w: 3 },
      { f: "closures", a: node("iife", { f: tie("fn"), args: tie("args") }) },
      { f: "callApply", a: node("call", { k: idx, args: tie("args"), via: fc.constantFrom("call", "apply") }) },
      { f: "objects", a: node("mcall", { k: idx, j: idx, args: tie("args"), opt: fc.constant(0), swRecv: fc.boolean() }), w: 2 },
      { f: "classes", a: node("new", { k: idx, args: tie("args"), of: fc.constant("cls") }) },
      { f: "nativeCallbacks", a: node("native", { op: fc.constantFrom(...NATIVE_OPS), f: tie("fn"), a: tie("expr") }) },
      { f: "core", a: tie("expr") },
    ),
    leaf: choice({ f: "core", a: node("lit", { v: fc.constantFrom(...LITERALS) }) }, { f: "core", a: node("ref", { k: idx }), w: 2 }),
    // Expressions without calls, where calls are a feature of their own:
    // destructuring defaults, case tests, class keys, field initializers.
    pure: choice(
      { f: "core", a: tie("leaf") },
      { f: "core", a: node("bin", { op: fc.constantFrom(...BIN_OPS), a: tie("pure"), b: tie("pure") }) },
      { f: "core", a: node("cond", { c: tie("pure"), a: tie("pure"), b: tie("pure") }) },
    ),
    defaultValue: on("defaultCalls") ? tie("expr") : tie("pure"),
    caseTest: on("caseCalls") ? tie("expr") : tie("pure"),
    classKey: on("classKeyCalls") ? tie("expr") : tie("pure"),
    fieldValue: on("fieldSwitch") ? tie("expr") : tie("pure"),
    args: list(tie("item"), 3),
    item: choice(
      { f: "core", a: tie("expr"), w: 4 },
      { f: "arrays", a: node("spread", { a: tie("expr") }) },
      { f: "arrays", a: node("hole") },
    ),
    target: choice(
      { f: "core", a: node("var", { k: idx, constOk: fc.constant(false) }), w: 3 },
      { f: "constAssign", a: node("var", { k: idx, constOk: fc.constant(true) }) },
      { f: "members", a: node("mem", { o: tie("expr"), p: fc.constantFrom("p", "q") }) },
      { f: "members", a: node("memIndex", { o: tie("expr"), k: tie("expr") }) },
      { f: "objects", a: node("pwrite", { k: idx, j: idx, sw: fc.boolean() }) },
      { f: "thisArgs", a: node("argWrite", { i: fc.constantFrom(0, 1, 3) }) },
      { f: "privates", a: node("privWrite", { j: idx }) },
    ),
    prop: choice(
      { f: "objects", a: node("kv", { p: fc.constantFrom("p", "q", "r"), v: tie("expr") }), w: 2 },
      { f: "objects", a: node("ckv", { key: tie("expr"), v: tie("expr") }) },
      { f: "objects", a: node("spread", { a: tie("expr") }) },
      { f: "objects", a: node("method", { f: tie("fn"), key: fc.option(tie("expr"), { nil: null }) }) },
      { f: "objects", a: node("fnProp", { f: tie("fn") }) },
      { f: "coercion", a: node("getter", { body: tie("body") }) },
      { f: "coercion", a: node("setter", { body: tie("body") }) },
      { f: "coercion", a: node("valueOf", { body: tie("body"), name: fc.constantFrom("valueOf", "toString") }) },
    ),
    // ----------------------------------------------------------------- functions
    fn: node("fnDef", {
      kind: fc.constantFrom("arrow", "arrowExpr", "function"),
      params: list(tie("param"), 3),
      body: tie("body"),
    }),
    body: node("body", { stmts: tie("block"), ret: maybe(tie("expr")) }),
    param: choice(
      { f: "core", a: node("param", { pat: fc.constant({ t: "id" }), def: fc.constant(null), rest: fc.constant(false) }) },
      { f: "params", a: node("param", { pat: fc.constant({ t: "id" }), def: maybe(tie("expr")), rest: fc.boolean() }) },
      { f: "destructuring", a: node("param", { pat: tie("pattern"), def: maybe(tie("defaultValue")), rest: fc.constant(false) }) },
    ),
    pattern: choice(
      { f: "core", a: node("id") },
      {
        f: "destructuring",
        a: node("opat", {
          props: fc.array(node("pprop", { key: fc.constantFrom("p", "q", "r", 0), pat: tie("pattern"), def: maybe(tie("defaultValue")) }), { minLength: minPattern, maxLength: 3, depthIdentifier: depth }),
          rest: fc.boolean(),
        }),
      },
      {
        f: "destructuring",
        a: node("apat", {
          // Without emptyPatterns the first element is never a hole, so
          // every pattern binds at least one name.
          elems: fc
            .tuple(
              minPattern ? tie("pelem") : fc.option(tie("pelem"), { nil: null }),
              fc.array(fc.option(tie("pelem"), { nil: null }), { maxLength: 2, depthIdentifier: depth }),
            )
            .map(([first, rest]) => (minPattern || first !== null || rest.length ? [first, ...rest] : [])),
          rest: fc.boolean(),
        }),
      },
    ),
    pelem: node("pelem", { pat: tie("pattern"), def: maybe(tie("defaultValue")) }),
    cls: node("cls", {
      ext: choice(
        { f: "classes", a: fc.constant(null) },
        { f: "classes", a: fc.constant("Base") },
        { f: "classes", a: node("extRef", { k: idx }) },
        { f: "classKeyCalls", a: node("extExpr", { a: tie("expr") }) },
      ),
      ctor: maybe(node("ctor", { params: list(tie("param"), 2), pre: tie("block"), superArgs: tie("args"), body: tie("body") })),
      members: list(tie("member"), 4),
    }),
    member: choice(
      { f: "classes", a: node("field", { static: fc.boolean(), key: fc.option(tie("classKey"), { nil: null }), v: maybe(tie("fieldValue")) }) },
      { f: "classes", a: node("cmethod", { static: fc.boolean(), key: fc.option(tie("classKey"), { nil: null }), params: list(tie("param"), 2), body: tie("body") }), w: 2 },
      { f: "classes", a: node("cgetter", { static: fc.boolean(), body: tie("body") }) },
      { f: "privates", a: node("pfield", { v: maybe(tie("fieldValue")) }) },
      { f: "privates", a: node("pmethod", { params: list(tie("param"), 2), body: tie("body") }) },
      { f: "classes", a: node("csetter", { static: fc.boolean(), body: tie("body") }) },
    ),
    iter: node("iter", { n: fc.integer({ min: 0, max: 3 }), next: tie("block"), value: tie("expr"), ret: maybe(tie("block")) }),
    // ----------------------------------------------------------------- statements
    stmt: choice(
      { f: "core", a: node("exprStmt", { e: tie("effect") }), w: 6 },
      { f: "core", a: node("decl", { kind: fc.constantFrom("let", "const", "var"), pat: tie("pattern"), init: maybe(tie("expr")), shadow: on("shadowing") ? fc.boolean() : fc.constant(false) }), w: 3 },
      { f: "closures", a: node("decl", { kind: fc.constantFrom("let", "const", "var"), pat: fc.constant({ t: "id" }), init: node("fn", { f: tie("fn") }), shadow: fc.constant(false) }), w: 2 },
      { f: "objects", a: node("decl", { kind: fc.constantFrom("let", "const", "var"), pat: fc.constant({ t: "id" }), init: node("obj", { props: list(tie("prop"), 4) }), shadow: fc.constant(false) }), w: 2 },
      { f: "classes", a: node("decl", { kind: fc.constant("const"), pat: fc.constant({ t: "id" }), init: node("new", { k: idx, args: tie("args"), of: fc.constant("cls") }), shadow: fc.constant(false) }) },
      { f: "core", a: node("if", { c: tie("expr"), a: tie("block"), b: maybe(tie("block")) }) },
      { f: "core", a: node("block", { body: tie("block") }) },
      { f: "core", a: node("return", { a: tie("expr") }) },
      { f: "exceptions", a: node("throw", { a: tie("expr") }) },
      { f: "closures", a: node("fdecl", { f: tie("fn") }) },
      { f: "classes", a: node("cdecl", { c: tie("cls") }) },
      { f: "generators", a: node("gdecl", { params: list(tie("param"), 2), body: tie("block") }) },
      { f: "generators", a: node("yield", { a: tie("expr") }), w: 3 },
      { f: "generators", a: node("forOf", { decl: fc.constantFrom("let", "const"), pat: tie("pattern"), src: node("genCall", { k: idx, args: tie("args") }), body: tie("block"), label: fc.boolean() }), w: 2 },
      { f: "loops", a: node("for", { decl: fc.constantFrom("let", "var", "none"), init: tie("expr"), test: maybe(tie("expr")), update: maybe(tie("expr")), body: tie("block"), label: fc.boolean() }) },
      { f: "loops", a: node("while", { test: tie("expr"), body: tie("block"), label: fc.boolean() }) },
      { f: "loops", a: node("doWhile", { test: tie("expr"), body: tie("block"), label: fc.boolean() }) },
      { f: "loops", a: node("labeled", { body: tie("block") }) },
      { f: "loops", a: node("break", { k: fc.option(idx, { nil: null }) }) },
      { f: "loops", a: node("continue", { k: fc.option(idx, { nil: null }) }) },
      { f: "forIn", a: node("forIn", { decl: fc.constantFrom("let", "const", "var", "none"), pat: fc.constant({ t: "id" }), o: tie("expr"), body: tie("block"), label: fc.boolean() }) },
      { f: "forOf", a: node("forOf", { decl: fc.constantFrom("let", "const", "var", "none"), pat: tie("pattern"), src: tie("expr"), body: tie("block"), label: fc.boolean() }) },
      { f: "iterators", a: node("forOf", { decl: fc.constantFrom("let", "const"), pat: tie("pattern"), src: tie("iter"), body: tie("block"), label: fc.boolean() }) },
      {
        f: "tryCatch",
        a: node("try", {
          block: tie("block"),
          handler: maybe(node("catch", { param: fc.option(tie("pattern"), { nil: null }), body: tie("block") })),
          fin: maybe(tie("block")),
        }),
      },
      { f: "switch", a: node("switch", { d: tie("expr"), cases: list(node("case", { test: maybe(tie("caseTest")), body: tie("block") }), 4) }) },
    ),
    block: list(tie("stmt"), block),
  }));

  const reply = fc.oneof(
    { arbitrary: fc.constant({ k: "same" }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constant("val"), v: fc.constantFrom(0, 1, "r", null, true) }), weight: 2 },
    { arbitrary: fc.constant({ k: "obj" }), weight: 1 },
    ...(on("exceptions") ? [{ arbitrary: fc.constant({ k: "throw" }), weight: 1 }] : []),
  );
  return fc.record({
    main: fc.record({ body: fc.array(tree.stmt, { minLength: 1, maxLength: main, depthIdentifier: depth }), ret: tree.expr }),
    replies: fc.array(reply, { minLength: 1, maxLength: 4 }),
    asNew: on("newExpr") ? fc.boolean() : fc.constant(false),
  });
}
