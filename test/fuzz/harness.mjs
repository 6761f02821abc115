/**
 * Runs one generated program three ways and says whether they agree:
 *
 *   plain     the source as written, no plugin; `sw(x)` is an ordinary call
 *             that answers from the program's reply plan;
 *   marked    compiled with a module-level directive, run on the main fiber;
 *             `sw` answers the same way without switching;
 *   switched  compiled, run inside a stackless fiber; `sw` really switches to
 *             the main fiber, which resumes it with the same answer, as a
 *             value (`fiber.switch(v)`) or an error (`fiber.throw(err)`).
 *
 * A program is the text of `function main(p0, p1) { ... }` plus a reply plan
 * and a way to call main. Its observable behaviour is the log of side
 * effects (every `e(tag, v)` and `sw(x)`) and how main ended (value or
 * error). All three must be identical.
 *
 * `sw` lives in a helper module that is compiled too, so a switch passes
 * through marked frames (sw -> hop -> Fiber#switch). A switch the runtime
 * refuses (a documented boundary: getters, valueOf, native callbacks, a
 * parent constructor) raises a FiberError at the switch point; `hop` then
 * answers without switching, exactly as `plain` would, and counts it.
 *
 * Everything here loads dist/ (the built plugin and runtime), never the
 * TypeScript sources, so emitted code and the Fiber API share one runtime.
 */
import { transformSync } from "@babel/core";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { show } from "./show.mjs";

/** The directive, built so that this file does not contain it (the Vitest
 * config compiles any file whose text contains it). */
export const DIRECTIVE = "use " + "fiber";
const PROTOCOL = "fiberlet/protocol";
// FIBERLET_FUZZ_DIST points at another build's dist/cjs (for example one
// built from an older commit, to compare).
const DIST = process.env.FIBERLET_FUZZ_DIST ? pathToFileURL(`${process.env.FIBERLET_FUZZ_DIST.replace(/\/$/, "")}/`) : new URL("../../dist/cjs/", import.meta.url);
const requireDist = createRequire(new URL("fuzz.cjs", DIST));

/** Log entries and switches allowed per run; past them the run is unbounded. */
const LOG_LIMIT = 3000;
const SWITCH_LIMIT = 500;
/** Loop iterations per run (every generated loop test calls fuel()). */
const FUEL = 24;
/** Wall time for all three runs of one program (a miscompiled loop may spin). */
const TIMEOUT_MS = 5000;

/** Thrown for a run that exceeded a limit: not a verdict about the plugin. */
class Unbounded extends Error {}

let plugin;
function pluginFromDist() {
  plugin ??= requireDist("./babel-plugin/index.js").default;
  return plugin;
}

/**
 * Compiles `source` with the plugin (script source type, so the runtime
 * import becomes a require). Returns { code } or { error, refused } where
 * `refused` says the plugin rejected the code with a located Babel error
 * (a documented limitation) rather than crashing.
 */
export function compile(source) {
  try {
    const out = transformSync(source, {
      babelrc: false,
      configFile: false,
      sourceType: "script",
      compact: false,
      plugins: [[pluginFromDist(), { runtime: PROTOCOL }]],
    });
    return { code: out.code };
  } catch (error) {
    const message = String(error?.message ?? error);
    return { error: message, refused: /fiberlet:/.test(message) && error?.code === "BABEL_TRANSFORM_ERROR" };
  }
}

/**
 * The program as Babel prints it without plugins. The compiled runs execute
 * Babel's output, and V8 words some errors after the source text (`(-1) is
 * not iterable` versus `-1 is not iterable`), so the plain run executes
 * Babel's text too. Unchanged if Babel cannot parse it (then it is `invalid`).
 */
export function regenerate(source) {
  try {
    return transformSync(source, { babelrc: false, configFile: false, sourceType: "script", compact: false }).code;
  } catch {
    return source;
  }
}

// The helper module: sw and the marked entry point. Compiled once per
// runtime, and also used uncompiled by the plain run.
const HELPER = `"use strict";
/*MARK*/
const { hooks } = H;
function sw(x) {
  const n = hooks.enter(x);
  if (!hooks.switching) return hooks.answer(n, x);
  return hop(x, n);
}
function hop(x, n) {
  try {
    return hooks.main.switch(x);
  } catch (err) {
    if (hooks.isRefusal(err)) return hooks.answer(n, x);
    throw err;
  }
}
function start(main, self, args, asNew) {
  if (asNew) return new main(args[0], args[1], args[2]);
  return main.call(self, args[0], args[1], args[2]);
}
module.exports = { sw, start };
`;

