import { ModelError } from '@aws-sdk/client-sagemaker-runtime';
import { evaluateShard, type ShardDependencies } from '../../../../lib/core/evaluation/evaluate-shard';
import { parseRecord, splitRecordLines } from '../../../../lib/core/eval-record';
import { rougeFn } from '../../../../lib/core/evaluation/scoring';
import { planShards } from '../../../../lib/core/evaluation/shards';

const lines = [
  { study_id: 'a', findings: 'Heart size is normal. Lungs are clear.', impression: 'No acute cardiopulmonary process.' },
  { study_id: 'b', findings: 'Small left effusion. No pneumothorax.', impression: 'Small left pleural effusion.' },
  { study_id: 'c', findings: 5, impression: 'x' },
  { study_id: 'd', findings: 'Mild cardiomegaly.', impression: 'Mild cardiomegaly.' },
]
  .map((o) => JSON.stringify(o))
  .join('\n');
const records = splitRecordLines(lines).map((l, i) => parseRecord(l, i, 'dev2.jsonl'));

function items(contract: 'tgi' | 'hf-text2text') {
  return planShards({
    runId: 'r1',
    model: 'fine-tuned',
    modelVersion: '2.2.3',
    endpointName: 'impressions-r1-ft',
    contract,
    datasets: [{ dataset: 'dev2', evalDataUri: 's3://b/eval_data/dev2.jsonl', recordCount: 4 }],
    shardSize: 4,
    includeBaselines: true,
  });
}

function deps(invoke: ShardDependencies['invoke'], sleeps: number[] = []): ShardDependencies {
  let t = 0;
  return {
    invoke,
    rouge: rougeFn(),
    promptTemplate: 'Findings: {context}',
    generation: { maxNewTokens: 80, numBeams: 10 },
    concurrency: 2,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    clock: () => (t += 5),
    now: () => new Date('2025-01-02T03:04:05Z'),
  };
}

