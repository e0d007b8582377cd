/**
 * Athena named queries over the two review tables (`reviews`, `review_summary`; README
 * "Radiologist review"). The figures come from the review's summary rows (preference rates and
 * ratings with 95 % intervals, Krippendorff's alpha, rank correlations), computed by the review
 * state machine; the harm flags and corrections are read from the rows themselves.
 */
import type { NamedQuerySpec } from './queries';

/** Summary metrics of each query, in the order they are listed. */
const RATING_METRICS = ['rating_correct', 'rating_complete', 'rating_concise', 'harm_rate'];
const AGREEMENT_METRICS = [
  'alpha_correct',
  'alpha_complete',
  'alpha_concise',
  'alpha_harm',
  'alpha_preference',
  'spearman_rouge_correct',
  'spearman_labels_correct',
];
const LOOP_METRICS = ['loops_total', 'loops_answered', 'loops_invalid', 'loops_failed', 'loops_stopped'];

const list = (metrics: readonly string[]) => metrics.map((m) => `'${m}'`).join(', ');
const MODEL_ORDER = "CASE model WHEN 'fine-tuned' THEN 1 WHEN 'pretrained' THEN 2 WHEN 'reference' THEN 3 ELSE 4 END";

/** The review queries for the tables of `tables`. */
export function reviewNamedQueries(tables: { readonly database: string; readonly reviews: string; readonly reviewSummary: string }): NamedQuerySpec[] {
  const summary = `"${tables.database}"."${tables.reviewSummary}"`;
  const rows = `"${tables.database}"."${tables.reviews}"`;
  const pivot = (metric: string) =>
    [
      `max(CASE WHEN metric = '${metric}' THEN value END) AS ${metric}`,
      `max(CASE WHEN metric = '${metric}' THEN ci_low END) AS ${metric}_ci_low`,
      `max(CASE WHEN metric = '${metric}' THEN ci_high END) AS ${metric}_ci_high`,
    ].join(', ');
  return [
    {
      name: 'review-preferences',
      description:
        'Radiologist preferences per review and data set: share of blinded A/B judgements preferring each model over the other, and judged equal, with 95% bootstrap intervals over items',
      sql: [
        'SELECT run_id, review_id, dataset, metric, model, comparator, value AS share, ci_low, ci_high, count AS judgements',
        `FROM ${summary}`,
        "WHERE metric IN ('preferred', 'equal')",
        `ORDER BY run_id DESC, review_id DESC, dataset, comparator, metric DESC, ${MODEL_ORDER}`,
      ].join('\n'),
    },
    {
      name: 'review-ratings-by-model',
      description:
        'Mean radiologist ratings (correct, complete, concise, 1-5) and the share of judgements flagging possible harm, per review, data set and model, with 95% bootstrap intervals',
      sql: [
        'SELECT run_id, review_id, dataset, model,',
        '  ' + RATING_METRICS.map(pivot).join(',\n  ') + ',',
        "  max(CASE WHEN metric = 'rating_correct' THEN count END) AS judgements",
        `FROM ${summary}`,
        `WHERE metric IN (${list(RATING_METRICS)})`,
        'GROUP BY run_id, review_id, dataset, model',
        `ORDER BY run_id DESC, review_id DESC, dataset, ${MODEL_ORDER}`,
      ].join('\n'),
    },
    {
      name: 'review-agreement-and-correlation',
      description:
        "Inter-reader agreement (Krippendorff's alpha: ordinal for ratings, nominal for harm and preference) and how well ROUGE-Lsum and label agreement rank impressions as readers do (Spearman), with intervals",
      sql: [
        'SELECT run_id, review_id, dataset, metric, value, ci_low, ci_high, count AS units',
        `FROM ${summary}`,
        `WHERE metric IN (${list(AGREEMENT_METRICS)})`,
        'ORDER BY run_id DESC, review_id DESC, dataset, metric',
      ].join('\n'),
    },
    {
      name: 'review-progress',
      description: 'Human loops per review: total, answered, unreadable output (invalid), failed, stopped at the deadline',
      sql: [
        'SELECT run_id, review_id, dataset,',
        '  ' + LOOP_METRICS.map((m) => `max(CASE WHEN metric = '${m}' THEN count END) AS ${m.slice('loops_'.length)}`).join(', '),
        `FROM ${summary}`,
        `WHERE metric IN (${list(LOOP_METRICS)})`,
        'GROUP BY run_id, review_id, dataset',
        'ORDER BY run_id DESC, review_id DESC, dataset',
      ].join('\n'),
    },
    {
      name: 'review-harm-flags',
      description: 'Every impression a radiologist flagged as possibly harmful, with the report, the reason and the model that wrote it',
      sql: [
        'SELECT run_id, review_id, dataset, study_id, item_id, reader, source AS model, impression, harm_reason, findings, corrected_impression, submitted_at',
        `FROM ${rows}`,
        "WHERE status = 'answered' AND harm = 1",
        'ORDER BY run_id DESC, review_id DESC, dataset, study_id, reader',
      ].join('\n'),
    },
    {
      name: 'review-unanswered',
      description: 'Review loops without a usable answer (output that could not be read, failed or stopped loops) with the reason and the output document key',
      sql: [
        'SELECT DISTINCT run_id, review_id, loop_name, reader, status, error, output_key',
        `FROM ${rows}`,
        "WHERE status <> 'answered'",
        'ORDER BY run_id DESC, review_id DESC, loop_name',
      ].join('\n'),
    },
    {
      name: 'feedback-corrections',
      description:
        'Feedback reviews: drafts the radiologists accepted or corrected (the pairs `impressions prepare --feedback` adds to training), and rejections',
      sql: [
        'SELECT run_id, review_id, study_id, decision, impression AS draft, corrected_impression, findings, submitted_at',
        `FROM ${rows}`,
        "WHERE kind = 'feedback' AND status = 'answered'",
        'ORDER BY review_id DESC, study_id',
      ].join('\n'),
    },
  ];
}
