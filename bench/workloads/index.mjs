// The workloads, in report order. Each names its source per style (see
// peers/index.mjs), the peers it compares, the baseline its "×" column is
// relative to, and its size in the full and the --smoke run. Metrics come
// back from the child in ns (time) or bytes (heap, size); `unit` is only how
// the report prints them. size(smoke, peer) gives a call's arguments; a peer
// given other arguments than the baseline is checked against peers that got
// the same ones. Optional: `command(peer, spec, sample)` runs a child of
// the workload's own instead of the peer's; `prepare(peer, spec)` gives a
// child run once before the samples (no sample timeout); `repositoryBuild`
// says the workload uses the repository's dist/ rather than the run's
// snapshot of it.
import { fileURLToPath } from "node:url";

const COMPILE_MEASURE = fileURLToPath(new URL("./compile/measure.mjs", import.meta.url));
const LIBRARY_MEASURE = fileURLToPath(new URL("./libraries/measure.mjs", import.meta.url));

const time = (unit, label = "time") => ({ key: "time", label, unit });
const SWITCHING_PEERS = ["fiberlet", "generator", "regenerator", "async", "greenlet"];
const ROUND_TRIP = {
  fiber: "round-trip/fiber.mjs",
  generator: "round-trip/generator.mjs",
  async: "round-trip/async.mjs",
  python: "greenlet_peer.py",
};
const PRODUCER = {
  fiber: "producer/fiber.mjs",
  generator: "producer/generator.mjs",
  async: "producer/async.mjs",
  python: "greenlet_peer.py",
};

function noSwitch(id, source, label, [full, reduced]) {
  return {
    id,
    group: "1. No-switch overhead: marked (module-level directive) vs unmarked",
    label: (args) => label(args[0]),
    driver: "timed",
    entry: "run",
    sources: { fiber: `no-switch/${source}` },
    peers: ["plain", "fiberlet"],
    baseline: "plain",
    metrics: [time("ms", "per run")],
    size: (smoke) => ({ args: [smoke ? reduced : full], ops: 1 }),
  };
}

function roundTrip(depth, [full, reduced]) {
  return {
    id: `round-trip-${depth}`,
    group: "2. Switch round trip main -> fiber -> main, switching N marked frames deep",
    label: () => `depth ${depth}`,
    driver: "timed",
    entry: "roundTrips",
    sources: ROUND_TRIP,
    peers: ["fiberlet", "stackful", "generator", "regenerator", "async", "greenlet"],
    baseline: "generator",
    metrics: [time("ns", "per round trip")],
    // Stackful switches cost microseconds (an OS thread hand-off): fewer of them.
    size: (smoke, peer) => {
      const n = (smoke ? reduced : full) / (peer === "stackful" ? 50 : 1);
      return { args: [depth, n], ops: n };
    },
  };
}

function producer(id, entry, label, depth) {
  return {
    id,
    group: "3. Producer/consumer: a fiber switching values into a consuming loop",
    label: (args) => `${args[1]} values, ${label}`,
    driver: "timed",
    entry,
    sources: PRODUCER,
    peers: SWITCHING_PEERS,
    baseline: "generator",
    metrics: [time("ns", "per value")],
    size: (smoke) => {
      const n = smoke ? 1e3 : 1e5;
      return { args: [depth, n], ops: n };
    },
  };
}

// The compile child (compile/measure.mjs) on the module `input` describes.
function compileCommand(input, { compact = false } = {}) {
  return (peer, spec, sample) => ({
    command: process.execPath,
    args: [
      COMPILE_MEASURE,
      JSON.stringify({
        mode: peer.name,
        input,
        warmup: spec.warmup,
        reps: spec.reps,
        budgetMs: spec.budgetMs,
        // Sizes are deterministic: minify only in the first sample.
        minify: sample === 0,
        compact,
        plugin: peer.plugin,
      }),
    ],
  });
}

