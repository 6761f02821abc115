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
import { nativeBackend } from "./backend.js";
import { FiberError, cannotSuspend } from "./errors.js";
import type { Host, NativeAddon } from "./native/addon.js";
import { FM, R, S, resumeFrames, type FrameRecord } from "./protocol.js";

export const enum Kind {
  Main,
  Stackless,
  Stackful,
}

/** Default stack of a stackful fiber: about 13,000 frames of recursion. */
export const DEFAULT_STACK_SIZE = 1024 * 1024;

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
  /** Host tasks (main, stackful): the native host, once one is needed. */
  host: Host | null;
  /** Stackful tasks: stack size in bytes. */
  stackSize: number;
  /** Host tasks: the value or exception a hand-off brings. */
  inValue: unknown;
  inMode: number;
  /** Host tasks: their AsyncLocalStorage context while switched out. */
  asyncFrame: unknown;
}

let current: Task | null = null;
/** The host task whose stack is running JavaScript now. Kept here, not in a
 * local, so a suspended host's stack never references its own task (a
 * suspended stack is a GC root; see docs/native.md). */
let activeHost: Task | null = null;
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

/** (A function of its own so the caller's frame never holds the task.) */
function currentIsStackless(): boolean {
  return getCurrent().kind === Kind.Stackless;
}

function getActiveHost(): Task {
  return activeHost ?? (activeHost = getMain());
}

export function newTask(
  kind: Kind,
  target: Function | null,
  self: unknown,
  args: unknown[] | null,
  parent: Task | null,
): Task {
  return {
    kind, state: State.Unstarted, target, self, args, parent, top: null, fiber: null,
    host: null, stackSize: DEFAULT_STACK_SIZE, inValue: undefined, inMode: 0, asyncFrame: undefined,
  };
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
  if (currentIsStackless()) {
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
  return drive(to, value, mode, false);
}

/**
 * Runs on the stack of the active host, which has just switched away (or,
 * with `final`, whose stackful fiber has just ended): moves control from
 * fiber to fiber. Stackless fibers run right here. Another host's fiber is
 * reached by handing the isolate to that host's thread; this host then
 * sleeps until control is transferred back to it, and returns the value sent
 * to it (or throws the exception thrown into it). With `final` the ended
 * host's thread cannot wait: drive returns the host to hand off to.
 */
function drive(to: Task, value: unknown, mode: number, final: boolean): unknown {
  for (;;) {
    current = to;
    if (to.kind !== Kind.Stackless) {
      if (to === getActiveHost()) {
        if (mode) throw value;
        return value;
      }
      to.inValue = value;
      to.inMode = mode;
      const host = hostOf(to);
      if (final) {
        activeHost = to;
        return host;
      }
      return handOff(host, to);
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

/**
 * Suspends the active host's stack and runs `target`'s host. Returns (or
 * throws) what the next transfer to this host brings. The active host is not
 * held in any local across the hand-off.
 */
function handOff(host: Host, target: Task): unknown {
  const addon = nativeBackend().addon!;
  leaveActiveHost(addon, target);
  addon.handoff(host);
  // Woken: whoever handed control here made this host active.
  const me = activeHost!;
  addon.setAsyncContextFrame(me.asyncFrame);
  me.asyncFrame = undefined;
  current = me;
  const value = me.inValue;
  const mode = me.inMode;
  me.inValue = undefined;
  if (mode) throw value;
  return value;
}

/** Saves the leaving host's async context and activates `target`. */
function leaveActiveHost(addon: NativeAddon, target: Task): void {
  getActiveHost().asyncFrame = addon.getAsyncContextFrame();
  activeHost = target;
}

/** The native host of a host task, spawning a stackful fiber's thread when
 * it is first needed. */
function hostOf(task: Task): Host {
  if (task.host) return task.host;
  const addon = nativeBackend().addon;
  if (!addon) throw new FiberError(`internal: host task without the native backend`);
  if (task.kind === Kind.Main) return (task.host = addon.self());
  const weak = new WeakRef(task);
  return (task.host = addon.spawn(() => runStackful(weak), task.stackSize));
}

/**
 * The body of a stackful fiber's thread. Holds its task only weakly, and
 * not at all while the target runs, so an abandoned suspended fiber can be
 * collected (and its thread reclaimed) like any unreachable object.
 */
function runStackful(weak: WeakRef<Task>): Host {
  let out: unknown;
  let mode = 0;
  try {
    out = startStackful(weak);
  } catch (e) {
    out = e;
    mode = 1;
  }
  // Running, so someone holds the task: the WeakRef is still set.
  const task = weak.deref()!;
  finish(task);
  const next = liveAncestor(task);
  return drive(next, out, mode, true) as Host;
}

function startStackful(weak: WeakRef<Task>): unknown {
  let task: Task | null = weak.deref()!;
  current = task;
  activeHost = task;
  task.state = State.Started;
  const target = task.target!;
  const self = task.self;
  const args = task.args!;
  task.target = null;
  task.self = undefined;
  task.args = null;
  // The fiber starts in the async context of whoever started it (the
  // isolate's current one). Drop the task before running the target.
  task = null;
  return callTarget(target, self, args);
}

function callTarget(target: Function, self: unknown, args: unknown[]): unknown {
  R.m = (target as { [FM]?: boolean })[FM];
  return Reflect.apply(target, self, args);
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
  const out = callTarget(target, self, args);
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
  if (task.kind === Kind.Stackful) task.host = null;
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
