/**
 * Why a compiled run fails: the first category whose `match` accepts it.
 * `match({ run, mode, result }, source)` sees the run's results (with the
 * diagnostic reruns in `result.diagnosis`) and the test's source. Each
 * category names one cause in the transform and carries a minimal repro, so
 * expected-failures.json doubles as the list of bugs to fix.
 */
export const CATEGORIES = [
  {
    id: "uncategorized",
    reason: "not matched by any rule in test/test262/runner/categories.mjs yet",
    match: () => true,
  },
];

export function categorize(verdict, source) {
  return CATEGORIES.find((c) => c.match(verdict, source)).id;
}
