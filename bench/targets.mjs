// The performance targets: each is a ratio of two medians measured in
// the same run, `peer` over `against`, on one workload's metric.
export const targets = [
  { label: "fib(30) marked / plain", workload: "fib", peer: "fiberlet", against: "plain", limit: 1.1 },
  { label: "call-heavy loop marked / plain", workload: "call-loop", peer: "fiberlet", against: "plain", limit: 1.1 },
  { label: "Richards marked / plain", workload: "richards", peer: "fiberlet", against: "plain", limit: 1.25 },
  { label: "round trip depth 1 / generator", workload: "round-trip-1", peer: "fiberlet", against: "generator", limit: 1.0 },
  { label: "round trip depth 50 / generator", workload: "round-trip-50", peer: "fiberlet", against: "generator", limit: 0.1 },
  { label: "round trip depth 1 / greenlet", workload: "round-trip-1", peer: "fiberlet", against: "greenlet", limit: 0.1 },
  { label: "producer per value (depth 3) / generator", workload: "producer-3", peer: "fiberlet", against: "generator", limit: 0.5 },
  { label: "heap per suspended fiber / generator chain", workload: "many-fibers", metric: "heap", peer: "fiberlet", against: "generator", limit: 2.0 },
  { label: "compile time with plugin / Babel alone", workload: "compile", peer: "fiberlet", against: "babel", limit: 2.0 },
  { label: "minified size marked / unmarked", workload: "compile", metric: "size", peer: "fiberlet", against: "babel", limit: 4.0 },
];

// results: Map "workload/peer" -> cell summary ({ status, metrics, error });
// only targets on the workloads in `measured` (ids) are evaluated.
export function evaluateTargets(results, measured) {
  return targets.filter((target) => measured.includes(target.workload)).map((target) => {
    const metric = target.metric ?? "time";
    const top = results.get(`${target.workload}/${target.peer}`);
    const bottom = results.get(`${target.workload}/${target.against}`);
    const cells = [top, bottom];
    const missing = cells.findIndex((cell) => !cell || cell.status !== "ok" || !cell.metrics[metric]);
    if (missing >= 0) {
      const who = [target.peer, target.against][missing];
      const why = cells[missing]?.error ?? cells[missing]?.skip ?? "not measured in this run";
      return { ...target, metric, ratio: null, pass: null, reason: `${who}: ${why}` };
    }
    const ratio = top.metrics[metric].median / bottom.metrics[metric].median;
    return { ...target, metric, ratio, pass: ratio <= target.limit };
  });
}
