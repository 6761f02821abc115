/**
 * Runs the minimal repro of each failure category, plain and compiled, to
 * tell which bugs the current build still has (`--repros`). A repro is a
 * script whose last expression statement is the observed value; compiled,
 * it gets the file-level marking directive. Repros about suspension call
 * `sw()`, a marked function that switches out to the main fiber and back,
 * inside `inFiber(fn)`, which runs `fn` as a fiber; run plain, `sw` does
 * nothing and `inFiber` just calls `fn`.
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

/** What the script evaluates to, or the class of what it throws (compared)
 * and its message (shown: engine messages quote rewritten code). */
function observe(build) {
  const realm = new Realm({ timeout: 5000 });
  try {
    const v = build(realm);
    const text = typeof v === "string" ? JSON.stringify(v) : String(v);
    return { key: text, text };
  } catch (e) {
    const name = e?.constructor?.name ?? typeof e;
    return { key: `throws ${name}`, text: `throws ${name}: ${String(e?.message ?? e).split("\n")[0].slice(0, 120)}` };
  }
}

/** Each category's repro: its plain and compiled outcomes. */
export function checkRepros() {
  return CATEGORIES.filter((c) => c.repro).map(({ id, repro }) => {
    const prologue = repro.strict ? '"use strict";\n' : "";
    const plain = observe((r) => {
      r.runScript(HELPERS.plain, "helpers.js");
      return r.runScript(prologue + repro.code, "repro.js");
    });
    const compiled = observe((r) => {
      r.runScript(HELPERS.compiled, "helpers.js");
      r.runScript(compile(SWITCH, { reserve: 1 }), "switch.js");
      return r.runScript(compile(`${prologue}"${DIRECTIVE}";\n${repro.code}`, {}), "repro.js");
    });
    return { id, plain: plain.text, compiled: compiled.text, reproduces: plain.key !== compiled.key };
  });
}

/** A repro as expected-failures.json shows it: the source a user compiles,
 * with what each way gives. */
export function reproText(repro) {
  return `${repro.strict ? '"use strict"; ' : ""}"${DIRECTIVE}"; ${repro.code}  // ${repro.note}`;
}
