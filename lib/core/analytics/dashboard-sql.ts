/**
 * The custom SQL of the dashboard's data sets (Athena engine version 3, over the Glue tables of
 * ./tables.ts). Every readable name, the error threshold and the verdict rules come from the
 * report's one definition of what is shown (lib/core/results-report: names.ts, trust.ts, view.ts),
 * so the dashboard and `impressions report` call things the same and judge them by the same rules.
 *
 * What SQL cannot do the same way is said where it differs: the report's intervals of a
 * difference are paired bootstrap intervals (1,000 seeded resamples); a SQL query cannot draw
 * them, so the dashboard gives the normal-approximation interval of the mean per-report
 * difference (mean ± 1.96 · sd / √n, within a few 0.001 of the bootstrap at n = 2,000), and for the
 * pooled micro-F1 difference, which has no per-report value, the difference without an interval.
 *
 * Every data set carries `run_id` and `run_rank` (1 = the latest run, by its first row's
 * `created_at`), which the dashboard's run controls filter on.
 */
import { AGREEMENT_METRICS } from '../evaluation/agreement-summary';
import { BASELINE_MODELS } from '../evaluation/baselines';
import { ROUGE_METRICS } from '../evaluation/rows';
import { DATA_SOURCES } from '../evaluation/shards';
import { OBSERVATIONS } from '../labels/observations';
import { OBSERVATION_KEYS } from '../labels/row-labels';
import { percent } from '../results-report/format';
import { PUBLISHED_MEANS } from '../results-report/published';
import { datasetName, METRIC_NAMES, MODEL_NAMES } from '../results-report/names';
import { MAX_TRUSTED_ERROR_RATE } from '../results-report/trust';
import { VERDICT_MODELS } from '../results-report/view';

/** The tables the SQL reads. */
export interface DashboardTables {
  readonly database: string;
  readonly predictions: string;
  readonly summary: string;
}

/** A QuickSight input column type. */
export type InputColumnType = 'STRING' | 'DECIMAL' | 'INTEGER';

/** One data set of the dashboard: its SQL and the columns it returns, in order. */
export interface DashboardDataSetSql {
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly { readonly name: string; readonly type: InputColumnType }[];
}

/** The dashboard's data sets, by their key (also the identifier inside the definition). */
export const DASHBOARD_DATA_SETS = ['runs', 'summary', 'predictions', 'paired', 'observations', 'studies'] as const;

/** A key of {@link DASHBOARD_DATA_SETS}. */
export type DashboardDataSetKey = (typeof DASHBOARD_DATA_SETS)[number];

/**
 * The data sets whose rows carry report text (findings, reference and generated impressions). They
 * are imported DIRECT_QUERY, never into SPICE, so the text stays under the data key (README "Security
 * model"); a test checks that no other data set has a text column.
 */
export const REPORT_TEXT_DATA_SETS: readonly DashboardDataSetKey[] = ['studies'];

/** The value of the run controls that stands for the latest run (the default), and the one before it. */
export const LATEST_RUN = 'Latest run';
export const PREVIOUS_RUN = 'Previous run';

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function caseOf(expression: string, map: Readonly<Record<string, string | number>>, otherwise: string): string {
  const whens = Object.entries(map).map(([k, v]) => `WHEN ${sqlString(k)} THEN ${typeof v === 'number' ? v : sqlString(v)}`);
  return `CASE ${expression} ${whens.join(' ')} ELSE ${otherwise} END`;
}

/** `dev1 · MIMIC-CXR` from a data set id column. */
const datasetNameSql = (col: string) => caseOf(col, Object.fromEntries(Object.keys(DATA_SOURCES).map((d) => [d, datasetName(d)])), col);
/** Readable model name from a model id column. */
const modelNameSql = (col: string) => caseOf(col, MODEL_NAMES, col);
/** Report order of a model id column (models, then baselines, then anything else). */
const modelOrderSql = (col: string) => caseOf(col, Object.fromEntries([...VERDICT_MODELS, ...BASELINE_MODELS].map((m, i) => [m, i + 1])), '99');
/** Short readable name of a metric id column (`ROUGE-1`, `micro-F1 (13)`). */
const metricNameSql = (col: string) => caseOf(col, Object.fromEntries(METRIC_NAMES.map((m) => [m.metric, m.short])), col);
const metricOrderSql = (col: string) => caseOf(col, Object.fromEntries(METRIC_NAMES.map((m, i) => [m.metric, i + 1])), '99');
const BASELINES = BASELINE_MODELS.map(sqlString).join(', ');
const HEADLINE = AGREEMENT_METRICS[0].metric;
const NO_FINDING_KEY = OBSERVATION_KEYS['No Finding'];

