/**
 * Runs one scenario of one test in the four ways the rule compares:
 *
 *   plain   the test as is                      oracle of `main`
 *   main    compiled, every function marked     must pass where plain passes
 *   oracle  wrapped in a function, unmarked     oracle of `fiber`
 *   fiber   wrapped, compiled, run in a fiber   must pass where oracle passes
 *
 * and judges each run against the test's metadata (negative phase and type,
 * async completion). The engine is always the oracle, never the plugin's
 * output. A compiled run that fails is run again in diagnostic variants
 * (Babel without the plugin; in a fiber without switches) to tell whose
 * failure it is.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { BODY, DIRECTIVE, SWITCHER, compile, fiberApiPath, fiberHarness, shapeSource } from "./compile.mjs";
import { harnessFiles } from "./metadata.mjs";
import { Realm } from "./realm.mjs";

/** Milliseconds one synchronous run may take. */
const SYNC_TIMEOUT = 10_000;

/**
 * How each kind of run is made: the source (as is, or wrapped in a
 * function), the compiler (none, Babel alone, Babel with the plugin), the
 * harness (plain, or compiled and switching), and how the wrapped body is
 * called (directly, or as a fiber).
 */
const MODES = {
  plain: { wrapped: false, compiler: "none", harness: "plain" },
  main: { wrapped: false, compiler: "plugin", harness: "plain" },
  oracle: { wrapped: true, compiler: "none", harness: "plain", call: "direct" },
  fiber: { wrapped: true, compiler: "plugin", harness: "fiber", call: "fiber" },
  // Diagnostics of a failed compiled run.
  "main/babel": { wrapped: false, compiler: "babel", harness: "plain" },
  "fiber/babel": { wrapped: true, compiler: "babel", harness: "plain", call: "direct" },
  "fiber/no-switch": { wrapped: true, compiler: "plugin", harness: "plain", call: "fiber" },
};

const DIAGNOSTICS = {
  main: { babelAlone: "main/babel" },
  fiber: { babelAlone: "fiber/babel", withoutSwitches: "fiber/no-switch" },
};

/** A failed step of a run: where it stopped and what was thrown. */
class Stop {
  constructor(stage, thrown) {
    this.stage = stage; // babel | refused | harness | parse | resolution | runtime | timeout | async | runner
    this.thrown = thrown;
  }
}

export class Executor {
  constructor(root) {
    this.root = root;
    this.harness = new Map(); // kind + file name -> vm.Script
    this.harnessNames = readdirSync(join(root, "harness")).sort();
  }

  /**
   * The runs of one scenario from `from` on, each reported through
   * `onRun(mode, result)` as it ends (the pool restarts after a run that took
   * its process down, with `from` = the next mode).
   */
  async scenario(path, source, meta, scenario, onRun, from = "plain") {
    const t = { path, file: join(this.root, "test", path), source, meta, scenario };
    for (let mode = from; mode; ) {
      const result = await this.run(t, mode);
      if (!result.pass && !result.refused && DIAGNOSTICS[mode]) {
        result.diagnosis = {};
        for (const [name, variant] of Object.entries(DIAGNOSTICS[mode])) result.diagnosis[name] = (await this.run(t, variant)).pass;
      }
      onRun(mode, result);
      mode = nextMode(scenario, mode, result);
    }
  }

  async run(t, mode) {
    const started = performance.now();
    const result = await this.attempt(t, MODES[mode]);
    result.ms = Math.round(performance.now() - started);
    return result;
  }

  async attempt(t, how) {
    const strict = t.scenario === "strict";
    const module = t.scenario === "module";
    const withPlugin = how.compiler === "plugin";
    const realm = new Realm({
      timeout: SYNC_TIMEOUT,
      transformModule: how.compiler === "none" ? undefined : (src, file) => compile(`"${DIRECTIVE}";\n${src}`, { module: true, filename: file, withPlugin }),
    });
    let stop = null;
    try {
      let code = shapeSource(how.wrapped ? "wrapped" : how.compiler === "none" ? "plain" : "marked", t.source, { strict, module });
      if (how.compiler !== "none") code = step("babel", () => compile(code, { module, filename: t.file, withPlugin }));
      for (const script of step("harness", () => this.harnessScripts(t.meta, how.harness === "fiber"))) {
        step("harness", () => script.runInContext(realm.context));
      }
      if (module) await this.runModule(realm, code, t.file);
      else this.runScript(realm, code, t.file, how.call);
      if (t.meta.flags.has("async")) await waitForDone(realm);
    } catch (e) {
      stop = e instanceof Stop ? e : new Stop("runner", e);
    }
    const result = judge(t.meta, stop);
    if (how.harness === "fiber") result.switches = switchCounts(realm);
    return result;
  }

  runScript(realm, code, file, call) {
    const script = step("parse", () => realm.compileScript(code, file));
    step("runtime", () => script.runInContext(realm.context, { timeout: SYNC_TIMEOUT }));
    if (call === "direct") step("runtime", () => realm.runScript(`${BODY}();`, "oracle.js"));
    if (call === "fiber") step("runtime", () => realm.runScript(DRIVER, "driver.js"));
  }

  async runModule(realm, code, file) {
    const module = step("parse", () => {
      const m = new vm.SourceTextModule(code, { context: realm.context, identifier: file, importModuleDynamically: realm.importer(file) });
      realm.modules.set(file, m);
      return m;
    });
    await stepAsync("resolution", () => module.link(realm.linker));
    await stepAsync("runtime", () => module.evaluate({ timeout: SYNC_TIMEOUT }));
  }

