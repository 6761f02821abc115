/**
 * Runs the minimal repro of each failure category, plain and compiled, to
 * tell which bugs the current build still has (`--repros`).
 *
 * A repro is a script whose last expression statement is the observed
 * value; compiled, it gets the file-level marking directive. Repros about
 * suspension call `sw()`, a marked function that switches out to the main
 * fiber and back, inside `inFiber(fn)`, which runs `fn` as a fiber; run
 * plain, `sw` does nothing and `inFiber` just calls `fn`. Two kinds are only
 * compiled: a `module` repro (a plugin crash: compiled by Babel alone, then
 * with the plugin) and a `sizeLimit` repro (a cost bug: the output is right
 * but far too large).
 */
import { compile, DIRECTIVE, fiberApiPath } from "./compile.mjs";
import { CATEGORIES } from "./categories.mjs";
import { Realm } from "./realm.mjs";

const api = JSON.stringify(fiberApiPath);
const HELPERS = {
  plain: "function sw() {} function inFiber(fn) { return fn(); }",
  compiled: `var inFiber = function (fn) {
    var fiber = new (require(${api}).Fiber)(fn), value = fiber.switch();
    while (fiber.isAlive()) value = fiber.switch();
    return value;
  };`,
};
// Marked, so that a switch from it can suspend the marked frames below it.
const SWITCH = `"${DIRECTIVE}"; var main = require(${api}).current(); function sw() { main.switch(); }`;

const marked = (repro) => `${repro.strict ? '"use strict";\n' : ""}"${DIRECTIVE}";\n${repro.code}`;

/** Each category's repro: `{ id, plain, compiled, reproduces }`. */
export function checkRepros() {
  return CATEGORIES.filter((c) => c.repro).map(({ id, repro }) => {
    const check = repro.module ? checkCompile : repro.sizeLimit ? checkSize : checkRun;
    return { id, ...check(repro) };
  });
}

function checkRun(repro) {
  const plain = observe(() => {
    const realm = new Realm({ timeout: 5000 });
    realm.runScript(HELPERS.plain, "helpers.js");
    return realm.runScript((repro.strict ? '"use strict";\n' : "") + repro.code, "repro.js");
  });
  const compiled = observe(() => {
    const realm = new Realm({ timeout: 5000 });
    realm.runScript(HELPERS.compiled, "helpers.js");
    realm.runScript(compile(SWITCH, { reserve: 1 }), "switch.js");
    return realm.runScript(compile(marked(repro), {}), "repro.js");
  });
  return outcome(plain, compiled);
}

function checkCompile(repro) {
  const build = (withPlugin) => observe(() => (compile(marked(repro), { module: true, withPlugin }), "compiles"));
  return outcome(build(false), build(true));
}

function checkSize(repro) {
  const size = compile(marked(repro), {}).length;
  return { plain: `${repro.code.length} chars of source`, compiled: `${size} chars of output`, reproduces: size > repro.sizeLimit };
}

function outcome(plain, compiled) {
  return { plain: plain.text, compiled: compiled.text, reproduces: plain.key !== compiled.key };
}

/** What `fn` returns, or the class of what it throws (compared) and its
 * message (shown only: engine messages quote the rewritten code). */
function observe(fn) {
  try {
    const v = fn();
    const text = typeof v === "string" ? JSON.stringify(v) : String(v);
    return { key: text, text };
  } catch (e) {
    const name = e?.constructor?.name ?? typeof e;
    return { key: `throws ${name}`, text: `throws ${name}: ${String(e?.message ?? e).split("\n")[0].slice(0, 120)}` };
  }
}

/** A repro as expected-failures.json shows it: the source a user compiles,
 * and what each way gives. */
export function reproText(repro) {
  return `${repro.module ? "(module) " : ""}${marked(repro).replace(/\n/g, " ")}  // ${repro.note}`;
}
