/** The public Fiber API (python-fibers semantics). Control flow lives in
 * scheduler.ts; this file validates arguments and owns the object model. */
import { FiberError } from "./errors.js";
import { wantsStack } from "./backend.js";
import { FM, R } from "./protocol.js";
import {
  Kind,
  State,
  getCurrent,
  isCurrent,
  newTask,
  setMainWrapper,
  throwUnstarted,
  transfer,
  type Task,
} from "./scheduler.js";

/** `new Fiber({ target, args, parent, stackSize })`: the keyword form of the
 * constructor (python-fibers' `Fiber(target=..., args=..., parent=...)`). */
export interface FiberOptions<Args extends unknown[] = any[], Result = unknown> {
  target?: (...args: Args) => Result;
  args?: Args;
  parent?: AnyFiber;
  /** Stackful fibers: stack size in bytes (default 1 MiB). */
  stackSize?: number;
}

/** A fiber of any signature (a parent, the current fiber). */
export type AnyFiber = Fiber<any[], unknown>;

const OPTION_KEYS = ["target", "args", "parent", "stackSize"];

/** How a fiber runs: the main fiber of a thread, marked code whose frames
 * are saved as records, or a native stack of its own. */
export type FiberKind = "main" | "stackless" | "stackful";

/** Reads the task of a Fiber; assigned inside the class (private access). */
let taskOf: (fiber: unknown, what: string) => Task;
/** The task of `this` in a Fiber method; a TypeError for a detached call. */
let own: (self: unknown, method: string) => Task;
/** The TypeError for a Fiber method called on something else. */
let detached: (self: unknown, method: string) => TypeError;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "function") return `function ${v.name || "(anonymous)"}`;
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v)})`;
  return `${typeof v} ${String(v)}`;
}

function checkParent(task: Task | null, parent: Task): void {
  if (parent.state === State.Ended) {
    throw new FiberError("parent must not have ended: choose a fiber that is still alive");
  }
  for (let p: Task | null = parent; p !== null; p = p.parent) {
    if (p === task) throw new FiberError("cyclic parent chain: a fiber cannot be its own ancestor");
  }
}

/** Set while the main fiber's public object is being created for it. */
let adopting: Task | null = null;

/** Unknown keys of an options object: a typo (`stacksize`) would otherwise
 * be silently ignored. */
function checkOptionKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.includes(key)) continue;
    const near = OPTION_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new TypeError(
      `Fiber options: unknown key ${JSON.stringify(key)}${near ? ` (did you mean "${near}"?)` : ""}; ` +
        `the accepted keys are ${OPTION_KEYS.join(", ")}`,
    );
  }
}

/**
 * A fiber whose target takes `Args` and returns `Result`. `switch` and
 * `throw` return whatever the next transfer to the *calling* fiber brings,
 * which no type can follow: their type argument (default `unknown`) states
 * what the caller expects, e.g. `f.switch<number>()`.
 */
export class Fiber<Args extends unknown[] = any[], Result = unknown> {
  readonly #task: Task;

  /** `target(...args)` runs on the first switch; `parent` defaults to the
   * current fiber. */
  constructor(target?: (...args: Args) => Result, args?: Args, parent?: AnyFiber);
  constructor(options: FiberOptions<Args, Result>);
  constructor(targetOrOptions?: ((...args: Args) => Result) | FiberOptions<Args, Result>, argsIn?: Args, parentIn?: AnyFiber) {
    if (adopting !== null) {
      this.#task = adopting;
      return;
    }
    let target: unknown = targetOrOptions;
    let args: unknown = argsIn;
    let parent: unknown = parentIn;
    let stackSize: unknown;
    if (typeof targetOrOptions === "object" && targetOrOptions !== null) {
      if (argsIn !== undefined || parentIn !== undefined) {
        throw new TypeError(
          "new Fiber(options, ...): with an options object, pass everything in it: " +
            "new Fiber({ target, args: [...], parent }) (the arguments after it would be ignored)",
        );
      }
      if (Array.isArray(targetOrOptions) || targetOrOptions instanceof Fiber) {
        throw new TypeError(
          `new Fiber(target, args, parent) takes a function or an options object { ${OPTION_KEYS.join(", ")} } ` +
            `first, got ${describe(targetOrOptions)}`,
        );
      }
      checkOptionKeys(targetOrOptions);
      ({ target, args, parent, stackSize } = targetOrOptions as FiberOptions);
    }
    if (stackSize !== undefined && (typeof stackSize !== "number" || !(stackSize >= 128 * 1024 && stackSize <= 1024 ** 3))) {
      throw new TypeError(`Fiber stackSize must be a number of bytes from 131072 (128 KiB) to 1073741824 (1 GiB), got ${describe(stackSize)}`);
    }
    if (target !== undefined && target !== null && typeof target !== "function") {
      throw new TypeError(`Fiber target must be a function, got ${describe(target)}`);
    }
    if (args !== undefined && args !== null && !Array.isArray(args)) {
      throw new TypeError(`Fiber args must be an array of arguments, got ${describe(args)}`);
    }
    let self: unknown = undefined;
    if (target == null && typeof (this as { run?: unknown }).run === "function") {
      // A subclass with a run() method: early-bound like a target.
      target = (this as unknown as { run: Function }).run;
      self = this;
    }
    const parentTask = parent == null ? getCurrent() : taskOf(parent, "Fiber parent");
    const fn = (target as Function | null | undefined) ?? null;
    const task = newTask(
      wantsStack(fn) ? Kind.Stackful : Kind.Stackless,
      fn ?? noTarget,
      self,
      args == null ? [] : [...(args as unknown[])],
      null,
    );
    checkParent(task, parentTask);
    task.parent = parentTask;
    if (typeof stackSize === "number") task.stackSize = stackSize;
    task.fiber = this;
    this.#task = task;
  }

  static {
    taskOf = (fiber, what) => {
      if (typeof fiber !== "object" || fiber === null || !(#task in fiber)) {
        throw new TypeError(`${what} must be a Fiber, got ${describe(fiber)}`);
      }
      return (fiber as Fiber).#task;
    };
    own = (self, method) => {
      try {
        return (self as Fiber).#task;
      } catch {
        throw detached(self, method);
      }
    };
    detached = (self, method) => {
      const call = method.endsWith(")") ? method : null;
      const name = call ? method.slice(0, method.indexOf("(")) : method;
      return new TypeError(
        call
          ? `Fiber.prototype.${name} must be called on a Fiber (fiber.${call}), got ${describe(self)} as this: ` +
              `a method taken off its fiber (const s = fiber.${name}; s()) loses it; ` +
              `call it on the fiber, or bind it (fiber.${name}.bind(fiber))`
          : `Fiber.prototype.${name} must be read from a Fiber (fiber.${name}), got ${describe(self)} as this`,
      );
    };
  }

  /** Suspends the current fiber and runs this one; returns the value (or
   * raises the exception) the current fiber is later resumed with. */
  switch<Received = unknown>(value?: unknown): Received {
    const fromMarked = R.m;
    R.m = 0; // consumed before anything can throw, see docs/protocol.md
    let task: Task;
    try {
      task = this.#task; // the private read is the brand check
    } catch {
      throw detached(this, "switch(value)");
    }
    checkTarget(task, "switch to");
    if (task.state === State.Unstarted && value !== undefined) {
      throw new FiberError(
        "cannot specify a value when the Fiber wasn't started: start it with switch() and no argument",
      );
    }
    return transfer(task, value, 0, fromMarked) as Received;
  }

  /** Resumes this fiber by raising `error` at its pending switch. */
  throw<Received = unknown>(error?: unknown): Received {
    const fromMarked = R.m;
    R.m = 0;
    let task: Task;
    try {
      task = this.#task;
    } catch {
      throw detached(this, "throw(error)");
    }
    checkTarget(task, "throw to");
    if (task.state === State.Unstarted) return throwUnstarted(task, error, fromMarked) as Received;
    return transfer(task, error, 1, fromMarked) as Received;
  }

  /** "main", "stackless" (marked target) or "stackful" (own stack). */
  get kind(): FiberKind {
    const kind = own(this, "kind").kind;
    return kind === Kind.Main ? "main" : kind === Kind.Stackful ? "stackful" : "stackless";
  }

  isAlive(): boolean {
    return own(this, "isAlive()").state !== State.Ended;
  }

  get parent(): AnyFiber | null {
    const p = own(this, "parent").parent;
    return p === null ? null : (p.fiber as AnyFiber);
  }

  set parent(value: AnyFiber) {
    const task = own(this, "parent");
    if (task.kind === Kind.Main) throw new FiberError("the main fiber cannot have a parent");
    const parent = taskOf(value, "Fiber parent");
    checkParent(task, parent);
    task.parent = parent;
  }

  static current(): AnyFiber {
    return getCurrent().fiber as AnyFiber;
  }
}

function noTarget(): void {}

function checkTarget(task: Task, verb: string): void {
  if (task.state === State.Ended) {
    throw new FiberError(`cannot ${verb} a Fiber that has ended: check isAlive() first`);
  }
  if (isCurrent(task)) {
    throw new FiberError(`cannot ${verb} the current Fiber (a fiber cannot switch to itself)`);
  }
}

// switch() and throw() are entered from marked call sites like marked
// functions are, so their brand lets those call sites skip nothing special.
for (const name of ["switch", "throw"] as const) {
  (Fiber.prototype[name] as unknown as { [FM]: boolean })[FM] = true;
}

setMainWrapper((task) => {
  adopting = task;
  try {
    return new Fiber();
  } finally {
    adopting = null;
  }
});

/** The running fiber (the main fiber of this thread outside any fiber). */
export function current(): AnyFiber {
  return Fiber.current();
}
