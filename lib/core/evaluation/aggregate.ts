/**
 * Aggregation of a run's prediction rows: one SummaryRow per dataset × model × ROUGE type and per
 * agreement figure (./agreement-summary.ts), the paired difference fine-tuned − pretrained per
 * dataset and type (and of micro-F1(13)), and the run summary document.
 *
 * Method (stated next to every number in the run summary): figures are over scored rows only
 * (rows with an `error` are counted in `errors`, not scored as 0); `mean` is the plain mean; the
 * interval is the 95% bootstrap interval of the mean (1,000 resamples, rouge-score's percentiles)
 * from a fresh MT19937 seeded with `seed` for each figure, so every figure is reproducible on its
 * own; `std` is the sample standard deviation; percentiles interpolate linearly (numpy's default).
 */
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, pairedDifferences, summarize, summarizeColumns } from '../rouge';
import type { PredictionRow, SummaryRow } from '../run/contracts';
import { agreementSummaryRows, isAgreementMetric, pairedAgreementComparison, type PairedAgreementComparison } from './agreement-summary';
import { BASELINE_MODELS } from './baselines';
import { ROUGE_METRICS, type RougeMetric } from './rows';
import type { CostEstimate } from './cost';

/** Seed of every bootstrap in a run's aggregates. */
export const AGGREGATE_SEED = 0;

/** Model names in report order: the two models, then the baselines; unknown names follow, sorted. */
export const MODEL_ORDER: readonly string[] = ['pretrained', 'fine-tuned', ...BASELINE_MODELS];

