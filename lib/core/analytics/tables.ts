/**
 * The schema of the two result tables (`predictions`, `summary`) that Glue declares over
 * `prediction_data/`, derived from the row contracts so that a field added to a row without a
 * column here fails to compile. Used by the Glue tables, the QuickSight data sets, the Lambda that
 * registers a run's partitions and the CLI that reads the tables back.
 */
import type { PredictionRow, ReviewRow, ReviewSummaryRow, SummaryRow } from '../run/contracts';
import { predictionsPrefix, PREDICTIONS_PREFIX, SUMMARY_PREFIX, summaryPrefix } from '../evaluation/keys';
import { REVIEW_RESULTS_PREFIX } from '../review/keys';

/** Hive/Athena column types used by the result tables. */
export type ColumnType = 'string' | 'double' | 'bigint';

/** One column of a result table. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

export { isValidRunId, PREDICTIONS_PREFIX, SUMMARY_PREFIX } from '../evaluation/keys';

/** Every field of a prediction row with its column type (a missing or extra field fails to compile). */
const PREDICTION_FIELD_TYPES: { readonly [K in keyof Required<PredictionRow>]: ColumnType } = {
  run_id: 'string',
  dataset: 'string',
  data_source: 'string',
  model: 'string',
  model_version: 'string',
  study_id: 'string',
  findings: 'string',
  background: 'string',
  reference: 'string',
  generated: 'string',
  rouge1: 'double',
  rouge2: 'double',
  rougel: 'double',
  rougelsum: 'double',
  rouge1_precision: 'double',
  rouge1_recall: 'double',
  rouge2_precision: 'double',
  rouge2_recall: 'double',
  rougel_precision: 'double',
  rougel_recall: 'double',
  rougelsum_precision: 'double',
  rougelsum_recall: 'double',
  latency_ms: 'double',
  // Compact JSON text, not struct<...>: QuickSight imports scalar columns only (lib/core/labels/row-labels.ts).
  generated_labels: 'string',
  reference_labels: 'string',
  error: 'string',
  // ISO-8601 text: the OpenX SerDe does not parse `...Z` timestamps; queries use from_iso8601_timestamp().
  created_at: 'string',
};

/** Every field of a summary row with its column type. */
const SUMMARY_FIELD_TYPES: { readonly [K in keyof Required<SummaryRow>]: ColumnType } = {
  run_id: 'string',
  dataset: 'string',
  model: 'string',
  metric: 'string',
  count: 'bigint',
  errors: 'bigint',
  mean: 'double',
  ci_low: 'double',
  ci_high: 'double',
  std: 'double',
  min: 'double',
  p25: 'double',
  p50: 'double',
  p75: 'double',
  max: 'double',
};

/** Every field of a review row (lib/core/run/contracts.ts ReviewRow) with its column type. */
const REVIEW_FIELD_TYPES: { readonly [K in keyof Required<ReviewRow>]: ColumnType } = {
  run_id: 'string',
  review_id: 'string',
  kind: 'string',
  item_id: 'string',
  loop_name: 'string',
  dataset: 'string',
  study_id: 'string',
  stratum: 'string',
  reader: 'string',
  worker_id: 'string',
  position: 'string',
  source: 'string',
  paired_with: 'string',
  findings: 'string',
  impression: 'string',
  correct: 'bigint',
  complete: 'bigint',
  concise: 'bigint',
  harm: 'bigint',
  harm_reason: 'string',
  preference: 'string',
  outcome: 'string',
  decision: 'string',
  corrected_impression: 'string',
  rougelsum: 'double',
  label_match: 'double',
  status: 'string',
  error: 'string',
  output_key: 'string',
  submitted_at: 'string',
  created_at: 'string',
};

/** Every field of a review summary row with its column type. */
const REVIEW_SUMMARY_FIELD_TYPES: { readonly [K in keyof Required<ReviewSummaryRow>]: ColumnType } = {
  run_id: 'string',
  review_id: 'string',
  dataset: 'string',
  metric: 'string',
  model: 'string',
  comparator: 'string',
  value: 'double',
  ci_low: 'double',
  ci_high: 'double',
  count: 'bigint',
};

/** Schema of one result table. */
export interface TableSchema<Row> {
  /** Key prefix of the table's data in the data bucket. */
  readonly prefix: string;
  /**
   * Data columns: every row field except the partition keys. Hive and Athena reject a column that
   * is both a data column and a partition key; the rows also carry the partition values, which
   * the SerDe then ignores, and queries read them from the partition (the S3 path) instead.
   */
  readonly columns: readonly ColumnSpec[];
  /** Partition keys, in path order (`run_id=<id>/dataset=<d>/...`). */
  readonly partitionKeys: readonly ColumnSpec[];
  /** Every row field with its type, data columns and partition keys together. */
  readonly fields: { readonly [K in keyof Required<Row>]: ColumnType };
}

