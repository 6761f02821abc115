import { joinThread, shared } from "./registry.js";

/** Raised for misuse of fibers: switching to an ended fiber or to the current
 * one, or a switch that cannot suspend the code it was called from. */
class OwnFiberError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FiberError";
  }
}
Object.defineProperty(OwnFiberError, "name", { value: "FiberError" });

// This is the first module of the runtime to load: it joins the thread's
// runtime record (registry.ts), and every copy of fiberlet in the thread
// throws, and exports, the FiberError class of the first one, so
// `instanceof FiberError` holds whichever copy raised the error.
joinThread(OwnFiberError);
export const FiberError: typeof OwnFiberError = shared("FiberError", OwnFiberError);
export type FiberError = OwnFiberError;

/** Why a switch out of a stackless fiber failed at a frame that cannot be
 * suspended, and what to do about it. */
export function cannotSuspend(culprit: string): FiberError {
  return new FiberError(
    `cannot suspend this fiber: ${culprit}. A stackless fiber can only be suspended ` +
      `through functions compiled with a "use fiber" directive. Mark the code between ` +
      `the fiber's entry and this switch with "use fiber" (or, on Node, run the fiber ` +
      `on the native stackful backend).`,
  );
}
