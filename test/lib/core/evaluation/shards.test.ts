import { planShards, shardRanges } from '../../../../lib/core/evaluation/shards';

describe('planShards', () => {
  it('splits N records into shard ranges', () => {
    expect(shardRanges(250, 100)).toEqual([
      { start: 0, end: 100 },
      { start: 100, end: 200 },
      { start: 200, end: 250 },
    ]);
    expect(shardRanges(0, 100)).toEqual([]);
    expect(() => shardRanges(10, 0)).toThrow(/shard size/);
  });
  it('plans model shards per dataset, and baselines when asked', () => {
    const items = planShards({
      runId: 'r1',
      model: 'pretrained',
      modelVersion: '2.2.3',
      endpointName: 'impressions-r1-pre',
      contract: 'tgi',
      datasets: [
        { dataset: 'dev1', evalDataUri: 's3://b/eval_data/dev1.jsonl', recordCount: 150 },
        { dataset: 'dev2', evalDataUri: 's3://b/eval_data/dev2.jsonl', recordCount: 50 },
      ],
      shardSize: 100,
      includeBaselines: true,
    });
    expect(items).toHaveLength(4 * 3);
    expect(items[0]).toEqual({
      runId: 'r1',
      dataset: 'dev1',
      dataSource: 'mimic-cxr',
      model: 'pretrained',
      modelVersion: '2.2.3',
      kind: 'endpoint',
      shardIndex: 0,
      start: 0,
      end: 100,
      evalDataUri: 's3://b/eval_data/dev1.jsonl',
      endpointName: 'impressions-r1-pre',
      contract: 'tgi',
      partKey: 'prediction_data/predictions/run_id=r1/dataset=dev1/model=pretrained/part-00000.jsonl',
    });
    const baseline = items.find((i) => i.model === 'baseline-normal' && i.dataset === 'dev2')!;
    expect(baseline).toMatchObject({ kind: 'baseline', modelVersion: '', dataSource: 'indiana-university', start: 0, end: 50 });
    expect(baseline.endpointName).toBeUndefined();
    expect(new Set(items.map((i) => i.partKey)).size).toBe(items.length);
    const noBaselines = planShards({
      runId: 'r1',
      model: 'fine-tuned',
      modelVersion: 'v',
      endpointName: 'e',
      contract: 'tgi',
      datasets: [{ dataset: 'dev1', evalDataUri: 's3://b/k', recordCount: 150 }],
      shardSize: 100,
      includeBaselines: false,
    });
    expect(noBaselines.map((i) => i.model)).toEqual(['fine-tuned', 'fine-tuned']);
  });
});
