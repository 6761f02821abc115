// The workloads, in report order. Each names its source per style (see
// peers/index.mjs), the peers it compares, the baseline its "×" column is
// relative to, and its size in the full and the --smoke run. Metrics come
// back from the child in ns (time) or bytes (heap, size); `unit` is only how
// the report prints them. size(smoke, peer) gives a call's arguments; a peer
// given other arguments than the baseline is checked against peers that got
// the same ones.
import { fileURLToPath } from "node:url";

const COMPILE_MEASURE = fileURLToPath(new URL("./compile/measure.mjs", import.meta.url));

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
    // Sizes are deterministic: minify only in the first sample.
    command: (peer, spec, sample) => ({
      command: process.execPath,
      args: [
        COMPILE_MEASURE,
        JSON.stringify({
          mode: peer.name,
          lines: spec.args[0],
          warmup: spec.warmup,
          reps: spec.reps,
          budgetMs: spec.budgetMs,
          minify: sample === 0,
          plugin: peer.plugin,
        }),
      ],
    }),
  },
];