  /** The harness files a test loads, one script each, compiled once per
   * process. */
  harnessScripts(meta, forFiber) {
    return harnessFiles(meta).map((name) => {
      const key = `${forFiber}:${name}`;
      let script = this.harness.get(key);
      if (!script) {
        const source = readFileSync(join(this.root, "harness", name), "utf8");
        // Slot 0 is the test's own; each harness file has its own after it.
        const code = forFiber ? fiberHarness(name, source, 1 + this.harnessNames.indexOf(name)) : source;
        script = new vm.Script(code, { filename: join(this.root, "harness", name) });
        this.harness.set(key, script);
      }
      return script;
    });
  }
}

/** The run after `mode`: a compiled run only where its oracle passed, and
 * no fiber run for module code (it cannot move into a function). */
export function nextMode(scenario, mode, result) {
  if (mode === "plain") return result.pass ? "main" : null;
  if (mode === "main") return scenario === "module" ? null : "oracle";
  if (mode === "oracle") return result.pass ? "fiber" : null;
  return null;
}

/** Starts the wrapped test as a fiber and resumes it each time the harness
 * switches out, until it ends (its exception comes out of `switch`). */
const DRIVER = `(function () {
  var fiber = new (require(${JSON.stringify(fiberApiPath)}).Fiber)(${BODY});
  fiber.switch();
  while (fiber.isAlive()) fiber.switch();
})();`;

function step(stage, fn) {
  try {
    return fn();
  } catch (e) {
    throw e instanceof Stop ? e : new Stop(stageOf(stage, e), e);
  }
}

async function stepAsync(stage, fn) {
  try {
    return await fn();
  } catch (e) {
    throw new Stop(stageOf(stage, e), e);
  }
}

/**
 * Where a run stopped. A compile error is one of three things: a construct
 * the plugin refuses on purpose (its message starts with "fiberlet:"), a
 * syntax error from Babel's parser (the expected outcome of a negative parse
 * test), or a crash.
 */
function stageOf(stage, e) {
  if (e?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return "timeout";
  if (stage !== "babel") return stage;
  const message = String(e?.message ?? e);
  if (/fiberlet: /.test(message) && !/internal error/.test(message)) return "refused";
  if (e?.code === "BABEL_PARSER_SYNTAX_ERROR" || e?.reasonCode) return "parse";
  return "babel";
}

/**
 * Waits for an async test's `$DONE`. The test realm has no timers, so once
 * the promise jobs have drained (a macrotask turn came round) and no module
 * is loading, nothing can call `$DONE` any more: a missing call is reported
 * then, not after a fixed timeout (the rare endless job loop is the pool
 * watchdog's).
 */
async function waitForDone(realm) {
  let idleTurns = 0;
  for (;;) {
    const line = realm.printed.find((l) => l.startsWith("Test262:AsyncTest"));
    if (line === "Test262:AsyncTestComplete") return;
    if (line) throw new Stop("async", new Error(line.replace(/^Test262:AsyncTestFailure:/, "")));
    idleTurns = realm.pendingImports > 0 ? 0 : idleTurns + 1;
    if (idleTurns > 3) throw new Stop("async", new Error("$DONE was never called"));
    await new Promise(setImmediate);
  }
}

/** Pass or fail against the metadata; failures carry where and why. */
export function judge(meta, stop) {
  const neg = meta.negative;
  if (stop?.stage === "refused") return { pass: false, refused: true, error: refusal(stop.thrown) };
  if (!neg) return stop ? failure(stop) : { pass: true };
  if (!stop) return { pass: false, stage: "none", error: `expected ${neg.type} in phase ${neg.phase}, nothing was thrown` };
  const phaseOk = stop.stage === neg.phase || (neg.phase === "runtime" && stop.stage === "async");
  if (phaseOk && errorName(stop.thrown) === neg.type) return { pass: true };
  const f = failure(stop);
  f.error = `expected ${neg.type} in phase ${neg.phase}: ${f.error}`;
  return f;
}

function failure(stop) {
  return { pass: false, stage: stop.stage, error: describe(stop.thrown) };
}

function errorName(e) {
  try {
    if (e?.code === "BABEL_PARSER_SYNTAX_ERROR" || e?.reasonCode) return "SyntaxError";
    return (typeof e === "object" || typeof e === "function") && e !== null ? e.constructor?.name ?? "Object" : typeof e;
  } catch {
    return "?";
  }
}

/** "Name: message", never running user code that could throw or hang. */
function describe(e) {
  try {
    if (e instanceof Stop) return describe(e.thrown);
    if ((typeof e === "object" && e !== null) || typeof e === "function") {
      const message = Object.getOwnPropertyDescriptor(e, "message")?.value;
      return `${errorName(e)}: ${typeof message === "string" ? message : "(no message)"}`.slice(0, 2000);
    }
    return `${typeof e}: ${String(e)}`.slice(0, 2000);
  } catch {
    return "(undescribable)";
  }
}

/** The plugin's message without the file name Babel puts first; a refusal
 * is documented to carry a location (a code frame), so one that has none
 * says so. */
function refusal(e) {
  const text = String(e?.message ?? e);
  const message = text.slice(text.indexOf("fiberlet: ")).split("\n")[0];
  return /^> *\d+ \|/m.test(text) ? message : `${message} (no location)`;
}

function switchCounts(realm) {
  try {
    const counts = realm.global[SWITCHER]?.counts;
    return counts ? { done: counts.done, refused: counts.refused, outside: counts.outside } : null;
  } catch {
    return null;
  }
}
