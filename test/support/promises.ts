// Shared by the promise-bridge tests (stackless and stackful): timers that
// settle promises later, and the check that no rejection goes unhandled.
// Plain code (no directive): the helpers never suspend.
import { afterEach, beforeEach, expect } from "vitest";

/** Resolves after the current macrotask (setImmediate). */
export const tick = () => new Promise<void>((r) => setImmediate(r));

/** A promise of `value` in `ms` milliseconds. */
export function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((r) => setTimeout(() => r(value), ms));
}

/** Every test of the calling file ends with no unhandled rejection: any
 * rejection the bridge lets through lands here. */
export function expectNoUnhandledRejections(): void {
  let unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    await tick();
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });
}
