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
import { compareModels } from './model-order';
import { ROUGE_METRICS, type RougeMetric } from './rows';
import type { CostEstimate } from './cost';
import { errorCounts, errorReport, type ErrorReport } from './trust';

/** Seed of every bootstrap in a run's aggregates. */
export const AGGREGATE_SEED = 0;

export { compareModels, MODEL_ORDER } from './model-order';

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
 * Paired differences fine-tuned − pretrained per dataset and type. Reports are paired by study_id,
 * never by position (part files may come in any order, and either model may fail on any report);
 * a report either model failed is left out of the pair. Datasets lacking either model are skipped.
 * @throws DuplicateStudyIdError when a model has two rows for one study id in a dataset.
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

/** A model has two rows for one study id in a dataset: its rows cannot be paired. */
export class DuplicateStudyIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DuplicateStudyIdError';
  }
}

/**
 * Fine-tuned and pretrained rows of `dataset` that both scored, paired by study_id, in the
 * fine-tuned rows' order; undefined when either model scored none.
 */
function scoredPairs(rows: readonly PredictionRow[], dataset: string): [PredictionRow, PredictionRow][] | undefined {
  const of = (model: string) => rows.filter((r) => r.dataset === dataset && r.model === model);
  const ft = of('fine-tuned');
  const pt = of('pretrained');
  const scored = (modelRows: readonly PredictionRow[]): boolean => modelRows.some((r) => r.error === null);
  if (!scored(ft) || !scored(pt)) return undefined;
  return pairScoredByStudyId(ft, pt);
}

/**
 * The rows of two models on one data set that both scored, paired by study_id (never by position:
 * part files may come in any order, and either model may fail on any report), in `a`'s order. Every
 * row counts for the uniqueness of ids, error rows included (dropping them first would let a
 * repeated id pair the wrong reports). The one pairing rule of the aggregation and the report.
 * @throws DuplicateStudyIdError when either side has two rows for one study id.
 */
export function pairScoredByStudyId(a: readonly PredictionRow[], b: readonly PredictionRow[]): [PredictionRow, PredictionRow][] {
  const byIdA = rowsByStudyId(a);
  const byIdB = rowsByStudyId(b);
  const pairs: [PredictionRow, PredictionRow][] = [];
  for (const [studyId, x] of byIdA) {
    const y = byIdB.get(studyId);
    if (x.error === null && y !== undefined && y.error === null) pairs.push([x, y]);
  }
  return pairs;
}

/** Rows (of one model in one dataset) by study id, in row order. @throws DuplicateStudyIdError naming the id. */
function rowsByStudyId(rows: readonly PredictionRow[]): Map<string, PredictionRow> {
  const byId = new Map<string, PredictionRow>();
  for (const row of rows) {
    if (byId.has(row.study_id)) {
      throw new DuplicateStudyIdError(
        `${row.dataset}/${row.model}: two rows for study_id ${row.study_id}; the models' rows are paired by study_id, which must be unique in a data set ` +
          '(plan-evaluation rejects an evaluation set that repeats one)',
      );
    }
    byId.set(row.study_id, row);
  }
  return byId;
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
  /**
   * Rows with an error per dataset and model, and whether the results are trustworthy: no model
   * above MAX_TRUSTED_ERROR_RATE (./trust.ts). Absent in run summaries written before it.
   */
  readonly errors?: ErrorReport;
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
    errors: errorReport(errorCounts(rows)),
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
