import { parsePartKey, parseS3Uri, partKey, shardManifestKey, summaryKey, runSummaryKey } from '../../../../lib/core/evaluation/keys';

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
