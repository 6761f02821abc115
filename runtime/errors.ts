/** Raised for misuse of fibers: switching to an ended fiber or to the current
 * one, or a switch that cannot suspend the code it was called from. */
export class FiberError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FiberError";
  }
}

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
