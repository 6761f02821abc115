/**
 * The counts a run prints: per directory of test/language and per mode.
 */
import { DIRECTORIES } from "./metadata.mjs";
import { verdicts } from "./ratchet.mjs";

const COLUMNS = [
  ["scenarios", "scenarios run (a test runs sloppy and strict unless its flags say otherwise)"],
  ["plain", "passed plain"],
  ["excluded", "failed plain (Node 20 lacks the feature, or a host limit): excluded"],
  ["main", "passed compiled, on the main fiber"],
  ["main✗", "failed compiled, on the main fiber"],
  ["main⊘", "refused at compile time (main)"],
  ["modules", "module scenarios that passed plain: no fiber run (module code cannot move into a function)"],
  ["wrapped✗", "wrapped oracle failed: no fiber run (top-level semantics changed)"],
  ["fiber", "passed compiled, inside a fiber"],
  ["fiber✗", "failed compiled, inside a fiber"],
  ["fiber⊘", "refused at compile time (fiber)"],
  ["switches", "harness switches done"],
  ["refused", "harness switches refused (FiberError at a boundary)"],
  ["outside", "harness calls on the main fiber (after the test's fiber ended)"],
];

/** Counts per directory ("language/<dir>") and in total. */
export function summarize(runs) {
  const rows = new Map([...DIRECTORIES.map((d) => [d, zero()]), ["total", zero()]]);
  const at = (path) => [rows.get(path.split("/")[1]), rows.get("total")];
  for (const run of runs) {
    for (const row of at(run.path)) {
      row.scenarios++;
      if (run.plain?.pass) row.plain++;
      else row.excluded++;
      if (run.plain?.pass && run.scenario === "module") row.modules++;
      if (run.plain?.pass && run.oracle && !run.oracle.pass) row["wrapped✗"]++;
      const s = run.fiber?.switches;
      if (s) {
        row.switches += s.done;
        row.refused += s.refused;
        row.outside += s.outside;
      }
    }
  }
  for (const v of verdicts(runs)) {
    const column = v.mode + (v.verdict === "pass" ? "" : v.verdict === "fail" ? "✗" : "⊘");
    for (const row of at(v.run.path)) row[column]++;
  }
  return rows;
}

function zero() {
  return Object.fromEntries(COLUMNS.map(([c]) => [c, 0]));
}

export function formatSummary(rows) {
  const head = ["directory", ...COLUMNS.map(([c]) => c)];
  const body = [...rows].map(([dir, row]) => [dir, ...COLUMNS.map(([c]) => String(row[c]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const legend = COLUMNS.map(([c, text]) => `  ${c.padEnd(9)} ${text}`).join("\n");
  return [line(head), ...body.slice(0, -1).map(line), line(body.at(-1)), "", legend].join("\n");
}