/** A figure with 4 decimals and a true minus sign, as the report writes it. */
const num = (e: string) => `replace(format('%.4f', ${e}), '-', '\u2212')`;
const signedNum = (e: string) => `concat(CASE WHEN round(${e}, 4) > 0 THEN '+' ELSE '' END, ${num(e)})`;
const intervalSql = (low: string, high: string) => `concat('[', ${num(low)}, ', ', ${num(high)}, ']')`;

function relations(t: DashboardTables): { predictions: string; summary: string } {
  return { predictions: `"${t.database}"."${t.predictions}"`, summary: `"${t.database}"."${t.summary}"` };
}

/** Runs ranked newest first by their first row's time (`created_at` is ISO-8601 text, so it sorts). */
function rankedRuns(predictions: string): string {
  return [
    `run_starts AS (SELECT run_id, min(created_at) AS started_at FROM ${predictions} GROUP BY run_id)`,
    'ranked AS (SELECT run_id, started_at, CAST(rank() OVER (ORDER BY started_at DESC, run_id DESC) AS integer) AS run_rank FROM run_starts)',
  ].join(',\n');
}

/** Present (positive or uncertain) in a stored label set, as the report counts it. */
const present = (labels: string, key: string) => `coalesce(json_extract_scalar(${labels}, '$.${key}') IN ('1', '-1'), false)`;

/** The readable names of the observations present in a stored label set, as an array. */
const presentNames = (labels: string) =>
  `filter(ARRAY[${OBSERVATIONS.map((o) => `CASE WHEN ${present(labels, OBSERVATION_KEYS[o])} THEN ${sqlString(o)} END`).join(', ')}], x -> x IS NOT NULL)`;

function runsSql(t: DashboardTables): DashboardDataSetSql {
  const { predictions } = relations(t);
  return {
    name: 'Runs (for the run controls)',
    sql: [
      `WITH ${rankedRuns(predictions)}`,
      `SELECT ${sqlString(LATEST_RUN)} AS run_choice, 0 AS choice_order, CAST(NULL AS varchar) AS started_at`,
      `UNION ALL SELECT ${sqlString(PREVIOUS_RUN)}, 1, CAST(NULL AS varchar)`,
      'UNION ALL SELECT run_id, 1 + run_rank, started_at FROM ranked',
    ].join('\n'),
    columns: [
      { name: 'run_choice', type: 'STRING' },
      { name: 'choice_order', type: 'INTEGER' },
      { name: 'started_at', type: 'STRING' },
    ],
  };
}

