/**
 * Aggregates of per-pair scores: mean, the bootstrap confidence interval of `rouge-score`'s
 * BootstrapAggregator, distribution figures, and a paired comparison of two systems.
 *
 * Bootstrap semantics (as `rouge-score` 0.1.2): draw N indices with replacement, take the mean of
 * those N values, repeat `resamples` times; low/mid/high are the numpy-"linear" percentiles of the
 * resample means at 100·(1−c)/2, 50 and 100·(1−(1−c)/2). `mid` is therefore the median of the
 * bootstrap means, close to but not equal to the plain mean. With the same seed, the MT19937 source
 * reproduces `np.random.seed(seed)` followed by BootstrapAggregator bit for bit (sharing one
 * {@link RandomSource} across types in request order reproduces its shared stream).
 *
 * Empty input: `count` is 0 and every other figure is NaN (JSON.stringify writes null). A single
 * value has a NaN `std` (the sample standard deviation needs two values).
 */
import { Mt19937 } from './random';
import type { RandomSource } from './random';
import { resampleMeans } from './resample';

/** Seed used when none is given. */
export const DEFAULT_SEED = 0;
/** Resamples of the bootstrap, as `rouge-score`. */
export const DEFAULT_RESAMPLES = 1000;
/** Confidence level of the interval, as `rouge-score`. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Options of the bootstrap. */
export interface BootstrapOptions {
  /** Seed of a fresh MT19937 (integer in [0, 2^32)); ignored when `rng` is given. @default 0 */
  readonly seed?: number;
  /** A random source to draw from instead (lets several aggregates share one stream). */
  readonly rng?: RandomSource;
  /** Number of resamples. @default 1000 */
  readonly resamples?: number;
  /** Confidence level in (0, 1). @default 0.95 */
  readonly confidence?: number;
}

/** Distribution figures and bootstrap interval of one list of values. */
export interface Summary {
  readonly count: number;
  /** Plain mean (left-to-right sum divided by count). */
  readonly mean: number;
  /** Bootstrap interval: low and high percentiles, and the median of the resample means. */
  readonly ciLow: number;
  readonly ciMid: number;
  readonly ciHigh: number;
  /** Sample standard deviation (divisor count − 1). */
  readonly std: number;
  readonly min: number;
  /** Percentiles with linear interpolation between order statistics (numpy's default). */
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly max: number;
}

/** Result of {@link pairedDifference}. */
export interface PairedDifference {
  readonly count: number;
  readonly meanA: number;
  readonly meanB: number;
  /** meanA − meanB. */
  readonly difference: number;
  /** Paired bootstrap interval of meanA − meanB (same resampled indices for both systems). */
  readonly ciLow: number;
  readonly ciMid: number;
  readonly ciHigh: number;
  /** Share of resamples in which meanA − meanB ≤ 0: a one-sided bootstrap p-value for "A beats B". */
  readonly shareNotAbove: number;
}

/** Left-to-right sum divided by the count, like numpy's mean over axis 0; NaN when empty. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i];
  return sum / values.length;
}

/**
 * The q-quantile (q in [0, 1]) of ascending `sorted` values with numpy's "linear" method, including
 * its interpolation formula (from below when the fraction is under 0.5, from above otherwise).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const g = h - lo;
  const a = sorted[Math.min(Math.max(lo, 0), n - 1)];
  const b = sorted[Math.min(Math.max(lo + 1, 0), n - 1)];
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/** Sample standard deviation (divisor n − 1); NaN for fewer than two values. */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const d = values[i] - m;
    squares += d * d;
  }
  return Math.sqrt(squares / (n - 1));
}

function validate(options: BootstrapOptions): { rng: RandomSource; resamples: number; confidence: number } {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return { rng: options.rng ?? new Mt19937(options.seed ?? DEFAULT_SEED), resamples, confidence };
}

/** low/mid/high of sorted resample statistics at rouge-score's percentiles. */
function interval(sortedStats: Float64Array, confidence: number): [number, number, number] {
  const delta = (1 - confidence) / 2;
  // Percent first, then back to a fraction: the same roundings as numpy.percentile(q = 100·[...]).
  const percents = [100 * delta, 100 * 0.5, 100 * (1 - delta)];
  const [low, mid, high] = percents.map((p) => quantileSorted(sortedStats, p / 100));
  return [low, mid, high];
}

/** The sorted resample means of one column → [low, mid, high]. */
function intervalOf(means: Float64Array, confidence: number): [number, number, number] {
  means.sort();
  return interval(means, confidence);
}

/**
 * Bootstrap interval of the mean of `values`: [low, mid, high] (NaN for an empty list). Uses
 * `resamples` × N draws from the random source.
 */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): [number, number, number] {
  const { rng, resamples, confidence } = validate(options);
  if (values.length === 0) return [NaN, NaN, NaN];
  return intervalOf(resampleMeans(rng, [values], resamples)[0], confidence);
}

