/**
 * Each stackful fiber keeps its own AsyncLocalStorage context: the one
 * current when it started, changed only by what runs inside it
 * (docs/native.md, "Async context"). Node keeps the async context per JS
 * thread and all hosts of a JS thread share it, so the scheduler swaps it on
 * hand-offs. Node has two models, and which one runs is probed once:
 *
 * - Frames (Node >= 24, and 22 with --experimental-async-context-frame): the
 *   ALS context is V8's continuation-preserved embedder data. A host saves
 *   it before it hands off and restores it when woken (scheduler.handOff).
 * - Resources (Node 20, and 22 by default): each ALS keeps its store as a
 *   property of the current async resource, the top of Node's async id
 *   stack, under a symbol of its own. Only a frame of the JS thread's main
 *   host can push and pop that stack (runInAsyncScope), and scopes must nest,
 *   so stackful fibers cannot each have a resource of their own. Instead the
 *   main host runs every hand-off to a fiber inside one per-thread resource,
 *   the *slot*, and the stores move: a fiber leaving takes its stores off the
 *   slot, a fiber arriving puts its own back. Fibers keep handing off to each
 *   other directly. `als.run()` captures the current resource, which inside
 *   any fiber is always the slot, so its restore lands in the right fiber.
 *
 * Node's builtins are fetched on first use of the native backend, never
 * imported: the runtime also runs in browsers.
 */
import type * as AsyncHooks from "node:async_hooks";
import type { NativeAddon } from "./native/addon.js";

/** ALS stores as [key, store, key, store, ...]; null when there are none. */
export type Stores = unknown[] | null;

/** What the main host enters around every hand-off to a fiber. */
export interface Slot {
  runInAsyncScope<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, ...args: A): R;
}

export interface AsyncContext {
  /** node:async_hooks' executionAsyncId. */
  executionAsyncId(): number;
  /** The resource model's slot; null with frames (or an unknown Node). */
  slot: Slot | null;
  /** The stores current now, to start a fiber in. */
  captureStores(): Stores;
  /** Takes the running fiber's stores off the slot. */
  takeStores(): Stores;
  /** Puts an arriving fiber's stores on the slot, replacing any there. */
  putStores(stores: Stores): void;
}

/** The description Node 20 and 22 give each AsyncLocalStorage's store key. */
const STORE_KEY = "kResourceStore";

type Resource = Record<symbol, unknown>;

export function bindAsyncContext(addon: NativeAddon): AsyncContext {
  const hooks = (process as unknown as {
    getBuiltinModule(id: "node:async_hooks"): typeof AsyncHooks;
  }).getBuiltinModule("node:async_hooks");
  const model = probeModel(hooks, addon);
  const executionAsyncId = hooks.executionAsyncId;
  if (model !== "resources") {
    if (model === "unknown") warnUnknownModel();
    return { executionAsyncId, slot: null, captureStores: () => null, takeStores: () => null, putStores() {} };
  }
  const current = hooks.executionAsyncResource as () => Resource;
  const slot = new hooks.AsyncResource("Fiber");
  const onSlot = slot as unknown as Resource;
  readStores(onSlot, true); // it inherited its creator's
  return {
    executionAsyncId,
    slot,
    captureStores: () => readStores(current(), false),
    takeStores: () => readStores(onSlot, true),
    putStores(stores) {
      // Normally empty already; not when the leaving fiber was woken by a
      // throw (unwinding) and never took its stores.
      readStores(onSlot, true);
      if (stores === null) return;
      for (let i = 0; i < stores.length; i += 2) onSlot[stores[i] as symbol] = stores[i + 1];
    },
  };
}

/** The ALS stores set on `resource`, removed from it with `take`. */
function readStores(resource: Resource, take: boolean): Stores {
  let stores: Stores = null;
  for (const key of Object.getOwnPropertySymbols(resource)) {
    if (key.description !== STORE_KEY) continue;
    const store = resource[key];
    if (take) delete resource[key];
    if (store !== undefined) (stores ??= []).push(key, store);
  }
  return stores;
}

/**
 * Runs an ALS scope and looks at what it changed: V8's embedder data
 * (frames), or a store-key property of the current resource (resources).
 * The probe storage is disabled again so that, in the resource model, it
 * leaves no async hook enabled behind it.
 */
function probeModel(hooks: typeof AsyncHooks, addon: NativeAddon): "frames" | "resources" | "unknown" {
  const probe = new hooks.AsyncLocalStorage<object>();
  const marker = {};
  try {
    return probe.run(marker, () => {
      if (addon.getAsyncContextFrame() !== undefined) return "frames";
      const resource = hooks.executionAsyncResource() as Resource;
      const keyed = Object.getOwnPropertySymbols(resource).some(
        (key) => key.description === STORE_KEY && resource[key] === marker,
      );
      return keyed ? "resources" : "unknown";
    });
  } finally {
    probe.disable();
  }
}

function warnUnknownModel(): void {
  process.emitWarning(
    "fiberlet: this Node's AsyncLocalStorage keeps its context in a way fiberlet does not know; " +
      "stackful fibers will see the AsyncLocalStorage context of whoever resumes them.",
    { code: "FIBERLET_ASYNC_CONTEXT" },
  );
}