function summarySql(t: DashboardTables): DashboardDataSetSql {
  const { predictions, summary } = relations(t);
  const published = Object.entries(PUBLISHED_MEANS).flatMap(([dataset, models]) =>
    Object.entries(models).flatMap(([model, metrics]) =>
      Object.entries(metrics).map(
        ([metric, v]) => `WHEN s.dataset = ${sqlString(dataset)} AND s.model = ${sqlString(model)} AND s.metric = ${sqlString(metric)} THEN ${v}`,
      ),
    ),
  );
  const threshold = `${MAX_TRUSTED_ERROR_RATE}`;
  const untrusted = `(s.count = 0 OR s.errors > s.count * ${threshold})`;
  return {
    name: 'Scores per run, data set, model and figure',
    sql: [
      `WITH ${rankedRuns(predictions)}`,
      'SELECT s.run_id, r.run_rank, r.started_at,',
      `  s.dataset, ${datasetNameSql('s.dataset')} AS dataset_name,`,
      `  s.model, ${modelNameSql('s.model')} AS model_name, ${modelOrderSql('s.model')} AS model_order,`,
      `  s.metric, ${metricNameSql('s.metric')} AS metric_name, ${metricOrderSql('s.metric')} AS metric_order,`,
      '  s.count AS reports, s.errors, CAST(s.errors AS double) / nullif(s.count, 0) AS error_share,',
      // Error rows are counted on the ROUGE rows (agreement rows count labelled records instead).
      `  CASE WHEN lower(s.metric) NOT LIKE 'rouge%' THEN NULL WHEN ${untrusted} THEN 'NO: error rows above ${percent(MAX_TRUSTED_ERROR_RATE)}' ELSE 'yes' END AS trusted,`,
      `  CASE WHEN max(CASE WHEN lower(s.metric) LIKE 'rouge%' AND ${untrusted} THEN 1 ELSE 0 END) OVER (PARTITION BY s.run_id, s.dataset) = 1`,
      `    THEN 'NOT TRUSTWORTHY: error rows above ${percent(MAX_TRUSTED_ERROR_RATE)}' ELSE 'trustworthy' END AS dataset_verdict,`,
      '  s.mean, s.ci_low, s.ci_high,',
      `  CASE WHEN s.mean IS NULL THEN '-' ELSE concat(${num('s.mean')}, ' ', ${intervalSql('s.ci_low', 's.ci_high')}) END AS mean_with_interval,`,
      '  s.std, s.min, s.p25, s.p50, s.p75, s.max,',
      `  CASE ${published.join(' ')} ELSE NULL END AS published_mean`,
      `FROM ${summary} s JOIN ranked r ON s.run_id = r.run_id`,
    ].join('\n'),
    columns: [
      { name: 'run_id', type: 'STRING' },
      { name: 'run_rank', type: 'INTEGER' },
      { name: 'started_at', type: 'STRING' },
      { name: 'dataset', type: 'STRING' },
      { name: 'dataset_name', type: 'STRING' },
      { name: 'model', type: 'STRING' },
      { name: 'model_name', type: 'STRING' },
      { name: 'model_order', type: 'INTEGER' },
      { name: 'metric', type: 'STRING' },
      { name: 'metric_name', type: 'STRING' },
      { name: 'metric_order', type: 'INTEGER' },
      { name: 'reports', type: 'INTEGER' },
      { name: 'errors', type: 'INTEGER' },
      { name: 'error_share', type: 'DECIMAL' },
      { name: 'trusted', type: 'STRING' },
      { name: 'dataset_verdict', type: 'STRING' },
      { name: 'mean', type: 'DECIMAL' },
      { name: 'ci_low', type: 'DECIMAL' },
      { name: 'ci_high', type: 'DECIMAL' },
      { name: 'mean_with_interval', type: 'STRING' },
      { name: 'std', type: 'DECIMAL' },
      { name: 'min', type: 'DECIMAL' },
      { name: 'p25', type: 'DECIMAL' },
      { name: 'p50', type: 'DECIMAL' },
      { name: 'p75', type: 'DECIMAL' },
      { name: 'max', type: 'DECIMAL' },
      { name: 'published_mean', type: 'DECIMAL' },
    ],
  };
}

function predictionsSql(t: DashboardTables): DashboardDataSetSql {
  const { predictions } = relations(t);
  return {
    name: 'Per-report scores (for the box plots)',
    sql: [
      `WITH ${rankedRuns(predictions)}`,
      'SELECT p.run_id, r.run_rank,',
      `  ${datasetNameSql('p.dataset')} AS dataset_name, ${modelNameSql('p.model')} AS model_name,`,
      `  concat(${datasetNameSql('p.dataset')}, ' · ', ${modelNameSql('p.model')}) AS group_name,`,
      `  ${ROUGE_METRICS.map((m) => `p.${m.column}`).join(', ')}`,
      `FROM ${predictions} p JOIN ranked r ON p.run_id = r.run_id`,
      'WHERE p.error IS NULL',
    ].join('\n'),
    columns: [
      { name: 'run_id', type: 'STRING' },
      { name: 'run_rank', type: 'INTEGER' },
      { name: 'dataset_name', type: 'STRING' },
      { name: 'model_name', type: 'STRING' },
      { name: 'group_name', type: 'STRING' },
      ...ROUGE_METRICS.map((m) => ({ name: m.column, type: 'DECIMAL' as const })),
    ],
  };
}

/**
 * Fine-tuned − pretrained and each model − the best baseline (the baseline with the highest mean
 * on that figure in the summary), on the same reports, per ROUGE type and for micro-F1 (13).
 */
