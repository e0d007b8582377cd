/**
 * The data the evaluation Lambdas' tests share: an in-memory data bucket behind an S3 client mock,
 * evaluation files made of real Indiana records (one bad record in dev2), the Lambdas' environment,
 * and shard items like the ones plan-evaluation writes.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import type { ShardItem } from '../../lib/core/evaluation';
import { dataPath } from './data';

export const BUCKET = 'data-bucket';
export const indiana = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as Record<string, unknown>[];
export const dev2 =
  indiana
    .slice(0, 12)
    .map((r) => JSON.stringify(r))
    .join('\n') +
  '\n' +
  JSON.stringify({ study_id: 'bad', findings: null, impression: 'x' }) +
  '\n';
export const dev1 =
  indiana
    .slice(100, 105)
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';

/** An in-memory bucket behind an S3Client instance mock. */
export function memoryBucket(initial: Record<string, string>) {
  const objects = new Map(Object.entries(initial));
  const client = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    const body = objects.get(input.Key);
    if (input.Bucket !== BUCKET || body === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => body } };
  });
  mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string }) => {
    objects.set(input.Key, input.Body);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake(async (input: { Prefix: string }) => ({
    Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })),
    IsTruncated: false,
  }));
  return { client, mock, objects };
}

export const readJsonl = <T>(text: string): T[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

/** The environment ImpressionsFunction gives the evaluation Lambdas, with short retries. */
export function setEvaluationEnv(): void {
  process.env.DATA_BUCKET = BUCKET;
  process.env.EVAL_SHARD_SIZE = '5';
  process.env.PROMPT_TEMPLATE = 'Generate radiology report impressions based on the following findings. Findings: {context}';
  process.env.REQUESTS_PER_LAMBDA = '3';
  process.env.RETRY_BASE_DELAY_MS = '1';
  process.env.RETRY_MAX_DELAY_MS = '5';
  process.env.HOURLY_PRICES = JSON.stringify({ 'ml.g5.2xlarge': 1.515, 'ml.p3.16xlarge': 28.152 });
}

/** A shard item of `model` over records [start, end) of `dataset` of run `run-7`. */
export function shardOf(model: ShardItem['model'], dataset = 'dev2', start = 0, end = 13): ShardItem {
  const kind = model === 'pretrained' || model === 'fine-tuned' ? 'endpoint' : 'baseline';
  return {
    runId: 'run-7',
    dataset,
    dataSource: 'indiana-university',
    model,
    modelVersion: kind === 'endpoint' ? '2.2.3' : '',
    kind,
    shardIndex: 0,
    start,
    end,
    evalDataUri: `s3://${BUCKET}/eval_data/${dataset}.jsonl`,
    ...(kind === 'endpoint' ? { endpointName: 'impressions-run-7-ft', contract: 'tgi' as const } : {}),
    partKey: `prediction_data/predictions/run_id=run-7/dataset=${dataset}/model=${model}/part-00000.jsonl`,
  };
}
