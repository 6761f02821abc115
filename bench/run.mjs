#!/usr/bin/env node
// `npm run bench`: measures every workload on every peer that applies, each
// sample in a fresh process, and prints a table, the targets, and one JSON
// object (last line of stdout). Progress goes to stderr.
//
//   node bench/run.mjs [--smoke] [--strict] [--samples N] [--only ID] [--keep-temp]
//
//   --smoke      small sizes, one sample: well under a minute, for CI
//   --strict     fiberlet and stackful failures fail the run too (they are reported but
//                tolerated by default while the plugin is being written)
//   --samples N  processes per cell (default 5; medians across them)
//   --only ID    only workload ID, or the IDs starting with "ID-" (repeatable):
//                fib, call-loop, richards, round-trip[-1|-10|-50],
//                producer[-3|-fresh-10], many-fibers, compile,
//                lib[-acorn|-marked|-js-yaml|-lodash|-csv-parse], nesting[-3|-6|-9]
//   --keep-temp  keep the temp dir with the prepared and compiled modules
//
// Exit status: 1 if a peer or workload crashed (greenlet missing is a skip,
// not a crash; fiberlet and stackful failures count only with --strict).
// Missed targets never change the exit status: they are reported.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runChild } from "./lib/child.mjs";
import { formatResults, formatTargets } from "./lib/report.mjs";
import { summarize } from "./lib/stats.mjs";
import { Workspace } from "./lib/workspace.mjs";
import { createPeers } from "./peers/index.mjs";
import { evaluateTargets } from "./targets.mjs";
import { workloads } from "./workloads/index.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const { values: flags } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    samples: { type: "string" },
    only: { type: "string", multiple: true },
    "keep-temp": { type: "boolean", default: false },
  },
});
const smoke = flags.smoke;
const samples = flags.samples ? Number(flags.samples) : smoke ? 1 : 5;
if (!Number.isInteger(samples) || samples < 1) throw new Error(`--samples: expected a positive integer, got ${flags.samples}`);
const childTimeoutMs = smoke ? 60_000 : 300_000;
// A workload's one-time preparation (compiling a real library with a cold
// cache takes minutes) has no sample to keep short.
const prepareTimeoutMs = 30 * 60_000;
const measuring = {
  warmup: 1,
  warmupMs: smoke ? 0 : 500,
  reps: smoke ? 1 : 3,
};

const progress = (text) => process.stderr.write(`${text}\n`);

// One cell = one workload on one peer: prepared once, then measured in
// `samples` fresh processes.
function planCells(selected, peers, workspace) {
  return selected.flatMap((workload) =>
    workload.peers.map((name) => {
      const peer = peers.get(name);
      const size = workload.size(smoke, name);
      const cell = {
        workload: workload.id,
        label: workload.label(size.args),
        peer: name,
        args: size.args,
        lenient: peer.lenient,
        status: "pending",
        runs: [],
      };
      const skip = peer.unavailable();
      if (skip) return { ...cell, status: "skipped", skip };
      const spec = { driver: workload.driver, entry: workload.entry, ...measuring, ...size };
      if (workload.sources) {
        const relative = workload.sources[peer.style];
        if (!relative) return { ...cell, status: "skipped", skip: `no ${peer.style} source for this workload` };
        try {
          spec.file = peer.prepare(workspace, relative);
        } catch (error) {
          return { ...cell, status: "failed", error: `preparing: ${String(error.message).split("\n")[0]}` };
        }
      }
      const command = (sample) =>
        workload.command ? workload.command(peer, spec, sample) : peer.command(spec, workload.nodeFlags);
      return { ...cell, command, prepare: workload.prepare?.(peer, spec) ?? null, repositoryBuild: !!workload.repositoryBuild };
    }),
  );
}

async function prepare(cells) {
  for (const cell of cells.filter((c) => c.status === "pending" && c.prepare)) {
    const where = `${cell.workload} ${cell.peer}`;
    progress(`${where}: preparing`);
    const report = await runChild(cell.prepare.command, cell.prepare.args, { timeoutMs: prepareTimeoutMs, env: cell.prepare.env });
    if (report.ok) {
      progress(`${where}: prepared${report.info ? ` (${report.info})` : ""}`);
      continue;
    }
    Object.assign(cell, { status: "failed", error: `preparing: ${report.error}` });
    progress(`${where}: FAILED: preparing: ${report.error}`);
  }
}

async function measure(cells) {
  const pending = () => cells.filter((cell) => cell.status === "pending");
  // Round-robin over cells, so slow drift on a noisy machine hits every peer
  // about equally instead of whichever cell happened to run during it.
  for (let sample = 0; sample < samples; sample++) {
    for (const cell of pending()) {
      const { command, args, env } = cell.command(sample);
      const report = await runChild(command, args, { timeoutMs: childTimeoutMs, env });
      const where = `[${sample + 1}/${samples}] ${cell.workload} ${cell.peer}`;
      if (!report.ok) {
        Object.assign(cell, report.skip ? { status: "skipped", skip: report.error } : { status: "failed", error: report.error });
        progress(`${where}: ${report.skip ? "skipped" : "FAILED"}: ${report.error}`);
        continue;
      }
      cell.runs.push(report);
      if (report.info) cell.info = report.info;
      progress(`${where}: ${Object.entries(report.metrics).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ")}`);
    }
  }
  for (const cell of pending()) cell.status = "ok";
}

