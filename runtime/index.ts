/** fiberlet: greenlet-style fibers. See README.md for the API. */
export { Fiber, current } from "./fiber.js";
export type { FiberKind, FiberOptions } from "./fiber.js";
export { FiberError } from "./errors.js";
export { spawn, waitFor } from "./promise.js";
