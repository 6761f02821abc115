// Shared by the native tests: the addon (or why it is missing), a tiny
// coroutine driver over the primitive, and a runner for child processes.
import { AsyncLocalStorage } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";
import { loadNativeAddon, type Host, type NativeAddon } from "../../runtime/native/addon";

const loaded = loadNativeAddon();
export const addon = loaded.addon as NativeAddon;

// CI must exercise the native backend: there a missing build is a failure.
const mustHaveAddon = process.env.FIBERLET_REQUIRE_NATIVE === "1" || !!process.env.CI;
if (!loaded.addon && mustHaveAddon) throw new Error(loaded.error);

/** `describe` that is skipped, with the loader's reason in its name, when
 * the addon is not built. */
export function describeNative(name: string, body: () => void): void {
  if (loaded.addon) describe(name, body);
  else describe.skip(`${name} [skipped: ${loaded.error}]`, body);
}

/** Node >= 24 (or 22 with --experimental-async-context-frame): the ALS
 * context is V8's continuation-preserved embedder data, which the addon
 * exposes as get/setAsyncContextFrame. Otherwise (Node 20, 22) ALS stores
 * live on the current async resource. */
export function usesAsyncContextFrame(): boolean {
  const probe = new AsyncLocalStorage<string>();
  try {
    return probe.run("probe", () => addon.getAsyncContextFrame()) !== addon.getAsyncContextFrame();
  } finally {
    probe.disable();
  }
}

export const KiB = 1024;

/** A coroutine over the primitive (fixtures/coroutine.cjs): resume(v) runs
 * the body until it calls suspend(w) (resume returns w) or returns. */
export interface Coroutine {
  host: Host;
  resume(value?: unknown): unknown;
  readonly done: boolean;
}

const { coroutineDriver } = createRequire(import.meta.url)("./fixtures/coroutine.cjs") as {
  coroutineDriver(addon: NativeAddon): (
    body: (suspend: (value?: unknown) => unknown, first: unknown) => unknown,
    stackSize?: number,
  ) => Coroutine;
};
export const coroutine = coroutineDriver(addon);

const here = dirname(fileURLToPath(import.meta.url));
export const fixtures = join(here, "fixtures");

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs test/native/fixtures/<name> with this Node and the given flags. */
export function runFixture(name: string, flags: string[] = [], args: string[] = [], timeout = 60_000): ChildResult {
  const r = spawnSync(process.execPath, [...flags, join(fixtures, name), ...args], {
    encoding: "utf8",
    timeout,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Last line of stdout parsed as JSON (fixtures report results that way). */
export function report<T = Record<string, unknown>>(r: ChildResult): T {
  const lines = r.stdout.trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(`fixture printed no JSON report (status ${r.status}, signal ${r.signal})\n${r.stdout}\n${r.stderr}`);
  }
}
