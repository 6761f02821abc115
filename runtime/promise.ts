/**
 * The promise bridge: `waitFor(promise)` suspends the running fiber until the
 * promise settles; `spawn(fn, ...args)` runs `fn` in a new fiber and returns
 * a promise of its result.
 *
 * The main fiber is the one that returns to the event loop, so a waiting
 * fiber switches to it, and a promise reaction (a microtask, which only ever
 * runs on the main fiber, with no other fiber running) switches back into
 * the fiber with the value or the reason. Reactions run in settlement order,
 * so waiting fibers resume in that order. The reaction keeps the async
 * context of the `.then()` call, which is the waiting fiber's: a stackless
 * fiber (which shares the context of whoever runs it) resumes in it, and a
 * stackful fiber carries its own (scheduler.ts).
 */
import { cannotSuspend, FiberError } from "./errors.js";
import { Fiber } from "./fiber.js";
import { FM, R, S, type FrameRecord } from "./protocol.js";
import { Kind, State, currentKindOf, getCurrent, getMain, isCurrent, transfer, type Task } from "./scheduler.js";

/** One suspension of one fiber in waitFor. The fiber's `wait` points here
 * while the suspension stands; anything else resuming the fiber (or a
 * refused suspension) ends it, and then the reaction resumes nothing. */
interface Wait {
  task: Task | null;
}

const then = Promise.prototype.then;

/**
 * Suspends the running fiber until `promise` settles, then returns its value
 * or throws its reason. A value that is not a thenable is returned after one
 * turn of the microtask queue, like `await`. Meanwhile the main fiber runs
 * (its pending switch returns undefined).
 */
export function waitFor<T>(promise: PromiseLike<T>): Awaited<T>;
export function waitFor<T>(value: T): Awaited<T>;
export function waitFor<T>(promise: T): Awaited<T> {
  const fromMarked = R.m;
  R.m = 0; // consumed before anything can throw, like Fiber#switch
  const kind = currentKindOf();
  if (kind === Kind.Main) {
    throw new FiberError(
      "waitFor() cannot suspend the main fiber (it returns to the event loop): run this code in a fiber " +
        "with spawn(fn, ...args), which returns a promise of fn's result, or use await here",
    );
  }
  if (kind === Kind.Stackless && !fromMarked) {
    throw cannotSuspend(
      'waitFor() was called from a function that is not marked (not compiled with "use fiber", ' +
        "or a generator, async function, getter, or callback invoked by unmarked code)",
    );
  }
  // Subscribe before suspending: Promise.resolve reads a promise's
  // `constructor`, which may throw, and then nothing is pending yet.
  const wait = subscribe(promise);
  if (kind === Kind.Stackless) {
    // Returns the sentinel (the marked frames above save themselves) and
    // clears any earlier wait of this fiber, so the wait is armed after it.
    const out = transfer(getMain(), undefined, 0, fromMarked);
    arm(wait);
    return out as Awaited<T>;
  }
  // A stackful fiber's stack stays here until something resumes it.
  arm(wait);
  try {
    return transfer(getMain(), undefined, 0, fromMarked) as Awaited<T>;
  } finally {
    disarm();
  }
}

// Called from marked call sites like Fiber#switch: the brand makes them
// store the entry flag, so waitFor knows its caller can take the sentinel.
(waitFor as unknown as { [FM]: boolean })[FM] = true;

function subscribe(promise: unknown): Wait {
  const wait: Wait = { task: null };
  then.call(
    Promise.resolve(promise),
    (value: unknown) => wake(wait, value, 0),
    (reason: unknown) => wake(wait, reason, 1),
  );
  return wait;
}

/** The running fiber now waits in `wait`. The reaction holds the fiber's
 * task from here on, so a waiting fiber lives as long as its promise can
 * settle (a stackful one whose stack holds a promise that never settles is
 * never collected: README, Promises). */
function arm(wait: Wait): void {
  const task = getCurrent();
  wait.task = task;
  task.wait = wait;
}

/** A stackful fiber's waitFor returned: resumed by its promise, by hand, or
 * its suspension failed. */
function disarm(): void {
  getCurrent().wait = null;
}

