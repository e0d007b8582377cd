import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import { aggregate, runMetrics } from '../../lambda/aggregate';
import { evaluate, handler as evaluateHandler } from '../../lambda/evaluate';
import { handler as plan } from '../../lambda/plan-evaluation';
import type { ShardItem } from '../../lib/core/evaluation';
import type { PredictionRow, SummaryRow } from '../../lib/core/run/contracts';
import { standInClient, startStandIn } from '../helpers/sagemaker-runtime-stand-in';
import { dataPath } from '../helpers/data';

const BUCKET = 'data-bucket';
const indiana = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as Record<string, unknown>[];
const dev2 =
  indiana
    .slice(0, 12)
    .map((r) => JSON.stringify(r))
    .join('\n') +
  '\n' +
  JSON.stringify({ study_id: 'bad', findings: null, impression: 'x' }) +
  '\n';
const dev1 =
  indiana
    .slice(100, 105)
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n';

/** An in-memory bucket behind an S3Client instance mock. */
function memoryBucket(initial: Record<string, string>) {
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

const readJsonl = <T>(text: string): T[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

beforeEach(() => {
  process.env.DATA_BUCKET = BUCKET;
  process.env.EVAL_SHARD_SIZE = '5';
  process.env.PROMPT_TEMPLATE = 'Generate radiology report impressions based on the following findings. Findings: {context}';
  process.env.REQUESTS_PER_LAMBDA = '3';
  process.env.RETRY_BASE_DELAY_MS = '1';
  process.env.RETRY_MAX_DELAY_MS = '5';
  process.env.HOURLY_PRICES = JSON.stringify({ 'ml.g5.2xlarge': 1.515, 'ml.p3.16xlarge': 28.152 });
});

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

function shardOf(model: ShardItem['model'], dataset = 'dev2', start = 0, end = 13): ShardItem {
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

describe('evaluate (SDK mocks)', () => {
  it('invokes the endpoint per record, writes the part with errors recorded, logs counts but no text', async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    // The handler (which logs) uses its module-level clients; route S3 through the in-memory bucket.
    const s3Module = mockClient(S3Client);
    s3Module.on(GetObjectCommand).callsFake(async (input) => store.client.send(new GetObjectCommand(input)));
    s3Module.on(PutObjectCommand).callsFake(async (input) => store.client.send(new PutObjectCommand(input)));
    const rt = mockClient(SageMakerRuntimeClient);
    let n = 0;
    rt.on(InvokeEndpointCommand).callsFake(async () => {
      n += 1;
      if (n === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
      if (n === 4) return { Body: Uint8ArrayBlobAdapter.fromString('{"oops":true}') };
      return { Body: Uint8ArrayBlobAdapter.fromString('[{"generated_text":"No acute cardiopulmonary abnormality."}]') };
    });
    const log = jest.spyOn(process.stdout, 'write');
    let result;
    let logged: string;
    try {
      result = await evaluateHandler(shardOf('fine-tuned'));
    } finally {
      logged = log.mock.calls.map((c) => String(c[0])).join('');
      log.mockRestore();
      s3Module.restore();
      rt.restore();
    }
    expect(result).toEqual({ partKey: shardOf('fine-tuned').partKey, rows: 13, scored: 11, errors: 2, retries: 1 });
    expect(rt.commandCalls(InvokeEndpointCommand)).toHaveLength(13);
    const first = rt.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(first).toMatchObject({ EndpointName: 'impressions-run-7-ft', ContentType: 'application/json', Accept: 'application/json' });
    expect(JSON.parse(new TextDecoder().decode(first.Body as Uint8Array))).toMatchObject({ parameters: { max_new_tokens: 80, do_sample: false } });
    const rows = readJsonl<PredictionRow>(store.objects.get(result.partKey)!);
    expect(rows.map((r) => r.study_id)).toEqual([...indiana.slice(0, 12).map((r) => r.study_id), 'bad']);
    expect(rows.filter((r) => r.error !== null).map((r) => r.error)).toEqual([
      'malformed tgi response: response is an object, expected an array of {generated_text}',
      'eval_data/dev2.jsonl line 13 (record 12), study_id bad: findings must be a string',
    ]);
    expect(logged).toContain('"message":"shard evaluated"');
    expect(logged).toContain('"scored":11');
    for (const record of indiana.slice(0, 12)) {
      expect(logged).not.toContain(String(record.findings).slice(0, 20));
      expect(logged).not.toContain(String(record.impression).slice(0, 20));
    }
  });

  it('fails the shard (for a Step Functions retry) when every call stays throttled', async () => {
    process.env.RETRY_MAX_ATTEMPTS = '2';
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    const runtime = new SageMakerRuntimeClient({ region: 'us-east-1' });
    mockClient(runtime)
      .on(InvokeEndpointCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));
    await expect(evaluate(shardOf('fine-tuned'), { s3: store.client, runtime })).rejects.toMatchObject({ name: 'EndpointUnavailableError' });
    expect(store.objects.has(shardOf('fine-tuned').partKey)).toBe(false);
    delete process.env.RETRY_MAX_ATTEMPTS;
  });
});

describe('evaluate (bad shard)', () => {
  it('rejects a range outside the evaluation file and writes no part', async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    await expect(
      evaluate(shardOf('baseline-normal', 'dev2', 10, 20), { s3: store.client, runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }) }),
    ).rejects.toThrow("shard dev2/baseline-normal/0: records [10, 20) are outside the file's 13 records");
    expect(store.objects.has(shardOf('baseline-normal').partKey)).toBe(false);
  });
});