/** The code that runs around a program body: the helpers it may call. */
export function wrapProgram(body, marked) {
  return `"use strict";${marked ? ` "${DIRECTIVE}";` : ""}
const { sw, e, fuel, tg, noFn, Base } = H;
${body}
module.exports = main;
`;
}

function evaluate(code, H, runtime) {
  const module = { exports: undefined };
  const req = (id) => {
    if (id === PROTOCOL) return runtime.protocol;
    throw new Error(`fuzz program required ${id}`);
  };
  new Function("H", "require", "module", code)(H, req, module);
  return module.exports;
}

/**
 * A fresh copy of the runtime from dist: a run that timed out may have been
 * stopped in the middle of a switch, so everything after it gets new state.
 */
function loadRuntime() {
  for (const key of Object.keys(requireDist.cache)) {
    if (key.startsWith(fileURLToPath(new URL("runtime/", DIST)))) delete requireDist.cache[key];
  }
  // Stackless only: the point is to test the transform, and an unmarked
  // fiber target must not get a native stack. The backend is read once, at
  // the first fiber's creation, so the variable is only set around that.
  const saved = process.env.FIBERLET_BACKEND;
  process.env.FIBERLET_BACKEND = "continuation";
  let api;
  try {
    api = requireDist("./runtime/index.js");
    const probe = new api.Fiber(() => {});
    if (probe.kind !== "stackless") throw new Error(`expected stackless fibers, got ${probe.kind}`);
  } finally {
    if (saved === undefined) delete process.env.FIBERLET_BACKEND;
    else process.env.FIBERLET_BACKEND = saved;
  }
  const protocol = requireDist("./runtime/protocol.js");
  const rt = { api, protocol, hooks: null, helpers: null };
  // hooks is what the helper module reads; its fields are set per run.
  rt.hooks = { switching: false, main: api.current(), enter: null, answer: null, isRefusal: null };
  const helperCode = compile(HELPER.replace("/*MARK*/", `"${DIRECTIVE}";`));
  if (!helperCode.code) throw new Error(`the fuzz helper module does not compile:\n${helperCode.error}`);
  rt.helpers = {
    marked: evaluate(helperCode.code, { hooks: rt.hooks }, rt),
    plain: evaluate(HELPER, { hooks: rt.hooks }, rt),
  };
  return rt;
}
let runtime;

/** What the plan says sw's n-th call answers with: { value } or { error }. */
export function planAnswer(replies, n, x) {
  const r = replies.length ? replies[n % replies.length] : { k: "same" };
  switch (r.k) {
    case "same":
      return { value: x };
    case "val":
      return { value: r.v };
    case "obj":
      return { value: { p: x, q: n } };
    case "throw":
      return { error: `reply ${n}` };
    default:
      throw new Error(`unknown reply kind ${r.k}`);
  }
}

/** The log, fuel and unmarked helpers of one run. */
function makeEnvironment(program, rt, mode) {
  const log = [];
  const state = { log, n: 0, fuel: FUEL, refused: 0, seenTemplates: new WeakSet() };
  const push = (entry) => {
    if (log.length >= LOG_LIMIT) throw new Unbounded("log limit");
    log.push(entry);
  };
  const e = (tag, v) => {
    push(`${tag} ${show(v)}`);
    return v;
  };
  const fuel = () => state.fuel-- > 0;
  // The strings array of a tagged template is cached per call site: seeing
  // a fresh one where the plain run reused one is a visible difference.
  const tg = (strings, ...values) => {
    const seen = state.seenTemplates.has(strings);
    state.seenTemplates.add(strings);
    push(`tg ${JSON.stringify(strings.raw)} ${values.map((v) => show(v)).join(",")}${seen ? " (again)" : ""}`);
    return strings.join("|");
  };
  class Base {
    constructor(a, b) {
      push(`Base ${show(a)} ${show(b)} ${show(new.target)}`);
      this.b = a;
    }
    bm(x) {
      push(`bm ${show(x)}`);
      return x;
    }
    static sbm(x) {
      push(`sbm ${show(x)}`);
      return x;
    }
  }
  const answer = (n, x) => {
    const a = planAnswer(program.replies, n, x);
    if ("error" in a) throw new Error(a.error);
    return a.value;
  };
  Object.assign(rt.hooks, {
    switching: mode === "switched",
    main: rt.api.current(),
    enter: (x) => {
      push(`sw ${show(x)}`);
      return state.n++;
    },
    answer,
    isRefusal: (err) => {
      const refusal = err instanceof rt.api.FiberError && /cannot suspend/.test(err.message);
      if (refusal) state.refused++;
      return refusal;
    },
  });
  const helpers = mode === "plain" ? rt.helpers.plain : rt.helpers.marked;
  const noFn = (v) => (typeof v === "function" ? {} : v);
  return { state, H: { sw: helpers.sw, e, fuel, tg, noFn, Base }, start: helpers.start };
}

