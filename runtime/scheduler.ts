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
import { bindAsyncContext, type AsyncContext, type Stores } from "./async-context.js";
import { nativeBackend } from "./backend.js";
import { FiberError, cannotSuspend } from "./errors.js";
import type { Host, NativeAddon } from "./native/addon.js";
import { assertSuspendable } from "./nesting.js";
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
  /** Stackful tasks, in Node's resource model of async context: the
   * AsyncLocalStorage stores of the fiber while it is not running
   * (async-context.ts). */
  stores: Stores;
  /** Host tasks: the value or exception a hand-off brings. */
  inValue: unknown;
  inMode: number;
  /** Identity compared on hot paths instead of the object (see below). */
  id: number;
  /** The promise wait this fiber is suspended in (promise.ts), or null. A
   * settled promise resumes the fiber only while this is still its wait. */
  wait: object | null;
}

/*
 * A suspended stackful fiber's stack is a GC root (docs/native.md), so no
 * frame on the way from `switch()` to the native hand-off may hold, even in a
 * spilled dead temporary of optimized code (V8's Maglev keeps those), a
 * reference to the suspending fiber's own task: an abandoned fiber would
 * never be collected. The code on that path therefore compares ids and
 * kinds kept in plain variables, and only ever stores the current task.
 */
let current: Task | null = null;
let currentId = -1;
let currentKind: Kind = Kind.Main;
/** The host task whose stack runs JavaScript now (null: the main task). */
let activeHost: Task | null = null;
let activeHostId = -1;
let nextId = 1;

function setCurrent(task: Task): void {
  current = task;
  currentId = task.id;
  currentKind = task.kind;
}

/** The async id when the active host was last switched in (stackful only):
 * leaving from inside an async scope it entered would corrupt Node's async
 * id stack, which is per JS thread (docs/native.md, Async context). */
let hostAsyncId = -1;
/** node:async_hooks' executionAsyncId, bound with the native backend
 * (stackful fibers exist only on Node; the runtime also runs in browsers). */
let executionAsyncId: () => number = () => -1;
/** Async context swapping in Node's resource model (null otherwise). */
let asyncSlot: AsyncContext | null = null;

/** What a stackful fiber's thread starts with, set by whoever starts it. */
let launch: { target: Function; self: unknown; args: unknown[] } | null = null;
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

/** The kind of the running fiber, without holding its task (a stackful
 * fiber's stack must not reference its own task, see below). */
export function currentKindOf(): Kind {
  if (currentId < 0) getCurrent();
  return currentKind;
}

export function getCurrent(): Task {
  if (current === null) setCurrent(getMain());
  return current!;
}

/** Is `task` the running fiber? (No load of the running task itself.) */
export function isCurrent(task: Task): boolean {
  if (currentId < 0) getCurrent();
  return task.id === currentId;
}