function pairedSql(t: DashboardTables): DashboardDataSetSql {
  const { predictions, summary } = relations(t);
  const thirteen = OBSERVATIONS.filter((o) => OBSERVATION_KEYS[o] !== NO_FINDING_KEY);
  const counts = (kind: 'tp' | 'fp' | 'fn') =>
    thirteen
      .map((o) => {
        const g = present('generated_labels', OBSERVATION_KEYS[o]);
        const r = present('reference_labels', OBSERVATION_KEYS[o]);
        const cond = kind === 'tp' ? `${g} AND ${r}` : kind === 'fp' ? `${g} AND NOT ${r}` : `NOT ${g} AND ${r}`;
        return `CASE WHEN ${cond} THEN 1 ELSE 0 END`;
      })
      .join(' + ');
  // Doubles, not decimals: Trino's decimal division keeps the operands' scale (2.0 * 5 / 7 = 1.4).
  const f1 = (tp: string, fp: string, fn: string) =>
    `CASE WHEN 2 * ${tp} + ${fp} + ${fn} = 0 THEN 0e0 ELSE CAST(2 * ${tp} AS double) / (2 * ${tp} + ${fp} + ${fn}) END`;
  const comparisons = `(a.model = 'fine-tuned' AND b.model = 'pretrained') OR (a.model IN ('fine-tuned', 'pretrained') AND b.model = best.baseline)`;
  const words = [
    `CASE WHEN ci_low IS NULL THEN concat('difference ', ${signedNum('difference')}, ' (interval: see the run report)')`,
    `WHEN ci_low > 0 THEN concat('better by ', ${num('difference')}, ' ', ${intervalSql('ci_low', 'ci_high')})`,
    `WHEN ci_high < 0 THEN concat('worse by ', ${num('-difference')}, ' ', ${intervalSql('ci_low', 'ci_high')})`,
    `ELSE concat('no clear difference: ', ${signedNum('difference')}, ' ', ${intervalSql('ci_low', 'ci_high')}) END`,
  ].join(' ');
  return {
    name: 'Paired differences (fine-tuned − pretrained, model − best baseline)',
    sql: [
      `WITH ${rankedRuns(predictions)},`,
      `best AS (SELECT run_id, dataset, metric, max_by(model, mean) AS baseline, max(mean) AS baseline_mean FROM ${summary} WHERE model IN (${BASELINES}) AND mean IS NOT NULL GROUP BY run_id, dataset, metric),`,
      `per_metric AS (SELECT run_id, dataset, study_id, model, m.metric, m.value FROM ${predictions}`,
      `  CROSS JOIN UNNEST(ARRAY[${ROUGE_METRICS.map((m) => sqlString(m.metric)).join(', ')}], ARRAY[${ROUGE_METRICS.map((m) => m.column).join(', ')}]) AS m(metric, value)`,
      '  WHERE error IS NULL),',
      'rouge AS (SELECT a.run_id, a.dataset, a.metric, a.model, b.model AS against, count(*) AS pairs, avg(a.value) AS a_mean, avg(b.value) AS b_mean,',
      '    avg(a.value - b.value) AS difference, stddev_samp(a.value - b.value) AS sd',
      '  FROM per_metric a JOIN per_metric b ON a.run_id = b.run_id AND a.dataset = b.dataset AND a.study_id = b.study_id AND a.metric = b.metric',
      '  LEFT JOIN best ON best.run_id = a.run_id AND best.dataset = a.dataset AND best.metric = a.metric',
      `  WHERE ${comparisons}`,
      '  GROUP BY a.run_id, a.dataset, a.metric, a.model, b.model),',
      `labelled AS (SELECT run_id, dataset, study_id, model, ${counts('tp')} AS tp, ${counts('fp')} AS fp, ${counts('fn')} AS fn FROM ${predictions}`,
      '  WHERE error IS NULL AND generated_labels IS NOT NULL AND reference_labels IS NOT NULL),',
      'agreement_sums AS (SELECT a.run_id, a.dataset, a.model, b.model AS against, count(*) AS pairs,',
      '    sum(a.tp) AS atp, sum(a.fp) AS afp, sum(a.fn) AS afn, sum(b.tp) AS btp, sum(b.fp) AS bfp, sum(b.fn) AS bfn',
      '  FROM labelled a JOIN labelled b ON a.run_id = b.run_id AND a.dataset = b.dataset AND a.study_id = b.study_id',
      `  LEFT JOIN best ON best.run_id = a.run_id AND best.dataset = a.dataset AND best.metric = ${sqlString(HEADLINE)}`,
      `  WHERE ${comparisons}`,
      '  GROUP BY a.run_id, a.dataset, a.model, b.model),',
      `agreement AS (SELECT run_id, dataset, ${sqlString(HEADLINE)} AS metric, model, against, pairs, ${f1('atp', 'afp', 'afn')} AS a_mean, ${f1('btp', 'bfp', 'bfn')} AS b_mean,`,
      `    ${f1('atp', 'afp', 'afn')} - ${f1('btp', 'bfp', 'bfn')} AS difference, CAST(NULL AS double) AS sd FROM agreement_sums),`,
      'diffs AS (SELECT *, difference - 1.959964e0 * sd / sqrt(pairs) AS ci_low, difference + 1.959964e0 * sd / sqrt(pairs) AS ci_high FROM (SELECT * FROM rouge UNION ALL SELECT * FROM agreement))',
      'SELECT d.run_id, r.run_rank,',
      `  ${datasetNameSql('d.dataset')} AS dataset_name,`,
      `  CASE WHEN d.against = 'pretrained' THEN 'Fine-tuned − pretrained' ELSE concat(${modelNameSql('d.model')}, ' − best baseline') END AS comparison,`,
      `  CASE WHEN d.against = 'pretrained' THEN 0 ELSE ${modelOrderSql('d.model')} END AS comparison_order,`,
      `  ${modelNameSql('d.model')} AS model_name, ${modelNameSql('d.against')} AS against_name,`,
      `  ${metricNameSql('d.metric')} AS metric_name, ${metricOrderSql('d.metric')} AS metric_order,`,
      '  d.pairs, d.a_mean, d.b_mean, d.difference, d.ci_low, d.ci_high,',
      `  ${words} AS in_words,`,
      `  CASE WHEN d.against = 'pretrained' THEN NULL WHEN d.ci_low > 0 THEN 'beats it' ELSE '⚠ does not beat it' END AS baseline_result`,
      'FROM diffs d JOIN ranked r ON d.run_id = r.run_id',
    ].join('\n'),
    columns: [
      { name: 'run_id', type: 'STRING' },
      { name: 'run_rank', type: 'INTEGER' },
      { name: 'dataset_name', type: 'STRING' },
      { name: 'comparison', type: 'STRING' },
      { name: 'comparison_order', type: 'INTEGER' },
      { name: 'model_name', type: 'STRING' },
      { name: 'against_name', type: 'STRING' },
      { name: 'metric_name', type: 'STRING' },
      { name: 'metric_order', type: 'INTEGER' },
      { name: 'pairs', type: 'INTEGER' },
      { name: 'a_mean', type: 'DECIMAL' },
      { name: 'b_mean', type: 'DECIMAL' },
      { name: 'difference', type: 'DECIMAL' },
      { name: 'ci_low', type: 'DECIMAL' },
      { name: 'ci_high', type: 'DECIMAL' },
      { name: 'in_words', type: 'STRING' },
      { name: 'baseline_result', type: 'STRING' },
    ],
  };
}

