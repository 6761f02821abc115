/** fiberlet: greenlet-style fibers. See README.md for the API. */
import { FiberError } from "./errors.js";
import { Fiber as OwnFiber, current as ownCurrent } from "./fiber.js";
import { spawn as ownSpawn, waitFor as ownWaitFor } from "./promise.js";
import { shared } from "./registry.js";

// The thread's one scheduler: this copy's, or that of the copy of fiberlet
// that loaded first (registry.ts). One Fiber class serves every copy, so
// `instanceof Fiber` and `current()` agree whichever copy a module imports.
const api = shared("api", { Fiber: OwnFiber, current: ownCurrent, spawn: ownSpawn, waitFor: ownWaitFor });

export const Fiber: typeof OwnFiber = api.Fiber;
export type Fiber<Args extends unknown[] = any[], Result = unknown> = OwnFiber<Args, Result>;
export const current: typeof ownCurrent = api.current;
export const spawn: typeof ownSpawn = api.spawn;
export const waitFor: typeof ownWaitFor = api.waitFor;
export { FiberError };
export type { AnyFiber, FiberKind, FiberOptions } from "./fiber.js";
