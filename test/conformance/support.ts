"use fiber";
/**
 * Shared helpers for the conformance suite ported from python-fibers
 * (saghul/python-fibers, tests/*.py).
 *
 * This module is loaded twice over: by the test files inside vitest, and by
 * the worker threads that startThread() spawns (through a Vite dev server
 * configured from vitest.config.ts, so it is compiled exactly as the tests
 * are). It must therefore not import vitest. Every function in it is marked ("use fiber"),
 * and code that runs inside fibers switches only from marked frames: loops
 * over genlets call next() explicitly instead of using for-of, because the
 * iteration protocol would call next() from unmarked (native) code.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, Worker, parentPort } from "node:worker_threads";
import type { ViteDevServer } from "vite";
import { Fiber, current } from "../../runtime/index.js";

// ---------------------------------------------------------------------------
// Python exception types the tests raise (JS has no built-in equivalents).

export class RuntimeError extends Error {
  override name = "RuntimeError";
}
export class ValueError extends Error {
  override name = "ValueError";
}
export class IndexError extends Error {
  override name = "IndexError";
}
export class KeyError extends Error {
  override name = "KeyError";
}

/** Runs `fn` and returns what it threw; fails if it returned normally. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to throw, but it returned normally");
}

/** Own enumerable string-keyed properties: the JS counterpart of a Python
 * instance's __dict__. */
export function ownProps(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o));
}

// ---------------------------------------------------------------------------
// test_generator.py: `genlet`, `Yield` and `generator`.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GenletBody = (...args: any[]) => void;

/** A fiber that is also an iterator: each next() switches into it until it
 * yields (switches back to its parent) or ends. Python passes
 * target=self.run; the JS API calls a subclass's run() when no target is
 * given, which is the same thing. */
export class Genlet extends Fiber {
  fn: GenletBody;
  args: unknown[];

  constructor(fn: GenletBody, args: unknown[]) {
    super();
    this.fn = fn;
    this.args = args;
  }

  run(): void {
    const fn = this.fn;
    fn(...this.args);
  }

  /** For for-of in the main fiber. A separate object because Fiber's own
   * throw() does not have the iterator protocol's throw() signature. */
  [Symbol.iterator](): Iterator<unknown> {
    return { next: () => this.next() };
  }

  next(): IteratorResult<unknown> {
    this.parent = current();
    const result = this.switch();
    if (this.isAlive()) return { done: false, value: result };
    return { done: true, value: undefined };
  }
}

/** test_generator.py's Yield: switches to the parent of the nearest genlet
 * enclosing the current fiber. */
export function genletYield(value: unknown): void {
  let g: Fiber | null = current();
  while (!(g instanceof Genlet)) {
    if (g === null) throw new RuntimeError("yield outside a genlet");
    g = g.parent;
  }
  g.parent!.switch(value);
}

/** test_generator.py's generator(func): a genlet class bound to func; calling
 * the result creates an instance, like calling the Python class. */
export function generator<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => Genlet {
  return (...args: A) => new Genlet(fn, args);
}

// ---------------------------------------------------------------------------
// test_generator_nested.py: its own `genlet` (with child links), `Yield(value,
// level)` and `Genlet(func)`.

export class NestedGenlet extends Fiber {
  fn: GenletBody;
  args: unknown[];
  child: NestedGenlet | null;

  constructor(fn: GenletBody, args: unknown[]) {
    super();
    this.fn = fn;
    this.args = args;
    this.child = null;
  }

  run(): void {
    const fn = this.fn;
    fn(...this.args);
  }

  [Symbol.iterator](): Iterator<unknown> {
    return { next: () => this.next() };
  }

  setChild(child: NestedGenlet): void {
    this.child = child;
  }

  next(): IteratorResult<unknown> {
    let result: unknown;
    if (this.child) {
      let child = this.child;
      while (child.child) {
        const tmp: NestedGenlet = child;
        child = child.child;
        tmp.child = null;
      }
      result = child.switch();
    } else {
      this.parent = current();
      result = this.switch();
    }
    if (this.isAlive()) return { done: false, value: result };
    return { done: true, value: undefined };
  }
}

