import { parseAggregateEvent, parseEvaluateEvent, parsePlanEvaluationEvent, planShards } from '../../../../lib/core/evaluation';

const plan = {
  plan: { runId: 'run-7', evalData: { dev1: 's3://b/eval_data/dev1.jsonl' } },
  resolved: { version: '2.2.3', inference: { payloadContract: 'tgi' } },
  endpointName: 'impressions-run-7-pt',
  model: 'pretrained',
};

describe('evaluation Lambda event parsers', () => {
  test('plan-evaluation: the fields it reads; includeBaselines only when given', () => {
    expect(parsePlanEvaluationEvent(plan)).toEqual(plan);
    expect(parsePlanEvaluationEvent({ ...plan, includeBaselines: false }).includeBaselines).toBe(false);
    expect(() => parsePlanEvaluationEvent({ ...plan, plan: { runId: 'bad id', evalData: {} } })).toThrow(
      'invalid plan-evaluation event (2 problems): plan.evalData: expected at least one dataset; plan.runId: expected a run id',
    );
  });

  test('evaluate: every shard item planShards writes parses back to itself', () => {
    const items = planShards({
      runId: 'run-7',
      model: 'pretrained',
      modelVersion: '2.2.3',
      endpointName: 'impressions-run-7-pt',
      contract: 'hf-text2text',
      datasets: [{ dataset: 'dev1', evalDataUri: 's3://b/eval_data/dev1.jsonl', recordCount: 5 }],
      shardSize: 2,
      includeBaselines: true,
    });
    expect(items.length).toBe(12);
    for (const item of items) expect(parseEvaluateEvent(JSON.parse(JSON.stringify(item)))).toEqual(item);
  });

  test('evaluate: an endpoint shard must name its endpoint and contract; a range runs forwards', () => {
    const item = { runId: 'r', dataset: 'dev1', dataSource: 'x', model: 'fine-tuned', modelVersion: '1', kind: 'endpoint', shardIndex: 0, start: 4, end: 2 };
    expect(() => parseEvaluateEvent({ ...item, evalDataUri: 's3://b/k', partKey: 'k' })).toThrow(
      'invalid evaluate event (3 problems): end: expected ≥ start (4), got 2; endpointName: expected a SageMaker endpoint name, got nothing; contract: expected one of hf-text2text, tgi, got nothing',
    );
  });

  test('aggregate: the training result may be absent, null or without a job; usage lines are typed', () => {
    expect(parseAggregateEvent({ runId: 'r' })).toEqual({ runId: 'r' });
    expect(parseAggregateEvent({ runId: 'r', training: null })).toEqual({ runId: 'r', training: null });
    expect(parseAggregateEvent({ runId: 'r', training: { modelData: {} } })).toEqual({ runId: 'r', training: {} });
    const endpoints = [{ model: 'pretrained', instanceType: 'ml.g5.2xlarge', inServiceAt: 't0', deletedAt: 't1', kept: false }];
    expect(parseAggregateEvent({ runId: 'r', training: { trainingJobName: 'j' }, usage: { endpoints } })).toEqual({
      runId: 'r',
      training: { trainingJobName: 'j' },
      usage: { endpoints },
    });
    expect(() =>
      parseAggregateEvent({ runId: 'r', usage: { endpoints: [{ model: 'pretrained' }], training: { instanceType: 'x', billableSeconds: -1 } } }),
    ).toThrow(/usage.training.billableSeconds: expected a number ≥ 0, got -1; usage.endpoints\[0\].instanceType: expected a string, got nothing/);
  });
});
