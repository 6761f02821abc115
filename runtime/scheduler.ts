/**
 * What happens on a switch. Every transfer of control between fibers, of
 * either kind, goes through `transfer` and the `drive` loop below.
 *
 * Two kinds of task share one tree:
 * - host tasks own a real call stack: the main fiber of a JS thread (and,
 *   with the native backend, each stackful fiber on its own OS thread). A
 *   host that switches away runs `drive` on its own stack until control is
 *   transferred back to it.
 * - stackless tasks have no stack of their own: their marked frames run on
 *   the stack of whichever host drives them, and are saved as frame records
 *   (runtime/protocol.ts) when they switch away.
 */
import { FiberError, cannotSuspend } from "./errors.js";
import { FM, R, S, resumeFrames, type FrameRecord } from "./protocol.js";

export const enum Kind {
  Main,
  Stackless,
}

export const enum State {
  Unstarted,
  Started,
  Ended,
}

/** The scheduler's view of a fiber; the public Fiber object wraps one. */
export interface Task {
  kind: Kind;
  state: State;
  target: Function | null;
  self: unknown;
  args: unknown[] | null;
  parent: Task | null;
  /** Saved frames of a suspended stackless task, innermost first. */
  top: FrameRecord | null;
  /** The public object (created lazily for the main task). */
  fiber: object | null;
}

let current: Task | null = null;
let mainTask: Task | null = null;
/** Creates the public Fiber for the main task; set by fiber.ts. */
let wrapMain: (task: Task) => object = () => {
  throw new Error("fiberlet: Fiber class not initialised");
};

export function setMainWrapper(wrap: (task: Task) => object): void {
  wrapMain = wrap;
}

/** The main task of this thread, created on first use. */
export function getMain(): Task {
  if (mainTask === null) {
    mainTask = newTask(Kind.Main, null, undefined, null, null);
    mainTask.state = State.Started;
    mainTask.fiber = wrapMain(mainTask);
  }
  return mainTask;
}

export function getCurrent(): Task {
  return current ?? (current = getMain());
}

export function newTask(
  kind: Kind,
  target: Function | null,
  self: unknown,
  args: unknown[] | null,
  parent: Task | null,
): Task {
  return { kind, state: State.Unstarted, target, self, args, parent, top: null, fiber: null };
}

/** The nearest ancestor that can receive control: started and not ended. */
export function liveAncestor(task: Task): Task {
  let p = task.parent;
  while (p !== null && p.state !== State.Started) p = p.parent;
  // The main task is always started, and every tree is rooted at one.
  return p!;
}

/**
 * Fiber#switch (mode 0) and Fiber#throw (mode 1). Validation is the caller's
 * job; this decides how control moves.
 */
export function transfer(to: Task, value: unknown, mode: number, fromMarked: unknown): unknown {
  const from = getCurrent();
  if (from.kind === Kind.Stackless) {
    if (!fromMarked) {
      throw cannotSuspend(
        "switch() was called from a function that is not marked (not compiled with \"use fiber\", " +
          "or a generator, async function, getter, or callback invoked by unmarked code)",
      );
    }
    // Ask the frames above the driver to save themselves; drive() picks the
    // transfer up when the sentinel reaches it.
    R.pt = to;
    R.pv = value;
    R.pm = mode;
    return S;
  }
  return drive(from, to, value, mode);
}

/**
 * Runs on the stack of `host`, which has just switched away: moves control
 * from fiber to fiber until it comes back to `host`, then returns the value
 * sent to it (or throws the exception thrown into it).
 */
function drive(host: Task, to: Task, value: unknown, mode: number): unknown {
  for (;;) {
    current = to;
    if (to === host) {
      if (mode) throw value;
      return value;
    }
    if (to.kind !== Kind.Stackless) {
      // Another host's stack: only reachable once stackful fibers exist.
      throw new FiberError("internal: cannot transfer to a host task from this thread");
    }
    let out: unknown;
    try {
      out = to.state === State.Unstarted ? start(to) : resume(to, value, mode);
    } catch (e) {
      finish(to);
      to = liveAncestor(to);
      value = e;
      mode = 1;
      continue;
    }
    if (out === S) {
      // `to` suspended: keep its frames, follow the transfer it asked for.
      to.top = R.capTop;
      R.capTop = null;
      to = R.pt as Task;
      value = R.pv;
      mode = R.pm;
      R.pt = null;
      R.pv = undefined;
      continue;
    }
    finish(to);
    to = liveAncestor(to);
    value = out;
    mode = 0;
  }
}

function start(task: Task): unknown {
  const target = task.target!;
  const self = task.self;
  const args = task.args!;
  task.state = State.Started;
  task.target = null;
  task.self = undefined;
  task.args = null;
  // Tell a marked entry function that its caller (the driver) can take the
  // sentinel, like a marked call site would.
  R.m = (target as { [FM]?: boolean })[FM];
  const out = Reflect.apply(target, self, args);
  if (out === S) R.capBot!.n = null;
  return out;
}

function resume(task: Task, value: unknown, mode: number): unknown {
  const top = task.top;
  task.top = null;
  return resumeFrames(top, value, mode);
}

function finish(task: Task): void {
  task.state = State.Ended;
  task.top = null;
  task.target = null;
  task.self = undefined;
  task.args = null;
}

/** Fiber#throw on a fiber that never started: it ends at once and the error
 * is raised in its nearest live ancestor, as python-fibers does. */
export function throwUnstarted(task: Task, error: unknown, fromMarked: unknown): unknown {
  finish(task);
  const to = liveAncestor(task);
  if (to === getCurrent()) throw error;
  return transfer(to, error, 1, fromMarked);
}
