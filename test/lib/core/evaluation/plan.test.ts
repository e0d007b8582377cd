import { BASELINE_MODELS, baselineImpression, firstSentence, NORMAL_IMPRESSION } from '../../../../lib/core/evaluation/baselines';
import { parsePartKey, parseS3Uri, partKey, shardManifestKey, summaryKey, runSummaryKey } from '../../../../lib/core/evaluation/keys';
import { planShards, shardRanges } from '../../../../lib/core/evaluation/shards';

describe('keys', () => {
  it('are deterministic and zero-padded', () => {
    const k = partKey('run-1', 'dev1', 'fine-tuned', 7);
    expect(k).toBe('prediction_data/predictions/run_id=run-1/dataset=dev1/model=fine-tuned/part-00007.jsonl');
    expect(partKey('run-1', 'dev1', 'fine-tuned', 7)).toBe(k);
    expect(parsePartKey(k)).toEqual({ runId: 'run-1', dataset: 'dev1', model: 'fine-tuned', shardIndex: 7 });
    expect(parsePartKey('prediction_data/summary/run_id=x/summary.jsonl')).toBeUndefined();
    expect(summaryKey('r')).toBe('prediction_data/summary/run_id=r/summary.jsonl');
    expect(runSummaryKey('r')).toBe('runs/r/run-summary.json');
    expect(shardManifestKey('r', 'pretrained')).toBe('runs/r/evaluation/pretrained/shards.jsonl');
  });
  it('reject unsafe parts', () => {
    expect(() => partKey('a/b', 'dev1', 'pretrained', 0)).toThrow(/run id "a\/b" is not valid/);
    // One run-id rule for writing keys and for publishing and querying them (1-80 characters).
    expect(summaryKey('x'.repeat(80))).toContain('x'.repeat(80));
    expect(() => summaryKey('x'.repeat(81))).toThrow(/is not valid: 1-80 letters/);
    expect(() => partKey('r', 'Dev 1', 'pretrained', 0)).toThrow(/dataset "Dev 1" is not valid/);
    expect(() => partKey('r', 'dev1', 'pretrained', 100000)).toThrow(/shard index 100000/);
    expect(parseS3Uri('s3://my-bucket/eval_data/dev1.jsonl')).toEqual({ bucket: 'my-bucket', key: 'eval_data/dev1.jsonl' });
    expect(() => parseS3Uri('https://x/y')).toThrow(/not an s3:\/\/bucket\/key URI/);
  });
});

describe('baselines', () => {
  it.each([
    ['Heart size is normal. No effusion.', 'Heart size is normal.'],
    ['Nodule measures 1.5 cm. Stable.', 'Nodule measures 1.5 cm.'],
    ['1. Patchy opacity. 2. Atelectasis.', '1. Patchy opacity.'],
    ['  No pneumothorax  ', 'No pneumothorax'],
    ['Is there effusion? No.', 'Is there effusion?'],
    ['. Lungs are clear.', 'Lungs are clear.'],
    ['Stable T7-T8 findings!', 'Stable T7-T8 findings!'],
  ])('firstSentence(%j) = %j', (text, expected) => {
    expect(firstSentence(text)).toBe(expected);
  });
  it('writes each baseline', () => {
    expect(BASELINE_MODELS.map((m) => baselineImpression(m, 'A b. C d.'))).toEqual([NORMAL_IMPRESSION, 'A b. C d.', 'A b.']);
  });
});

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
