/** The local Athena's translation of the CLI's Trino SQL for alasql. */
import { translate } from '../../../lib/local/athena';

describe('translate', () => {
  test('quoted tables become aliases, quoted identifiers brackets, min/max the text-aware aggregates, ? the parameters', () => {
    const { sql, tables } = translate(
      `SELECT run_id, min(created_at) AS started, "count", count(*) AS n FROM "impressions_results"."predictions" WHERE run_id = ? AND model = 'it''s ?' GROUP BY run_id`,
      [`'r1'`],
      'impressions_results',
    );
    expect(tables).toEqual([{ database: 'impressions_results', table: 'predictions', alias: 't0' }]);
    expect(sql).toBe(
      `SELECT run_id, TRINO_MIN(created_at) AS started, [count], count(*) AS n FROM [t0] WHERE run_id = 'r1' AND model = 'it''s ?' GROUP BY run_id`,
    );
  });

  test('more placeholders than parameters is an error', () => {
    expect(() => translate('SELECT ? , ?', [`'a'`], undefined)).toThrow(/more \? placeholders/);
  });
});
