import { analyticsNames } from '../../../../lib/core/deployment';
import { namedQueries } from '../../../../lib/core/analytics/queries';
import { BASELINE_MODELS } from '../../../../lib/core/evaluation/baselines';

const names = analyticsNames('impressions');
const queries = namedQueries({ database: names.glueDatabase, predictions: names.predictionsTable, summary: names.summaryTable });

test('the names derive from the prefix', () => {
  expect(analyticsNames('my-app')).toMatchObject({
    glueDatabase: 'my_app_results',
    workGroup: 'my-app-workgroup',
    quicksightDataSetIds: {
      runs: 'my-app-runs',
      summary: 'my-app-summary',
      predictions: 'my-app-predictions',
      paired: 'my-app-paired',
      observations: 'my-app-observations',
      studies: 'my-app-studies',
    },
    dashboardId: 'my-app-dashboard',
  });
});

test('the mean query pivots the four ROUGE types with their CIs from the summary, baselines not filtered out', () => {
  const sql = queries.find((q) => q.name === 'mean-rouge-by-model-and-dataset')!.sql;
  expect(sql).toContain('FROM "impressions_results"."summary"');
  for (const metric of ['rouge1', 'rouge2', 'rougel', 'rougelsum']) {
    expect(sql).toContain(`max(CASE WHEN lower(metric) = '${metric}' THEN mean END) AS ${metric}`);
    expect(sql).toContain(`AS ${metric}_ci_low`);
  }
  expect(sql).not.toMatch(/WHERE/);
  for (const baseline of BASELINE_MODELS) expect(sql).toContain(`'${baseline}'`);
  expect(sql).toContain(
    "ORDER BY run_id DESC, dataset, CASE model WHEN 'fine-tuned' THEN 1 WHEN 'pretrained' THEN 2 WHEN 'baseline-normal' THEN 3 WHEN 'baseline-copy-findings' THEN 4 WHEN 'baseline-first-sentence' THEN 5 ELSE 6 END, model",
  );
});

test('the lowest-scoring query keeps scored fine-tuned reports, 25 per run and data set', () => {
  const sql = queries.find((q) => q.name === 'fine-tuned-lowest-scoring-reports')!.sql;
  expect(sql).toContain("WHERE model = 'fine-tuned' AND error IS NULL");
  expect(sql).toContain('row_number() OVER (PARTITION BY run_id, dataset ORDER BY rougelsum ASC, study_id)');
  expect(sql).toContain('WHERE position <= 25');
});

test('the distribution query reads every figure of the summary', () => {
  const sql = queries.find((q) => q.name === 'score-distributions')!.sql;
  expect(sql).toContain('count, errors, mean, std, min, p25, p50, p75, max');
});

test('the agreement query pivots the three agreement figures with their CIs; the ROUGE query shows the headline beside', () => {
  const sql = queries.find((q) => q.name === 'clinical-agreement-by-model-and-dataset')!.sql;
  for (const metric of ['chexpert_micro_f1_13', 'chexpert_macro_f1_14', 'chexpert_micro_f1_14']) {
    expect(sql).toContain(`max(CASE WHEN lower(metric) = '${metric}' THEN mean END) AS ${metric}`);
    expect(sql).toContain(`AS ${metric}_ci_high`);
  }
  expect(sql).toContain("WHERE lower(metric) IN ('chexpert_micro_f1_13', 'chexpert_macro_f1_14', 'chexpert_micro_f1_14')");
  for (const baseline of BASELINE_MODELS) expect(sql).toContain(`'${baseline}'`);
  const rouge = queries.find((q) => q.name === 'mean-rouge-by-model-and-dataset')!.sql;
  expect(rouge).toContain('THEN mean END) AS chexpert_micro_f1_13');
  expect(rouge).toContain("max(CASE WHEN lower(metric) LIKE 'rouge%' THEN count END) AS reports");
  expect(queries.find((q) => q.name === 'score-distributions')!.sql).toContain("WHERE lower(metric) LIKE 'rouge%'");
  expect(queries.find((q) => q.name === 'fine-tuned-lowest-scoring-reports')!.sql).toContain('generated_labels, reference_labels');
});
