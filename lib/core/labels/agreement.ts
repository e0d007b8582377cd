/**
 * Clinical agreement between generated and reference impressions: label both with the rule-based
 * labeler and compare the labels per record, as F1-CheXbert does with CheXbert labels (positive or
 * uncertain counts as present; negative and not mentioned as absent).
 */
import { drawIndices, Mt19937, quantileSorted } from '../rouge';
import { labelReport } from './labeler';
import { OBSERVATIONS, type LabelValue, type Observation, type ReportLabels } from './observations';

/** Counts and scores of one observation over all records. */
export interface ObservationAgreement {
  readonly observation: Observation;
  /** Records whose reference has the observation present. */
  readonly support: number;
  /** Records whose prediction has it present. */
  readonly predicted: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** TP / (TP + FP); 0 when nothing was predicted present. */
  readonly precision: number;
  /** TP / (TP + FN); 0 when the reference never has it. */
  readonly recall: number;
  /** 2TP / (2TP + FP + FN); 0 when the observation is absent from both sides of every record. */
  readonly f1: number;
}

/** A percentile bootstrap interval of one headline figure. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The headline figures: macro-F1 over 14, micro-F1 over the 13 other than No Finding, micro-F1 over 14. */
export interface HeadlineScores {
  readonly macroF1: number;
  readonly microF1Of13: number;
  readonly microF1Of14: number;
}

/** The agreement table of a set of prediction/reference label pairs. */
export interface AgreementReport extends HeadlineScores {
  readonly records: number;
  readonly observations: readonly ObservationAgreement[];
  readonly intervals: Readonly<Record<keyof HeadlineScores, Interval>>;
  readonly bootstrap: { readonly resamples: number; readonly confidence: number; readonly seed: number };
}

/** A generated and a reference label set for one record. */
export interface LabelPair {
  readonly prediction: ReportLabels;
  readonly reference: ReportLabels;
}

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** @default 1000 */
  readonly resamples?: number;
  /** @default 0.95 */
  readonly confidence?: number;
  /** @default 42 */
  readonly seed?: number;
}

/** Positive or uncertain: present, as F1-CheXbert counts it. */
export function isPresent(value: LabelValue): boolean {
  return value === 1 || value === -1;
}

const N = OBSERVATIONS.length;
const NO_FINDING = OBSERVATIONS.indexOf('No Finding');
// Per record and observation: 1 true positive, 2 false positive, 3 false negative, 0 true negative.
const TP = 1;
const FP = 2;
const FN = 3;

function outcomes(pairs: readonly LabelPair[]): Uint8Array {
  const out = new Uint8Array(pairs.length * N);
  pairs.forEach((pair, r) => {
    OBSERVATIONS.forEach((o, k) => {
      const p = isPresent(pair.prediction[o]);
      const g = isPresent(pair.reference[o]);
      out[r * N + k] = p && g ? TP : p ? FP : g ? FN : 0;
    });
  });
  return out;
}