const SELF = () => ({ p: "self", q: 1 });
const ARGS = () => [3, "s", { p: 1, q: [2] }];

/** How an outcome ended, as text: comparable and readable. */
function ending(kind, v) {
  if (kind === "return") return `return ${show(v)}`;
  if (v instanceof Unbounded) throw v;
  if (v instanceof RangeError && /call stack/.test(v.message)) throw new Unbounded("stack overflow");
  return `throw ${show(v)}`;
}

function runOnce(program, code, rt, mode) {
  const { state, H, start } = makeEnvironment(program, rt, mode);
  const main = evaluate(code, H, rt);
  const self = SELF();
  const args = ARGS();
  const out = { log: state.log, end: "", refused: 0, alive: false };
  if (mode !== "switched") {
    try {
      out.end = ending("return", start(main, self, args, program.asNew));
    } catch (err) {
      out.end = ending("throw", err);
    }
    return out;
  }
  const fiber = new rt.api.Fiber(start, [main, self, args, program.asNew]);
  if (fiber.kind !== "stackless") throw new Error(`expected a stackless fiber, got ${fiber.kind}`);
  try {
    let v = fiber.switch();
    let switches = 0;
    while (fiber.isAlive()) {
      if (++switches > SWITCH_LIMIT) throw new Unbounded("switch limit");
      const a = planAnswer(program.replies, state.n - 1, v);
      v = "error" in a ? fiber.throw(new Error(a.error)) : fiber.switch(a.value);
    }
    out.end = ending("return", v);
  } catch (err) {
    out.end = ending("throw", err);
  }
  out.refused = state.refused;
  out.alive = fiber.isAlive();
  return out;
}

const watchdog = { context: vm.createContext({ run: null }), script: new vm.Script("run()") };
const nativeFunctionToString = Function.prototype.toString;
/**
 * Function#toString shows a function's source, and compiled functions have
 * different source: an inherent difference of any source transform, so the
 * runs see a source-free toString (see known-failing.json, "neutralized").
 */
function sourceFreeToString() {
  nativeFunctionToString.call(this); // throws for non-functions, as it should
  const d = Object.getOwnPropertyDescriptor(this, "name");
  return `function ${d && "value" in d ? d.value : ""}() { [source] }`;
}

/** Runs `fn` with a time limit and the source-free Function#toString. */
function withTimeout(fn) {
  watchdog.context.run = fn;
  Function.prototype.toString = sourceFreeToString;
  try {
    return watchdog.script.runInContext(watchdog.context, { timeout: TIMEOUT_MS });
  } finally {
    Function.prototype.toString = nativeFunctionToString;
    watchdog.context.run = null;
  }
}

/**
 * The verdict on one program (see campaign.mjs for how verdicts become
 * failures). `kind` is one of:
 *   ok          all three agree
 *   skip        the plain run is unbounded (generator's fault, not a finding)
 *   invalid     the plain source does not even parse (generator bug)
 *   refused     the plugin rejected the program with a Babel error
 *   crash       the plugin threw something else, or emitted code that fails
 *               to load
 *   mismatch    a compiled run differs from the plain run (`mode` says which)
 *   timeout     a compiled run did not finish
 *   unbounded   a compiled run exceeded the log, switch or stack limit
 *   alive       the fiber did not end
 *   spurious    a switch was refused in a program with no boundary construct
 *   dirty       the program left a capture or transfer pending in the runtime
 */