/** test_generator_nested.py's Yield(value, level=1): yields `value` from the
 * genlet `level` levels up, recording the chain so the outer genlet's next()
 * resumes the innermost one. */
export function nestedYield(value: unknown, level = 1): void {
  let g: Fiber | null = current();
  while (level !== 0) {
    if (!(g instanceof NestedGenlet)) throw new RuntimeError("yield outside a genlet");
    if (level > 1) (g.parent as NestedGenlet).setChild(g);
    g = g.parent;
    level -= 1;
  }
  g!.switch(value);
}

export function nestedGenerator<A extends unknown[]>(
  fn: (...args: A) => void,
): (...args: A) => NestedGenlet {
  return (...args: A) => new NestedGenlet(fn, args);
}

// ---------------------------------------------------------------------------
// Garbage collection (weakref + gc.collect() -> WeakRef + global.gc()).

export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function collectGarbage(): void {
  if (typeof globalThis.gc !== "function") {
    throw new Error("global.gc is not exposed: run the tests with node --expose-gc (see vitest.config.ts)");
  }
  globalThis.gc();
}

/** Whether the target of `ref` gets collected. A WeakRef keeps its target
 * alive until the end of the job that created or dereferenced it, so let a
 * couple of macrotasks pass before each full GC. */
export async function collected(ref: WeakRef<object>, rounds = 10): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    await macrotask();
    await macrotask();
    collectGarbage();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/** Lets FinalizationRegistry callbacks run until `done()` or give up. */
export async function settleFinalizers(done: () => boolean, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) {
    await macrotask();
    collectGarbage();
    await macrotask();
  }
}

// ---------------------------------------------------------------------------
// Threads (threading.Thread -> worker_threads). Each worker has its own main
// fiber and fiber tree.

/** Blocks the calling thread (time.sleep). Inside a fiber it blocks that
 * fiber's thread without switching. */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** threading.Event over a SharedArrayBuffer slot: set(). */
export function signal(sab: SharedArrayBuffer, index: number): void {
  const cells = new Int32Array(sab);
  Atomics.store(cells, index, 1);
  Atomics.notify(cells, index);
}

/** threading.Event over a SharedArrayBuffer slot: wait(). Workers only (the
 * vitest thread must never block). */
export function waitSignal(sab: SharedArrayBuffer, index: number, timeoutMs = 30_000): void {
  const cells = new Int32Array(sab);
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(cells, index) === 0) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(cells, index, 0, left) === "timed-out") {
      throw new Error(`timed out waiting for signal ${index}`);
    }
  }
}

/** Sends a message from a worker scenario to the test (startThread's
 * nextMessage()). */
function post(value: unknown): void {
  parentPort!.postMessage({ type: "message", value });
}

/** Posts a fiber to the other thread if it can be cloned at all; a Fiber is
 * bound to its thread, so at best the other side gets a copy that is not a
 * fiber. */
function postFiber(fiber: Fiber): void {
  try {
    post({ fiber });
  } catch (e) {
    post({ uncloneable: (e as Error).name });
  }
}

/** Thread bodies of test_fibers.py, run in workers by startThread(). Their
 * return values are posted back (structured clone) as the thread's result. */
