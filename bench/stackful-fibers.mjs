// Round trips of stackful fibers through the public Fiber API, against the
// native primitive's own hand-off measured in the same run: main <-> fiber
// and fiber <-> fiber, each with no AsyncLocalStorage store and with one
// active (the scheduler moves stores on every switch on Node 20 and 22:
// runtime/async-context.ts).
//
//   npm run build && node bench/stackful-fibers.mjs [--rounds 15] [--n 5000]
//
// Prints a table and one JSON line. Medians over rounds of the mean round
// trip in microseconds; the machine's load is printed first.
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib/stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const { Fiber, current } = require(join(root, "dist/cjs/runtime/index.js"));
const addon = require("node-gyp-build")(join(root, "native"));

const argv = process.argv.slice(2);
const option = (name, fallback) => Number(argv[argv.indexOf(name) + 1] || fallback) || fallback;
const rounds = option("--rounds", 15);
const n = option("--n", 5000);

/** Median over rounds of the mean time of `step` (us), after a warm-up. */
function measure(step) {
  for (let i = 0; i < n; i++) step();
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) step();
    runs.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  return median(runs);
}

// Closures made away from any variable holding their own host or fiber.
function echoEntry(main) {
  return () => {
    for (;;) addon.handoff(main);
  };
}

function primitive() {
  const main = addon.self();
  const host = addon.spawn(echoEntry(main), 256 * 1024);
  return measure(() => addon.handoff(host));
}

function mainToFiber() {
  const main = current();
  const f = new Fiber(() => {
    for (;;) main.switch();
  });
  return measure(() => f.switch());
}

/** A driver fiber bounces off an echo fiber `n` times per step call; the
 * step is one switch into the driver and back. */
function fiberToFiber() {
  const main = current();
  let echo = null;
  const driver = new Fiber(() => {
    for (;;) {
      for (let i = 0; i < 100; i++) echo.switch();
      main.switch();
    }
  });
  echo = new Fiber(() => {
    for (;;) driver.switch();
  });
  // 100 fiber <-> fiber round trips plus one main <-> fiber round trip.
  const perStep = measure(() => driver.switch());
  return perStep / 100;
}

const als = new AsyncLocalStorage();
const row = (name, fn) => [name, fn(), als.run({ request: 1 }, fn)];
const rows = [
  ["primitive handoff (baseline)", primitive(), als.run({ request: 1 }, primitive)],
  row("main <-> stackful fiber", mainToFiber),
  row("stackful fiber <-> stackful fiber", fiberToFiber),
];

const base = rows[0][1];
console.log(`Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`${"round trip".padEnd(36)}${"no ALS".padStart(10)}${"ALS store".padStart(12)}${"/ baseline".padStart(12)}`);
for (const [name, plain, withStore] of rows) {
  console.log(
    `${name.padEnd(36)}${(plain.toFixed(2) + " us").padStart(10)}${(withStore.toFixed(2) + " us").padStart(12)}` +
      `${(plain / base).toFixed(2).padStart(12)}`,
  );
}
console.log(JSON.stringify({ node: process.version, rows: rows.map(([name, plain, withStore]) => ({ name, plain, withStore })) }));
process.exit(0); // the echo fibers stay suspended