/** Per observation and model: asserts, misses, adds, support, sensitivity, precision, F1 (as the report's table). */
function observationsSql(t: DashboardTables): DashboardDataSetSql {
  const { predictions } = relations(t);
  const g = `ARRAY[${OBSERVATIONS.map((o) => present('generated_labels', OBSERVATION_KEYS[o])).join(', ')}]`;
  const r = `ARRAY[${OBSERVATIONS.map((o) => present('reference_labels', OBSERVATION_KEYS[o])).join(', ')}]`;
  return {
    name: 'Clinical agreement per observation',
    sql: [
      `WITH ${rankedRuns(predictions)},`,
      'counts AS (SELECT p.run_id, p.dataset, p.model, o.observation,',
      '    sum(CASE WHEN o.g AND o.r THEN 1 ELSE 0 END) AS asserts, sum(CASE WHEN o.r AND NOT o.g THEN 1 ELSE 0 END) AS misses,',
      '    sum(CASE WHEN o.g AND NOT o.r THEN 1 ELSE 0 END) AS adds',
      `  FROM ${predictions} p CROSS JOIN UNNEST(ARRAY[${OBSERVATIONS.map(sqlString).join(', ')}], ${g}, ${r}) AS o(observation, g, r)`,
      `  WHERE p.error IS NULL AND p.generated_labels IS NOT NULL AND p.reference_labels IS NOT NULL AND p.model IN (${VERDICT_MODELS.map(sqlString).join(', ')})`,
      '  GROUP BY p.run_id, p.dataset, p.model, o.observation)',
      'SELECT c.run_id, r.run_rank,',
      `  ${datasetNameSql('c.dataset')} AS dataset_name, ${modelNameSql('c.model')} AS model_name, c.observation,`,
      '  c.asserts, c.misses, c.adds, c.asserts + c.misses AS support,',
      '  CASE WHEN c.asserts + c.misses = 0 THEN NULL ELSE CAST(c.asserts AS double) / (c.asserts + c.misses) END AS sensitivity,',
      '  CASE WHEN c.asserts + c.adds = 0 THEN NULL ELSE CAST(c.asserts AS double) / (c.asserts + c.adds) END AS precision,',
      '  CASE WHEN c.asserts + c.misses + c.adds = 0 THEN NULL ELSE CAST(2 * c.asserts AS double) / (2 * c.asserts + c.adds + c.misses) END AS f1',
      'FROM counts c JOIN ranked r ON c.run_id = r.run_id',
    ].join('\n'),
    columns: [
      { name: 'run_id', type: 'STRING' },
      { name: 'run_rank', type: 'INTEGER' },
      { name: 'dataset_name', type: 'STRING' },
      { name: 'model_name', type: 'STRING' },
      { name: 'observation', type: 'STRING' },
      { name: 'asserts', type: 'INTEGER' },
      { name: 'misses', type: 'INTEGER' },
      { name: 'adds', type: 'INTEGER' },
      { name: 'support', type: 'INTEGER' },
      { name: 'sensitivity', type: 'DECIMAL' },
      { name: 'precision', type: 'DECIMAL' },
      { name: 'f1', type: 'DECIMAL' },
    ],
  };
}