export const threadScenarios = {
  /** test_threads: the body of test_simple2, on this worker's main fiber. */
  simple2() {
    const lst: number[] = [];
    function f() {
      lst.push(1);
      current().parent!.switch();
      lst.push(3);
    }
    const main = current();
    const g = new Fiber(f);
    lst.push(0);
    g.switch();
    lst.push(2);
    g.switch();
    lst.push(4);
    return {
      lst,
      mainParentIsNull: main.parent === null,
      mainAlive: main.isAlive(),
      backOnMain: current() === main,
      gEnded: !g.isAlive(),
    };
  },

  /** test_thread_bug: runner(x): a fiber that sleeps x seconds. */
  sleepInFiber(ms: number) {
    const g = new Fiber(() => sleep(ms));
    g.switch();
    return { gEnded: !g.isAlive() };
  },

  /** test_switch_after_thread_of_prev_fiber_exited: thread1. Slot 0: my
   * fiber is running; slot 1: thread2's fiber1 is running. */
  prevThread1(sab: SharedArrayBuffer) {
    function fiber1() {
      signal(sab, 0);
      waitSignal(sab, 1);
    }
    const f11 = new Fiber(fiber1);
    f11.switch();
    return { f11Ended: !f11.isAlive() };
  },

  /** test_switch_after_thread_of_prev_fiber_exited: thread2. Slot 2: thread1
   * has exited (set by the test once the worker is gone). */
  prevThread2(sab: SharedArrayBuffer) {
    waitSignal(sab, 0);
    const f22 = new Fiber(fiber2);
    const f21 = new Fiber(fiber1);
    function fiber1() {
      signal(sab, 1);
      waitSignal(sab, 2);
      f22.switch();
    }
    function fiber2() {
      return "fiber2 done";
    }
    const result = f21.switch();
    return {
      result,
      f21Alive: f21.isAlive(),
      f22Alive: f22.isAlive(),
      onMain: current().parent === null,
    };
  },

  /** test_switch_to_another_thread / test_threaded_reparent: foo(). Creates a
   * fiber, hands it to the test, and stays alive until slot 0 is set. */
  createFiberAndWait(sab: SharedArrayBuffer) {
    const g = new Fiber(() => undefined);
    postFiber(g);
    waitSignal(sab, 0);
    return { gAlive: g.isAlive() };
  },

  /** test_throw_doesnt_crash: creator(). The fiber is suspended when the
   * thread ends; the test receives it as this thread's result. */
  suspendedFiber() {
    function worker() {
      current().parent!.switch();
    }
    const g = new Fiber(worker);
    g.switch();
    return g;
  },

  /** test_threaded_updatecurrent: fthread(). Uses current() and fibers on this
   * thread until slot 0 is set, while the main thread collects a fiber. */
  busyWithFibers(sab: SharedArrayBuffer) {
    const main = current();
    let rounds = 0;
    let alwaysOwnMain = true;
    post("running");
    while (Atomics.load(new Int32Array(sab), 0) === 0 && rounds < 100_000) {
      const g = new Fiber(() => current().parent!.switch(current()));
      const seen = g.switch();
      alwaysOwnMain = alwaysOwnMain && current() === main && seen === g && main.parent === null;
      rounds++;
      sleep(1);
    }
    return { rounds, alwaysOwnMain };
  },
};

export type ThreadScenario = keyof typeof threadScenarios;

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..", "..");

