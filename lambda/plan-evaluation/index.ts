/**
 * plan-evaluation: reads each evaluation set of the run, counts and validates its records, and
 * writes the shard manifest (`runs/<runId>/evaluation/<model>/shards.jsonl`) that the Distributed
 * Map reads. A record with a bad field is counted, not dropped (its shard writes a row with the
 * error). A set that repeats a study id is refused (InvalidEvaluationInputError naming both lines):
 * the aggregation pairs the two models' rows by study id. Logs ids and counts only.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import {
  EVALUATION_ENV,
  EVALUATION_ERROR_NAMES,
  parsePlanEvaluationEvent,
  parseS3Uri,
  planShards,
  shardManifestKey,
  toJsonl,
  type PlanEvaluationEvent,
  type PlanEvaluationResult,
  type PlannedDataset,
  type PlannedDatasetCounts,
} from '../../lib/core/evaluation';
import { parseRecord, repeatedStudyIds, splitRecordLines } from '../../lib/core/eval-record';
import { readText, writeText } from '../../lib/aws/s3-text';
import { intEnv, requiredEnv } from '../common/env';

const logger = new Logger();
const s3 = new S3Client({});

/** An evaluation set is not an object under the data bucket's `eval_data/`; not retried. */
export class InvalidEvaluationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = EVALUATION_ERROR_NAMES.invalidEvaluationInput;
  }
}

/** Checks that every evaluation set is an object under the data bucket's `eval_data/`, naming every one that is not. */
function checkEvalData(event: PlanEvaluationEvent, bucket: string): void {
  const problems: string[] = [];
  for (const [dataset, uri] of Object.entries(event.plan.evalData)) {
    try {
      const { bucket: b, key } = parseS3Uri(uri);
      if (b !== bucket || !key.startsWith('eval_data/')) problems.push(`plan.evalData.${dataset}: must be under s3://${bucket}/eval_data/`);
    } catch (e) {
      problems.push(`plan.evalData.${dataset}: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new InvalidEvaluationInputError(`invalid evaluation input: ${problems.join('; ')}`);
}

/** Lambda entry point. */
export async function handler(raw: unknown): Promise<PlanEvaluationResult> {
  const event = parsePlanEvaluationEvent(raw);
  const bucket = requiredEnv(EVALUATION_ENV.dataBucket);
  const shardSize = intEnv(EVALUATION_ENV.shardSize, 100, 1, 10000);
  checkEvalData(event, bucket);
  const runId = event.plan.runId;
  const includeBaselines = event.includeBaselines ?? event.model === 'pretrained';
  logger.appendKeys({ runId, model: event.model });

  const datasets: PlannedDataset[] = [];
  const counts: PlannedDatasetCounts[] = [];
  const repeated: string[] = [];
  for (const dataset of Object.keys(event.plan.evalData).sort()) {
    const uri = event.plan.evalData[dataset];
    const { key } = parseS3Uri(uri);
    const lines = splitRecordLines(await readText(s3, bucket, key));
    const reads = lines.map((line, i) => ({ read: parseRecord(line, i, key), line: line.line }));
    const invalid = reads.filter(({ read }) => !read.ok).length;
    for (const r of repeatedStudyIds(reads)) {
      repeated.push(
        `${key}: study_id ${r.studyId} is on line ${r.first.line} (record ${r.first.record}) and line ${r.repeat.line} (record ${r.repeat.record})`,
      );
    }
    datasets.push({ dataset, evalDataUri: uri, recordCount: lines.length });
    counts.push({ dataset, records: lines.length, invalidRecords: invalid });
    logger.info('evaluation set read', { dataset, records: lines.length, invalidRecords: invalid });
  }
  if (repeated.length > 0) {
    logger.error('evaluation set repeats study ids', { repeated: repeated.length });
    throw new InvalidEvaluationInputError(
      `evaluation sets must not repeat a study id (the models' rows are paired by study_id); ${repeated.length} repeated: ` +
        `${repeated.slice(0, 5).join('; ')}${repeated.length > 5 ? `; and ${repeated.length - 5} more` : ''}`,
    );
  }
  const items = planShards({
    runId,
    model: event.model,
    modelVersion: event.resolved.version,
    endpointName: event.endpointName,
    contract: event.resolved.inference.payloadContract,
    datasets,
    shardSize,
    includeBaselines,
  });
  const manifestKey = shardManifestKey(runId, event.model);
  await writeText(s3, bucket, manifestKey, toJsonl(items), 'application/x-ndjson');
  logger.info('shard manifest written', { manifestKey, shards: items.length });
  return {
    runId,
    model: event.model,
    manifestKey,
    shardCount: items.length,
    recordCount: counts.reduce((n, c) => n + c.records, 0),
    datasets: counts,
    includeBaselines,
  };
}