describe('evaluateShard', () => {
  it('scores endpoint answers, records malformed responses and bad records on their rows', async () => {
    const bodies: string[] = [];
    const result = await evaluateShard(
      items('hf-text2text')[0],
      records,
      deps(async (endpoint, request) => {
        expect(endpoint).toBe('impressions-r1-ft');
        bodies.push(request.body);
        const prompt = (JSON.parse(request.body) as { text_inputs: string }).text_inputs;
        if (prompt.includes('effusion')) return '{"generated_text":"oops"}';
        return JSON.stringify({ generated_texts: [prompt.includes('cardiomegaly') ? 'Mild cardiomegaly.' : 'No acute process.'] });
      }),
    );
    expect(bodies).toHaveLength(3);
    expect(JSON.parse(bodies[0])).toEqual({
      text_inputs: 'Findings: Heart size is normal. Lungs are clear.',
      max_length: 80,
      num_beams: 10,
      num_return_sequences: 1,
    });
    expect(result.counts).toEqual({ rows: 4, scored: 2, errors: 2, invalidRecords: 1, retries: 0, exhaustedRetries: 0 });
    const [a, b, c, d] = result.rows;
    expect(a).toMatchObject({
      run_id: 'r1',
      dataset: 'dev2',
      data_source: 'indiana-university',
      model: 'fine-tuned',
      model_version: '2.2.3',
      study_id: 'a',
      generated: 'No acute process.',
      error: null,
      created_at: '2025-01-02T03:04:05.000Z',
    });
    expect(a.latency_ms).toBeGreaterThan(0);
    // "no acute process" vs "no acute cardiopulmonary process": P = 3/3, R = 3/4.
    expect(a.rouge1_precision).toBe(1);
    expect(a.rouge1_recall).toBe(0.75);
    expect(a.rouge1).toBeCloseTo(6 / 7, 15);
    expect(b).toMatchObject({
      study_id: 'b',
      generated: null,
      rouge1: null,
      rougelsum_recall: null,
      error: 'malformed hf-text2text response: response has no generated_texts array',
    });
    expect(c).toMatchObject({
      study_id: 'c',
      findings: '',
      generated: null,
      error: 'dev2.jsonl line 3 (record 2), study_id c: findings must be a string',
      latency_ms: null,
    });
    expect(d).toMatchObject({ generated: 'Mild cardiomegaly.', rouge1: 1, rouge2: 1, rougel: 1, rougelsum: 1 });
    // Both impressions labelled; a failed row keeps its reference labels; an unreadable record has none.
    expect(a).toMatchObject({ generated_labels: '{"no_finding":1}', reference_labels: '{"no_finding":1}' });
    expect(d).toMatchObject({ generated_labels: '{"cardiomegaly":1}', reference_labels: '{"cardiomegaly":1}' });
    expect(b).toMatchObject({ generated_labels: null, reference_labels: '{"pleural_effusion":1}' });
    expect(c).toMatchObject({ generated_labels: null, reference_labels: null });
  });

  it('retries throttling and 5xx, and records the failure when attempts run out', async () => {
    const calls = new Map<string, number>();
    const sleeps: number[] = [];
    const result = await evaluateShard(
      items('tgi')[0],
      records,
      deps(async (_e, request) => {
        const prompt = (JSON.parse(request.body) as { inputs: string }).inputs;
        const n = (calls.get(prompt) ?? 0) + 1;
        calls.set(prompt, n);
        if (prompt.includes('effusion')) throw Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
        if (n === 1) throw Object.assign(new Error('x'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
        return '[{"generated_text":"Mild cardiomegaly."}]';
      }, sleeps),
    );
    expect(result.counts).toEqual({ rows: 4, scored: 2, errors: 2, invalidRecords: 1, retries: 4, exhaustedRetries: 1 });
    expect(result.rows[1].error).toBe('ThrottlingException (HTTP 429) after 3 attempts');
    expect(sleeps.sort((x, y) => x - y)).toEqual([5, 5, 5, 10]);
  });

  it('computes baselines without calling the endpoint', async () => {
    const all = items('tgi');
    const firstSentence = all.find((i) => i.model === 'baseline-first-sentence')!;
    const result = await evaluateShard(
      firstSentence,
      records,
      deps(async () => {
        throw new Error('no endpoint for baselines');
      }),
    );
    expect(result.rows.map((r) => r.generated)).toEqual(['Heart size is normal.', 'Small left effusion.', null, 'Mild cardiomegaly.']);
    expect(result.rows[0]).toMatchObject({ model: 'baseline-first-sentence', model_version: '', latency_ms: null, error: null });
    expect(result.rows[1]).toMatchObject({ generated_labels: '{"pleural_effusion":1}', reference_labels: '{"pleural_effusion":1}' });
    const normal = await evaluateShard(
      all.find((i) => i.model === 'baseline-normal')!,
      records,
      deps(async () => ''),
    );
    expect(normal.rows[0].rouge1).toBe(1);
  });

  it('rejects a shard outside the file', async () => {
    const item = { ...items('tgi')[0], end: 9 };
    await expect(
      evaluateShard(
        item,
        records,
        deps(async () => ''),
      ),
    ).rejects.toThrow(/records \[0, 9\) are outside the file's 4 records/);
  });
});

describe('a time-out row says the invocation timed out, and after how long', () => {
  // The clock advances 60 s per attempt (the container's whole allowance) and the back-off waits are counted.
  function timedDeps(invoke: ShardDependencies['invoke']): ShardDependencies {
    let t = 0;
    const base = deps(invoke);
    return {
      ...base,
      concurrency: 1,
      clock: () => t,
      invoke: async (endpoint, request) => {
        t += 60_000;
        return invoke(endpoint, request);
      },
      sleep: async (ms) => {
        t += ms;
      },
      retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 },
      random: () => 0.5,
    };
  }

  it("SageMaker's answer to a container that gave no response in 60 s (ModelError, HTTP 424, container status 0)", async () => {
    const result = await evaluateShard(
      items('tgi')[0],
      records,
      timedDeps(async () => {
        throw new ModelError({
          $metadata: { httpStatusCode: 424 },
          message:
            'Received server error (0) from primary with message "Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.".',
          OriginalStatusCode: 0,
          OriginalMessage:
            'Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.',
        });
      }),
    );
    // 3 attempts of 60 s, back-offs of 500 ms and 1 s (half of 1 s and 2 s with random 0.5).
    expect(result.rows[0].error).toBe(
      "invocation timed out: no answer from the model container within SageMaker's 60 s limit (ModelError, HTTP 424, container status 0); 3 attempts, the last after 60.0 s, 3 min 2 s in all",
    );
    expect(result.rows[0].latency_ms).toBe(60_000);
  });

  it("the SDK's own request time-out (TimeoutError of @smithy/node-http-handler)", async () => {
    const result = await evaluateShard(
      items('tgi')[0],
      records,
      timedDeps(async () => {
        throw Object.assign(new Error('@smithy/node-http-handler - the request socket timed out after 70000 ms of inactivity'), { name: 'TimeoutError' });
      }),
    );
    expect(result.rows[0].error).toBe(
      'invocation timed out: no answer from the endpoint in time (TimeoutError); 3 attempts, the last after 60.0 s, 3 min 2 s in all',
    );
  });

  it('other failures keep their short form', async () => {
    const result = await evaluateShard(
      items('tgi')[0],
      records,
      timedDeps(async () => {
        throw new ModelError({ $metadata: { httpStatusCode: 424 }, message: 'Received client error (400) from primary', OriginalStatusCode: 400 });
      }),
    );
    expect(result.rows[0].error).toBe('ModelError (HTTP 424, container status 400) after 1 attempt');
  });
});