// A real library (libraries/workloads.mjs) compiled whole with a module-level
// directive and never switching, against the same library plain. Its
// compile cache is the library suite's, keyed by the repository's dist/
// (not the run's snapshot): the run checks that dist/ did not change.
function library(name, label, [full, reduced]) {
  const command = (peer, spec, extra) => ({
    command: process.execPath,
    args: [LIBRARY_MEASURE, JSON.stringify({ library: name, compiled: peer.name === "fiberlet", ...spec, ...extra })],
  });
  return {
    id: `lib-${name}`,
    group: "6. Real libraries compiled with a module-level directive, never switching",
    label: (args) => `${name}: ${label(args[0])}`,
    driver: "library",
    peers: ["plain", "fiberlet"],
    baseline: "plain",
    metrics: [time("ms", "per run"), { key: "size", label: "gzip", unit: "B" }],
    size: (smoke) => ({ args: [smoke ? reduced : full], ops: 1 }),
    repositoryBuild: true,
    // Compiling one of these takes up to minutes when the cache is cold: done
    // once, before the samples, so it counts against no sample's timeout.
    prepare: (peer, spec) => (peer.name === "fiberlet" ? command(peer, spec, { prepare: true }) : null),
    // Sizes are deterministic: gzip only in the first sample.
    command: (peer, spec, sample) => command(peer, spec, { size: sample === 0 }),
  };
}

// Functions that can suspend, nested `depth` deep (compile/nested.mjs).
function nesting(depth) {
  return {
    id: `nesting-${depth}`,
    group: "7. Nesting: functions that can suspend nested N deep, each level ~40 bytes (a call, then the next level)",
    label: () => `depth ${depth}`,
    driver: "compile",
    peers: ["babel", "fiberlet"],
    baseline: "babel",
    metrics: [time("ms", "transform"), { key: "size", label: "compact output", unit: "B" }],
    // The same depths in --smoke: the linearity target compares them, and
    // depth 9 compiles in a few seconds today.
    size: (smoke) => ({ args: [depth], reps: smoke ? 1 : 3, warmup: smoke ? 0 : 1, budgetMs: 10_000 }),
    command: compileCommand({ depth }, { compact: true }),
  };
}

export const workloads = [
  noSwitch("fib", "fib.mjs", (n) => `fib(${n})`, [30, 20]),
  noSwitch("call-loop", "call-loop.mjs", (n) => `call-heavy loop, ${n} iterations`, [3e6, 1e4]),
  noSwitch("richards", "richards.mjs", (n) => `Richards, ${n} runs`, [300, 2]),

  roundTrip(1, [1e6, 1e4]),
  roundTrip(10, [2e5, 1e4]),
  roundTrip(50, [5e4, 1e3]),

  producer("producer-3", "produceAt", "switched from depth 3", 3),
  producer("producer-fresh-10", "produceFresh", "fresh 10-frame descent each", 10),

  {
    id: "many-fibers",
    group: "4. Many suspended fibers: start each until its first switch (depth 3), then resume all",
    label: (args) => `${args[0]} suspended`,
    driver: "population",
    sources: { fiber: "many-fibers/fiber.mjs", generator: "many-fibers/generator.mjs" },
    peers: ["fiberlet", "generator"],
    baseline: "generator",
    metrics: [{ key: "create", label: "create+start", unit: "ns" }, { key: "resume", label: "resume", unit: "ns" }, { key: "heap", label: "heap", unit: "B" }],
    // One measured population per process: the samples are the processes.
    nodeFlags: ["--expose-gc", "--max-old-space-size=8192"],
    size: (smoke) => {
      const count = smoke ? 1e4 : 1e6;
      return { args: [count], warmupArgs: [Math.min(count, 1e4)], ops: count, reps: 1 };
    },
  },

  {
    id: "compile",
    group: "5. Compile: the plugin on a generated module with a module-level directive",
    label: (args) => `${args[0]}-line module`,
    driver: "compile",
    peers: ["babel", "fiberlet"],
    baseline: "babel",
    metrics: [time("ms", "transform"), { key: "size", label: "minified", unit: "B" }],
    size: (smoke) => ({ args: [smoke ? 1000 : 10000], reps: smoke ? 1 : 3, warmup: smoke ? 0 : 1, budgetMs: 10_000 }),
    command: (peer, spec, sample) => compileCommand({ lines: spec.args[0] })(peer, spec, sample),
  },

  library("acorn", (lines) => `parse a ${lines}-line module`, [10000, 300]),
  library("marked", (kb) => `${kb} KB of Markdown to HTML`, [256, 8]),
  library("js-yaml", (count) => `dump and load ${count} records`, [1000, 50]),
  library("lodash", (count) => `a report over ${count} records`, [5000, 100]),
  library("csv-parse", (rows) => `parse ${rows} CSV rows`, [10000, 200]),

  nesting(3),
  nesting(6),
  nesting(9),
];
