/**
 * Building prediction rows (DESIGN.md "Prediction row"): a scored row with every ROUGE F,
 * precision and recall and the CheXpert-style labels of both impressions, or a failed row with its
 * error, null scores and null generated labels. Never both.
 */
import { labelReport } from '../labels/labeler';
import { encodeRowLabels } from '../labels/row-labels';
import type { ModelName, PredictionRow, RougeTriple } from '../run/contracts';
import type { InvalidRecord, ScorableRecord } from '../eval-record';

/** The four ROUGE types scored, in report order, with their row column names. */
export const ROUGE_METRICS = [
  { metric: 'rouge1', column: 'rouge1', label: 'ROUGE-1' },
  { metric: 'rouge2', column: 'rouge2', label: 'ROUGE-2' },
  { metric: 'rougeL', column: 'rougel', label: 'ROUGE-L' },
  { metric: 'rougeLsum', column: 'rougelsum', label: 'ROUGE-Lsum' },
] as const;

/** A ROUGE metric name as used in summary rows (`rouge1`, `rouge2`, `rougeL`, `rougeLsum`). */
export type RougeMetric = (typeof ROUGE_METRICS)[number]['metric'];

/** Scores of one prediction against one reference, per metric. */
export type RougeResult = { readonly [M in RougeMetric]: RougeTriple };

/** Scores `prediction` against `reference` (the ROUGE implementation is injected; lib/core/rouge in production). */
export type RougeFn = (prediction: string, reference: string) => RougeResult;

/** Row fields that do not depend on the record. */
export interface RowContext {
  readonly runId: string;
  readonly dataset: string;
  readonly dataSource: string;
  readonly model: ModelName;
  readonly modelVersion: string;
  /** ISO-8601 UTC time the row is written. */
  readonly createdAt: string;
}

const NULL_SCORES = {
  rouge1: null,
  rouge2: null,
  rougel: null,
  rougelsum: null,
  rouge1_precision: null,
  rouge1_recall: null,
  rouge2_precision: null,
  rouge2_recall: null,
  rougel_precision: null,
  rougel_recall: null,
  rougelsum_precision: null,
  rougelsum_recall: null,
} as const;

/** The stored labels of one text (rule-based labeler, compact JSON). */
export function rowLabels(text: string): string {
  return encodeRowLabels(labelReport(text));
}

/** A scored row: `generated` scored against the record's impression, both labelled. */
export function scoredRow(ctx: RowContext, record: ScorableRecord, generated: string, latencyMs: number | null, rouge: RougeFn): PredictionRow {
  const s = rouge(generated, record.impression);
  return {
    ...base(ctx, record.studyId, record.findings, record.background, record.impression),
    generated,
    rouge1: s.rouge1.fmeasure,
    rouge2: s.rouge2.fmeasure,
    rougel: s.rougeL.fmeasure,
    rougelsum: s.rougeLsum.fmeasure,
    rouge1_precision: s.rouge1.precision,
    rouge1_recall: s.rouge1.recall,
    rouge2_precision: s.rouge2.precision,
    rouge2_recall: s.rouge2.recall,
    rougel_precision: s.rougeL.precision,
    rougel_recall: s.rougeL.recall,
    rougelsum_precision: s.rougeLsum.precision,
    rougelsum_recall: s.rougeLsum.recall,
    latency_ms: latencyMs,
    generated_labels: rowLabels(generated),
    reference_labels: rowLabels(record.impression),
    error: null,
    created_at: ctx.createdAt,
  };
}

/** A row for a valid record whose impression could not be generated (endpoint failure, malformed response); the reference is still labelled. */
export function failedRow(ctx: RowContext, record: ScorableRecord, error: string, latencyMs: number | null): PredictionRow {
  return {
    ...base(ctx, record.studyId, record.findings, record.background, record.impression),
    generated: null,
    ...NULL_SCORES,
    latency_ms: latencyMs,
    generated_labels: null,
    reference_labels: rowLabels(record.impression),
    error,
    created_at: ctx.createdAt,
  };
}

/** A row for a record that could not be read; its text fields are empty and its labels null. */
export function invalidRecordRow(ctx: RowContext, record: InvalidRecord): PredictionRow {
  return {
    ...base(ctx, record.studyId, '', '', ''),
    generated: null,
    ...NULL_SCORES,
    latency_ms: null,
    generated_labels: null,
    reference_labels: null,
    error: record.error,
    created_at: ctx.createdAt,
  };
}

function base(ctx: RowContext, studyId: string, findings: string, background: string, reference: string) {
  return {
    run_id: ctx.runId,
    dataset: ctx.dataset,
    data_source: ctx.dataSource,
    model: ctx.model,
    model_version: ctx.modelVersion,
    study_id: studyId,
    findings,
    background,
    reference,
  };
}

/** Rows as a JSONL body (one row per line, trailing newline). */
export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}