/**
 * One row per run, data set and study: the findings, the reference, both models' impressions (an
 * error in place of a failed one), their scores, the difference fine-tuned − pretrained, and how
 * each model's labels differ from the reference's, in words; `ft_rank` numbers the fine-tuned
 * reports from the lowest ROUGE-Lsum F as the named query `fine-tuned-lowest-scoring-reports` does.
 */
function studiesSql(t: DashboardTables): DashboardDataSetSql {
  const { predictions } = relations(t);
  const pick = (model: string, e: string) => `max(CASE WHEN model = ${sqlString(model)} THEN ${e} END)`;
  // arbitrary() returns the one non-null value; arrays need no ordering for it.
  const pickArray = (model: string, e: string) => `arbitrary(CASE WHEN model = ${sqlString(model)} THEN ${e} END)`;
  const scores = ROUGE_METRICS.flatMap((m) => [`${pick('pretrained', m.column)} AS pt_${m.column}`, `${pick('fine-tuned', m.column)} AS ft_${m.column}`]);
  const differs = (model: 'pt' | 'ft') => `(cardinality(${model}_misses) + cardinality(${model}_adds) > 0)`;
  return {
    name: 'Reports side by side, one row per study',
    sql: [
      `WITH ${rankedRuns(predictions)},`,
      `labelled AS (SELECT run_id, dataset, study_id, model, findings, reference, generated, error, ${ROUGE_METRICS.map((m) => m.column).join(', ')},`,
      `    ${presentNames('reference_labels')} AS ref_present, CASE WHEN error IS NULL THEN ${presentNames('generated_labels')} END AS gen_present`,
      `  FROM ${predictions} WHERE model IN ('pretrained', 'fine-tuned')),`,
      'studies AS (SELECT run_id, dataset, study_id, arbitrary(findings) AS findings, arbitrary(reference) AS reference, arbitrary(ref_present) AS ref_present,',
      `    ${pick('pretrained', "coalesce(generated, concat('Error: ', error))")} AS pretrained_text,`,
      `    ${pick('fine-tuned', "coalesce(generated, concat('Error: ', error))")} AS fine_tuned_text,`,
      `    ${scores.join(', ')},`,
      `    ${pickArray('pretrained', 'array_except(ref_present, gen_present)')} AS pt_misses, ${pickArray('pretrained', 'array_except(gen_present, ref_present)')} AS pt_adds,`,
      `    ${pickArray('fine-tuned', 'array_except(ref_present, gen_present)')} AS ft_misses, ${pickArray('fine-tuned', 'array_except(gen_present, ref_present)')} AS ft_adds,`,
      `    ${pick('fine-tuned', 'CASE WHEN error IS NULL THEN 1 ELSE 0 END')} AS ft_scored`,
      '  FROM labelled GROUP BY run_id, dataset, study_id)',
      'SELECT s.run_id, r.run_rank,',
      `  ${datasetNameSql('s.dataset')} AS dataset_name, s.study_id, s.findings, s.reference, array_join(s.ref_present, ', ') AS reference_observations,`,
      '  s.pretrained_text, s.fine_tuned_text,',
      `  ${ROUGE_METRICS.flatMap((m) => [`s.pt_${m.column}`, `s.ft_${m.column}`]).join(', ')},`,
      '  s.ft_rougelsum - s.pt_rougelsum AS delta_rougelsum,',
      "  CASE WHEN s.ft_rougelsum IS NULL OR s.pt_rougelsum IS NULL THEN 'error' WHEN s.ft_rougelsum < s.pt_rougelsum THEN 'fine-tuned lost' WHEN s.ft_rougelsum > s.pt_rougelsum THEN 'fine-tuned won' ELSE 'tie' END AS fine_tuned_vs_pretrained,",
      "  concat_ws('; ', CASE WHEN cardinality(s.pt_misses) > 0 THEN concat('misses ', array_join(s.pt_misses, ', ')) END, CASE WHEN cardinality(s.pt_adds) > 0 THEN concat('adds ', array_join(s.pt_adds, ', ')) END) AS pretrained_label_differences,",
      "  concat_ws('; ', CASE WHEN cardinality(s.ft_misses) > 0 THEN concat('misses ', array_join(s.ft_misses, ', ')) END, CASE WHEN cardinality(s.ft_adds) > 0 THEN concat('adds ', array_join(s.ft_adds, ', ')) END) AS fine_tuned_label_differences,",
      `  CASE WHEN ${differs('ft')} AND ${differs('pt')} THEN 'both disagree with the reference' WHEN ${differs('ft')} THEN 'fine-tuned disagrees' WHEN ${differs('pt')} THEN 'pretrained disagrees' ELSE 'labels agree (or error)' END AS label_agreement,`,
      // Present in the reference or in either impression: the reference's, plus what each model added.
      "  array_join(array_distinct(s.ref_present || coalesce(s.pt_adds, CAST(ARRAY[] AS array(varchar))) || coalesce(s.ft_adds, CAST(ARRAY[] AS array(varchar)))), ', ') AS observations_mentioned,",
      "  lower(concat_ws(' ', s.study_id, s.findings, s.reference, s.pretrained_text, s.fine_tuned_text)) AS search_text,",
      `  CASE WHEN s.ft_scored = 1 THEN CAST(row_number() OVER (PARTITION BY s.run_id, s.dataset, s.ft_scored ORDER BY s.ft_rougelsum ASC, s.study_id) AS integer) END AS ft_rank`,
      'FROM studies s JOIN ranked r ON s.run_id = r.run_id',
    ].join('\n'),
    columns: [
      { name: 'run_id', type: 'STRING' },
      { name: 'run_rank', type: 'INTEGER' },
      { name: 'dataset_name', type: 'STRING' },
      { name: 'study_id', type: 'STRING' },
      { name: 'findings', type: 'STRING' },
      { name: 'reference', type: 'STRING' },
      { name: 'reference_observations', type: 'STRING' },
      { name: 'pretrained_text', type: 'STRING' },
      { name: 'fine_tuned_text', type: 'STRING' },
      ...ROUGE_METRICS.flatMap((m) => [
        { name: `pt_${m.column}`, type: 'DECIMAL' as const },
        { name: `ft_${m.column}`, type: 'DECIMAL' as const },
      ]),
      { name: 'delta_rougelsum', type: 'DECIMAL' },
      { name: 'fine_tuned_vs_pretrained', type: 'STRING' },
      { name: 'pretrained_label_differences', type: 'STRING' },
      { name: 'fine_tuned_label_differences', type: 'STRING' },
      { name: 'label_agreement', type: 'STRING' },
      { name: 'observations_mentioned', type: 'STRING' },
      { name: 'search_text', type: 'STRING' },
      { name: 'ft_rank', type: 'INTEGER' },
    ],
  };
}

/** The SQL of every data set of the dashboard. */
export function dashboardDataSets(t: DashboardTables): Readonly<Record<DashboardDataSetKey, DashboardDataSetSql>> {
  return {
    runs: runsSql(t),
    summary: summarySql(t),
    predictions: predictionsSql(t),
    paired: pairedSql(t),
    observations: observationsSql(t),
    studies: studiesSql(t),
  };
}
