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
 * The coincidences of a set of units over one ordered list of values: one k×k matrix (row-major) per
 * unit, so that the matrix of any collection of units (a bootstrap resample) is the sum of theirs.
 */
export interface CoincidenceTable {
  /** The values that occur in pairable units, sorted (numbers ascending, or strings). */
  readonly values: readonly (number | string)[];
  /** Per unit, its k×k coincidences (all zero for a unit with fewer than two values). */
  readonly matrices: readonly Float64Array[];
}

/** Builds the {@link CoincidenceTable} of `units`. */
export function coincidenceTable(units: readonly UnitValues[], level: AlphaLevel): CoincidenceTable {
  const pairable = units.map((u) => u.filter((v): v is number | string => v !== null));
  const present = new Set<number | string>();
  for (const u of pairable) {
    if (u.length < 2) continue;
    for (const v of u) {
      if (level !== 'nominal' && typeof v !== 'number') throw new TypeError(`${level} alpha needs numbers`);
      present.add(v);
    }
  }
  const values = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(values.map((v, i) => [v, i]));
  const k = values.length;
  const matrices = pairable.map((u) => {
    const m = new Float64Array(k * k);
    if (u.length < 2) return m;
    for (let i = 0; i < u.length; i += 1) {
      for (let j = 0; j < u.length; j += 1) if (i !== j) m[index.get(u[i])! * k + index.get(u[j])!] += 1 / (u.length - 1);
    }
    return m;
  });
  return { values, matrices };
}

/** Element-wise sum of k×k matrices. */
export function sumMatrices(matrices: readonly Float64Array[], k: number): Float64Array {
  const total = new Float64Array(k * k);
  for (const m of matrices) for (let i = 0; i < total.length; i += 1) total[i] += m[i];
  return total;
}

/** Alpha of one summed coincidence matrix `o` over the sorted `values` (see the module comment). */
export function alphaOfMatrix(o: Float64Array, values: readonly (number | string)[], level: AlphaLevel): number {
  const k = values.length;
  const margins = new Float64Array(k);
  for (let c = 0; c < k; c += 1) for (let d = 0; d < k; d += 1) margins[c] += o[c * k + d];
  const n = margins.reduce((a, b) => a + b, 0);
  if (n < 2) return NaN;
  const delta2 = (c: number, d: number): number => {
    if (c === d) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return ((values[c] as number) - (values[d] as number)) ** 2;
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
      observed += o[c * k + d] * w;
      expected += margins[c] * margins[d] * w;
    }
  }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/**
 * Krippendorff's alpha of `units` (each a list of the readers' values, missing as null).
 * Ordinal and interval levels need numbers; nominal takes numbers or strings.
 */
export function krippendorffAlpha(units: readonly UnitValues[], level: AlphaLevel): number {
  const table = coincidenceTable(units, level);
  return alphaOfMatrix(sumMatrices(table.matrices, table.values.length), table.values, level);
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  order.sort((p, q) => values[p] - values[q]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j += 1;
    const average = (i + j) / 2 + 1;
    for (let t = i; t <= j; t += 1) ranks[order[t]] = average;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's correlation; NaN with fewer than two pairs or no variation. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`lists differ in length: ${x.length} and ${y.length}`);
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i += 1) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
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
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
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
 * Percentile bootstrap interval of a statistic over `n` units drawn with replacement (MT19937 seeded
 * with `seed`, numpy-linear percentiles as the rest of the app). `statistic` receives the drawn
 * unit indices (the same array, refilled for each resample) so it can aggregate precomputed parts
 * without copying. Resamples where the statistic is undefined (NaN, e.g. no variation) are left
 * out; [NaN, NaN] when fewer than half remain.
 */
export function bootstrapInterval(n: number, statistic: (indices: Uint32Array) => number, options: IntervalOptions = {}): [number, number] {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (n === 0) return [NaN, NaN];
  const rng = new Mt19937(options.seed ?? 0);
  const indices = new Uint32Array(n);
  const stats: number[] = [];
  for (let s = 0; s < resamples; s += 1) {
    drawIndices(rng, n, indices);
    const value = statistic(indices);
    if (!Number.isNaN(value)) stats.push(value);
  }
  if (stats.length < resamples / 2) return [NaN, NaN];
  const sorted = Float64Array.from(stats).sort();
  const delta = (1 - confidence) / 2;
  return [quantileSorted(sorted, delta), quantileSorted(sorted, 1 - delta)];
}
