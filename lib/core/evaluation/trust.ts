/**
 * How far a run's results can be trusted, from its rows with errors. A row with an error is a
 * report the model (or the evaluation) could not score; the figures are computed over the others,
 * so when many reports failed, the figures describe a different (and possibly easier) set than the
 * dev set. Above {@link MAX_TRUSTED_ERROR_RATE} of a model's rows on a data set, the results are
 * marked not trustworthy in the run summary, the aggregate step's output and `impressions status`.
 */
import { compareModels } from './model-order';

/**
 * Largest share of a model's rows on a data set that may be errors before the run's results are
 * marked not trustworthy: 1 % (20 of the 2,000 reports of a dev set). The one definition of the
 * threshold: the run summary, `status`, the reports and the dashboard all read it from here.
 */
export const MAX_TRUSTED_ERROR_RATE = 0.01;

/** The rows and errors of one data set × model. */
export interface ErrorCount {
  readonly dataset: string;
  readonly model: string;
  readonly rows: number;
  readonly errors: number;
  /** errors / rows (0 when there are no rows). */
  readonly errorRate: number;
  /** errorRate ≤ the threshold. */
  readonly trustworthy: boolean;
}

/** The error counts of a run and the verdict. */
export interface ErrorReport {
  /** The threshold applied ({@link MAX_TRUSTED_ERROR_RATE} unless told otherwise). */
  readonly maxErrorRate: number;
  /** One entry per data set × model, by data set, then in report order (the models, then the baselines). */
  readonly byDatasetAndModel: readonly ErrorCount[];
  /** False when any data set × model is above the threshold. */
  readonly trustworthy: boolean;
}

/** The rows and errors of each data set × model in `rows` (rows with `error` set count as errors). */
export function errorCounts(
  rows: readonly { readonly dataset: string; readonly model: string; readonly error: string | null }[],
  maxErrorRate = MAX_TRUSTED_ERROR_RATE,
): ErrorCount[] {
  const groups = new Map<string, { dataset: string; model: string; rows: number; errors: number }>();
  for (const row of rows) {
    const key = `${row.dataset}\u0000${row.model}`;
    const group = groups.get(key) ?? { dataset: row.dataset, model: row.model, rows: 0, errors: 0 };
    group.rows += 1;
    if (row.error !== null) group.errors += 1;
    groups.set(key, group);
  }
  return countsOf([...groups.values()], maxErrorRate);
}

/**
 * The same from per-group totals (summary rows' `count` and `errors`, or a run output), for readers
 * that no longer have the rows.
 */
export function countsOf(
  groups: readonly { readonly dataset: string; readonly model: string; readonly rows: number; readonly errors: number }[],
  maxErrorRate = MAX_TRUSTED_ERROR_RATE,
): ErrorCount[] {
  return groups
    .map((g) => {
      const errorRate = g.rows === 0 ? 0 : g.errors / g.rows;
      return { dataset: g.dataset, model: g.model, rows: g.rows, errors: g.errors, errorRate, trustworthy: errorRate <= maxErrorRate };
    })
    .sort((a, b) => (a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1));
}

/** The report of `counts` under `maxErrorRate`. */
export function errorReport(counts: readonly ErrorCount[], maxErrorRate = MAX_TRUSTED_ERROR_RATE): ErrorReport {
  return { maxErrorRate, byDatasetAndModel: counts, trustworthy: counts.every((c) => c.trustworthy) };
}

/**
 * One line per data set × model, e.g. `dev1 fine-tuned: 8 of 40 rows are errors (20.0 %), above
 * 1 %: not trustworthy`, and a verdict line. Ids and counts only.
 */
export function describeErrors(report: ErrorReport): string[] {
  const limit = `${(report.maxErrorRate * 100).toFixed(report.maxErrorRate * 100 < 1 ? 1 : 0)} %`;
  const lines = report.byDatasetAndModel.map(
    (c) =>
      `${c.dataset} ${c.model}: ${c.errors} of ${c.rows} rows are errors (${(c.errorRate * 100).toFixed(1)} %)` +
      (c.trustworthy ? '' : `, above ${limit}: not trustworthy`),
  );
  const bad = report.byDatasetAndModel.filter((c) => !c.trustworthy).length;
  lines.push(
    report.trustworthy
      ? `results trustworthy: every data set × model has at most ${limit} errors`
      : `results NOT trustworthy: ${bad} data set × model above ${limit} errors; their figures cover only the reports that scored`,
  );
  return lines;
}