export function check(program, { exactMessages = true } = {}) {
  runtime ??= loadRuntime();
  const rt = runtime;
  const plainSource = wrapProgram(regenerate(program.source), false);
  try {
    new Function("H", "require", "module", plainSource);
  } catch (err) {
    return { kind: "invalid", detail: String(err.message) };
  }
  const compiled = compile(wrapProgram(program.source, true));
  if (!compiled.code) return { kind: compiled.refused ? "refused" : "crash", detail: compiled.error };
  try {
    new Function("H", "require", "module", compiled.code);
  } catch (err) {
    return { kind: "crash", detail: `emitted code does not parse: ${err.message}`, code: compiled.code };
  }
  // The plain run first: if it is unbounded the program says nothing.
  let plain;
  try {
    plain = withTimeout(() => runOnce(program, plainSource, rt, "plain"));
  } catch (err) {
    if (err instanceof Unbounded) return { kind: "skip", detail: err.message };
    if (/timed out/.test(String(err?.message))) return { kind: "skip", detail: "the plain run timed out" };
    return { kind: "crash", detail: `harness: ${err?.stack ?? err}` };
  }
  let runs;
  try {
    runs = withTimeout(() => {
      const marked = runOnce(program, compiled.code, rt, "marked");
      const switched = runOnce(program, compiled.code, rt, "switched");
      return { marked, switched };
    });
  } catch (err) {
    if (err instanceof Unbounded) return { kind: "unbounded", detail: `a compiled run exceeded a limit the plain run kept: ${err.message}`, code: compiled.code, plain };
    if (/timed out/.test(String(err?.message))) {
      runtime = undefined; // the runtime may have been stopped mid-switch
      return { kind: "timeout", detail: String(err.message), code: compiled.code, plain };
    }
    return { kind: "crash", detail: `harness: ${err?.stack ?? err}`, code: compiled.code };
  }
  const { marked, switched } = runs;
  const verdict = { plain, marked, switched, code: compiled.code, refusals: switched.refused };
  // A program must leave no capture or transfer pending in the runtime:
  // the next fiber's switch would pick it up. A fresh runtime keeps the
  // next program independent of this one.
  const leftover = pendingState(rt.protocol.R);
  if (leftover) {
    runtime = undefined;
    const diff = [["marked", marked], ["switched", switched]].map(([mode, run]) => [mode, difference(plain, run)]).find(([, d]) => d);
    const also = diff ? `; also ${diff[0]}: ${diff[1].detail}` : "";
    return { kind: "dirty", detail: `the runtime was left with ${leftover}${also}`, ...verdict };
  }
  for (const [mode, run] of [["marked", marked], ["switched", switched]]) {
    const diff = difference(plain, run);
    if (diff && !(diff.where === "message" && !exactMessages)) return { kind: "mismatch", mode, where: diff.where, detail: diff.detail, ...verdict };
  }
  if (switched.alive) return { kind: "alive", detail: "the fiber is still alive after main ended", ...verdict };
  if (switched.refused && !program.boundaries) {
    return { kind: "spurious", detail: `${switched.refused} switch(es) refused with no boundary in the program`, ...verdict };
  }
  return { kind: "ok", ...verdict };
}

/**
 * The first difference between two runs, or null: { where, detail } with
 * `where` one of "log", "end", or "message" (same log, both threw the same
 * class of error, only the message differs: usually V8 quoting source text
 * that the transform rewrote).
 */
function difference(expected, actual) {
  const n = Math.max(expected.log.length, actual.log.length);
  for (let i = 0; i < n; i++) {
    if (expected.log[i] !== actual.log[i]) {
      return { where: "log", detail: `log[${i}]: expected ${expected.log[i] ?? "(end of log)"}, got ${actual.log[i] ?? "(end of log)"}` };
    }
  }
  if (expected.end === actual.end) return null;
  const errorClass = (end) => /^throw (\w+)\(/.exec(end)?.[1];
  const sameClass = errorClass(expected.end) !== undefined && errorClass(expected.end) === errorClass(actual.end);
  return { where: sameClass ? "message" : "end", detail: `end: expected ${expected.end}, got ${actual.end}` };
}

/** What a finished program left pending in the protocol object, or null. */
function pendingState(R) {
  const left = [];
  if (R.capTop !== null || R.capBot !== null) left.push("a capture chain (R.capTop)");
  if (R.pt !== null && R.pt !== undefined) left.push(`a pending transfer (R.pt, value ${show(R.pv)})`);
  if (R.m) left.push(`the entry flag set (R.m = ${show(R.m)})`);
  return left.length ? left.join(", ") : null;
}

/** Drops the cached runtime (tests that want a fresh one). */
export function resetRuntime() {
  runtime = undefined;
}
