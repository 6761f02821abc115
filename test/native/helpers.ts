// Shared by the native tests: the addon (or why it is missing), a tiny
// coroutine driver over the primitive, and a runner for child processes.
import { spawnSync } from "node:child_process";
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

export const KiB = 1024;

/**
 * A coroutine over the primitive, like the scheduler would build: resume(v)
 * runs the body until it calls suspend(w) (resume returns w) or returns.
 * The host's stack only ever references the channel and the resumer's host,
 * never its own Host (the rule from docs/native.md).
 */
export interface Coroutine {
  host: Host;
  resume(value?: unknown): unknown;
  readonly done: boolean;
}

// The entry and suspend closures are made in functions whose scope does not
// contain the Host: V8 gives all closures of a scope one shared context, so a
// closure created next to `const host = ...` keeps the host reachable from
// its own stack, and an abandoned host could never be reclaimed.
type Channel = { value: unknown; caller: Host | undefined; done: boolean };

function makeSuspend(channel: Channel) {
  return (value?: unknown): unknown => {
    channel.value = value;
    const caller = channel.caller!;
    channel.caller = undefined;
    addon.handoff(caller);
    return channel.value;
  };
}

function makeEntry(
  channel: Channel,
  body: (suspend: (value?: unknown) => unknown, first: unknown) => unknown,
  suspend: (value?: unknown) => unknown,
) {
  return (): Host => {
    channel.value = body(suspend, channel.value);
    channel.done = true;
    const caller = channel.caller!;
    channel.caller = undefined;
    return caller;
  };
}

export function coroutine(
  body: (suspend: (value?: unknown) => unknown, first: unknown) => unknown,
  stackSize = 256 * KiB,
): Coroutine {
  const channel: Channel = { value: undefined, caller: undefined, done: false };
  const host = addon.spawn(makeEntry(channel, body, makeSuspend(channel)), stackSize);
  return {
    host,
    resume(value?: unknown) {
      if (channel.done) throw new Error("coroutine finished");
      channel.value = value;
      channel.caller = addon.running();
      addon.handoff(host);
      return channel.value;
    },
    get done() {
      return channel.done;
    },
  };
}

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
