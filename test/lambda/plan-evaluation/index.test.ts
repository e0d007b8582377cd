import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as plan } from '../../../lambda/plan-evaluation';
import type { ShardItem } from '../../../lib/core/evaluation';
import { BUCKET, dev1, dev2, indiana, memoryBucket, readJsonl, setEvaluationEnv } from '../../helpers/evaluation-bucket';

beforeEach(setEvaluationEnv);

const planEvent = (
  model: 'pretrained' | 'fine-tuned',
  evalData = { dev1: `s3://${BUCKET}/eval_data/dev1.jsonl`, dev2: `s3://${BUCKET}/eval_data/dev2.jsonl` },
) => ({
  plan: { runId: 'run-7', evalData },
  resolved: { version: '2.2.3', inference: { payloadContract: 'tgi' as const } },
  endpointName: `impressions-run-7-${model === 'pretrained' ? 'pt' : 'ft'}`,
  model,
});

describe('plan-evaluation', () => {
  it('counts records (bad ones included), writes the manifest and returns its key', async () => {
    const store = memoryBucket({ 'eval_data/dev1.jsonl': dev1, 'eval_data/dev2.jsonl': dev2 });
    // The handler uses its module-level client; route it through the same mock.
    const moduleMock = mockClient(S3Client);
    moduleMock.on(GetObjectCommand).callsFake(async (input) => store.client.send(new GetObjectCommand(input)));
    moduleMock.on(PutObjectCommand).callsFake(async (input) => store.client.send(new PutObjectCommand(input)));
    try {
      const result = await plan(planEvent('pretrained'));
      expect(result).toEqual({
        runId: 'run-7',
        model: 'pretrained',
        manifestKey: 'runs/run-7/evaluation/pretrained/shards.jsonl',
        includeBaselines: true,
        shardCount: (1 + 3) * 4,
        recordCount: 18,
        datasets: [
          { dataset: 'dev1', records: 5, invalidRecords: 0 },
          { dataset: 'dev2', records: 13, invalidRecords: 1 },
        ],
      });
      const items = readJsonl<ShardItem>(store.objects.get(result.manifestKey)!);
      expect(items).toHaveLength(16);
      expect(items.filter((i) => i.model === 'pretrained').map((i) => [i.dataset, i.start, i.end])).toEqual([
        ['dev1', 0, 5],
        ['dev2', 0, 5],
        ['dev2', 5, 10],
        ['dev2', 10, 13],
      ]);
      const ft = await plan(planEvent('fine-tuned'));
      expect(ft.includeBaselines).toBe(false);
      expect(ft.shardCount).toBe(4);
    } finally {
      moduleMock.restore();
    }
  });
  it('rejects an evaluation set that repeats a study id, naming both lines (rows are paired by study id)', async () => {
    const first = indiana[0];
    const repeated = [
      indiana[0],
      indiana[1],
      { ...indiana[2], study_id: first.study_id },
      indiana[3],
      { ...indiana[4], findings: null, study_id: indiana[1].study_id },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const store = memoryBucket({ 'eval_data/dev1.jsonl': dev1, 'eval_data/dev2.jsonl': `${repeated}\n` });
    const moduleMock = mockClient(S3Client);
    moduleMock.on(GetObjectCommand).callsFake(async (input) => store.client.send(new GetObjectCommand(input)));
    moduleMock.on(PutObjectCommand).callsFake(async (input) => store.client.send(new PutObjectCommand(input)));
    try {
      const failure = plan(planEvent('pretrained'));
      await expect(failure).rejects.toMatchObject({ name: 'InvalidEvaluationInputError' });
      await expect(plan(planEvent('pretrained'))).rejects.toThrow(
        "evaluation sets must not repeat a study id (the models' rows are paired by study_id); 2 repeated: " +
          `eval_data/dev2.jsonl: study_id ${String(first.study_id)} is on line 1 (record 0) and line 3 (record 2); ` +
          `eval_data/dev2.jsonl: study_id ${String(indiana[1].study_id)} is on line 2 (record 1) and line 5 (record 4)`,
      );
      expect([...store.objects.keys()].some((k) => k.endsWith('shards.jsonl'))).toBe(false);
    } finally {
      moduleMock.restore();
    }
  });

  it('rejects eval data outside the bucket with every problem named', async () => {
    await expect(plan(planEvent('pretrained', { dev1: 's3://other-bucket/eval_data/dev1.jsonl', dev2: 'nope' }))).rejects.toThrow(
      /plan.evalData.dev1: must be under s3:\/\/data-bucket\/eval_data\/; plan.evalData.dev2: "nope" is not an s3/,
    );
  });
  it('rejects a malformed event with InvalidEventError naming every bad field, before reading anything', async () => {
    const error = await plan({ ...planEvent('pretrained'), endpointName: 'bad name', model: 'baseline-normal', resolved: { version: 2 } }).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(error.name).toBe('InvalidEventError');
    expect(error.message).toContain('invalid plan-evaluation event (4 problems)');
    expect(error.message).toContain('resolved.version: expected a string, got 2');
    expect(error.message).toContain('resolved.inference: expected an object, got nothing');
    expect(error.message).toContain('endpointName: expected a SageMaker endpoint name, got "bad name"');
    expect(error.message).toContain('model: expected one of pretrained, fine-tuned, got "baseline-normal"');
  });
});
