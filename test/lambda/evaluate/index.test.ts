import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { evaluate, handler as evaluateHandler } from '../../../lambda/evaluate';
import type { PredictionRow } from '../../../lib/core/run/contracts';
import { standInClient, startStandIn } from '../../../lib/local/sagemaker-runtime';
import { dev2, indiana, memoryBucket, readJsonl, setEvaluationEnv, shardOf } from '../../helpers/evaluation-bucket';

beforeEach(setEvaluationEnv);

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

describe('evaluate (records over the size limits)', () => {
  it('turns an oversized record into an error row naming field, size and limit: nothing sent, no text copied', async () => {
    // A 7 MiB findings (over InvokeEndpoint's 6 MB body), a prompt over its limit with a findings that fits, and one normal record.
    const huge = { ...indiana[0], study_id: 'huge', findings: 'Patient text. '.repeat(524_288) };
    const longPrompt = { ...indiana[1], study_id: 'long-prompt', findings: 'Heart size normal. '.repeat(3_300) };
    const body = [huge, longPrompt, indiana[2]].map((r) => JSON.stringify(r)).join('\n') + '\n';
    process.env.PROMPT_TEMPLATE = `${'Summarise these findings as an impression. '.repeat(1_600)}Findings: {context}`;
    const store = memoryBucket({ 'eval_data/dev2.jsonl': body });
    const runtime = new SageMakerRuntimeClient({ region: 'us-east-1' });
    const rt = mockClient(runtime);
    rt.on(InvokeEndpointCommand).resolves({ Body: Uint8ArrayBlobAdapter.fromString('[{"generated_text":"No acute cardiopulmonary process."}]') });
    const result = await evaluate(shardOf('fine-tuned', 'dev2', 0, 3), { s3: store.client, runtime });
    expect(result).toMatchObject({ rows: 3, scored: 1, errors: 2 });
    // Only the normal record reached the endpoint.
    expect(rt.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    const part = store.objects.get(result.partKey)!;
    const rows = readJsonl<PredictionRow>(part);
    expect(rows.map((r) => [r.study_id, r.error])).toEqual([
      ['huge', 'eval_data/dev2.jsonl line 1 (record 0), study_id huge: findings is 7,340,032 bytes (UTF-8), over the limit of 65,536 bytes'],
      ['long-prompt', 'record 1, study_id long-prompt: prompt (template with findings) is 131,510 bytes (UTF-8), over the limit of 131,072 bytes; not sent'],
      [String(indiana[2].study_id), null],
    ]);
    for (const row of rows.slice(0, 2)) {
      expect([row.findings, row.reference, row.background, row.generated, row.rouge1, row.generated_labels, row.reference_labels]).toEqual([
        '',
        '',
        '',
        null,
        null,
        null,
        null,
      ]);
    }
    expect(part.length).toBeLessThan(20_000);
    expect(part).not.toContain('Patient text.');
    // A baseline shard over the same file: the findings limit applies (nothing to send, so no prompt limit).
    const baseline = await evaluate(shardOf('baseline-copy-findings', 'dev2', 0, 3), { s3: store.client, runtime });
    expect(readJsonl<PredictionRow>(store.objects.get(baseline.partKey)!).map((r) => r.error === null)).toEqual([false, true, true]);
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

  it('a container time-out as SageMaker answers it (ModelError, HTTP 424) becomes a row saying the invocation timed out, and after how long', async () => {
    const timedOut = String(indiana[3].findings);
    const standIn = await startStandIn({ timesOut: (prompt) => prompt.includes(timedOut) });
    try {
      const store = memoryBucket({ 'eval_data/dev2.jsonl': dev2 });
      process.env.RETRY_MAX_ATTEMPTS = '2';
      const result = await evaluate(shardOf('fine-tuned'), { s3: store.client, runtime: standInClient(standIn) });
      expect(result.errors).toBe(2); // the time-out and the bad record
      const row = readJsonl<PredictionRow>(store.objects.get(result.partKey)!)[3];
      expect(row.error).toMatch(
        /^invocation timed out: no answer from the model container within SageMaker's 60 s limit \(ModelError, HTTP 424, container status 0\); 2 attempts, the last after \d+\.\d s, \d+\.\d s in all$/,
      );
      expect(row.error).not.toContain(timedOut);
    } finally {
      delete process.env.RETRY_MAX_ATTEMPTS;
      await standIn.close();
    }
  });
});
