/**
 * A fresh vm context per test run, set up as a test262 host: `$262`,
 * `print`, a module loader for module tests and `import()`, and its own copy
 * of the fiberlet runtime.
 *
 * The runtime is loaded inside the context, not shared from this process:
 * docs/protocol.md asks for one `R` per realm, and errors the runtime throws
 * for user code (a TypeError for calling a non-function) must be the test
 * realm's TypeError for `assert.throws(TypeError, ...)` to see them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import vm from "node:vm";
import { protocolPath } from "./compile.mjs";

const hostRequire = createRequire(import.meta.url);
/** CommonJS wrappers of runtime files, compiled once per process and run in
 * each context (a vm.Script can run in any number of contexts). */
const wrappers = new Map();

export class Realm {
  /**
   * @param {object} options
   * @param {(source: string, filename: string) => string} [options.transformModule]
   *   what a module's source becomes before it runs (the mode's compilation)
   * @param {number} options.timeout milliseconds for each synchronous run
   */
  constructor({ transformModule = (s) => s, timeout }) {
    this.timeout = timeout;
    this.transformModule = transformModule;
    this.printed = [];
    this.modules = new Map();
    /** `import()` calls still loading (an async test may be waiting on one). */
    this.pendingImports = 0;
    this.context = vm.createContext({}, { importModuleDynamically: this.importer() });
    this.global = vm.runInContext("this", this.context);
    this.cjs = new Map();
    this.install();
  }

  /** The host hooks test262 expects, plus `require` for compiled scripts
   * (the plugin emits `require(<runtime>)` for sourceType "script"). */
  install() {
    const define = (name, value) => Object.defineProperty(this.global, name, { value, writable: true, configurable: true });
    define("require", (spec) => {
      if (!isAbsolute(spec)) throw new Error(`test262 realm: only the fiberlet runtime can be required, not ${spec}`);
      return this.load(spec);
    });
    define("print", (...args) => {
      this.printed.push(args.map(String).join(" "));
    });
    define("$262", this.host());
  }

  host() {
    const realm = this;
    const $262 = vm.runInContext("({})", this.context);
    Object.assign($262, {
      global: this.global,
      gc: globalThis.gc,
      createRealm: () => new Realm({ timeout: realm.timeout }).global.$262,
      evalScript: (source) => realm.runScript(source, "evalScript.js"),
      detachArrayBuffer: (buffer) => void structuredClone(buffer, { transfer: [buffer] }),
    });
    return $262;
  }

  /** Loads a CommonJS file of the runtime in this context. It gets this
   * process's `process` (it reads FIBERLET_BACKEND from it) as a module
   * parameter, so the test realm itself has no `process` global. */
  load(file) {
    const cached = this.cjs.get(file);
    if (cached) return cached.exports;
    let wrapper = wrappers.get(file);
    if (!wrapper) {
      const source = readFileSync(file, "utf8");
      wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname, process) {${source}\n})`, { filename: file });
      wrappers.set(file, wrapper);
    }
    const module = { exports: {} };
    this.cjs.set(file, module);
    const dir = dirname(file);
    const require = (spec) => (spec.startsWith(".") ? this.load(resolve(dir, spec)) : hostRequire(spec));
    wrapper.runInContext(this.context).call(module.exports, module.exports, require, module, file, dir, process);
    return module.exports;
  }

  /** Compiles and runs a script; a SyntaxError from the engine's parser is
   * thrown before anything runs (the caller tells parse errors apart). */
  compileScript(code, filename) {
    return new vm.Script(code, { filename, importModuleDynamically: this.importer(filename) });
  }

  runScript(code, filename) {
    return this.compileScript(code, filename).runInContext(this.context, { timeout: this.timeout });
  }

  /** `import()` from a script or module at `referrer`. */
  importer(referrer) {
    return async (specifier, script, attributes) => {
      this.pendingImports++;
      try {
        const from = referrer ?? script?.identifier;
        const module = this.module(resolve(dirname(from ?? "/"), specifier), attributes);
        await this.linkAndEvaluate(module);
        return module;
      } finally {
        this.pendingImports--;
      }
    };
  }

  /** Resolves `import` declarations: relative to the importing file. */
  linker = (specifier, referencing, attributes) => this.module(resolve(dirname(referencing.identifier), specifier), attributes);

  async linkAndEvaluate(module) {
    if (module.status === "unlinked") await module.link(this.linker);
    // Another import may be linking or evaluating the same record; V8
    // aborts the process on evaluate() in any state but linked or evaluated.
    while (module.status === "linking" || module.status === "evaluating") await new Promise(setImmediate);
    if (module.status === "errored") throw module.error;
    await module.evaluate({ timeout: this.timeout });
  }

  /** The module record for a file, one per file per realm. */
  module(file, attributes = {}) {
    if (file === protocolPath) return this.runtimeModule();
    const cached = this.modules.get(file);
    if (cached) return cached;
    let module;
    if (extname(file) === ".json" || attributes.type === "json") {
      const value = this.global.JSON.parse(readFileSync(file, "utf8"));
      module = new vm.SyntheticModule(["default"], function () { this.setExport("default", value); }, { context: this.context, identifier: file });
    } else {
      const source = this.transformModule(readFileSync(file, "utf8"), file);
      module = new vm.SourceTextModule(source, {
        context: this.context,
        identifier: file,
        importModuleDynamically: this.importer(file),
        initializeImportMeta: () => {},
      });
    }
    this.modules.set(file, module);
    return module;
  }

  /** What `import { R } from <runtime>` links to in compiled modules. */
  runtimeModule() {
    let module = this.modules.get(protocolPath);
    if (!module) {
      const exports = this.load(protocolPath);
      const names = Object.keys(exports);
      module = new vm.SyntheticModule(names, function () { for (const n of names) this.setExport(n, exports[n]); }, { context: this.context, identifier: protocolPath });
      this.modules.set(protocolPath, module);
    }
    return module;
  }
}