/** The promise reaction: resumes the fiber if it still waits here. */
function wake(wait: Wait, value: unknown, mode: number): void {
  const task = wait.task;
  wait.task = null;
  if (task === null || task.wait !== wait || task.state === State.Ended) {
    // Nobody receives this outcome (waitFor threw, or the fiber was resumed
    // another way): a rejection stays an unhandled rejection, as it would
    // have been without waitFor.
    if (mode) throw value;
    return;
  }
  task.wait = null;
  // Returns when the fiber waits again or ends (or something switches back
  // to main). What a fiber that is not spawn's raises on the way here
  // becomes an unhandled rejection: that is where main meets it.
  transfer(task, value, mode, 0);
}

/** Where a spawned fiber's outcome goes. `entered` tells its entry ran, so
 * an error at the starting switch came from elsewhere. */
interface Outcome {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  entered: boolean;
}

/**
 * Runs `fn(...args)` in a new fiber (stackless if `fn` is marked, else as
 * `new Fiber(fn)` would choose) whose parent is the main fiber, and returns
 * a promise of its result; what `fn` throws rejects it and surfaces nowhere
 * else. Called on the main fiber, the fiber starts at once and runs until it
 * first waits (like calling an async function); called inside a fiber, it
 * starts from the main fiber in a microtask, since switching to it from here
 * would leave the caller suspended with nobody to resume it.
 */
export function spawn<Args extends unknown[], Result>(
  fn: (...args: Args) => Result,
  ...args: Args
): Promise<Awaited<Result>> {
  if (typeof fn !== "function") {
    throw new TypeError(`spawn(fn, ...args): fn must be a function, got ${fn === null ? "null" : typeof fn}`);
  }
  let outcome!: Outcome;
  const result = new Promise<Awaited<Result>>((resolve, reject) => {
    outcome = { resolve: resolve as (value: unknown) => void, reject, entered: false };
  });
  let fiber: Fiber;
  try {
    const entry = isMarked(fn) ? enterMarked : enterPlain;
    fiber = new Fiber(entry as (...a: unknown[]) => void, [fn, args, outcome], getMain().fiber as Fiber);
  } catch (e) {
    // FIBERLET_BACKEND=native without the addon, for example.
    outcome.reject(e);
    return result;
  }
  if (isCurrent(getMain())) launch(fiber, outcome);
  else queueMicrotask(() => launch(fiber, outcome));
  return result;
}

function launch(fiber: Fiber, outcome: Outcome): void {
  try {
    fiber.switch();
  } catch (e) {
    // No thread for a stackful fiber: it never started.
    if (!outcome.entered) outcome.reject(e);
    else throw e;
  }
}

function isMarked(fn: Function): boolean {
  const brand = (fn as { [FM]?: boolean | 0 })[FM];
  return brand === true || brand === 0;
}

/** spawn's fiber entry for an unmarked fn (a stackful fiber, or a stackless
 * one whose fn cannot suspend anyway). */
function enterPlain(fn: Function, args: unknown[], outcome: Outcome): void {
  outcome.entered = true;
  let out: unknown;
  try {
    out = Reflect.apply(fn, undefined, args);
  } catch (e) {
    outcome.reject(e);
    return;
  }
  outcome.resolve(out);
}

/**
 * spawn's fiber entry for a marked fn, written by hand in the shape the
 * plugin emits (docs/protocol.md: prologue, call site, capture, resume
 * function), so fn's frames can suspend through it and its outcome still
 * reaches the promise when they finish.
 */
function enterMarked(fn: Function, args: unknown[], outcome: Outcome): unknown {
  const entered = R.m;
  R.m = 0;
  outcome.entered = true;
  let out: unknown;
  try {
    R.m = (fn as { [FM]?: unknown })[FM];
    out = Reflect.apply(fn, undefined, args);
    if (out === S) {
      if (entered) return R.cap({ r: resumeMarked, n: null, outcome });
      out = R.refuse("spawn");
    }
  } catch (e) {
    outcome.reject(e);
    return undefined;
  }
  outcome.resolve(out);
  return undefined;
}
R.brand(enterMarked);

function resumeMarked(rec: FrameRecord, value: unknown, mode: number): unknown {
  const outcome = rec.outcome as Outcome;
  if (mode) outcome.reject(value);
  else outcome.resolve(value);
  return undefined;
}