function schema<Row>(
  prefix: string,
  fields: { readonly [K in keyof Required<Row>]: ColumnType },
  partitionNames: readonly (keyof Row & string)[],
): TableSchema<Row> {
  const all = Object.entries(fields as Record<string, ColumnType>).map(([name, type]) => ({ name, type }));
  return {
    prefix,
    columns: all.filter((c) => !partitionNames.includes(c.name as keyof Row & string)),
    partitionKeys: partitionNames.map((name) => ({ name, type: (fields as Record<string, ColumnType>)[name] })),
    fields,
  };
}

/** `prediction_data/predictions/run_id=<id>/dataset=<d>/model=<m>/part-<n>.jsonl`. */
export const PREDICTIONS_SCHEMA: TableSchema<PredictionRow> = schema<PredictionRow>(PREDICTIONS_PREFIX, PREDICTION_FIELD_TYPES, ['run_id', 'dataset', 'model']);

/** `prediction_data/summary/run_id=<id>/summary.jsonl`. */
export const SUMMARY_SCHEMA: TableSchema<SummaryRow> = schema<SummaryRow>(SUMMARY_PREFIX, SUMMARY_FIELD_TYPES, ['run_id']);

/**
 * `prediction_data/reviews/run_id=<id>/review_id=<r>/rows/<loop>.jsonl`. The two review tables share
 * the location `prediction_data/reviews/`; each partition is registered at its own `rows/` or
 * `summary/` folder, so neither table reads the other's files.
 */
export const REVIEWS_SCHEMA: TableSchema<ReviewRow> = schema<ReviewRow>(REVIEW_RESULTS_PREFIX, REVIEW_FIELD_TYPES, ['run_id', 'review_id']);

/** `prediction_data/reviews/run_id=<id>/review_id=<r>/summary/summary.jsonl`. */
export const REVIEW_SUMMARY_SCHEMA: TableSchema<ReviewSummaryRow> = schema<ReviewSummaryRow>(REVIEW_RESULTS_PREFIX, REVIEW_SUMMARY_FIELD_TYPES, [
  'run_id',
  'review_id',
]);

/** One Hive partition of a result table found under `prediction_data/`. */
export interface ResultPartition {
  /** Which table it belongs to. */
  readonly table: 'predictions' | 'summary' | 'reviews' | 'review_summary';
  /** Partition values in key order. */
  readonly values: readonly string[];
  /** Key prefix of the partition, ending with `/`. */
  readonly prefix: string;
}

/**
 * Finds the distinct partitions of run `runId` among object keys listed under `prediction_data/`.
 * Keys that are not data files of that run (other runs, `_SUCCESS` markers, folders) are ignored.
 * Cannot tell whether a file is complete: it only reads names.
 */
export function partitionsOfRun(runId: string, keys: Iterable<string>): ResultPartition[] {
  const found = new Map<string, ResultPartition>();
  const predictionsRun = predictionsPrefix(runId);
  const summaryRun = summaryPrefix(runId);
  const reviewsRun = `${REVIEW_RESULTS_PREFIX}run_id=${runId}/`;
  for (const key of keys) {
    if (!key.endsWith('.jsonl')) continue;
    if (key.startsWith(predictionsRun)) {
      const match = /^dataset=([^/]+)\/model=([^/]+)\/[^/]+$/.exec(key.slice(predictionsRun.length));
      if (match === null) continue;
      const prefix = `${predictionsRun}dataset=${match[1]}/model=${match[2]}/`;
      found.set(prefix, { table: 'predictions', values: [runId, match[1], match[2]], prefix });
    } else if (key.startsWith(summaryRun) && !key.slice(summaryRun.length).includes('/')) {
      found.set(summaryRun, { table: 'summary', values: [runId], prefix: summaryRun });
    } else if (key.startsWith(reviewsRun)) {
      const match = /^review_id=([^/]+)\/(rows|summary)\/[^/]+$/.exec(key.slice(reviewsRun.length));
      if (match === null) continue;
      const prefix = `${reviewsRun}review_id=${match[1]}/${match[2]}/`;
      found.set(prefix, { table: match[2] === 'rows' ? 'reviews' : 'review_summary', values: [runId, match[1]], prefix });
    }
  }
  return [...found.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
}
