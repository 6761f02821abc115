// Turns cell summaries into the printed tables. Pure formatting: every
// number here was computed by run.mjs from this run's samples.

const UNITS = {
  ms: { scale: 1e-6, suffix: "ms" },
  ns: { scale: 1, suffix: "ns" },
  B: { scale: 1, suffix: "B" },
};

function significant(value) {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 100) return Math.round(value).toString();
  return value.toPrecision(3);
}

export function formatValue(value, unit) {
  const { scale, suffix } = UNITS[unit];
  return `${significant(value * scale)} ${suffix}`;
}

export const formatRatio = (ratio) => (ratio == null ? "" : `×${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}`);

// Long messages (a Babel code frame, a stack) would wreck the table; the
// JSON keeps them whole.
const brief = (text, max = 110) => {
  const line = String(text).split("\n")[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

// rows: { cells: string[], tail?: string }; tail is printed after the cells
// without taking part in column widths (used for n/a and skip notes).
function table(header, rows, indent = "  ") {
  const all = [{ cells: header }, ...rows];
  const widths = [];
  for (const { cells } of all) cells.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const render = ({ cells, tail }) => {
    const padded = cells.map((cell, i) => (i === cells.length - 1 && !tail ? cell : cell.padEnd(widths[i])));
    return (indent + [...padded, ...(tail ? [tail] : [])].join("  ")).trimEnd();
  };
  return all.map(render).join("\n");
}

function cellRows(workload, cells) {
  const baseline = cells.find((cell) => cell.peer === workload.baseline);
  return cells.map((cell, index) => {
    const cells = [index === 0 ? cell.label : "", cell.peer];
    if (cell.status === "skipped") return { cells, tail: `skipped: ${brief(cell.skip)}` };
    if (cell.status !== "ok") return { cells, tail: `n/a: ${brief(cell.error)}` };
    for (const metric of workload.metrics) {
      const measured = cell.metrics[metric.key];
      if (!measured) {
        cells.push("", "", "");
        continue;
      }
      const base = baseline?.status === "ok" ? baseline.metrics[metric.key] : null;
      cells.push(
        formatValue(measured.median, metric.unit),
        measured.samples.length > 1 ? `±${Math.round(measured.spread * 100)}%` : "",
        base ? formatRatio(measured.median / base.median) : "",
      );
    }
    return { cells };
  });
}

export function formatResults(workloads, summaries) {
  const out = [];
  let group = null;
  let pending = [];
  const flush = () => {
    if (!pending.length) return;
    const { workload } = pending[0];
    const header = ["workload", "peer"];
    for (const metric of workload.metrics) header.push(metric.label, "±", `vs ${workload.baseline}`);
    out.push(table(header, pending.flatMap((entry) => entry.rows)));
    pending = [];
  };
  for (const workload of workloads) {
    const cells = summaries.filter((cell) => cell.workload === workload.id);
    if (!cells.length) continue;
    if (workload.group !== group) {
      flush();
      group = workload.group;
      out.push("", group);
    }
    pending.push({ workload, rows: cellRows(workload, cells) });
  }
  flush();
  return out.join("\n");
}

export function formatTargets(evaluated) {
  const rows = evaluated.map((target) => {
    const cells = [target.label, target.absolute ? `<= ${target.limit}` : `<= ${target.limit.toFixed(2)}`];
    if (target.ratio == null) return { cells: [...cells, "-"], tail: `n/a: ${brief(target.reason, 90)}` };
    return { cells: [...cells, target.absolute ? target.ratio.toFixed(0) : target.ratio.toFixed(3), target.pass ? "pass" : "FAIL"] };
  });
  return table(["target (ratio of medians, this run; bytes where it says so)", "limit", "measured", "result"], rows);
}
