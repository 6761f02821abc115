/**
 * Which kind a new fiber is: stackless (its marked frames are saved as
 * records) or stackful (its own OS thread, native addon). FIBERLET_BACKEND
 * chooses: `continuation` never loads the addon, `native` makes every fiber
 * stackful, `auto` (default) makes a fiber stackful when its target is not
 * marked and the addon is available.
 */
import { FiberError } from "./errors.js";
import { FM } from "./protocol.js";
import { loadNativeAddon, type NativeAddon } from "./native/addon.js";
import { watchTimedScripts } from "./timed-scripts.js";

export type BackendMode = "auto" | "native" | "continuation";

let mode: BackendMode | undefined;
let native: { addon?: NativeAddon; error?: string } | undefined;
let warned = false;

export function backendMode(): BackendMode {
  if (mode === undefined) {
    const env = backendVariable();
    if (env === undefined || env === "" || env === "auto") mode = "auto";
    else if (env === "native" || env === "continuation") mode = env;
    else throw new FiberError(`FIBERLET_BACKEND must be "auto", "native" or "continuation", not ${JSON.stringify(env)}`);
  }
  return mode;
}

/**
 * FIBERLET_BACKEND, or undefined where there is no environment (browsers)
 * or reading it is not allowed (Deno without --allow-env throws NotCapable):
 * then the default applies, rather than every new Fiber throwing.
 */
function backendVariable(): string | undefined {
  try {
    return typeof process === "object" && process?.env ? process.env.FIBERLET_BACKEND : undefined;
  } catch {
    return undefined;
  }
}

/** The addon, loaded on first need (never in continuation mode). */
export function nativeBackend(): { addon?: NativeAddon; error?: string } {
  if (native === undefined) {
    if (backendMode() === "continuation") native = { error: "FIBERLET_BACKEND=continuation disables the native backend" };
    else if (typeof process !== "object" || !process?.versions?.node) native = { error: "the native backend needs Node.js" };
    else native = loadNativeAddon();
    // Timed vm runs must be known before a fiber can suspend inside one.
    if (native.addon) watchTimedScripts(native.addon);
  }
  return native;
}

/** Should a fiber with this target run on its own stack? */
export function wantsStack(target: Function | null): boolean {
  const m = backendMode();
  if (m === "continuation" || target === null) return false;
  if (m === "native") {
    const { addon, error } = nativeBackend();
    if (!addon) throw new FiberError(`${error} (FIBERLET_BACKEND=native asks for stackful fibers)`);
    return true;
  }
  // Marked targets (brand true, or 0 for one that can never suspend) run stackless.
  const brand = (target as { [FM]?: boolean | 0 })[FM];
  if (brand === true || brand === 0) return false;
  const { addon, error } = nativeBackend();
  if (addon) return true;
  if (!warned && typeof process === "object" && typeof process.emitWarning === "function") {
    warned = true;
    process.emitWarning(
      `${error} Fibers with unmarked targets run stackless; a switch through unmarked code raises FiberError.`,
      { code: "FIBERLET_NO_NATIVE" },
    );
  }
  return false;
}
