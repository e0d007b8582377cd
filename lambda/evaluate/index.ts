/**
 * evaluate: one shard of the manifest. Reads its records, invokes the endpoint with bounded
 * concurrency and retries (or computes a baseline), scores every impression with ROUGE (no
 * stemmer, as published; recorded in the run summary), labels the generated and the reference
 * impression with the rule-based CheXpert-style labeler, and writes the part file at the shard's
 * deterministic key, so a retried shard overwrites its own part. Never logs report text.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  evaluateShard,
  EVALUATION_ENV,
  INVOKE_TIMEOUT_MS,
  EVALUATION_ERROR_NAMES,
  parseEvaluateEvent,
  parseS3Uri,
  parsePartKey,
  retryPolicyProblems,
  rougeFn,
  toJsonl,
  type EvaluateEvent,
  type EvaluateResult,
  type RetryPolicy,
} from '../../lib/core/evaluation';
import { parseRecord, splitRecordLines, type ReadRecord } from '../../lib/core/eval-record';
import { sdkInvoke } from '../../lib/aws/invoke-endpoint';
import { readText, writeText } from '../../lib/aws/s3-text';
import { intEnv, requiredEnv } from '../common/env';

const logger = new Logger();
const s3 = new S3Client({});
// The SDK's own retries are off: lib/core/evaluation/retry.ts is the one policy, and it counts attempts.
// A request gives up after 70 s: containers must answer within 60 s, and the InvokeEndpoint API
// reference recommends a 70 s socket timeout; a hung connection then becomes a time-out row.
const runtime = new SageMakerRuntimeClient({ maxAttempts: 1, requestHandler: { requestTimeout: INVOKE_TIMEOUT_MS } });
// Without the stemmer (SCORING_STEMMER), as published; the run summary records the same constant.
const rouge = rougeFn();

/** Every endpoint call of the shard failed transiently: Step Functions retries the shard later. */
export class EndpointUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = EVALUATION_ERROR_NAMES.endpointUnavailable;
  }
}

function retryPolicy(): RetryPolicy {
  const policy = {
    maxAttempts: intEnv(EVALUATION_ENV.retryMaxAttempts, 6, 1, 20),
    baseDelayMs: intEnv(EVALUATION_ENV.retryBaseDelayMs, 200, 0, 60000),
    maxDelayMs: intEnv(EVALUATION_ENV.retryMaxDelayMs, 10000, 0, 600000),
  };
  const problems = retryPolicyProblems(policy);
  if (problems.length > 0) throw new Error(`retry settings: ${problems.join('; ')}`);
  return policy;
}

/** Evaluates one shard with the given clients (the handler passes the module's; tests their own). */
export async function evaluate(raw: unknown, clients: { s3: S3Client; runtime: SageMakerRuntimeClient }): Promise<EvaluateResult> {
  const event = parseEvaluateEvent(raw);
  const bucket = requiredEnv(EVALUATION_ENV.dataBucket);
  const key = parsePartKey(event.partKey);
  if (key === undefined || key.runId !== event.runId || key.dataset !== event.dataset || key.model !== event.model || key.shardIndex !== event.shardIndex) {
    throw new Error(`shard item has an inconsistent partKey ${JSON.stringify(event?.partKey)}`);
  }
  const source = parseS3Uri(event.evalDataUri);
  if (source.bucket !== bucket) throw new Error(`shard ${event.dataset}/${event.model}/${event.shardIndex}: eval data must be in the data bucket`);
  const lines = splitRecordLines(await readText(clients.s3, bucket, source.key));
  // Only the shard's records are parsed; the others are never read by evaluateShard (which also
  // rejects a range outside the file).
  const skipped: ReadRecord = { ok: false, invalid: { index: -1, studyId: '', error: 'outside the shard' } };
  const records = lines.map((line, i) => (i >= event.start && i < event.end ? parseRecord(line, i, source.key) : skipped));
  const result = await evaluateShard(event, records, {
    invoke: sdkInvoke(clients.runtime),
    rouge,
    promptTemplate: requiredEnv(EVALUATION_ENV.promptTemplate),
    generation: { maxNewTokens: intEnv(EVALUATION_ENV.maxNewTokens, 80, 1, 2048), numBeams: intEnv(EVALUATION_ENV.numBeams, 10, 1, 64) },
    concurrency: intEnv(EVALUATION_ENV.requestsPerLambda, 2, 1, 64),
    retry: retryPolicy(),
  });
  const c = result.counts;
  const endpointRecords = event.kind === 'endpoint' ? c.rows - c.invalidRecords : 0;
  if (endpointRecords > 0 && c.exhaustedRetries === endpointRecords) {
    throw new EndpointUnavailableError(
      `shard ${event.dataset}/${event.model}/${event.shardIndex}: all ${endpointRecords} endpoint calls failed transiently after every attempt`,
    );
  }
  await writeText(clients.s3, bucket, event.partKey, toJsonl(result.rows), 'application/x-ndjson');
  return { partKey: event.partKey, rows: c.rows, scored: c.scored, errors: c.errors, retries: c.retries };
}

/** Lambda entry point. */
export async function handler(raw: unknown): Promise<EvaluateResult> {
  const event: EvaluateEvent = parseEvaluateEvent(raw);
  logger.appendKeys({ runId: event.runId, dataset: event.dataset, model: event.model, shardIndex: event.shardIndex });
  const result = await evaluate(event, { s3, runtime });
  logger.info('shard evaluated', { ...result });
  return result;
}
