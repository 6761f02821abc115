// Summary statistics for benchmark samples. Every number the bench reports
// is a median: on a shared, noisy machine the mean is dragged around by the
// occasional descheduled sample, the median is not.

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Width of the sample range relative to the median: a rough noise gauge
// printed next to each median so a reader knows how far to trust it.
export function spread(values) {
  if (values.length < 2) return 0;
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

export function summarize(values) {
  return { median: median(values), spread: spread(values), samples: values };
}
