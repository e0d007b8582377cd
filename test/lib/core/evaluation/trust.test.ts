import { countsOf, describeErrors, errorCounts, errorReport, MAX_TRUSTED_ERROR_RATE } from '../../../../lib/core/evaluation/trust';

const rows = (dataset: string, model: string, total: number, errors: number) =>
  Array.from({ length: total }, (_, i) => ({ dataset, model, error: i < errors ? 'ModelError (HTTP 424) after 6 attempts' : null }));

test("the threshold is 1 % of a model's rows on a data set", () => {
  expect(MAX_TRUSTED_ERROR_RATE).toBe(0.01);
});

test("the issue's run: 8 of 40 rows are errors (a 70 % fault rate, most retried away) — not trustworthy, and said so per model and data set", () => {
  const report = errorReport(errorCounts([...rows('dev2', 'fine-tuned', 40, 8), ...rows('dev2', 'pretrained', 40, 0), ...rows('dev1', 'fine-tuned', 40, 0)]));
  expect(report.trustworthy).toBe(false);
  expect(describeErrors(report)).toEqual([
    'dev1 fine-tuned: 0 of 40 rows are errors (0.0 %)',
    'dev2 pretrained: 0 of 40 rows are errors (0.0 %)',
    'dev2 fine-tuned: 8 of 40 rows are errors (20.0 %), above 1 %: not trustworthy',
    'results NOT trustworthy: 1 data set × model above 1 % errors; their figures cover only the reports that scored',
  ]);
});

test('at the threshold the results are trustworthy, just above it they are not', () => {
  const at = errorReport(errorCounts(rows('dev1', 'fine-tuned', 2000, 20)));
  expect(at.trustworthy).toBe(true);
  expect(describeErrors(at)).toEqual([
    'dev1 fine-tuned: 20 of 2000 rows are errors (1.0 %)',
    'results trustworthy: every data set × model has at most 1 % errors',
  ]);
  expect(errorReport(errorCounts(rows('dev1', 'fine-tuned', 2000, 21))).trustworthy).toBe(false);
});

test('from totals (summary rows, a run output) as from rows; another threshold can be applied', () => {
  expect(countsOf([{ dataset: 'dev1', model: 'pretrained', rows: 100, errors: 3 }], 0.05)).toEqual([
    { dataset: 'dev1', model: 'pretrained', rows: 100, errors: 3, errorRate: 0.03, trustworthy: true },
  ]);
  expect(countsOf([{ dataset: 'dev1', model: 'pretrained', rows: 0, errors: 0 }])[0]).toMatchObject({ errorRate: 0, trustworthy: true });
});
