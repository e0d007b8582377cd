/**
 * Statistics of reader judgements: Krippendorff's alpha (inter-reader agreement), Spearman's rank
 * correlation, and percentile bootstrap intervals over items (the unit every reader judged, so the
 * readers' answers on one item are resampled together).
 *
 * Krippendorff's alpha follows K. Krippendorff, "Computing Krippendorff's Alpha-Reliability"
 * (2011): values are pairable within a unit when the unit has at least two of them; each ordered
 * pair of a unit with m values adds 1/(m − 1) to the coincidence matrix o; n_c are its margins and
 * n their sum; α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck, with δ² of the level of measurement:
 * nominal 1 when c ≠ k; interval (c − k)²; ordinal (Σ_{g from c to k} n_g − (n_c + n_k)/2)² over the
 * ranks of the values that occur. Undefined (NaN) without two pairable values or without variation.
 */
import { quantileSorted } from '../rouge/aggregate';
import { drawIndices, Mt19937 } from '../rouge/random';

/** Level of measurement of a judgement. */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval';

/** One unit's values, one per reader (null: that reader gave none). */
export type UnitValues = readonly (number | string | null)[];

/**
 * Krippendorff's alpha of `units` (each a list of the readers' values, missing as null).
 * Ordinal and interval levels need numbers; nominal takes numbers or strings.
 */
export function krippendorffAlpha(units: readonly UnitValues[], level: AlphaLevel): number {
  const values: (number | string)[] = [];
  const index = new Map<number | string, number>();
  const pairable = units.map((u) => u.filter((v): v is number | string => v !== null));
  for (const u of pairable) {
    if (u.length < 2) continue;
    for (const v of u) {
      if (level !== 'nominal' && typeof v !== 'number') throw new TypeError(`${level} alpha needs numbers`);
      if (!index.has(v)) {
        index.set(v, values.length);
        values.push(v);
      }
    }
  }
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // Re-index by sorted value so the ordinal metric can sum margins between two values.
  const rank = new Map(order.map(([v], r) => [v, r]));
  const k = values.length;
  const o = Array.from({ length: k }, () => new Float64Array(k));
  for (const u of pairable) {
    const m = u.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i += 1) {
      for (let j = 0; j < m; j += 1) {
        if (i !== j) o[rank.get(u[i])!][rank.get(u[j])!] += 1 / (m - 1);
      }
    }
  }
  const margins = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = margins.reduce((s, x) => s + x, 0);
  if (n < 2) return NaN;
  const sorted = order.map(([v]) => v);
  const delta2 = (c: number, d: number): number => {
    if (c === d) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return ((sorted[c] as number) - (sorted[d] as number)) ** 2;
    const [lo, hi] = c < d ? [c, d] : [d, c];
    let sum = 0;
    for (let g = lo; g <= hi; g += 1) sum += margins[g];
    return (sum - (margins[c] + margins[d]) / 2) ** 2;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c += 1) {
    for (let d = 0; d < k; d += 1) {
      const w = delta2(c, d);
      observed += o[c][d] * w;
      expected += margins[c] * margins[d] * w;
    }
  }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j += 1;
    const average = (i + j) / 2 + 1;
    for (let t = i; t <= j; t += 1) ranks[order[t][1]] = average;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's correlation; NaN with fewer than two pairs or no variation. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`lists differ in length: ${x.length} and ${y.length}`);
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho: Pearson's correlation of the average ranks (ties handled as scipy.stats.spearmanr). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Options of {@link bootstrapInterval}. */
export interface IntervalOptions {
  /** @default 0 */
  readonly seed?: number;
  /** @default 1000 */
  readonly resamples?: number;
  /** @default 0.95 */
  readonly confidence?: number;
}

/**
 * Percentile bootstrap interval of `statistic` over `units` (drawn with replacement, MT19937 seeded
 * with `seed`, numpy-linear percentiles as the rest of the app). Resamples where the statistic is
 * undefined (NaN, e.g. no variation) are left out; [NaN, NaN] when fewer than half remain.
 */
export function bootstrapInterval<U>(units: readonly U[], statistic: (sample: U[]) => number, options: IntervalOptions = {}): [number, number] {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const n = units.length;
  if (n === 0) return [NaN, NaN];
  const rng = new Mt19937(options.seed ?? 0);
  const indices = new Uint32Array(n);
  const stats: number[] = [];
  for (let s = 0; s < resamples; s += 1) {
    drawIndices(rng, n, indices);
    const value = statistic(Array.from(indices, (i) => units[i]));
    if (!Number.isNaN(value)) stats.push(value);
  }
  if (stats.length < resamples / 2) return [NaN, NaN];
  const sorted = Float64Array.from(stats).sort();
  const delta = (1 - confidence) / 2;
  return [quantileSorted(sorted, delta), quantileSorted(sorted, 1 - delta)];
}