/** Everything of a Summary but the interval. */
function distribution(values: ArrayLike<number>): Omit<Summary, 'ciLow' | 'ciMid' | 'ciHigh'> {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return {
    count: n,
    mean: mean(values),
    std: sampleStd(values),
    min: n === 0 ? NaN : sorted[0],
    p25: quantileSorted(sorted, 0.25),
    p50: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    max: n === 0 ? NaN : sorted[n - 1],
  };
}

/** Count, mean, bootstrap interval, sample std, min, quartiles and max of `values` (see module comment). */
export function summarize(values: ArrayLike<number>, options: BootstrapOptions = {}): Summary {
  const [ciLow, ciMid, ciHigh] = bootstrapMean(values, options);
  const { count, mean: m, std, min, p25, p50, p75, max } = distribution(values);
  return { count, mean: m, ciLow, ciMid, ciHigh, std, min, p25, p50, p75, max };
}

/**
 * {@link summarize} from resample means computed elsewhere (`resampleMeans`, possibly on another
 * thread): the same figures when `means` are the means summarize would have drawn. `means` is sorted
 * in place.
 */
export function summarizeResampled(values: ArrayLike<number>, means: Float64Array, confidence = DEFAULT_CONFIDENCE): Summary {
  const [ciLow, ciMid, ciHigh] = values.length === 0 ? [NaN, NaN, NaN] : intervalOf(means, confidence);
  const { count, mean: m, std, min, p25, p50, p75, max } = distribution(values);
  return { count, mean: m, ciLow, ciMid, ciHigh, std, min, p25, p50, p75, max };
}

/**
 * {@link summarize} of several equally long columns with one set of draws: every column is
 * resampled with the same indices. With `seed`, `result[i]` equals `summarize(columns[i], { seed })`
 * bit for bit (each of those would start a fresh MT19937 of that seed and draw the same indices),
 * at the cost of one column's draws; with `rng`, the draws are taken once from it, as
 * `rouge-score` shares them between the precision, recall and F columns of one type.
 * @throws RangeError when the columns differ in length.
 */
export function summarizeColumns(columns: readonly ArrayLike<number>[], options: BootstrapOptions = {}): Summary[] {
  const { rng, resamples, confidence } = validate(options);
  if (columns.length === 0) return [];
  const n = columns[0].length;
  if (columns.some((c) => c.length !== n)) throw new RangeError(`columns differ in length: ${columns.map((c) => c.length).join(', ')}`);
  const means = n === 0 ? undefined : resampleMeans(rng, columns, resamples);
  return columns.map((values, c) => {
    const [ciLow, ciMid, ciHigh] = means === undefined ? [NaN, NaN, NaN] : intervalOf(means[c], confidence);
    const { count, mean: m, std, min, p25, p50, p75, max } = distribution(values);
    return { count, mean: m, ciLow, ciMid, ciHigh, std, min, p25, p50, p75, max };
  });
}

/**
 * Paired comparison of two systems scored on the same references, pair i of `a` against pair i of
 * `b`: difference of means and a paired bootstrap interval of it (each resample draws one index set
 * used for both). Says nothing about which references are hard; only that the mean gap is or is not
 * stable under resampling.
 * @throws RangeError when the lists differ in length.
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions = {}): PairedDifference {
  return pairedDifferences([[a, b]], options)[0];
}

/**
 * {@link pairedDifference} of several system pairs on the same N references with one set of draws:
 * with `seed`, `result[i]` equals `pairedDifference(a_i, b_i, { seed })` bit for bit, at the cost of
 * one pair's draws.
 * @throws RangeError when any list differs in length from the first.
 */
export function pairedDifferences(pairs: readonly (readonly [ArrayLike<number>, ArrayLike<number>])[], options: BootstrapOptions = {}): PairedDifference[] {
  const { rng, resamples, confidence } = validate(options);
  if (pairs.length === 0) return [];
  const n = pairs[0][0].length;
  for (const [a, b] of pairs) {
    if (a.length !== b.length) throw new RangeError(`paired lists differ in length: ${a.length} and ${b.length}`);
    if (a.length !== n) throw new RangeError(`paired lists differ in length: ${n} and ${a.length}`);
  }
  const means = n === 0 ? undefined : resampleMeans(rng, pairs.flat(), resamples);
  return pairs.map(([a, b], p) => {
    const meanA = mean(a);
    const meanB = mean(b);
    if (means === undefined) return { count: 0, meanA, meanB, difference: NaN, ciLow: NaN, ciMid: NaN, ciHigh: NaN, shareNotAbove: NaN };
    const meansA = means[2 * p];
    const meansB = means[2 * p + 1];
    const diffs = new Float64Array(resamples);
    let notAbove = 0;
    for (let s = 0; s < resamples; s += 1) {
      const d = meansA[s] - meansB[s];
      diffs[s] = d;
      if (d <= 0) notAbove += 1;
    }
    const [ciLow, ciMid, ciHigh] = intervalOf(diffs, confidence);
    return { count: n, meanA, meanB, difference: meanA - meanB, ciLow, ciMid, ciHigh, shareNotAbove: notAbove / resamples };
  });
}