describe('evaluate (local HTTP stand-in)', () => {
  it('reaches the stand-in through the real SDK, retries injected throttling and 5xx, loses no row', async () => {
    const standIn = await startStandIn({ capacity: 3, latencyMs: 2, throttleRate: 0.2, serverErrorRate: 0.1, seed: 7 });
    try {
      const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
      const result = await evaluate(shardOf('pretrained'), { s3: store.client, runtime: standInClient(standIn) });
      expect(result.rows).toBe(13);
      expect(result.errors).toBe(1); // the bad record only
      expect(result.retries).toBe(standIn.stats.throttled + standIn.stats.serverErrors);
      expect(result.retries).toBeGreaterThan(0);
      expect(standIn.stats.peakInFlight).toBeLessThanOrEqual(3);
      const rows = readJsonl<PredictionRow>(store.objects.get(result.partKey)!);
      expect(rows[0].generated).toBe(String(indiana[0].findings).split('.')[0] + '.');
      expect(rows[0].rouge1).not.toBeNull();
    } finally {
      await standIn.close();
    }
  });
});

/** An EMF document as Powertools writes it (only the fields the tests read are typed). */
interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [member: string]: unknown;
}

/** Captures what is written to stdout (Powertools Metrics writes its EMF lines there, through its own Console). */
function captureEmf(): { documents: () => EmfDocument[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return {
    documents: () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as EmfDocument),
    restore: () => spy.mockRestore(),
  };
}

