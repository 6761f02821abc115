/**
 * The rule, as a ratchet: every scenario that passes plain must pass both
 * compiled ways, except the runs listed in expected-failures.json (known
 * transform bugs, grouped by cause) and refusals.json (constructs the
 * plugin rejects on purpose, with its message). Both lists must stay exact:
 * an unlisted failure fails the check, and so does a listed run that now
 * passes. `--update-expected` rewrites them from a run.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suiteDir } from "./archive.mjs";
import { categorize, CATEGORIES } from "./categories.mjs";

export const FAILURES_FILE = join(suiteDir, "expected-failures.json");
export const REFUSALS_FILE = join(suiteDir, "refusals.json");

/** Each compiled mode and the run that is its oracle. */
export const CHECKED = { main: "plain", fiber: "oracle" };

export const runKey = (path, scenario, mode) => `${path} ${scenario} ${mode}`;

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
  if (existsSync(FAILURES_FILE)) {
    for (const group of JSON.parse(readFileSync(FAILURES_FILE, "utf8")).categories) {
      for (const key of group.runs) failures.set(key, group.id);
    }
  }
  if (existsSync(REFUSALS_FILE)) {
    for (const group of JSON.parse(readFileSync(REFUSALS_FILE, "utf8")).refusals) {
      for (const key of group.runs) refusals.set(key, group.message);
    }
  }
  return { failures, refusals };
}

/**
 * What disagrees with the lists, as messages. `complete` (a run of every
 * scenario) also reports listed runs that no longer exist or whose oracle
 * fails now.
 */
export function compare(results, expected, { complete = false } = {}) {
  const problems = [];
  const seen = new Set();
  for (const { key, verdict, result } of results) {
    seen.add(key);
    const listedFailure = expected.failures.has(key);
    const listedRefusal = expected.refusals.has(key);
    if (verdict === "fail" && !listedFailure) problems.push(`new failure: ${key}: ${result.stage}: ${firstLine(result.error)}`);
    if (verdict === "refused" && !listedRefusal) problems.push(`new refusal: ${key}: ${result.error}`);
    if (verdict !== "fail" && listedFailure) problems.push(`${key} ${verdict === "pass" ? "passes" : "is refused"} now: remove it from expected-failures.json`);
    if (verdict !== "refused" && listedRefusal) problems.push(`${key} is no longer refused (${verdict}): remove it from refusals.json`);
  }
  if (complete) {
    for (const key of [...expected.failures.keys(), ...expected.refusals.keys()]) {
      if (!seen.has(key)) problems.push(`${key} is listed but was not run (its oracle fails or the test is gone): remove it`);
    }
  }
  return problems;
}

/**
 * Rewrites both lists from `results`. Entries for runs that did not take
 * part (a --filter run) are kept unless `complete`.
 */
export function updateExpected(results, { complete, sourceOf }) {
  const old = readExpected();
  const failures = new Map();
  const refusals = new Map();
  const ran = new Set(results.map((r) => r.key));
  if (!complete) {
    for (const [key, id] of old.failures) if (!ran.has(key)) failures.set(key, id);
    for (const [key, message] of old.refusals) if (!ran.has(key)) refusals.set(key, message);
  }
  for (const r of results) {
    if (r.verdict === "fail") failures.set(r.key, categorize(r, sourceOf(r.run.path)));
    if (r.verdict === "refused") refusals.set(r.key, r.result.error);
  }
  const byCategory = CATEGORIES.map((c) => ({ id: c.id, reason: c.reason, repro: c.repro, runs: [] }));
  const index = new Map(byCategory.map((g) => [g.id, g]));
  for (const [key, id] of [...failures].sort()) (index.get(id) ?? index.get("uncategorized")).runs.push(key);
  writeFileSync(
    FAILURES_FILE,
    JSON.stringify(
      {
        about:
          "Compiled runs of test262 that fail while their oracle (the same source run unmarked) passes: known transform bugs, " +
          "grouped by cause. Keys are '<test> <scenario> <mode>'. test/test262/test262.test.ts fails on any failure not listed " +
          "and on any listed run that passes; regenerate with `node scripts/test262.mjs --update-expected`.",
        categories: byCategory.filter((g) => g.runs.length > 0),
      },
      null,
      2,
    ) + "\n",
  );
  const byMessage = new Map();
  for (const [key, message] of [...refusals].sort()) {
    if (!byMessage.has(message)) byMessage.set(message, []);
    byMessage.get(message).push(key);
  }
  writeFileSync(
    REFUSALS_FILE,
    JSON.stringify(
      {
        about:
          "Compiled runs the plugin refuses on purpose: a Babel error with a location for a construct it documents as " +
          "unsupported (README, Boundaries and Known deviations). Kept exact like expected-failures.json.",
        refusals: [...byMessage].map(([message, runs]) => ({ message, runs })),
      },
      null,
      2,
    ) + "\n",
  );
  return { failures: failures.size, refusals: refusals.size };
}

function firstLine(s = "") {
  return s.split("\n")[0].slice(0, 300);
}
