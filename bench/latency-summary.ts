// Percentiles of a set of latency samples, in milliseconds. Nearest-rank on
// the sorted samples: no interpolation, so p99 is a latency that happened.

export interface LatencySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) throw new Error('no latency samples');
  // A Float64Array sorts numerically (a plain array would sort as strings).
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { count: sorted.length, minMs: sorted[0]!, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1]! };
}
