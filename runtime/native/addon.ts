/**
 * Loader for the native stackful-host addon (native/src). It never throws:
 * it returns `{ addon }`, or `{ error }` saying why the native backend is
 * unavailable and how to fix it, so the runtime can fall back to the
 * stackless backend with a useful message.
 *
 * The addon is a small primitive: it moves the isolate between stacks and
 * knows nothing of fibers. The contract the scheduler must keep (no strong
 * self-references on a host's stack, what happens on termination and on
 * exceptions) is in docs/native.md.
 */
import type * as Fs from "node:fs";
import type * as NodeModule from "node:module";
import type * as Path from "node:path";
import type * as Url from "node:url";
import { LOCATION } from "../registry.js";
import { BUNDLED_ADDON } from "./bundled.js";
import { locateAddon, mismatch, type Located } from "./locate.js";

// Node's builtins are fetched when the addon is loaded, not imported: the
// runtime is bundled for browsers too, where this code never runs.
function builtin<T>(name: string): T {
  return (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(name);
}

declare const hostBrand: unique symbol;

/** Opaque handle for one stackful host: an OS thread of the addon, or the
 * main stack of a JS thread (Node's main thread or a Worker's thread). */
export interface Host {
  readonly [hostBrand]: true;
}

export interface NativeStats {
  /** Live hosts of this JS thread (including its own root host). */
  hosts: number;
  /** Hosts parked in a switch. */
  suspended: number;
  /** Hosts reclaimed after their Host object was garbage-collected. */
  reclaimed: number;
  /** Pool threads alive in the process (running or idle). */
  threads: number;
  /** Pool threads waiting for a host. */
  idleThreads: number;
  /** Current spin budget of this JS thread's own wait, in nanoseconds. */
  spinBudgetNs: number;
  /** Waits of this JS thread's own stack, how many spun first, how many of
   * those were woken while spinning, and how many were descheduled while
   * spinning (which turns spinning off process-wide for a while). */
  parks: number;
  spins: number;
  spinsCaught: number;
  spinsPreempted: number;
}

export interface NativeAddon {
  /**
   * A new stackful host whose thread (from a pool of idle threads; created
   * when the pool is empty) has a stack of `stackSize` bytes (128 KiB to
   * 1 GiB, rounded up to pages). It does nothing until first handed control;
   * then it runs `entry()` on that thread, in the context that called spawn,
   * with V8's stack limit set for that thread (deep recursion is a
   * RangeError). `entry` must return the Host to hand control to when it
   * finishes; the thread then returns to the pool.
   *
   * Neither `entry` nor anything left on the host's stack while it is
   * suspended may hold a strong reference to this Host (use a WeakRef):
   * a suspended stack is a GC root, so a self-reference keeps an abandoned
   * host (and its thread) alive forever.
   */
  spawn(entry: () => Host, stackSize: number): Host;
  /** The host of the calling JS thread's own stack. */
  self(): Host;
  /** The host currently running JavaScript. */
  running(): Host;
  /**
   * Suspends the running host and runs `to` (starts it if new, wakes it if
   * suspended). Returns when some host hands control back to the caller's
   * host. Throws if `to` has finished or is the running host. Rethrows an
   * exception that escaped a fiber's `entry` on the host that last handed
   * control to that fiber (or on the root host if that one is gone).
   */
  handoff(to: Host): void;
  /** V8's continuation-preserved embedder data: the AsyncLocalStorage
   * context on Node >= 24 (AsyncContextFrame). See docs/native.md. */
  getAsyncContextFrame(): unknown;
  setAsyncContextFrame(frame: unknown): void;
  stats(): NativeStats;
}

export type NativeLoad = { addon: NativeAddon; error?: undefined } | { addon?: undefined; error: string };

const REBUILD_HINT =
  "Fix: run `npm rebuild fiberlet` with this Node.js (it compiles the addon: python3, make and a C++ " +
  "compiler, g++ or clang++).";

let loaded: NativeLoad | undefined;

/** Loads the addon once per JS thread; never throws. */
export function loadNativeAddon(): NativeLoad {
  if (!loaded) loaded = load();
  return loaded;
}

function unavailable(reason: string): NativeLoad {
  return { error: `fiberlet: the native stackful backend is unavailable: ${reason}` };
}

function load(): NativeLoad {
  if (typeof process !== "object" || typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule !== "function") {
    return unavailable("it needs Node.js 20.16 or later.");
  }
  const versions = process.versions as Record<string, string | undefined>;
  if (typeof versions.node !== "string" || versions.bun || versions.deno) {
    return unavailable("it needs Node.js (it drives V8's Locker API from C++).");
  }
  if (Number(versions.node.split(".")[0]) < 20) {
    return unavailable(`it needs Node.js 20 or later (this is ${versions.node}).`);
  }
  if (process.platform !== "linux" && process.platform !== "darwin") {
    return unavailable(`it supports Linux and macOS, not ${process.platform}.`);
  }
  const { join } = builtin<typeof Path>("node:path");
  const { createRequire } = builtin<typeof NodeModule>("node:module");
  const firstLine = (err: unknown) => (err instanceof Error ? err.message.trim().split("\n")[0] : String(err));
  let addon: unknown;
  let where: string;
  // FIBERLET_NATIVE_DIR: load a build made elsewhere (scripts/native-matrix.sh).
  if (BUNDLED_ADDON !== undefined && !process.env.FIBERLET_NATIVE_DIR) {
    const { fileURLToPath } = builtin<typeof Url>("node:url");
    where = BUNDLED_ADDON.startsWith("file:") ? fileURLToPath(BUNDLED_ADDON) : BUNDLED_ADDON;
    const reason = mismatch(where);
    if (reason) return unavailable(`${reason} Build the bundle with the Node.js it runs on.`);
    try {
      addon = createRequire(where)(where);
    } catch (err) {
      return unavailable(`the addon this bundle carries (${where}) does not load (${firstLine(err)}); build the bundle on the platform it runs on.`);
    }
  } else {
    const root = packageRoot();
    if (!root) {
      return unavailable(`could not locate the fiberlet package directory above ${LOCATION ?? "(unknown location)"}.`);
    }
    where = process.env.FIBERLET_NATIVE_DIR || join(root, "native");
    let located: Located;
    try {
      const nodeGypBuild = createRequire(join(root, "package.json"))("node-gyp-build") as { path(dir: string): string };
      located = locateAddon(where, nodeGypBuild);
    } catch (err) {
      return unavailable(`could not look for the addon in ${where} (${firstLine(err)}). ${REBUILD_HINT}`);
    }
    if (located.error !== undefined) return unavailable(located.error);
    try {
      addon = createRequire(join(root, "package.json"))(located.file);
    } catch (err) {
      return unavailable(`${located.file} does not load (${firstLine(err)}). ${REBUILD_HINT}`);
    }
    where = located.file;
  }
  const a = addon as Partial<NativeAddon>;
  for (const name of ["spawn", "self", "running", "handoff"] as const) {
    if (typeof a[name] !== "function") {
      return unavailable(`the build in ${where} is incomplete (no ${name}()). ${REBUILD_HINT}`);
    }
  }
  return { addon: a as NativeAddon };
}

/**
 * The directory holding this copy's package.json: found upwards from the file
 * this copy was loaded from (runtime/native in the source tree,
 * dist/{cjs,esm}/runtime when built), never from the working directory, so
 * each installed copy loads its own build. When the runtime was bundled into
 * an application file, the fiberlet package that file resolves.
 */
function packageRoot(): string | undefined {
  const { dirname, resolve } = builtin<typeof Path>("node:path");
  const { fileURLToPath } = builtin<typeof Url>("node:url");
  const { createRequire } = builtin<typeof NodeModule>("node:module");
  if (LOCATION === undefined) return undefined;
  // A relative path: a module runner's id (Vitest's workers), from the cwd.
  const file = resolve(LOCATION.startsWith("file:") ? fileURLToPath(LOCATION) : LOCATION);
  for (let dir: string | undefined = dirname(file); dir; ) {
    if (isFiberletRoot(dir)) return dir;
    const up = dirname(dir);
    dir = up === dir ? undefined : up;
  }
  try {
    const dir = dirname(createRequire(file).resolve("fiberlet/package.json"));
    return isFiberletRoot(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function isFiberletRoot(dir: string): boolean {
  const { existsSync, readFileSync } = builtin<typeof Fs>("node:fs");
  const { join } = builtin<typeof Path>("node:path");
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
    return pkg.name === "fiberlet" && existsSync(join(dir, "native", "binding.gyp"));
  } catch {
    return false;
  }
}
