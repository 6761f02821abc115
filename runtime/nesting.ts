/**
 * Switches that must not leave a host: V8 keeps some state of builtins in
 * progress per isolate, assuming calls nest, and a host suspended inside
 * such a builtin finishes it whenever it is resumed (docs/native.md, "V8
 * state that assumes nesting"). The scheduler asks before every switch that
 * hands control to another host and raises a FiberError in the switcher
 * instead, with nothing changed.
 */
import { FiberError } from "./errors.js";
import type { NativeAddon } from "./native/addon.js";
import { insideTimedScript } from "./timed-scripts.js";

/** The addon's check (native/src/nesting.h); absent from older builds. */
type Guarded = NativeAddon & { suspendHazard?(): string | undefined };

const advice: Record<string, string> = {
  "Array.prototype.join":
    "V8 keeps one stack of the arrays being joined per realm (for cycle detection), and a join " +
    "resumed out of order would corrupt it. This covers join, toString and toLocaleString of " +
    "arrays and typed arrays, and String(array) or `${array}`. Compute the element strings " +
    "first (for example with map), then join them",
  "JSON.stringify":
    "on this Node (V8 12) the serializers of JSON.stringify calls in progress must finish in the " +
    "order they started, and a suspended one resumed out of order would abort the process. Compute " +
    "the values first (toJSON, getters, replacer and Proxy traps must not switch), then stringify",
  "a vm script run with a timeout":
    "when the time is up, Node's watchdog terminates whatever JavaScript runs then, which would " +
    "be another fiber (the same holds for breakOnSigint and Ctrl+C). Switch before or after the " +
    "run, or run the script without a timeout",
  "Error.prepareStackTrace":
    "V8 formats one stack trace at a time per isolate: while a fiber is suspended inside " +
    "Error.prepareStackTrace, every other fiber would get V8's default format. Switch before " +
    "or after formatting the stack",
};

export function assertSuspendable(addon: NativeAddon | undefined): void {
  const hazard =
    (addon as Guarded | undefined)?.suspendHazard?.() ??
    (insidePrepareStackTrace() ? "Error.prepareStackTrace" : undefined) ??
    (addon && insideTimedScript(addon) ? "a vm script run with a timeout" : undefined);
  if (hazard === undefined) return;
  throw new FiberError(`cannot suspend a fiber inside ${hazard}: ${advice[hazard]}.`);
}

/** Node (20 and later) installs a default Error.prepareStackTrace, which runs
 * no user code; probing while only it is installed cost ~1 us per switch. */
const nodeDefault: unknown = (() => {
  const current = (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  return typeof current === "function" && current.name === "ErrorPrepareStackTrace" ? current : undefined;
})();

/**
 * Is a stack trace being formatted (V8's isolate-wide flag, which makes
 * nested formatting skip Error.prepareStackTrace)? Only a user's
 * Error.prepareStackTrace can switch while it is set, so the probe (format
 * an empty trace with a prepareStackTrace of our own and see whether V8
 * called it) runs only when one is installed.
 */
function insidePrepareStackTrace(): boolean {
  const E = Error as ErrorConstructor & { prepareStackTrace?: unknown };
  if (typeof E.prepareStackTrace !== "function" || E.prepareStackTrace === nodeDefault) return false;
  const saved = E.prepareStackTrace;
  const limit = E.stackTraceLimit;
  let called = false;
  try {
    E.prepareStackTrace = () => {
      called = true;
      return "";
    };
    E.stackTraceLimit = 0;
    const probe: { stack?: unknown } = {};
    Error.captureStackTrace(probe);
    void probe.stack;
  } catch {
    return false; // a frozen Error: we cannot tell, and do not refuse
  } finally {
    E.prepareStackTrace = saved;
    E.stackTraceLimit = limit;
  }
  return !called;
}