// Every peer must compute the same checksum as the workload's baseline (or
// the first healthy peer) given the same arguments: a fast peer that skipped
// the work is a failure.
function checkResults(selected, cells) {
  for (const workload of selected) {
    const checked = cells.filter((cell) => cell.workload === workload.id && cell.status === "ok" && cell.runs[0].checksum !== undefined);
    for (const args of new Set(checked.map((cell) => JSON.stringify(cell.args)))) {
      checkAgainstReference(workload, checked.filter((cell) => JSON.stringify(cell.args) === args));
    }
  }
}

function checkAgainstReference(workload, own) {
  const reference =
    own.find((cell) => cell.peer === workload.baseline) ?? own.find((cell) => !cell.lenient) ?? own[0];
  for (const cell of own) {
    const wrong = cell.runs.find((run) => run.checksum !== reference.runs[0].checksum);
    if (wrong) {
      cell.status = "failed";
      cell.error = `wrong result: ${wrong.checksum}, expected ${reference.runs[0].checksum} (${reference.peer})`;
    }
  }
}

// Cells that ran against the repository's dist/ (the library suite's compile
// cache is keyed by it) measured the run's build only if dist/ still holds
// the snapshot taken when the run started.
function checkBuild(cells, workspace) {
  const affected = cells.filter((cell) => cell.repositoryBuild && cell.peer === "fiberlet" && cell.status === "ok");
  if (!affected.length || workspace.sameBuildAsRepository()) return;
  for (const cell of affected) {
    cell.status = "failed";
    cell.error = "dist/ was rebuilt during the run: this cell may have measured another build than the others; run again";
  }
}

function summarizeCell(cell) {
  const { command, prepare, repositoryBuild, runs, ...rest } = cell;
  if (cell.status !== "ok") return rest;
  const metrics = {};
  for (const key of Object.keys(runs[0].metrics)) {
    metrics[key] = summarize(runs.map((run) => run.metrics[key]).filter((value) => value !== undefined));
  }
  return { ...rest, checksum: runs[0].checksum, metrics };
}

function machine() {
  let commit = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {}
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    commit,
    date: new Date().toISOString(),
  };
}

async function main() {
  const picked = (id) => flags.only.some((text) => id === text || id.startsWith(`${text}-`));
  const selected = workloads.filter((w) => !flags.only || picked(w.id));
  if (!selected.length) throw new Error(`--only ${flags.only.join(", ")}: no such workload`);
  const meta = { mode: smoke ? "smoke" : "full", samples, strict: flags.strict, ...machine() };
  const workspace = new Workspace({ root, workloads: join(here, "workloads") });
  const peers = createPeers(root, workspace.packageDir);
  progress(`fiberlet bench (${meta.mode}): modules in ${workspace.dir}`);
  let cells;
  try {
    cells = planCells(selected, peers, workspace);
    await prepare(cells);
    await measure(cells);
    checkBuild(cells, workspace);
  } finally {
    if (flags["keep-temp"]) progress(`kept ${workspace.dir}`);
    else workspace.remove();
  }
  checkResults(selected, cells);

  const summaries = cells.map(summarizeCell);
  const byKey = new Map(summaries.map((cell) => [`${cell.workload}/${cell.peer}`, cell]));
  const targets = evaluateTargets(byKey, selected.map((workload) => workload.id));
  const fatal = summaries.filter((cell) => cell.status === "failed" && (!cell.lenient || flags.strict));
  const greenlet = peers.get("greenlet");

  console.log(
    `fiberlet bench, ${meta.mode}: ${samples} sample${samples > 1 ? "s" : ""} per cell, each a fresh process; ` +
      `${meta.node}, ${meta.platform}, ${meta.cpus} CPUs (${meta.cpuModel}), ${meta.date.slice(0, 10)}` +
      `${meta.commit ? `, commit ${meta.commit}` : ""}`,
  );
  console.log("Medians (lower is better); ± = sample range / median; vs = ratio to the baseline peer in this run.");
  if (smoke) console.log("Smoke run: reduced sizes, one barely warmed sample: it checks that everything runs, it does not measure.");
  if (greenlet.info) console.log(`greenlet: ${greenlet.info}`);
  console.log(formatResults(selected, summaries));
  console.log("");
  console.log(formatTargets(targets));
  if (fatal.length) {
    console.log("");
    console.log(`Crashed (exit status 1): ${fatal.map((cell) => `${cell.workload}/${cell.peer}`).join(", ")}`);
  }
  console.log("");
  console.log(
    JSON.stringify({
      meta: { ...meta, greenlet: greenlet.info },
      results: summaries,
      targets: targets.map(({ label, workload, againstWorkload, metric, peer, against, limit, ratio, pass, reason }) => ({
        label, workload, ...(againstWorkload ? { againstWorkload } : {}), metric, peer, against, limit, ratio, pass,
        ...(reason ? { reason } : {}),
      })),
      crashed: fatal.map((cell) => `${cell.workload}/${cell.peer}`),
    }),
  );
  process.exitCode = fatal.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
