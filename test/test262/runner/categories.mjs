/**
 * Why a compiled run fails: the first category whose `match` accepts it.
 * `match(failure, body)` sees the failed run (`failure.result`: stage, error,
 * and the diagnostic reruns in `diagnosis`; `failure.mode`, `failure.run`)
 * and the test's code without its front matter. Each category names one
 * cause in the transform and carries a minimal repro that `--repros` runs
 * plain and compiled (repros.mjs), so expected-failures.json is also the
 * list of bugs to fix. Rules are heuristics over the symptom and the
 * source: when a fix leaves runs listed under the wrong cause, refine them.
 */

const error = (f) => f.result.error ?? "";
const has = (...res) => (f, body) => res.every((re) => re.test(body));
/** Fails only when it suspends: passes compiled in a fiber whose harness does not switch. */
const onlyWhenSwitching = (f) => f.result.diagnosis?.withoutSwitches === true;

export const CATEGORIES = [
  {
    id: "not-the-plugin",
    reason: "fails compiled by Babel alone too (Babel's parse and print, without fiberlet): not a transform bug",
    match: (f) => f.result.diagnosis?.babelAlone === false,
  },
  {
    id: "nested-functions-exponential",
    reason:
      "compile time and output size grow exponentially with the nesting depth of functions that can suspend (each " +
      "resume copy holds copies of the functions nested in it, with their own resume copies): about 2.2x per level " +
      "(a nest of functions that cannot suspend, like test262's 32-deep S13.2.1_A1_T1.js, is emitted as written)",
    repro: {
      code: "var g = function () {}; (function () { (function () { (function () { (function () { (function () { (function () { (function () { (function () { g(); })(); })(); })(); })(); })(); })(); })(); })(); 'ok';",
      note: "8 nested functions: about 490 KB of output, for 200 bytes of source",
      sizeLimit: 50_000,
    },
    match: (f, body) => f.result.stage === "hang" && /(\(function\s*\(\)\s*\{\s*){10}/.test(body),
  },
  {
    id: "crash-or-hang",
    reason: "the run crashed its process or made no progress for 3 minutes (see its error in --json output)",
    match: (f) => ["crash", "hang", "timeout"].includes(f.result.stage),
  },
  {
    id: "default-export-function-crash",
    reason:
      "plugin crash, TypeError \"Cannot read properties of null (reading 'name')\", on a module whose default export " +
      "is an anonymous function declaration (`export default function () {}`)",
    repro: {
      module: true,
      code: "export default function () { return 1; }",
      note: "compiles without the plugin; the plugin throws TypeError",
    },
    match: (f) => /Cannot read properties of null \(reading 'name'\)/.test(error(f)),
  },
  {
    id: "checked-box-as-target",
    reason:
      "a `let` or `const` boxed with a TDZ check (a closure that may run before its declaration: a hoisted function, " +
      "a closure made earlier) is read as `_fbR.get(n, \"n\")`, and that read is also emitted where the variable is " +
      "an assignment target: `n++` / `--n` become `_fbR.get(n, \"n\")++`, a ReferenceError at run time, and " +
      "`for (n of ...)` in a generator or async function makes Babel reject the output (\"Property left of " +
      "ForOfStatement expected node to be of a type ... but instead got CallExpression\")",
    repro: {
      code: "function f() { var inc = function () { n++; }; let n = 0; inc(); return n; } f();",
      note:
        "1 plain; ReferenceError compiled. Also `function f() { let x; function* g() { for (x of [7]); } " +
        "g().next(); return x; }` does not compile",
    },
    match: (f) =>
      /Invalid left-hand side expression in (postfix|prefix) operation|Property left of For(Of|In)Statement expected node/.test(error(f)),
  },
  {
    id: "checked-box-leaks-as-value",
    reason:
      "in an assignment `x = a` to a TDZ-checked box, a right-hand side that is itself a TDZ-checked boxed variable is " +
      "not rewritten: `_fbR.put(x, \"x\", a)` stores and yields the box object `a` instead of its value (seen as a " +
      "module specifier \"[object Object]\" in `import(x = a)`)",
    repro: {
      code: "function f() { function g() { return (x = a); } let x; const a = 'v'; return typeof g(); } f();",
      note: '"string" plain; "object" compiled',
    },
    match: (f) => /\[object Object\]/.test(error(f)),
  },
  {
    id: "for-let-initializer-closure",
    reason:
      "a closure made in a `for (let ...; ...; ...)` initializer must keep the loop's first binding (copied before the " +
      "first iteration); compiled, it shares the binding the iterations assign",
    repro: {
      code:
        "function f() { var before, run = true; for (let x = 'outside', _ = before = function () { return x; }; run; ) " +
        "{ x = 'inside'; run = false; } return before(); } f();",
      note: '"outside" plain; "inside" compiled',
    },
    match: (f) => /\/statements\/for\/scope-/.test(f.run.path),
  },
  {
    id: "mapped-arguments-after-resume",
    reason:
      "after a resume, a sloppy function's parameters and its mapped `arguments` object drift apart: the frame record " +
      "keeps `arguments` only where the code reads it later, so once resumed without it, assigning a parameter no " +
      "longer updates the object still reachable another way (an alias, a for-of iterator over `arguments`); and " +
      "where the mapping was removed (`Object.defineProperty(arguments, '0', { writable: false })`), the resume copy " +
      "still aliases them",
    repro: {
      code: "function f(a) { var args = arguments; sw(); a = 2; return args[0]; } inFiber(function () { return f(1); });",
      note:
        "2 plain; 1 compiled. Also: `Object.defineProperty(arguments, '0', { writable: false, configurable: false }); " +
        "sw(); a = 2; return [a, arguments[0]].join()` gives \"1,1\" compiled, \"2,1\" plain",
    },
    match: (f, body) => onlyWhenSwitching(f) && /\barguments\b/.test(body),
  },
  {
    id: "parameter-scope",
    reason:
      "parameter defaults (a function's, or a catch clause's pattern) move into the body, where they see the body's " +
      "own declarations: `arguments` in a default refers to a `let arguments` of the body (a ReferenceError) instead " +
      "of the arguments object, and a closure in a catch parameter's default sees the catch block's `let x`",
    repro: {
      code: "function f(a = arguments) { let arguments; return typeof a; } f();",
      note:
        '"object" plain; ReferenceError compiled. Also `let x = "outside"; try { throw []; } catch ([_ = p = () => x]) ' +
        '{ let x = "inside"; }`: p() is "inside" compiled',
    },
    match: (f) => /Cannot access 'arguments' before initialization/.test(error(f)) || /\/scope-catch-/.test(f.run.path),
  },
  {
    id: "unmapped-arguments-mapped",
    reason:
      "a sloppy function with a non-simple parameter list (a default, a pattern, a rest) has an unmapped `arguments`, " +
      "but the compiled function aliases its parameters to it",
    repro: {
      code: "function f(a, [b]) { arguments[0] = 2; return a; } f(1, []);",
      note: "1 plain; 2 compiled",
    },
    match: (f, body) => /\barguments\b/.test(body) && f.run.path.includes("/unmapped/"),
  },
  {
    id: "tdz-not-enforced",
    reason:
      "the temporal dead zone is not enforced: in `for (let x of [x])` the `x` of the iterated expression must be " +
      "the new, uninitialized binding (a ReferenceError), not the outer one; and a closure's destructuring assignment " +
      "to a `let` before its declaration ran (`[x] = [1]`) must throw",
    repro: {
      code: "function f() { let x = 1; for (let x of [x]) {} } f(); 'no error';",
      note: "ReferenceError plain; no error compiled",
    },
    match: (f) => /Expected a ReferenceError to be thrown but no exception/.test(error(f)),
  },
  {
    id: "function-name",
    reason:
      "a function's inferred name is lost when it is the default of a destructuring target that is a boxed variable " +
      "(captured by a closure), assigned inside a generator or async function (never transformed) nested in a marked function",
    repro: {
      code: "function f() { let gen; (function* () { for ([gen = function* () {}] of [[]]); })().next(); return gen.name; } f();",
      note: '"gen" plain; "" compiled',
    },
    match: (f) => /\bname\b/.test(error(f)),
  },
  {
    id: "direct-eval-not-refused",
    reason:
      "a direct eval the plugin does not refuse sees other variables than in the source: one in a parameter default " +
      "of a marked function (the parameters moved into the body), or one in a generator or async function nested in " +
      "a marked function that declares a `var` shadowing a boxed variable (the nested code reads the box, `x.v`)",
    repro: {
      code: "function f() { var x = 'outside'; function g(a = eval('var x = \"inside\"')) { return x; } return g(); } f();",
      note:
        '"inside" plain; "outside" compiled. Also: `var x; var set = () => { x = 1 }; ' +
        "function* g() { eval('var x = 2'); return x; }` returns undefined compiled",
    },
    match: (f, body) =>
      /\beval\s*\(/.test(body) && (/scope-(\w+-)?param|eval-(var-scope|param-env)/.test(f.run.path) || /function\s*\*|\basync\b/.test(body)),
  },
  {
    id: "delete-new-target",
    reason: "strict code: `delete new.target` becomes `delete _fb$newTarget` in the resume copy, an early SyntaxError",
    repro: {
      strict: true,
      code: "function f() { return g(delete new.target); } function g(v) { return v; } f();",
      note: "true plain; SyntaxError compiled",
    },
    match: (f) => /Delete of an unqualified identifier/.test(error(f)),
  },
  {
    id: "iterator-close-on-throw",
    reason:
      "leaving a for-of loop by a throw must close the iterator and keep the throw even if getting or calling " +
      "`return` fails; compiled, the error from `return` replaces it",
    repro: {
      code:
        "var it = { [Symbol.iterator]() { return { next() { return { done: false }; }, get return() { throw 'return'; } }; } };" +
        " function f() { for (var x of it) throw 'body'; } try { f(); } catch (e) { e; }",
      note: '"body" plain; "return" compiled',
    },
    match: (f, body) => /\bget return\(\)|return:\s*function|\breturn\(\)\s*\{/.test(body) && /Expected a \w+ but got/.test(error(f)),
  },
  {
    id: "computed-key-converted-twice",
    reason:
      "a marked class method with a computed key is branded by reading `prototype[key]` with the key's value, not " +
      "its property key: an object key is converted again (its toString / valueOf / Symbol.toPrimitive runs twice)",
    repro: {
      code: "var n = 0; var k = { toString() { n++; return 'b'; } }; class C { [k]() {} } n;",
      note: "1 plain; 2 compiled",
    },
    match: (f) => /\/to-name-side-effects\//.test(f.run.path),
  },
  {
    id: "runtime-uses-mutable-builtins",
    reason:
      "the runtime relies on built-ins that test code may change: R.brandObject iterates its key list with for-of, " +
      "so once `Array.prototype[Symbol.iterator]` is deleted, creating an object literal with a method throws",
    repro: {
      code: "delete Array.prototype[Symbol.iterator]; var o = { m() {} }; 'ok';",
      note: '"ok" plain; TypeError (keys is not iterable) compiled',
    },
    match: (f, body) => /keys is not iterable/.test(error(f)) || /delete\s+Array\.prototype\[Symbol\.iterator\]/.test(body),
  },
  {
    id: "parenthesized-optional-call-this",
    reason:
      "`(a?.b)()` calls `a.b` with `this` = `a` (a parenthesized optional chain keeps its reference); compiled, the " +
      "callee is read into a temp and called with `this` undefined",
    repro: {
      code: "function f() { var a = { b() { return this; } }; return (a?.b)() === a; } f();",
      note: "true plain; false compiled",
    },
    match: has(/\(\s*[\w$.]+\?\.[\w$]+\s*\)\s*(\?\.)?\(/),
  },
  {
    id: "derived-ctor-arrow-this-in-fields",
    reason:
      "a derived constructor suspended before `super()`: an arrow made before the suspension sees no `this` when a " +
      "field initializer calls it during the resumed `super()` (it sees it once the constructor has returned)",
    repro: {
      code:
        "function f() { var probe, seen; class B {} class C extends B { field = (seen = probe()); " +
        "constructor() { probe = () => this; sw(); super(); } } var c = new C(); return seen === c; } inFiber(f);",
      note: "true plain; false compiled",
    },
    match: (f, body) => onlyWhenSwitching(f) && /\bextends\b/.test(body) && /=>\s*this\b/.test(body),
  },
  {
    id: "function-to-string",
    reason: "Function.prototype.toString of a marked function shows the emitted code (the `_fbR.m = 0;` prologue), not the source",
    repro: {
      code: "String(() => {});",
      note: '"() => {}" plain; "() => {\\n  _fbR.m = 0;\\n}" compiled',
    },
    match: has(/\[\s*(\(\)\s*=>|function\b|async\b)|\.toString\(\)|String\(\s*(\(|function|async)/),
  },
  {
    id: "uncategorized",
    reason: "not matched by any rule in test/test262/runner/categories.mjs yet",
    match: () => true,
  },
];

/** The category id of a failed compiled run (see ratchet.mjs verdicts). */
export function categorize(failure, source) {
  const body = source.replace(/\/\*---[\s\S]*?---\*\//, "");
  return CATEGORIES.find((c) => c.match(failure, body)).id;
}