describe('aggregate', () => {
  it('reads every part, writes summary rows and run summary, publishes mean metrics', async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    const runtime = new SageMakerRuntimeClient({ region: 'us-east-1' });
    mockClient(runtime)
      .on(InvokeEndpointCommand)
      .resolves({ Body: Uint8ArrayBlobAdapter.fromString('[{"generated_text":"No acute cardiopulmonary abnormality."}]') });
    for (const model of ['pretrained', 'fine-tuned', 'baseline-normal'] as const) await evaluate(shardOf(model), { s3: store.client, runtime });
    const emf = captureEmf();
    const result = await aggregate(
      {
        runId: 'run-7',
        usage: {
          training: { instanceType: 'ml.p3.16xlarge', billableSeconds: 3600 },
          endpoints: [
            { model: 'pretrained', instanceType: 'ml.g5.2xlarge', inServiceAt: '2025-01-01T00:00:00Z', deletedAt: '2025-01-01T02:00:00Z', kept: false },
            { model: 'fine-tuned', instanceType: 'ml.g5.2xlarge', inServiceAt: '2025-01-01T02:30:00Z', deletedAt: '2025-01-01T03:30:00Z', kept: true },
          ],
        },
      },
      { s3: store.client, metrics: runMetrics('RadiologyImpressions') },
      new Date('2025-01-01T03:00:00Z'),
    ).finally(() => emf.restore());
    expect(result).toEqual({
      runId: 'run-7',
      summaryKey: 'prediction_data/summary/run_id=run-7/summary.jsonl',
      runSummaryKey: 'runs/run-7/run-summary.json',
      // 3 models × (4 ROUGE + 3 agreement rows).
      partFiles: 3,
      rows: 39,
      errors: 3,
      metricsPublished: 21,
      costUsd: 28.152 + 2 * 1.515 + 1.515,
    });
    const summary = readJsonl<SummaryRow>(store.objects.get(result.summaryKey)!);
    expect(summary.map((s) => s.model).filter((m, i, a) => a.indexOf(m) === i)).toEqual(['pretrained', 'fine-tuned', 'baseline-normal']);
    expect(summary[0]).toMatchObject({ run_id: 'run-7', dataset: 'dev2', metric: 'rouge1', count: 13, errors: 1 });
    const runSummary = JSON.parse(store.objects.get(result.runSummaryKey)!);
    expect(runSummary.scoring.stemmer).toBe(false);
    expect(runSummary.cost.lines.map((l: { item: string; seconds: number }) => [l.item, l.seconds])).toEqual([
      ['training', 3600],
      ['endpoint pretrained', 7200],
      ['endpoint fine-tuned (kept running: billed until deleted)', 3600],
    ]);
    expect(runSummary.pairedDifferences).toHaveLength(4);
    expect(runSummary.pairedDifferences[0]).toMatchObject({ dataset: 'dev2', metric: 'rouge1', pairs: 12, difference: 0 });
    // Agreement rows from the labels the evaluate step stored: 12 labelled records, the bad one an error.
    expect(summary.filter((s) => s.model === 'fine-tuned' && s.metric.startsWith('chexpert_'))).toEqual([
      expect.objectContaining({ metric: 'chexpert_micro_f1_13', count: 12, errors: 1, std: null }),
      expect.objectContaining({ metric: 'chexpert_macro_f1_14', count: 12, errors: 1 }),
      expect.objectContaining({ metric: 'chexpert_micro_f1_14', count: 12, errors: 1 }),
    ]);
    expect(runSummary.pairedAgreement).toEqual([expect.objectContaining({ dataset: 'dev2', metric: 'chexpert_micro_f1_13', pairs: 12, difference: 0 })]);
    // One embedded-metric-format line per figure (EMF specification: _aws.CloudWatchMetrics directives,
    // the dimension and metric values as root members), no PutMetricData call.
    const lines = emf.documents();
    expect(lines).toHaveLength(21);
    for (const line of lines) {
      expect(line._aws.Timestamp).toBe(Date.parse('2025-01-01T03:00:00Z'));
      expect(line._aws.CloudWatchMetrics).toEqual([
        { Namespace: 'RadiologyImpressions', Dimensions: [['Run', 'Dataset', 'Model', 'Metric']], Metrics: [{ Name: expect.any(String), Unit: 'None' }] },
      ]);
      // Only the documented dimensions: no `service` dimension that would make it another metric.
      expect(Object.keys(line).sort()).toEqual(['Dataset', 'Metric', 'Model', 'Run', '_aws', line._aws.CloudWatchMetrics[0].Metrics[0].Name].sort());
    }
    // 3 models × 4 ROUGE means, 3 models × 3 agreement figures.
    expect(lines.filter((l) => 'MeanF' in l)).toHaveLength(12);
    expect(lines.filter((l) => 'AgreementF1' in l).map((l) => l.Metric)).toEqual(summary.filter((r) => r.metric.startsWith('chexpert_')).map((r) => r.metric));
    const agreementRow = summary.find((r) => r.metric === 'chexpert_micro_f1_13')!;
    expect(lines.find((l) => l.Metric === 'chexpert_micro_f1_13')).toMatchObject({ AgreementF1: agreementRow.mean });
    expect(lines[0]).toMatchObject({ Run: 'run-7', Dataset: 'dev2', Model: 'pretrained', Metric: 'rouge1', MeanF: summary[0].mean });
  });
  it("reads the training job's billable seconds when no usage is given", async () => {
    const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
    await evaluate(shardOf('baseline-normal'), { s3: store.client, runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }) });
    const metrics = runMetrics('RadiologyImpressions');
    const emf = captureEmf();
    const sagemaker = new SageMakerClient({ region: 'us-east-1' });
    const sm = mockClient(sagemaker);
    sm.on(DescribeTrainingJobCommand).resolves({
      BillableTimeInSeconds: 7200,
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 300 },
    } as never);
    const result = await aggregate({ runId: 'run-7', training: { trainingJobName: 'impressions-run-7-train' } }, { s3: store.client, metrics, sagemaker });
    expect(sm.commandCalls(DescribeTrainingJobCommand)[0].args[0].input).toEqual({ TrainingJobName: 'impressions-run-7-train' });
    expect(result.costUsd).toBeCloseTo(2 * 28.152, 10);
    const skipped = await aggregate({ runId: 'run-7', training: { trainingJobName: null } }, { s3: store.client, metrics, sagemaker }).finally(() =>
      emf.restore(),
    );
    expect(skipped.costUsd).toBe(0);
    expect(sm.commandCalls(DescribeTrainingJobCommand)).toHaveLength(1);
  });

  it('fails clearly when the run has no part files', async () => {
    const store = memoryBucket({});
    await expect(aggregate({ runId: 'run-8' }, { s3: store.client, metrics: runMetrics('RadiologyImpressions') })).rejects.toThrow(
      'run run-8: no prediction part files under prediction_data/predictions/run_id=run-8/',
    );
  });
});
