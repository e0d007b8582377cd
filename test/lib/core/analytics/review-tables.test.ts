import { partitionsOfRun, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA } from '../../../../lib/core/analytics/tables';
import { reviewNamedQueries } from '../../../../lib/core/analytics/review-queries';

const REVIEW = 'ev-20260102-090000-00aa';

describe('review tables', () => {
  it('derive their columns from the row contracts, partitioned by run and review', () => {
    expect(REVIEWS_SCHEMA.partitionKeys).toEqual([
      { name: 'run_id', type: 'string' },
      { name: 'review_id', type: 'string' },
    ]);
    expect(REVIEWS_SCHEMA.columns.map((c) => c.name)).not.toContain('review_id');
    expect(REVIEWS_SCHEMA.fields.correct).toBe('bigint');
    expect(REVIEWS_SCHEMA.fields.rougelsum).toBe('double');
    expect(REVIEW_SUMMARY_SCHEMA.columns.map((c) => c.name)).toEqual(['dataset', 'metric', 'model', 'comparator', 'value', 'ci_low', 'ci_high', 'count']);
    expect(REVIEWS_SCHEMA.prefix).toBe('prediction_data/reviews/');
  });

  it("find a run's review partitions, rows and figures apart, and ignore other runs and stray keys", () => {
    const keys = [
      `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/${REVIEW}-0000-r1.jsonl`,
      `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/${REVIEW}-0001-r1.jsonl`,
      `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/summary/summary.jsonl`,
      `prediction_data/reviews/run_id=run-2/review_id=${REVIEW}/summary/summary.jsonl`,
      `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/notes.jsonl`,
    ];
    expect(partitionsOfRun('run-1', keys)).toEqual([
      { table: 'reviews', values: ['run-1', REVIEW], prefix: `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/` },
      { table: 'review_summary', values: ['run-1', REVIEW], prefix: `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/summary/` },
    ]);
  });

  it('name only columns the tables have in the review queries', () => {
    const queries = reviewNamedQueries({ database: 'db', reviews: 'reviews', reviewSummary: 'review_summary' });
    const known = new Set([...Object.keys(REVIEWS_SCHEMA.fields), ...Object.keys(REVIEW_SUMMARY_SCHEMA.fields)]);
    for (const q of queries) {
      expect(q.sql).toMatch(/FROM "db"\."(reviews|review_summary)"/);
      const selected = /^SELECT (?:DISTINCT )?([\s\S]*?)\nFROM/.exec(q.sql)![1];
      for (const [, column] of selected.matchAll(/\b([a-z_]+)\b(?=\s*(?:,|$| AS| =| THEN|\)))/g)) {
        if (['max', 'metric', 'value', 'ci_low', 'ci_high', 'count'].includes(column)) continue;
        if (/^(rating|harm_rate|alpha|spearman|total|answered|invalid|failed|stopped|share|judgements|units|model|draft)/.test(column)) continue;
        expect(known).toContain(column);
      }
    }
    expect(queries.find((q) => q.name === 'review-harm-flags')!.sql).toContain("WHERE status = 'answered' AND harm = 1");
  });
});