function isActiveHost(task: Task): boolean {
  if (activeHostId < 0) activeHostId = getMain().id;
  return task.id === activeHostId;
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
    host: null, stackSize: DEFAULT_STACK_SIZE, stores: null, inValue: undefined, inMode: 0, id: nextId++,
    wait: null,
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
  if (currentId < 0) getCurrent();
  if (currentKind === Kind.Stackful && executionAsyncId() !== hostAsyncId) {
    throw new FiberError(
      "cannot switch out of a stackful fiber inside an async scope it entered " +
        "(AsyncResource.runInAsyncScope, an EventEmitterAsyncResource listener...): " +
        "Node's async context stack belongs to the whole thread. Switch after the scope returns.",
    );
  }
  // A hand-off to another host leaves the active host's stack suspended.
  if (to.kind !== Kind.Stackless && !isActiveHost(to)) assertSuspendable(nativeBackend().addon);
  if (currentKind === Kind.Stackless) {
    if (!fromMarked) {
      throw cannotSuspend(
        "switch() was called from a function that is not marked (not compiled with \"use fiber\", " +
          "or a generator, async function, getter, or callback invoked by unmarked code)",
      );
    }
    // Any switch out of a stackless fiber ends the promise wait it may still
    // hold: one whose suspension was refused (a frame entered from unmarked
    // code) left the fiber running, and this switch suspends it elsewhere.
    // waitFor arms its wait after this (promise.ts).
    current!.wait = null;
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
    if (to.kind !== Kind.Stackless) {
      if (isActiveHost(to)) {
        setCurrent(to);
        if (mode) throw value;
        return value;
      }
      to.inValue = value;
      to.inMode = mode;
      const host = hostOf(to);
      if (to.state === State.Unstarted) prepareLaunch(to);
      setCurrent(to);
      const fromMain = isActiveHost(getMain());
      if (asyncSlot !== null && !fromMain) saveStores();
      activeHost = to;
      activeHostId = to.id;
      if (final) return host;
      const out = handOff(host, asyncSlot !== null && fromMain);
      if (out !== REFUSED) return out;
      // No thread for `to`: nothing switched. Raise the error in the switcher.
      const switcher = starter!;
      value = refusal(to);
      to = switcher;
      mode = 1;
      continue;
    }
    setCurrent(to);
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
      // The chain now belongs to the fiber alone: a dropped fiber must not
      // stay reachable through the runtime's capture cursor.
      R.capTop = null;
      R.capBot = null;
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
 * Suspends the active host's stack and runs `host` (already made active).
 * Returns (or throws) what the next transfer to this host brings. Its
 * AsyncLocalStorage context frame stays in a local of this frame meanwhile;
 * with `enterSlot` (the main host, in Node's resource model) the fibers run
 * inside the slot, where each puts its own stores (async-context.ts).
 */
function handOff(host: Host, enterSlot: boolean): unknown {
  const addon = nativeBackend().addon!;
  const asyncFrame = addon.getAsyncContextFrame();
  try {
    if (enterSlot) asyncSlot!.slot!.runInAsyncScope(addon.handoff, addon, host);
    else addon.handoff(host);
  } catch (e) {
    // The addon refuses before switching (the OS gave no thread).
    if (starter === null) throw e;
    refused = e;
    return REFUSED;
  }
  // Woken: whoever handed control here made this host active.
  addon.setAsyncContextFrame(asyncFrame);
  arrive();
  const me = activeHost!;
  setCurrent(me);
  const value = me.inValue;
  const mode = me.inMode;
  me.inValue = undefined;
  if (mode) throw value;
  return value;
}

/** handOff's answer when the addon could not start the target's thread. */
const REFUSED: unknown = Symbol("fiberlet.refused");
let refused: unknown;
/** While a stackful fiber's thread is being started: the task that switched
 * to it and the host it ran on, to hand the error back if the start fails.
 * Module state, not locals: the starter's own stack must not hold its task
 * while it is suspended. Cleared by whichever host wakes next. */
let starter: Task | null = null;
let starterHost: Task | null = null;

/** Undoes the start of `task` after the addon refused it a thread, so it
 * stays startable, and makes the starter's host active again. */
function refusal(task: Task): FiberError {
  const { target, self, args } = launch!;
  launch = null;
  task.state = State.Unstarted;
  task.target = target;
  task.self = self;
  task.args = args;
  task.stores = null;
  task.inValue = undefined;
  const host = starterHost!;
  activeHost = host;
  activeHostId = host.id;
  arrive();
  const cause = refused;
  refused = undefined;
  return new FiberError(
    `could not start a stackful fiber: ${(cause as Error)?.message ?? cause}. Each started stackful ` +
      "fiber holds an OS thread: let suspended fibers end or drop them, give fibers a smaller stackSize, " +
      'or mark the code with "use fiber" so it runs stackless.',
    { cause },
  );
}

/** A stackful fiber leaving: its stores go with it (resource model). Not
 * inlined into drive, whose frame stays on the suspended fiber's stack: no
 * local there may hold the fiber's own task. */
function saveStores(): void {
  const stores = asyncSlot!.takeStores();
  const me = activeHost!;
  if (me.state !== State.Ended) me.stores = stores;
}

/**
 * The active host's stack runs again: after a hand-off woke it, when its
 * fiber's thread starts, or when a start it asked for was refused. Its
 * AsyncLocalStorage stores (resource model) go back on the slot. Reads the
 * host rather than taking it, so the callers' frames never hold their own
 * task.
 */
function arrive(): void {
  starter = null;
  starterHost = null;
  hostAsyncId = executionAsyncId();
  const me = activeHost!;
  if (asyncSlot !== null && me.kind === Kind.Stackful) {
    asyncSlot.putStores(me.stores);
    me.stores = null;
  }
}

/** The native host of a host task, spawning a stackful fiber's thread when
 * it is first needed. */
function hostOf(task: Task): Host {
  if (task.host) return task.host;
  const addon = nativeBackend().addon;
  if (!addon) throw new FiberError(`internal: host task without the native backend`);
  if (executionAsyncId() < 0) bindAsync(addon);
  if (task.kind === Kind.Main) return (task.host = addon.self());
  return (task.host = addon.spawn(runStackful, task.stackSize));
}

function bindAsync(addon: NativeAddon): void {
  const context = bindAsyncContext(addon);
  executionAsyncId = context.executionAsyncId;
  if (context.slot !== null) asyncSlot = context;
}

/** Hands the target and arguments to the thread about to start `task`,
 * which starts in its starter's async context. */
function prepareLaunch(task: Task): void {
  starter = current;
  starterHost = activeHost ?? getMain();
  task.state = State.Started;
  if (asyncSlot !== null) task.stores = asyncSlot.captureStores();
  launch = { target: task.target!, self: task.self, args: task.args! };
  task.target = null;
  task.self = undefined;
  task.args = null;
}

/**
 * The body of every stackful fiber's thread. It never references its task
 * while the target runs (the starter set it current and active); once the
 * target has returned, the task is the current one again.
 */
function runStackful(): Host {
  const { target, self, args } = launch!;
  launch = null;
  arrive();
  let out: unknown;
  let mode = 0;
  try {
    out = callTarget(target, self, args);
  } catch (e) {
    out = e;
    mode = 1;
  }
  return finishStackful(out, mode);
}

function finishStackful(out: unknown, mode: number): Host {
  const task = current!;
  finish(task);
  return drive(liveAncestor(task), out, mode, true) as Host;
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
  if (task.kind === Kind.Stackful) {
    task.host = null;
    task.stores = null;
  }
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
  if (isCurrent(to)) throw error;
  return transfer(to, error, 1, fromMarked);
}