/** Sorts model names in report order. */
export function compareModels(a: string, b: string): number {
  const ia = MODEL_ORDER.indexOf(a);
  const ib = MODEL_ORDER.indexOf(b);
  if (ia !== ib) return (ia === -1 ? MODEL_ORDER.length : ia) - (ib === -1 ? MODEL_ORDER.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The F value of `metric` on a row (null when the row has an error). */
export function metricValue(row: PredictionRow, metric: RougeMetric): number | null {
  const column = ROUGE_METRICS.find((m) => m.metric === metric)!.column;
  return row[column];
}

/** Groups rows by dataset and model, keeping row order; keys sorted (datasets by name, models in report order). */
export function groupRows(rows: readonly PredictionRow[]): { dataset: string; model: string; rows: PredictionRow[] }[] {
  const groups = new Map<string, { dataset: string; model: string; rows: PredictionRow[] }>();
  for (const row of rows) {
    const key = `${row.dataset}\u0000${row.model}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { dataset: row.dataset, model: row.model, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()].sort((a, b) => (a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1));
}

/**
 * One SummaryRow per dataset × model × ROUGE type over the scored rows, followed in each group by
 * its agreement rows (from the stored labels; none for rows without labels), in report order.
 */
export function summaryRows(runId: string, rows: readonly PredictionRow[], seed = AGGREGATE_SEED): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const group of groupRows(rows)) {
    const errors = group.rows.filter((r) => r.error !== null).length;
    const scored = group.rows.filter((r) => r.error === null);
    const columns = ROUGE_METRICS.map(({ metric }) => scored.map((r) => metricValue(r, metric)).filter((v): v is number => v !== null));
    // Every figure has its own MT19937 of `seed`; with the columns equally long (a scored row has
    // every score) they would all draw the same indices, so they are drawn once for the four.
    const summaries = columns.every((c) => c.length === columns[0].length) ? summarizeColumns(columns, { seed }) : columns.map((c) => summarize(c, { seed }));
    for (const [m, { metric }] of ROUGE_METRICS.entries()) {
      const s = summaries[m];
      out.push({
        run_id: runId,
        dataset: group.dataset,
        model: group.model,
        metric,
        count: group.rows.length,
        errors,
        mean: finite(s.mean),
        ci_low: finite(s.ciLow),
        ci_high: finite(s.ciHigh),
        std: finite(s.std),
        min: finite(s.min),
        p25: finite(s.p25),
        p50: finite(s.p50),
        p75: finite(s.p75),
        max: finite(s.max),
      });
    }
    out.push(...agreementSummaryRows(runId, group.dataset, group.model, group.rows, seed));
  }
  return out;
}

/** Fine-tuned − pretrained on the reports both scored, for one dataset and ROUGE type. */
export interface PairedComparison {
  readonly dataset: string;
  readonly metric: RougeMetric;
  /** Reports scored by both models. */
  readonly pairs: number;
  readonly fineTunedMean: number | null;
  readonly pretrainedMean: number | null;
  readonly difference: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** Share of resamples where fine-tuned did not beat pretrained (one-sided bootstrap p-value). */
  readonly shareNotAbove: number | null;
}

/**
 * Paired differences fine-tuned − pretrained per dataset and type. Reports are paired by study_id
 * (the k-th occurrence with the k-th, should a set repeat an id) in the fine-tuned rows' order;
 * a report either model failed is left out of the pair. Datasets lacking either model are skipped.
 */
export function pairedComparisons(rows: readonly PredictionRow[], seed = AGGREGATE_SEED): PairedComparison[] {
  const out: PairedComparison[] = [];
  const datasets = [...new Set(rows.map((r) => r.dataset))].sort();
  for (const dataset of datasets) {
    const pairs = scoredPairs(rows, dataset);
    if (pairs === undefined) continue;
    // One MT19937 of `seed` per figure, all over the same pairs: drawn once for the four types.
    const differences = pairedDifferences(
      ROUGE_METRICS.map(({ metric }) => [pairs.map(([f]) => metricValue(f, metric) ?? NaN), pairs.map(([, p]) => metricValue(p, metric) ?? NaN)] as const),
      { seed },
    );
    for (const [m, { metric }] of ROUGE_METRICS.entries()) {
      const d = differences[m];
      out.push({
        dataset,
        metric,
        pairs: d.count,
        fineTunedMean: finite(d.meanA),
        pretrainedMean: finite(d.meanB),
        difference: finite(d.difference),
        ciLow: finite(d.ciLow),
        ciHigh: finite(d.ciHigh),
        shareNotAbove: finite(d.shareNotAbove),
      });
    }
  }
  return out;
}

/**
 * Fine-tuned and pretrained rows of `dataset` that both scored, paired by study_id (the k-th
 * occurrence with the k-th) in the fine-tuned rows' order; undefined when either model has none.
 */
function scoredPairs(rows: readonly PredictionRow[], dataset: string): [PredictionRow, PredictionRow][] | undefined {
  const ft = rows.filter((r) => r.dataset === dataset && r.model === 'fine-tuned' && r.error === null);
  const pt = rows.filter((r) => r.dataset === dataset && r.model === 'pretrained' && r.error === null);
  if (ft.length === 0 || pt.length === 0) return undefined;
  const ptByKey = new Map(occurrenceKeys(pt).map((key, i) => [key, pt[i]]));
  const pairs: [PredictionRow, PredictionRow][] = [];
  occurrenceKeys(ft).forEach((key, i) => {
    const other = ptByKey.get(key);
    if (other !== undefined) pairs.push([ft[i], other]);
  });
  return pairs;
}

/**
 * Paired micro-F1(13) fine-tuned − pretrained per dataset, on the reports both scored and both have
 * labels for (paired as {@link pairedComparisons}). Datasets lacking either model, or without any
 * labelled pair (runs written before labelling), are skipped.
 */
export function pairedAgreementComparisons(rows: readonly PredictionRow[], seed = AGGREGATE_SEED): PairedAgreementComparison[] {
  const out: PairedAgreementComparison[] = [];
  for (const dataset of [...new Set(rows.map((r) => r.dataset))].sort()) {
    const pairs = scoredPairs(rows, dataset);
    if (pairs === undefined) continue;
    const comparison = pairedAgreementComparison(dataset, pairs, seed);
    if (comparison.pairs > 0) out.push(comparison);
  }
  return out;
}

function occurrenceKeys(rows: readonly PredictionRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const k = seen.get(r.study_id) ?? 0;
    seen.set(r.study_id, k + 1);
    return `${r.study_id}\u0000${k}`;
  });
}

/** Means table entry: one dataset × model with its four mean F values. */
export interface MeansEntry {
  readonly dataset: string;
  readonly model: string;
  readonly count: number;
  readonly errors: number;
  readonly means: { readonly [M in RougeMetric]: number | null };
}

/** The means table (one entry per dataset × model) from the ROUGE summary rows (agreement rows are ignored). */
export function meansTable(summary: readonly SummaryRow[]): MeansEntry[] {
  const entries = new Map<string, { dataset: string; model: string; count: number; errors: number; means: Record<string, number | null> }>();
  for (const s of summary) {
    if (isAgreementMetric(s.metric)) continue;
    const key = `${s.dataset}\u0000${s.model}`;
    const e = entries.get(key) ?? { dataset: s.dataset, model: s.model, count: s.count, errors: s.errors, means: {} };
    e.means[s.metric] = s.mean;
    entries.set(key, e);
  }
  return [...entries.values()].map((e) => ({
    ...e,
    means: { rouge1: e.means.rouge1 ?? null, rouge2: e.means.rouge2 ?? null, rougeL: e.means.rougeL ?? null, rougeLsum: e.means.rougeLsum ?? null },
  }));
}

/** `runs/<id>/run-summary.json`. */
export interface RunSummary {
  readonly runId: string;
  readonly createdAt: string;
  readonly scoring: {
    readonly implementation: string;
    readonly stemmer: boolean;
    readonly scoreOrder: string;
  };
  readonly aggregation: {
    readonly method: string;
    readonly resamples: number;
    readonly confidence: number;
    readonly seed: number;
  };
  readonly rows: { readonly total: number; readonly scored: number; readonly errors: number };
  readonly means: readonly MeansEntry[];
  readonly pairedDifferences: readonly PairedComparison[];
  /** How the agreement summary rows were computed (absent in run summaries written before labelling). */
  readonly agreement?: {
    readonly labeler: string;
    readonly method: string;
  };
  /** Fine-tuned − pretrained micro-F1(13) per dataset (paired bootstrap); empty or absent for runs without labels. */
  readonly pairedAgreement?: readonly PairedAgreementComparison[];
  readonly cost: CostEstimate;
}

/** Whether rows were scored with the stemmer; the evaluate Lambda records it. */
export const SCORING_STEMMER = false;

/** Builds the run summary document. */
export function buildRunSummary(
  runId: string,
  rows: readonly PredictionRow[],
  summary: readonly SummaryRow[],
  cost: CostEstimate,
  createdAt: Date,
  seed = AGGREGATE_SEED,
): RunSummary {
  const errors = rows.filter((r) => r.error !== null).length;
  return {
    runId,
    createdAt: createdAt.toISOString(),
    scoring: {
      implementation: 'lib/core/rouge (bit-exact with rouge-score 0.1.2, default tokenizer)',
      stemmer: SCORING_STEMMER,
      scoreOrder: 'F measure of the generated impression against the reference impression, one reference',
    },
    aggregation: {
      method:
        'over scored rows (errors excluded and counted); plain mean; bootstrap interval of the mean; sample std; linear-interpolation percentiles; paired differences by study_id',
      resamples: DEFAULT_RESAMPLES,
      confidence: DEFAULT_CONFIDENCE,
      seed,
    },
    rows: { total: rows.length, scored: rows.length - errors, errors },
    means: meansTable(summary),
    pairedDifferences: pairedComparisons(rows, seed),
    agreement: {
      labeler: 'lib/core/labels (rule-based CheXpert-style labeler, 14 observations), labels stored in each prediction row by the evaluate step',
      method:
        'over rows without error that carry both label sets; present = positive or uncertain; chexpert_micro_f1_13 (headline, without No Finding), chexpert_macro_f1_14, chexpert_micro_f1_14; percentile bootstrap interval over records with the resamples, confidence and seed above; no distribution figures',
    },
    pairedAgreement: pairedAgreementComparisons(rows, seed),
    cost,
  };
}
