/**
 * Fuzz campaigns: generate programs with fast-check, check each three ways
 * (harness.mjs), and shrink failures to minimal programs.
 *
 * Shrinking keeps the failure's *signature* (its kind, and for refusals the
 * plugin's message), so a program failing one way does not shrink into a
 * different, unrelated failure.
 */
import fc from "fast-check";
import { ALL_FEATURES, programArbitrary, withRequirements } from "./grammar.mjs";
import { printProgram } from "./printer.mjs";
import { check, regenerate } from "./harness.mjs";

/** A printed program as the harness takes it (in Babel's layout, which is
 * also how reports and saved regressions show it). */
export function toProgram(tree, features) {
  const { source, boundaries } = printProgram(tree, withRequirements(features));
  return { source: regenerate(source), boundaries, replies: tree.replies, asNew: tree.asNew };
}

/** What identifies a failure while shrinking and when grouping reports. */
export function signature(verdict) {
  switch (verdict.kind) {
    case "refused":
    case "crash":
      return `${verdict.kind}: ${firstLine(verdict.detail)}`;
    case "mismatch":
      return `mismatch (${verdict.mode}, ${verdict.where})`;
    default:
      return verdict.kind;
  }
}

/** The plugin's message without the file name and code frame. */
function firstLine(text) {
  return String(text)
    .split("\n")[0]
    .replace(/^[^:]*\.js: /, "")
    .replace(/^unknown file: /, "")
    .replace(/\(\d+:\d+\)/g, "")
    .replace(/\b([a-zA-Z_$]+)\d+\b/g, "$1N") // generated names renumber while shrinking
    .trim();
}

function count(stats, verdict, onProgress) {
  stats.programs++;
  if (verdict.kind === "skip") stats.skipped++;
  if (verdict.switched) {
    stats.refusals += verdict.refusals;
    stats.switches += verdict.switched.log.filter((l) => l.startsWith("sw ")).length;
  }
  stats.kinds[verdict.kind] = (stats.kinds[verdict.kind] ?? 0) + 1;
  onProgress?.(stats);
}

export const isFailure = (v) => v.kind !== "ok" && v.kind !== "skip";

/**
 * Runs `runs` programs from `seed` with `features` enabled. Stops at the
 * first failure (unless it is one of `ignore`'s signatures) and shrinks it.
 * Returns { runs, stats, failure } with failure null or
 * { signature, program, tree, verdict, seed, path }. stats.switches counts
 * sw() calls in the switching run (refused ones included).
 */
export function campaign({ seed, runs, features = ALL_FEATURES, size = "small", ignore = [], shrink = true, onProgress }) {
  const arb = programArbitrary(new Set(features), { size });
  const exactMessages = features.includes("messages");
  const stats = { programs: 0, skipped: 0, refusals: 0, switches: 0, kinds: {} };
  const ignored = new Set(ignore);
  let first = null;
  const property = fc.property(arb, (tree) => {
    const program = toProgram(tree, features);
    const verdict = check(program, { exactMessages });
    if (first === null) count(stats, verdict, onProgress); // not the shrinking runs
    if (!isFailure(verdict)) return true;
    const sig = signature(verdict);
    if (ignored.has(sig)) return true;
    if (first === null) first = sig;
    // While shrinking, only the first failure's signature counts.
    return sig !== first;
  });
  const details = fc.check(property, {
    seed,
    numRuns: runs,
    endOnFailure: !shrink,
    maxSkipsPerRun: 1000,
  });
  let failure = null;
  if (details.failed && details.counterexample) {
    const tree = details.counterexample[0];
    const program = toProgram(tree, features);
    failure = { signature: first, program, tree, verdict: check(program, { exactMessages }), seed: details.seed, path: details.counterexamplePath };
  } else if (details.failed) {
    throw new Error(`fuzz campaign failed without a counterexample: ${details.error ?? "too many skips?"}`);
  }
  return { runs: details.numRuns, stats, failure };
}

/**
 * Keeps looking after a failure: each new signature is shrunk and reported,
 * then ignored for the rest of the budget. Returns every failure found.
 */
export function explore({ seed, runs, features, size, maxFailures = 10, onFailure, onProgress }) {
  const failures = [];
  const ignore = [];
  let left = runs;
  let s = seed;
  let total = { programs: 0, skipped: 0, refusals: 0, switches: 0, kinds: {} };
  while (left > 0 && failures.length < maxFailures) {
    const r = campaign({ seed: s, runs: left, features, size, ignore, onProgress });
    total = mergeStats(total, r.stats);
    if (!r.failure) break;
    failures.push(r.failure);
    onFailure?.(r.failure);
    ignore.push(r.failure.signature);
    left -= r.runs;
    s = (s + 0x9e3779b1) | 0;
  }
  return { failures, stats: total };
}

function mergeStats(a, b) {
  const kinds = { ...a.kinds };
  for (const [k, n] of Object.entries(b.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  return {
    programs: a.programs + b.programs,
    skipped: a.skipped + b.skipped,
    refusals: a.refusals + b.refusals,
    switches: a.switches + b.switches,
    kinds,
  };
}

/** A human-readable report of one failure. */
export function describeFailure(f, { withCode = false } = {}) {
  const v = f.verdict;
  const lines = [`== ${f.signature}`, `replies: ${JSON.stringify(f.program.replies)}${f.program.asNew ? "  (main called with new)" : ""}`, f.program.source];
  if (v.kind === "refused" || v.kind === "crash") lines.push(`plugin: ${v.detail.split("\n")[0]}`);
  else if (v.marked) {
    lines.push(`difference: ${v.detail}`);
    lines.push(`plain:    ${v.plain.log.join(" | ")} => ${v.plain.end}`);
    lines.push(`marked:   ${v.marked.log.join(" | ")} => ${v.marked.end}`);
    lines.push(`switched: ${v.switched.log.join(" | ")} => ${v.switched.end}${v.refusals ? `  (${v.refusals} refused)` : ""}`);
    if (v.kind === "spurious") lines.push(`refused: ${v.refusals}`);
  } else lines.push(`detail: ${v.detail}`);
  if (withCode && v.code) lines.push("compiled:", v.code);
  return lines.join("\n");
}

