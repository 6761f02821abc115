/**
 * The rule, as a ratchet: every scenario that passes plain must pass both
 * compiled ways, except the runs listed in expected-failures.json (known
 * transform bugs, grouped by cause) and refusals.json (constructs the
 * plugin rejects on purpose, with its message). Both lists must stay exact:
 * an unlisted failure fails the check, and so does a listed run that now
 * passes. `--update-expected` rewrites them from a run.
 *
 * The lists say which scenarios they cover (`coverage`: every `step`th
 * scenario of the suite from each of `offsets`; step 1 is everything), as
 * they are made from whatever run was last given --update-expected: a
 * failure outside the coverage is reported, not counted against the lists.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suiteDir } from "./archive.mjs";
import { categorize, CATEGORIES } from "./categories.mjs";
import { reproText } from "./repros.mjs";

export const FAILURES_FILE = join(suiteDir, "expected-failures.json");
export const REFUSALS_FILE = join(suiteDir, "refusals.json");

/** Each compiled mode and the run that is its oracle. */
export const CHECKED = { main: "plain", fiber: "oracle" };

export const runKey = (path, scenario, mode) => `${path} ${scenario} ${mode}`;

const EVERYTHING = { step: 1, offsets: [0] };
const covers = (coverage, index) => coverage.offsets.includes(index % coverage.step);

/** The verdict on each compiled run of `runs` whose oracle passed:
 * pass, refused (with the plugin's message) or fail. */
export function verdicts(runs) {
  const out = [];
  for (const run of runs) {
    for (const [mode, oracle] of Object.entries(CHECKED)) {
      if (!run[oracle]?.pass) continue;
      const result = run[mode];
      if (!result) continue; // a module scenario has no fiber run
      const verdict = result.pass ? "pass" : result.refused ? "refused" : "fail";
      out.push({ key: runKey(run.path, run.scenario, mode), run, mode, result, verdict });
    }
  }
  return out;
}

export function readExpected() {
  const failures = new Map();
  const refusals = new Map();
  let coverage = EVERYTHING;
  if (existsSync(FAILURES_FILE)) {
    const file = JSON.parse(readFileSync(FAILURES_FILE, "utf8"));
    coverage = file.coverage;
    for (const group of file.categories) for (const key of group.runs) failures.set(key, group.id);
  }
  if (existsSync(REFUSALS_FILE)) {
    for (const group of JSON.parse(readFileSync(REFUSALS_FILE, "utf8")).refusals) {
      for (const key of group.runs) refusals.set(key, group.message);
    }
  }
  return { failures, refusals, coverage };
}

/**
 * What disagrees with the lists: `problems` (messages), and the failing or
 * refused runs outside the lists' coverage (`uncovered`, keys). `selection`
 * is the run's `{ filter, step, offsets }`: a run of everything the lists
 * cover also reports listed runs it did not see (gone, or oracle failing).
 */
export function compare(results, expected, selection) {
  const problems = [];
  const uncovered = [];
  const seen = new Set();
  for (const { key, verdict, result, run } of results) {
    if (!covers(expected.coverage, run.index)) {
      if (verdict !== "pass") uncovered.push(key);
      continue;
    }
    seen.add(key);
    const listedFailure = expected.failures.has(key);
    const listedRefusal = expected.refusals.has(key);
    if (verdict === "fail" && !listedFailure) problems.push(`new failure: ${key}: ${result.stage}: ${firstLine(result.error)}`);
    if (verdict === "refused" && !listedRefusal) problems.push(`new refusal: ${key}: ${result.error}`);
    if (verdict !== "fail" && listedFailure) problems.push(`${key} ${verdict === "pass" ? "passes" : "is refused"} now: remove it from expected-failures.json`);
    if (verdict !== "refused" && listedRefusal) problems.push(`${key} is no longer refused (${verdict}): remove it from refusals.json`);
  }
  if (!selection.filter && includes(selection, expected.coverage)) {
    for (const key of [...expected.failures.keys(), ...expected.refusals.keys()]) {
      if (!seen.has(key)) problems.push(`${key} is listed but did not run compiled (its oracle fails, or the test is gone): remove it`);
    }
  }
  return { problems, uncovered };
}

/** Does the run's selection hold every scenario `coverage` holds? */
function includes(selection, coverage) {
  if (selection.step === 1) return true;
  return selection.step === coverage.step && coverage.offsets.every((o) => selection.offsets.includes(o));
}

/**
 * Rewrites both lists from `results`. A run of a whole selection (no
 * --filter) replaces them and becomes their coverage; a --filter run
 * replaces only the entries of the runs it made.
 */
export function updateExpected(results, { selection, sourceOf }) {
  const old = readExpected();
  const failures = new Map();
  const refusals = new Map();
  let coverage = { step: selection.step, offsets: [...selection.offsets].sort((a, b) => a - b) };
  if (selection.filter) {
    coverage = old.coverage;
    const ran = new Set(results.map((r) => r.key));
    for (const [key, id] of old.failures) if (!ran.has(key)) failures.set(key, id);
    for (const [key, message] of old.refusals) if (!ran.has(key)) refusals.set(key, message);
  }
  for (const r of results) {
    if (!covers(coverage, r.run.index)) continue;
    if (r.verdict === "fail") failures.set(r.key, categorize(r, sourceOf(r.run.path)));
    if (r.verdict === "refused") refusals.set(r.key, r.result.error);
  }
  const groups = CATEGORIES.map((c) => ({ id: c.id, reason: c.reason, repro: c.repro ? reproText(c.repro) : undefined, runs: [] }));
  const byId = new Map(groups.map((g) => [g.id, g]));
  for (const [key, id] of [...failures].sort()) (byId.get(id) ?? byId.get("uncategorized")).runs.push(key);
  write(FAILURES_FILE, {
    about:
      "Compiled runs of test262 that fail while their oracle (the same source run unmarked) passes: known transform bugs, " +
      "grouped by cause. Keys are '<test> <scenario> <mode>'. test/test262/test262.test.ts fails on any failure not listed " +
      "and on any listed run that passes; regenerate with `node scripts/test262.mjs --update-expected` (see README.md).",
    coverage,
    categories: groups.filter((g) => g.runs.length > 0),
  });
  const byMessage = new Map();
  for (const [key, message] of [...refusals].sort()) {
    if (!byMessage.has(message)) byMessage.set(message, []);
    byMessage.get(message).push(key);
  }
  write(REFUSALS_FILE, {
    about:
      "Compiled runs the plugin refuses on purpose: a Babel error with a location for a construct it documents as " +
      "unsupported (README: Boundaries and Known deviations). Kept exact like expected-failures.json, with its coverage.",
    refusals: [...byMessage].map(([message, runs]) => ({ message, runs })),
  });
  return { failures: failures.size, refusals: refusals.size, coverage };
}

function write(file, value) {
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function firstLine(s = "") {
  return s.split("\n")[0].slice(0, 300);
}
