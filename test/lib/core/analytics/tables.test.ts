import { isValidRunId, partitionsOfRun, PREDICTIONS_SCHEMA, SUMMARY_SCHEMA } from '../../../../lib/core/analytics/tables';
import type { PredictionRow, SummaryRow } from '../../../../lib/core/run/contracts';

const PREDICTION: PredictionRow = {
  run_id: 'r',
  dataset: 'dev1',
  data_source: 'mimic-cxr',
  model: 'fine-tuned',
  model_version: '2.2.3',
  study_id: 's',
  findings: 'f',
  background: 'b',
  reference: 'r',
  generated: 'g',
  rouge1: 1,
  rouge2: 1,
  rougel: 1,
  rougelsum: 1,
  rouge1_precision: 1,
  rouge1_recall: 1,
  rouge2_precision: 1,
  rouge2_recall: 1,
  rougel_precision: 1,
  rougel_recall: 1,
  rougelsum_precision: 1,
  rougelsum_recall: 1,
  latency_ms: 1,
  generated_labels: '{"cardiomegaly":1}',
  reference_labels: '{"no_finding":1}',
  error: null,
  created_at: '2026-11-28T00:00:00Z',
};
const SUMMARY: SummaryRow = {
  run_id: 'r',
  dataset: 'dev1',
  model: 'fine-tuned',
  metric: 'rouge1',
  count: 1,
  errors: 0,
  mean: 1,
  ci_low: 1,
  ci_high: 1,
  std: 0,
  min: 1,
  p25: 1,
  p50: 1,
  p75: 1,
  max: 1,
};

test('the schemas cover exactly the fields of the row contracts, partition keys apart from data columns', () => {
  expect(Object.keys(PREDICTIONS_SCHEMA.fields).sort()).toEqual(Object.keys(PREDICTION).sort());
  expect([...PREDICTIONS_SCHEMA.columns, ...PREDICTIONS_SCHEMA.partitionKeys].map((c) => c.name).sort()).toEqual(Object.keys(PREDICTION).sort());
  expect(PREDICTIONS_SCHEMA.partitionKeys.map((c) => c.name)).toEqual(['run_id', 'dataset', 'model']);
  expect(Object.keys(SUMMARY_SCHEMA.fields).sort()).toEqual(Object.keys(SUMMARY).sort());
  expect(SUMMARY_SCHEMA.partitionKeys.map((c) => c.name)).toEqual(['run_id']);
  expect(SUMMARY_SCHEMA.columns.find((c) => c.name === 'count')!.type).toBe('bigint');
  // Every number in the rows is a double or bigint column; every string a string column.
  for (const [name, value] of Object.entries(PREDICTION)) {
    expect([name, PREDICTIONS_SCHEMA.fields[name as keyof PredictionRow]]).toEqual([name, typeof value === 'number' ? 'double' : 'string']);
  }
});

test('the labels are string columns holding compact JSON (QuickSight imports no struct columns)', () => {
  const columns = PREDICTIONS_SCHEMA.columns.filter((c) => c.name.endsWith('_labels'));
  expect(columns).toEqual([
    { name: 'generated_labels', type: 'string' },
    { name: 'reference_labels', type: 'string' },
  ]);
});

test('partitionsOfRun finds each data set/model folder and the summary of one run only', () => {
  const keys = [
    'prediction_data/predictions/run_id=a/dataset=dev1/model=fine-tuned/part-0.jsonl',
    'prediction_data/predictions/run_id=a/dataset=dev1/model=fine-tuned/part-1.jsonl',
    'prediction_data/predictions/run_id=a/dataset=dev2/model=baseline-normal/part-0.jsonl',
    'prediction_data/predictions/run_id=a/dataset=dev2/model=baseline-normal/_tmp/part-0.jsonl',
    'prediction_data/predictions/run_id=a/dataset=dev2/model=pretrained/',
    'prediction_data/predictions/run_id=ab/dataset=dev1/model=fine-tuned/part-0.jsonl',
    'prediction_data/summary/run_id=a/summary.jsonl',
    'prediction_data/summary/run_id=a/old/summary.jsonl',
  ];
  expect(partitionsOfRun('a', keys)).toEqual([
    { table: 'predictions', values: ['a', 'dev1', 'fine-tuned'], prefix: 'prediction_data/predictions/run_id=a/dataset=dev1/model=fine-tuned/' },
    { table: 'predictions', values: ['a', 'dev2', 'baseline-normal'], prefix: 'prediction_data/predictions/run_id=a/dataset=dev2/model=baseline-normal/' },
    { table: 'summary', values: ['a'], prefix: 'prediction_data/summary/run_id=a/' },
  ]);
  expect(partitionsOfRun('c', keys)).toEqual([]);
});

test.each([
  ['run-1', true],
  ['2026-11-28T10-00-00Z_abc.1', true],
  ['', false],
  ['-x', false],
  ["a'b", false],
  ['a/b', false],
  ['a b', false],
  ['x'.repeat(80), true],
  ['x'.repeat(81), false],
  [42, false],
])('isValidRunId(%j) is %s', (id, valid) => {
  expect(isValidRunId(id)).toBe(valid);
});