// Worker threads load this module through one Vite dev server per test
// process, configured from vitest.config.ts: the same TypeScript handling and
// "use fiber" compilation as the test files (honouring FIBERLET_COMPILE). The
// server transforms; each worker evaluates with its own Vite ModuleRunner,
// whose requests travel over a MessagePort (Vite's invoke transport), runs
// one scenario on its main fiber and posts the result.
const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  const { ModuleRunner, ESModulesEvaluator } = await import(workerData.moduleRunner);
  const port = workerData.port;
  const pending = new Map();
  let nextId = 0;
  port.on("message", ({ id, response }) => {
    pending.get(id)(response);
    pending.delete(id);
  });
  const invoke = (data) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      port.postMessage({ id, data });
    });
  const runner = new ModuleRunner({ transport: { invoke }, hmr: false }, new ESModulesEvaluator());
  try {
    const mod = await runner.import(workerData.module);
    const value = await mod.threadScenarios[workerData.scenario](...workerData.args);
    try {
      parentPort.postMessage({ type: "result", value });
    } catch (e) {
      parentPort.postMessage({ type: "result", uncloneable: String(e && e.name) });
    }
  } finally {
    port.close();
  }
})().catch((e) => {
  parentPort.postMessage({ type: "error", error: String((e && e.stack) || e) });
});
`;

let server: Promise<ViteDevServer> | undefined;

function threadServer(): Promise<ViteDevServer> {
  server ??= import("vite").then(({ createServer }) =>
    createServer({
      configFile: join(root, "vitest.config.ts"),
      root,
      logLevel: "silent",
      appType: "custom",
      server: { middlewareMode: true, hmr: false, ws: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    }),
  );
  return server;
}

/** Closes the Vite server that startThread() started, if any. */
export async function closeThreads(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await (await s).close();
}

/** Answers one module-runner request of a worker. */
async function serveInvoke(data: unknown): Promise<unknown> {
  try {
    const s = await threadServer();
    const response = await s.environments.ssr.hot.handleInvoke(data as never);
    // Errors carry arbitrary properties; keep what survives a clone.
    return "error" in response ? { error: JSON.parse(JSON.stringify(response.error)) } : response;
  } catch (e) {
    return { error: { name: (e as Error).name, message: String((e as Error).message), stack: (e as Error).stack } };
  }
}

export interface ThreadResult<T> {
  /** The scenario's return value, if it could be cloned. */
  value?: T;
  /** The name of the error (DataCloneError) if it could not. */
  uncloneable?: string;
}

export interface Thread<T> {
  /** The next value the scenario posted. */
  nextMessage(): Promise<unknown>;
  /** threading.Thread.join(): waits for the worker to exit; rejects if the
   * scenario threw or the worker died. */
  join(): Promise<ThreadResult<T>>;
}

/** threading.Thread(target=...).start() for one of threadScenarios. */
export function startThread<K extends ThreadScenario>(
  scenario: K,
  args: Parameters<(typeof threadScenarios)[K]> = [] as never,
): Thread<ReturnType<(typeof threadScenarios)[K]>> {
  const { port1, port2 } = new MessageChannel();
  port1.on("message", ({ id, data }: { id: number; data: unknown }) => {
    void serveInvoke(data).then((response) => port1.postMessage({ id, response }));
  });
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      moduleRunner: pathToFileURL(join(dirname(createRequire(here).resolve("vite")), "module-runner.js")).href,
      port: port2,
      module: "/" + here.slice(root.length + 1).split("\\").join("/"),
      scenario,
      args,
    },
    transferList: [port2],
  });
  const inbox: unknown[] = [];
  const waiting: { resolve(v: unknown): void; reject(e: Error): void }[] = [];
  let result: ThreadResult<ReturnType<(typeof threadScenarios)[K]>> | undefined;
  let failure: Error | undefined;
  worker.on("message", (m: { type: string; value?: unknown; uncloneable?: string; error?: string }) => {
    if (m.type === "message") {
      const w = waiting.shift();
      if (w) w.resolve(m.value);
      else inbox.push(m.value);
    } else if (m.type === "result") {
      result = "uncloneable" in m ? { uncloneable: m.uncloneable } : { value: m.value as never };
    } else {
      failure = new Error(`thread scenario ${scenario} failed: ${m.error}`);
    }
  });
  const exited = new Promise<number>((resolve) => {
    worker.on("error", (e) => {
      failure ??= e;
    });
    worker.on("exit", (code) => {
      port1.close();
      const why = failure ?? new Error(`thread ${scenario} exited (code ${code}) without posting`);
      for (const w of waiting.splice(0)) w.reject(why);
      resolve(code);
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    nextMessage() {
      if (inbox.length > 0) return Promise.resolve(inbox.shift());
      if (gone) return Promise.reject(failure ?? new Error(`thread ${scenario} has exited`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    async join() {
      const code = await exited;
      if (failure) throw failure;
      if (code !== 0) throw new Error(`thread ${scenario} exited with code ${code}`);
      if (!result) throw new Error(`thread ${scenario} exited without a result`);
      return result;
    },
  };
}
