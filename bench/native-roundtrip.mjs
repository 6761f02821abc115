// Costs of the native stackful-host primitive (native/): round trip
// main -> host -> main (idle machine, and with a busy process saturating a
// core), memory per suspended host and the full-GC pause with 10,000 hosts
// suspended.
//
//   node bench/native-roundtrip.mjs [--hosts 10000] [--no-busy]
//
// Loads native/ (or $FIBERLET_NATIVE_DIR). Prints a table; numbers vary with
// machine load, which is printed first.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { median } from "./lib/stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const addon = require("node-gyp-build")(process.env.FIBERLET_NATIVE_DIR || join(root, "native"));
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const argv = process.argv.slice(2);
const hostCount = Number(argv[argv.indexOf("--hosts") + 1] || 10_000) || 10_000;
const withBusy = !argv.includes("--no-busy");

const main = addon.self();
const KiB = 1024;

// Entry closures are made here, away from any variable holding their Host
// (see docs/native.md: a host's stack must not reference its own Host).
function pingPongEntry() {
  return () => {
    for (;;) addon.handoff(main);
  };
}
function parkEntry(i) {
  return () => {
    // Some stack and heap use, like a real fiber parked mid-work.
    const local = { i, items: [i, i + 1, i + 2] };
    const deeper = (n) => (n === 0 ? addon.handoff(main) : deeper(n - 1));
    deeper(20);
    return local.items.length ? main : main;
  };
}

/** Median over 15 runs of the mean round trip (us), and percentiles of
 * single round trips. */
function roundTrip() {
  const host = addon.spawn(pingPongEntry(), 256 * KiB);
  for (let i = 0; i < 20_000; i++) addon.handoff(host);
  const runs = [];
  for (let r = 0; r < 15; r++) {
    const n = 5_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) addon.handoff(host);
    runs.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  const single = new Float64Array(20_000);
  for (let i = 0; i < single.length; i++) {
    const t0 = process.hrtime.bigint();
    addon.handoff(host);
    single[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  single.sort();
  const q = (p) => single[Math.floor(p * (single.length - 1))];
  return { median: median(runs), p50: q(0.5), p99: q(0.99) };
}

async function withBusyProcess(fn) {
  const busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 300));
  try {
    return fn();
  } finally {
    busy.kill();
  }
}

function rss() {
  return process.memoryUsage().rss;
}

function fullGcMs() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    gc();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const fmt = (x, d = 1) => x.toFixed(d);
const rows = [];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${load}`);

const idle = roundTrip();
rows.push(["round trip main -> host -> main, idle", `median ${fmt(idle.median)} us (single: p50 ${fmt(idle.p50)}, p99 ${fmt(idle.p99)})`]);
if (withBusy) {
  const busy = await withBusyProcess(roundTrip);
  rows.push(["round trip with a busy process on one core", `median ${fmt(busy.median)} us (single: p50 ${fmt(busy.p50)}, p99 ${fmt(busy.p99)})`]);
}

gc();
const gcBefore = fullGcMs();
const rssBefore = rss();
const threadsBefore = readdirSync("/proc/self/task").length;
const parked = [];
const t0 = process.hrtime.bigint();
for (let i = 0; i < hostCount; i++) {
  const host = addon.spawn(parkEntry(i), 256 * KiB);
  addon.handoff(host);
  parked.push(host);
}
const createMs = Number(process.hrtime.bigint() - t0) / 1e6;
gc();
const rssAfter = rss();
const threadsAfter = readdirSync("/proc/self/task").length;
const gcAfter = fullGcMs();
rows.push([`create + start + suspend one host (${hostCount} in a row)`, `${fmt((createMs * 1000) / hostCount)} us`]);
rows.push([`RSS per suspended host (${hostCount}, 256 KiB stacks)`, `${fmt((rssAfter - rssBefore) / hostCount / 1024)} KiB`]);
rows.push(["threads", `${threadsBefore} -> ${threadsAfter}`]);
rows.push(["full GC pause", `${fmt(gcBefore)} ms with 0 hosts, ${fmt(gcAfter)} ms with ${hostCount} suspended`]);
const crowded = roundTrip();
rows.push([`round trip with ${hostCount} hosts suspended`, `median ${fmt(crowded.median)} us (single: p50 ${fmt(crowded.p50)}, p99 ${fmt(crowded.p99)})`]);

const width = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
process.exit(0);
