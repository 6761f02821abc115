/**
 * `vm` scripts run with a `timeout` (or `breakOnSigint`) on the stack of a
 * host. Node's watchdog ends such a run by terminating the isolate when the
 * time is up: the termination hits whatever JavaScript is running then. With
 * a fiber suspended inside the run, that is another fiber (the main fiber's
 * script was skipped silently, exit code 0). So a fiber may not suspend
 * inside a timed run (runtime/nesting.ts asks `insideTimedScript`), and the
 * watchdog always terminates the script it was started for.
 *
 * Node keeps no trace of a timed run that the addon could read, so the
 * runtime wraps `vm.Script.prototype.runInThisContext` and `runInContext`
 * (`vm.runInThisContext`, `runInContext`, `runInNewContext` and
 * `Script#runInNewContext` all go through them) once the native backend has
 * loaded, counting timed runs per host. The wrappers pass `this`, the
 * arguments and the result through unchanged.
 */
import type * as Vm from "node:vm";
import type { Host, NativeAddon } from "./native/addon.js";

/** Timed runs in progress, per host (by the host's native object). */
const depth = new WeakMap<Host, number>();
/** Timed runs in progress on all hosts: no lookup at all while 0. */
let active = 0;
let installed = false;

function isTimed(options: unknown): boolean {
  if (typeof options !== "object" || options === null) return false;
  const { timeout, breakOnSigint } = options as { timeout?: unknown; breakOnSigint?: unknown };
  return timeout !== undefined || breakOnSigint === true;
}

/** Is the running host inside a timed run? */
export function insideTimedScript(addon: NativeAddon): boolean {
  return active > 0 && (depth.get(addon.running()) ?? 0) > 0;
}

export function watchTimedScripts(addon: NativeAddon): void {
  if (installed) return;
  installed = true;
  const getBuiltin = (process as unknown as { getBuiltinModule?(id: string): unknown }).getBuiltinModule;
  const vm = getBuiltin?.("node:vm") as typeof Vm | undefined;
  if (!vm) return;
  const proto = vm.Script.prototype as unknown as Record<string, Function>;
  // The options are the last argument of each method.
  for (const [name, optionsAt] of [["runInThisContext", 0], ["runInContext", 1]] as const) {
    const original = proto[name];
    if (typeof original !== "function") continue;
    const wrapped = {
      [name](this: unknown, ...args: unknown[]): unknown {
        if (!isTimed(args[optionsAt])) return Reflect.apply(original, this, args);
        const host = addon.running();
        depth.set(host, (depth.get(host) ?? 0) + 1);
        active++;
        try {
          return Reflect.apply(original, this, args);
        } finally {
          active--;
          const left = depth.get(host)! - 1;
          if (left > 0) depth.set(host, left);
          else depth.delete(host);
        }
      },
    }[name];
    Object.defineProperty(wrapped, "length", { value: original.length });
    Object.defineProperty(proto, name, { value: wrapped, writable: true, enumerable: false, configurable: true });
  }
}
