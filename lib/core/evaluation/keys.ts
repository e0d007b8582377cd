/**
 * S3 keys of a run's evaluation artefacts (DESIGN.md "S3 layout"). Part keys are a pure function of
 * run, dataset, model and shard index, so a retried shard overwrites its own part and never adds a
 * duplicate.
 */

/**
 * Run ids this code accepts: what a Step Functions execution name allows minus the characters that
 * would need escaping in an S3 key, a Hive partition value or a SQL literal.
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const PARTITION_VALUE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Key prefix (in the data bucket) of the prediction part files (the `predictions` table). */
export const PREDICTIONS_PREFIX = 'prediction_data/predictions/';
/** Key prefix (in the data bucket) of the summary files (the `summary` table). */
export const SUMMARY_PREFIX = 'prediction_data/summary/';

/** True when `runId` is safe in keys, partition paths and SQL literals (1-80 of `A-Za-z0-9._-`). */
export function isValidRunId(runId: unknown): runId is string {
  return typeof runId === 'string' && RUN_ID.test(runId);
}

/** Throws unless `runId` is valid (see {@link isValidRunId}). */
export function assertRunId(runId: string): void {
  if (!isValidRunId(runId))
    throw new Error(`run id ${JSON.stringify(runId)} is not valid: 1-80 letters, digits, '_', '.', '-', starting with a letter or digit`);
}

function assertPartition(kind: string, value: string): void {
  if (!PARTITION_VALUE.test(value)) throw new Error(`${kind} ${JSON.stringify(value)} is not valid: lower-case letters, digits, '_' and '-'`);
}

/** Prefix of every prediction part of a run. */
export function predictionsPrefix(runId: string): string {
  assertRunId(runId);
  return `${PREDICTIONS_PREFIX}run_id=${runId}/`;
}

/** `prediction_data/predictions/run_id=<id>/dataset=<d>/model=<m>/part-<nnnnn>.jsonl`. */
export function partKey(runId: string, dataset: string, model: string, shardIndex: number): string {
  assertPartition('dataset', dataset);
  assertPartition('model', model);
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex > 99999)
    throw new Error(`shard index ${shardIndex} must be a whole number from 0 to 99999`);
  return `${predictionsPrefix(runId)}dataset=${dataset}/model=${model}/part-${String(shardIndex).padStart(5, '0')}.jsonl`;
}

/** Reads run, dataset, model and shard index back from a part key; `undefined` when it is not one. */
export function parsePartKey(key: string): { runId: string; dataset: string; model: string; shardIndex: number } | undefined {
  const m = /^prediction_data\/predictions\/run_id=([^/]+)\/dataset=([^/]+)\/model=([^/]+)\/part-(\d{5})\.jsonl$/.exec(key);
  if (m === null) return undefined;
  return { runId: m[1], dataset: m[2], model: m[3], shardIndex: Number(m[4]) };
}

/** Prefix of a run's summary file. */
export function summaryPrefix(runId: string): string {
  assertRunId(runId);
  return `${SUMMARY_PREFIX}run_id=${runId}/`;
}

/** `prediction_data/summary/run_id=<id>/summary.jsonl`. */
export function summaryKey(runId: string): string {
  return `${summaryPrefix(runId)}summary.jsonl`;
}

/** `runs/<id>/run-summary.json`. */
export function runSummaryKey(runId: string): string {
  assertRunId(runId);
  return `runs/${runId}/run-summary.json`;
}

/** `runs/<id>/evaluation/<model>/shards.jsonl`: the shard manifest the Distributed Map reads. */
export function shardManifestKey(runId: string, model: string): string {
  assertRunId(runId);
  assertPartition('model', model);
  return `runs/${runId}/evaluation/${model}/shards.jsonl`;
}

/** Splits `s3://bucket/key` into its parts. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (m === null) throw new Error(`${JSON.stringify(uri)} is not an s3://bucket/key URI`);
  return { bucket: m[1], key: m[2] };
}
