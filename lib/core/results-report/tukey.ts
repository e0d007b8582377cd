/**
 * Tukey box-plot figures of one list of scores: quartiles (linear interpolation, as the summary
 * rows' p25/p50/p75), whiskers at the most extreme values within 1.5 × IQR of the box, and the
 * values beyond them as outliers. At n = 2,000 the min–max whiskers of ROUGE scores span 0 to 1 and
 * say nothing; Tukey's whiskers show where the bulk of the reports lie and which ones stand apart.
 */
import { quantileSorted } from '../rouge';

/** One distinct outlying value and how many reports have it. */
export interface Outlier {
  readonly value: number;
  readonly count: number;
}

/** Box-plot figures; null figures when there are no values. */
export interface TukeyBox {
  readonly n: number;
  readonly q1: number | null;
  readonly median: number | null;
  readonly q3: number | null;
  /** Smallest value ≥ q1 − 1.5 IQR. */
  readonly whiskerLow: number | null;
  /** Largest value ≤ q3 + 1.5 IQR. */
  readonly whiskerHigh: number | null;
  /** Values outside the whiskers, distinct values with their counts, ascending. */
  readonly outliers: readonly Outlier[];
  /** Reports outside the whiskers (sum of the outliers' counts). */
  readonly outlierCount: number;
}

/** Tukey's box of `values` (NaN values are ignored). */
export function tukeyBox(values: ArrayLike<number>): TukeyBox {
  const sorted = Float64Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort();
  const n = sorted.length;
  if (n === 0) return { n: 0, q1: null, median: null, q3: null, whiskerLow: null, whiskerHigh: null, outliers: [], outlierCount: 0 };
  const q1 = quantileSorted(sorted, 0.25);
  const median = quantileSorted(sorted, 0.5);
  const q3 = quantileSorted(sorted, 0.75);
  const fence = 1.5 * (q3 - q1);
  const lowFence = q1 - fence;
  const highFence = q3 + fence;
  let whiskerLow = median;
  let whiskerHigh = median;
  const outliers = new Map<number, number>();
  for (const v of sorted) {
    if (v < lowFence || v > highFence) outliers.set(v, (outliers.get(v) ?? 0) + 1);
  }
  for (const v of sorted) {
    if (v >= lowFence) {
      whiskerLow = v;
      break;
    }
  }
  for (let i = n - 1; i >= 0; i -= 1) {
    if (sorted[i] <= highFence) {
      whiskerHigh = sorted[i];
      break;
    }
  }
  const list = [...outliers.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value);
  return { n, q1, median, q3, whiskerLow, whiskerHigh, outliers: list, outlierCount: list.reduce((s, o) => s + o.count, 0) };
}
