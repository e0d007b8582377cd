/**
 * Clinical agreement in a run's aggregates: from the labels the evaluate step stored in each
 * prediction row (never re-labelled here), one SummaryRow per dataset × model × headline figure,
 * and the paired difference fine-tuned − pretrained of micro-F1(13).
 *
 * Method: a record counts when its row has no error and carries both label sets (rows written
 * before labels existed carry none and are skipped); present = positive or uncertain, as
 * lib/core/labels/agreement.ts; intervals are percentile bootstraps over records with the run's
 * resamples, confidence and seed. A pooled F1 has no per-record distribution, so the summary
 * rows' `std`, `min`, `p25`, `p50`, `p75`, `max` are null.
 */
import { agreement, pairedAgreementDifference, type HeadlineScores, type LabelPair } from '../labels/agreement';
import { decodeRowLabels } from '../labels/row-labels';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES } from '../rouge';
import type { PredictionRow, SummaryRow } from '../run/contracts';

/** The agreement figures written as summary rows, headline first, with their report labels. */
export const AGREEMENT_METRICS = [
  { metric: 'chexpert_micro_f1_13', figure: 'microF1Of13', label: 'micro-F1 (13)' },
  { metric: 'chexpert_macro_f1_14', figure: 'macroF1', label: 'macro-F1 (14)' },
  { metric: 'chexpert_micro_f1_14', figure: 'microF1Of14', label: 'micro-F1 (14)' },
] as const satisfies readonly { metric: string; figure: keyof HeadlineScores; label: string }[];

/** An agreement metric name as used in summary rows. */
export type AgreementMetric = (typeof AGREEMENT_METRICS)[number]['metric'];

/** True when `metric` is one of the agreement metrics. */
export function isAgreementMetric(metric: string): metric is AgreementMetric {
  return AGREEMENT_METRICS.some((m) => m.metric === metric);
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function where(row: PredictionRow, field: string): string {
  return `run ${row.run_id} ${row.dataset}/${row.model} study ${row.study_id}: ${field}`;
}

/**
 * The stored label pair of a row, or undefined when the row has an error or lacks either label set.
 * @throws Error naming the run, dataset/model, study id and field when stored labels are malformed.
 */
export function storedLabelPair(row: PredictionRow): LabelPair | undefined {
  // A row is read twice in an aggregation (its group's figures, then the paired comparison): decode once.
  if (decoded.has(row)) return decoded.get(row);
  const pair = decodeLabelPair(row);
  decoded.set(row, pair);
  return pair;
}

const decoded = new WeakMap<PredictionRow, LabelPair | undefined>();

function decodeLabelPair(row: PredictionRow): LabelPair | undefined {
  if (row.error !== null) return undefined;
  const generated = row.generated_labels ?? null;
  const reference = row.reference_labels ?? null;
  if (generated === null || reference === null) return undefined;
  return { prediction: decodeRowLabels(generated, where(row, 'generated_labels')), reference: decodeRowLabels(reference, where(row, 'reference_labels')) };
}

/**
 * The agreement summary rows of one dataset × model group, or none when no row of the group carries
 * reference labels (a run written before labelling). With labels but no labelled record (every row
 * failed), the rows are written with count 0 and null figures.
 */
export function agreementSummaryRows(runId: string, dataset: string, model: string, rows: readonly PredictionRow[], seed: number): SummaryRow[] {
  if (!rows.some((r) => (r.reference_labels ?? null) !== null)) return [];
  const pairs = rows.map(storedLabelPair).filter((p): p is LabelPair => p !== undefined);
  const errors = rows.filter((r) => r.error !== null).length;
  const report = pairs.length === 0 ? undefined : agreement(pairs, { resamples: DEFAULT_RESAMPLES, confidence: DEFAULT_CONFIDENCE, seed });
  return AGREEMENT_METRICS.map(({ metric, figure }) => ({
    run_id: runId,
    dataset,
    model,
    metric,
    count: pairs.length,
    errors,
    mean: report === undefined ? null : finite(report[figure]),
    ci_low: report === undefined ? null : finite(report.intervals[figure].low),
    ci_high: report === undefined ? null : finite(report.intervals[figure].high),
    std: null,
    min: null,
    p25: null,
    p50: null,
    p75: null,
    max: null,
  }));
}

/** Fine-tuned − pretrained micro-F1(13) on the reports both labelled, for one dataset. */
export interface PairedAgreementComparison {
  readonly dataset: string;
  readonly metric: 'chexpert_micro_f1_13';
  /** Reports labelled for both models. */
  readonly pairs: number;
  readonly fineTuned: number | null;
  readonly pretrained: number | null;
  readonly difference: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** Share of resamples where fine-tuned did not beat pretrained (one-sided bootstrap p-value). */
  readonly shareNotAbove: number | null;
}

/**
 * The paired micro-F1(13) comparison of one dataset from rows already paired by study id
 * (fine-tuned first); pairs where either row lacks labels are left out.
 */
export function pairedAgreementComparison(
  dataset: string,
  pairs: readonly (readonly [PredictionRow, PredictionRow])[],
  seed: number,
): PairedAgreementComparison {
  const ft: LabelPair[] = [];
  const pt: LabelPair[] = [];
  for (const [f, p] of pairs) {
    const a = storedLabelPair(f);
    const b = storedLabelPair(p);
    if (a === undefined || b === undefined) continue;
    ft.push(a);
    pt.push(b);
  }
  const d = pairedAgreementDifference(ft, pt, { resamples: DEFAULT_RESAMPLES, confidence: DEFAULT_CONFIDENCE, seed });
  return {
    dataset,
    metric: 'chexpert_micro_f1_13',
    pairs: d.records,
    fineTuned: finite(d.microF1Of13A),
    pretrained: finite(d.microF1Of13B),
    difference: finite(d.difference),
    ciLow: finite(d.ciLow),
    ciHigh: finite(d.ciHigh),
    shareNotAbove: finite(d.shareNotAbove),
  };
}
