/**
 * The SQL of the Athena named queries saved in the workgroup, and of the CLI's queries. Plain
 * strings over the tables of {@link ../analytics/tables}; Athena engine version 3 (Trino) syntax.
 */
import { AGREEMENT_METRICS as AGREEMENT_SUMMARY_METRICS } from '../evaluation/agreement-summary';
import { BASELINE_MODELS } from '../evaluation/baselines';
import { ROUGE_METRICS } from '../evaluation/rows';

/** A saved query. */
export interface NamedQuerySpec {
  /** Short, stable name shown in the Athena console. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** Orders models: fine-tuned, pretrained, then the baselines, then anything else. */
const ORDERED_MODELS = ['fine-tuned', 'pretrained', ...BASELINE_MODELS];
const MODEL_ORDER = `CASE model ${ORDERED_MODELS.map((m, i) => `WHEN '${m}' THEN ${i + 1}`).join(' ')} ELSE ${ORDERED_MODELS.length + 1} END`;

/** One pivoted ROUGE column from the summary rows; metric names are compared case-insensitively. */
function pivot(stat: 'mean' | 'ci_low' | 'ci_high', metric: string, alias: string): string {
  return `max(CASE WHEN lower(metric) = '${metric}' THEN ${stat} END) AS ${alias}`;
}

/** Mean and interval columns of one metric, named after it. */
function pivots(metric: string): string[] {
  return [pivot('mean', metric, metric), pivot('ci_low', metric, `${metric}_ci_low`), pivot('ci_high', metric, `${metric}_ci_high`)];
}

/** Reports per run and data set in `fine-tuned-lowest-scoring-reports` (and the dashboard's table of them). */
export const LOWEST_SCORING_LIMIT = 25;

/** Agreement metrics of the summary rows, headline first. */
const AGREEMENT_METRICS = AGREEMENT_SUMMARY_METRICS.map((m) => m.metric);

/** Selects the summary's ROUGE rows: agreement rows have no distribution figures. */
const ROUGE_ROWS = "lower(metric) LIKE 'rouge%'";

/**
 * The named queries: mean ROUGE with its confidence interval per run, data set and model (baselines
 * included) with the headline clinical agreement beside it, the agreement figures on their own,
 * the distribution figures, and the reports where the fine-tuned model scores lowest.
 * The summary-based queries show what the run's aggregate step computed (bootstrap CI, sample std,
 * linear-interpolated percentiles); they do not recompute it.
 */
export function namedQueries(tables: { readonly database: string; readonly predictions: string; readonly summary: string }): NamedQuerySpec[] {
  const summary = `"${tables.database}"."${tables.summary}"`;
  const predictions = `"${tables.database}"."${tables.predictions}"`;
  // The summary's ROUGE metric names lower-cased are the row columns (rougeL → rougel).
  const rougeAndHeadline = [...ROUGE_METRICS.map((m) => m.column), AGREEMENT_METRICS[0]];
  return [
    {
      name: 'mean-rouge-by-model-and-dataset',
      description: 'Mean ROUGE F (95% bootstrap CI) per run, data set and model, baselines included, with CheXpert micro-F1(13) beside, from the summary rows',
      sql: [
        'SELECT run_id, dataset, model,',
        '  ' + rougeAndHeadline.flatMap(pivots).join(',\n  ') + ',',
        `  max(CASE WHEN ${ROUGE_ROWS} THEN count END) AS reports, max(CASE WHEN ${ROUGE_ROWS} THEN errors END) AS errors`,
        `FROM ${summary}`,
        'GROUP BY run_id, dataset, model',
        `ORDER BY run_id DESC, dataset, ${MODEL_ORDER}, model`,
      ].join('\n'),
    },
    {
      name: 'clinical-agreement-by-model-and-dataset',
      description:
        'CheXpert-style label agreement (micro-F1 over 13, macro-F1 over 14, micro-F1 over 14, 95% bootstrap CI) per run, data set and model, baselines included',
      sql: [
        'SELECT run_id, dataset, model,',
        '  ' + AGREEMENT_METRICS.flatMap(pivots).join(',\n  ') + ',',
        '  max(count) AS labelled, max(errors) AS errors',
        `FROM ${summary}`,
        `WHERE lower(metric) IN (${AGREEMENT_METRICS.map((m) => `'${m}'`).join(', ')})`,
        'GROUP BY run_id, dataset, model',
        `ORDER BY run_id DESC, dataset, ${MODEL_ORDER}, model`,
      ].join('\n'),
    },
    {
      name: 'score-distributions',
      description: 'Distribution of each ROUGE F per run, data set and model (count, errors, mean, std, min, quartiles, max)',
      sql: [
        'SELECT run_id, dataset, model, metric, count, errors, mean, std, min, p25, p50, p75, max',
        `FROM ${summary}`,
        `WHERE ${ROUGE_ROWS}`,
        `ORDER BY run_id DESC, dataset, ${MODEL_ORDER}, model, metric`,
      ].join('\n'),
    },
    {
      name: 'fine-tuned-lowest-scoring-reports',
      description: `The ${LOWEST_SCORING_LIMIT} reports of each run and data set where the fine-tuned model has the lowest ROUGE-Lsum F, with the texts to read`,
      sql: [
        'SELECT run_id, dataset, study_id, rouge1, rouge2, rougel, rougelsum, findings, generated, reference, generated_labels, reference_labels',
        'FROM (',
        '  SELECT *, row_number() OVER (PARTITION BY run_id, dataset ORDER BY rougelsum ASC, study_id) AS position',
        `  FROM ${predictions}`,
        "  WHERE model = 'fine-tuned' AND error IS NULL",
        ')',
        `WHERE position <= ${LOWEST_SCORING_LIMIT}`,
        'ORDER BY run_id DESC, dataset, rougelsum ASC, study_id',
      ].join('\n'),
    },
  ];
}
