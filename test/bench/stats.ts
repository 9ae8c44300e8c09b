// The arithmetic of the benchmark: summaries of repeated runs and ratios of paired runs. Pure, so
// the unit tests pin it down; the benchmarks only feed it numbers.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  for (const s of samples) {
    if (!Number.isFinite(s)) throw new RangeError(`not a finite sample: ${s}`);
  }
  return { n: samples.length, median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

/**
 * Ratios of paired samples, ours[i] / baseline[i]. The two sides of a benchmark run interleaved
 * (A B A B …), so run i of each side met the same noise; dividing pairwise cancels much of it,
 * and the spread of the ratios shows how much did not cancel.
 */
export function pairedRatios(ours: readonly number[], baseline: readonly number[]): number[] {
  if (ours.length !== baseline.length) {
    throw new RangeError(`paired samples differ in length: ${ours.length} vs ${baseline.length}`);
  }
  return ours.map((value, i) => {
    const base = baseline[i]!;
    if (!(base > 0)) throw new RangeError(`baseline sample ${i} is ${base}; a ratio needs a positive baseline`);
    return value / base;
  });
}

export function ratioSummary(ours: readonly number[], baseline: readonly number[]): Summary {
  return summarize(pairedRatios(ours, baseline));
}

export type Direction = 'at-most' | 'at-least';

export interface Target {
  direction: Direction;
  value: number;
}

/** Judged on the median: one lucky or unlucky run neither passes nor fails a target. */
export function meetsTarget(value: Summary, target: Target): boolean {
  return target.direction === 'at-most' ? value.median <= target.value : value.median >= target.value;
}

/** Throughput samples (bytes per second) from the byte count and the durations in seconds. */
export function throughputs(bytes: number, seconds: readonly number[]): number[] {
  return seconds.map((s) => {
    if (!(s > 0)) throw new RangeError(`a duration of ${s} s has no throughput`);
    return bytes / s;
  });
}