/** 2TP / (2TP + FP + FN); 0 when all three are 0 (scikit-learn's zero_division default). */
export function f1(tp: number, fp: number, fn: number): number {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/** Headline figures from per-observation counts (arrays of length 14). */
function headline(tp: Float64Array, fp: Float64Array, fn: Float64Array): HeadlineScores {
  let macro = 0;
  let sTp = 0;
  let sFp = 0;
  let sFn = 0;
  for (let k = 0; k < N; k++) {
    macro += f1(tp[k], fp[k], fn[k]);
    if (k === NO_FINDING) continue;
    sTp += tp[k];
    sFp += fp[k];
    sFn += fn[k];
  }
  const all = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
  return {
    macroF1: macro / N,
    microF1Of13: f1(sTp, sFp, sFn),
    microF1Of14: f1(all(tp), all(fp), all(fn)),
  };
}

function count(table: Uint8Array, records: Iterable<number>): [Float64Array, Float64Array, Float64Array] {
  const tp = new Float64Array(N);
  const fp = new Float64Array(N);
  const fn = new Float64Array(N);
  for (const r of records) {
    for (let k = 0; k < N; k++) {
      const o = table[r * N + k];
      if (o === TP) tp[k] += 1;
      else if (o === FP) fp[k] += 1;
      else if (o === FN) fn[k] += 1;
    }
  }
  return [tp, fp, fn];
}

/**
 * The records of an outcome table grouped by their 14 outcomes: a resample is counted per distinct
 * pattern (a few hundred at most in practice) instead of per record and observation. The counts are
 * whole numbers, so they equal {@link count} on the same indices exactly.
 */
class PatternCounter {
  private readonly ids: Uint32Array;
  private readonly patterns: Uint8Array;
  private readonly hist: Float64Array;

  constructor(table: Uint8Array, records: number) {
    const idOf = new Map<string, number>();
    const patterns: number[] = [];
    this.ids = new Uint32Array(records);
    for (let r = 0; r < records; r++) {
      const row = table.subarray(r * N, r * N + N);
      const key = row.join('');
      let id = idOf.get(key);
      if (id === undefined) {
        id = idOf.size;
        idOf.set(key, id);
        patterns.push(...row);
      }
      this.ids[r] = id;
    }
    this.patterns = Uint8Array.from(patterns);
    this.hist = new Float64Array(idOf.size);
  }

  /** TP, FP and FN per observation over the records at `indices` (with repeats). */
  count(indices: Uint32Array): [Float64Array, Float64Array, Float64Array] {
    const hist = this.hist;
    hist.fill(0);
    for (let i = 0; i < indices.length; i++) hist[this.ids[indices[i]]] += 1;
    const tp = new Float64Array(N);
    const fp = new Float64Array(N);
    const fn = new Float64Array(N);
    for (let p = 0; p < hist.length; p++) {
      const times = hist[p];
      if (times === 0) continue;
      for (let k = 0; k < N; k++) {
        const o = this.patterns[p * N + k];
        if (o === TP) tp[k] += times;
        else if (o === FP) fp[k] += times;
        else if (o === FN) fn[k] += times;
      }
    }
    return [tp, fp, fn];
  }
}

/**
 * Compares label pairs record by record. Figures: per-observation support, precision, recall and
 * F1 (0 when undefined, as scikit-learn's default, which F1-CheXbert uses); macro-F1 over the 14;
 * micro-F1 over the 13 other than No Finding (headline, as F1-CheXbert reports); micro-F1 over the
 * 14 (for published numbers that include No Finding). Intervals: percentile bootstrap over records
 * (resample n records with replacement, `resamples` times, with the seeded MT19937 index draws of
 * lib/core/rouge, linear-interpolated percentiles). It says nothing about wording or about findings outside the 14 observations.
 */
export function agreement(pairs: readonly LabelPair[], options: BootstrapOptions = {}): AgreementReport {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 42;
  const table = outcomes(pairs);
  const indices = pairs.map((_, i) => i);
  const [tp, fp, fn] = count(table, indices);
  const observations = OBSERVATIONS.map((observation, k) => ({
    observation,
    support: tp[k] + fn[k],
    predicted: tp[k] + fp[k],
    truePositives: tp[k],
    falsePositives: fp[k],
    falseNegatives: fn[k],
    precision: tp[k] + fp[k] === 0 ? 0 : tp[k] / (tp[k] + fp[k]),
    recall: tp[k] + fn[k] === 0 ? 0 : tp[k] / (tp[k] + fn[k]),
    f1: f1(tp[k], fp[k], fn[k]),
  }));
  const rng = new Mt19937(seed);
  const samples: Record<keyof HeadlineScores, number[]> = { macroF1: [], microF1Of13: [], microF1Of14: [] };
  if (pairs.length > 0) {
    const counter = new PatternCounter(table, pairs.length);
    const indices = new Uint32Array(pairs.length);
    for (let b = 0; b < resamples; b++) {
      drawIndices(rng, pairs.length, indices);
      const scores = headline(...counter.count(indices));
      samples.macroF1.push(scores.macroF1);
      samples.microF1Of13.push(scores.microF1Of13);
      samples.microF1Of14.push(scores.microF1Of14);
    }
  }
  const tail = (1 - confidence) / 2;
  const interval = (values: number[]): Interval => {
    const sorted = [...values].sort((a, b) => a - b);
    return { low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
  };
  return {
    records: pairs.length,
    ...headline(tp, fp, fn),
    observations,
    intervals: {
      macroF1: interval(samples.macroF1),
      microF1Of13: interval(samples.microF1Of13),
      microF1Of14: interval(samples.microF1Of14),
    },
    bootstrap: { resamples, confidence, seed },
  };
}

/** A generated and a reference impression text. */
export interface TextPair {
  readonly prediction: string;
  readonly reference: string;
}

/**
 * Labels each prediction and reference with `labelReport` and returns the agreement table: the
 * entry point for `score --labels`. Text is never returned or logged.
 */
export function textAgreement(pairs: readonly TextPair[], options: BootstrapOptions = {}): AgreementReport {
  return agreement(
    pairs.map((p) => ({ prediction: labelReport(p.prediction), reference: labelReport(p.reference) })),
    options,
  );
}

/** Micro-F1 over the 13 observations other than No Finding, system A − system B, on the same records. */
export interface PairedAgreementDifference {
  /** Records labelled for both systems. */
  readonly records: number;
  readonly microF1Of13A: number;
  readonly microF1Of13B: number;
  /** A − B. */
  readonly difference: number;
  /** Paired percentile bootstrap interval of A − B (the same resampled records for both systems). */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Share of resamples where A − B ≤ 0: a one-sided bootstrap p-value for "A beats B". */
  readonly shareNotAbove: number;
}

/**
 * Paired bootstrap of micro-F1(13) of two systems on the same records: `a[i]` and `b[i]` must carry
 * the same reference. Each resample draws record indices once (seeded MT19937, as {@link agreement})
 * and recomputes both pooled F1 values on them. NaN figures for no records.
 * @throws RangeError when the lists differ in length.
 */
export function pairedAgreementDifference(a: readonly LabelPair[], b: readonly LabelPair[], options: BootstrapOptions = {}): PairedAgreementDifference {
  if (a.length !== b.length) throw new RangeError(`paired label lists differ in length: ${a.length} and ${b.length}`);
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const n = a.length;
  const tableA = outcomes(a);
  const tableB = outcomes(b);
  const all = a.map((_, i) => i);
  const microA = headline(...count(tableA, all)).microF1Of13;
  const microB = headline(...count(tableB, all)).microF1Of13;
  if (n === 0) return { records: 0, microF1Of13A: NaN, microF1Of13B: NaN, difference: NaN, ciLow: NaN, ciHigh: NaN, shareNotAbove: NaN };
  const rng = new Mt19937(options.seed ?? 42);
  const diffs: number[] = [];
  let notAbove = 0;
  const counterA = new PatternCounter(tableA, n);
  const counterB = new PatternCounter(tableB, n);
  const indices = new Uint32Array(n);
  for (let s = 0; s < resamples; s++) {
    drawIndices(rng, n, indices);
    const d = headline(...counterA.count(indices)).microF1Of13 - headline(...counterB.count(indices)).microF1Of13;
    diffs.push(d);
    if (d <= 0) notAbove += 1;
  }
  diffs.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return {
    records: n,
    microF1Of13A: microA,
    microF1Of13B: microB,
    difference: microA - microB,
    ciLow: quantileSorted(diffs, tail),
    ciHigh: quantileSorted(diffs, 1 - tail),
    shareNotAbove: notAbove / resamples,
  };
}
