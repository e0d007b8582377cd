/**
 * `impressions runs`: every published run with its date, model version and the fine-tuned model's
 * mean ROUGE F per data set, read through Athena, and its estimated cost, read from the run's
 * `runs/<id>/run-summary.json` in the data bucket.
 */
import { Command } from 'commander';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { ROUGE_METRICS, type RougeMetric } from '../../core/evaluation/rows';
import { AthenaTarget, athenaTarget, Cell, quoteIdentifier, runAthenaQuery, QueryOptions } from '../athena';
import { awsClients } from '../aws';
import { loadProject } from '../project';
import { readRunSummary, s3Store, type ResultStore } from '../run-results';
import { requireStackOutput } from '../stack-outputs';

/** One data set's mean scores of the fine-tuned model in a run: the mean F of each ROUGE metric (ROUGE_METRICS). */
export type RunDatasetScores = {
  readonly dataset: string;
  /** Reports scored (the summary's count) and unscored (errors). */
  readonly count: number | null;
  readonly errors: number | null;
} & { readonly [M in RougeMetric]: number | null };

/** One run as `impressions runs` shows it. */
export interface RunOverview {
  readonly runId: string;
  /** Earliest `created_at` of the run's prediction rows (ISO-8601), or null without predictions. */
  readonly started: string | null;
  /** Resolved JumpStart version of the fine-tuned model (else the pretrained one), or null. */
  readonly modelVersion: string | null;
  /** Prediction rows of the run, and how many could not be scored. */
  readonly predictions: number;
  readonly predictionErrors: number;
  /** The fine-tuned model's mean F per data set, from the summary rows. */
  readonly fineTuned: readonly RunDatasetScores[];
  /** Estimated SageMaker cost in USD from the run summary, or null when it has none (yet). */
  readonly costUsd?: number | null;
}

/** What the cost column is. */
export const COST_NOTE =
  "Cost: the run's estimate of SageMaker instance time (training billable seconds, each endpoint InService to deleted) at the configured hourly prices, from runs/<id>/run-summary.json (`-`: no run summary).";

/** One data set's figures while the rows are read. */
type DatasetCounts = { -readonly [K in Exclude<keyof RunDatasetScores, 'dataset'>]: number | null };

/** Every ROUGE metric without a score yet. */
function noScores(): { [M in RougeMetric]: number | null } {
  return Object.fromEntries(ROUGE_METRICS.map((m) => [m.metric, null])) as { [M in RougeMetric]: number | null };
}

function text(value: Cell | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function num(value: Cell | undefined): number | null {
  return typeof value === 'number' && !Number.isNaN(value) ? value : null;
}

/** Reads every published run from the two tables (two queries, one per table). */
export async function listRuns(target: AthenaTarget, options: Omit<QueryOptions, 'parameters'> = {}): Promise<RunOverview[]> {
  const table = (name: string) => `${quoteIdentifier(target.database)}.${quoteIdentifier(name)}`;
  const runs = await runAthenaQuery(
    target,
    [
      'SELECT run_id, min(created_at) AS started,',
      "  max(CASE WHEN model = 'fine-tuned' THEN nullif(model_version, '') END) AS fine_tuned_version,",
      "  max(CASE WHEN model = 'pretrained' THEN nullif(model_version, '') END) AS pretrained_version,",
      '  count(*) AS predictions, count(error) AS prediction_errors',
      `FROM ${table(target.predictionsTable ?? 'predictions')}`,
      'GROUP BY run_id',
    ].join('\n'),
    options,
  );
  const scores = await runAthenaQuery(
    target,
    [
      'SELECT run_id, dataset, lower(metric) AS metric, mean, count, errors',
      `FROM ${table(target.summaryTable ?? 'summary')}`,
      "WHERE model = 'fine-tuned'",
    ].join('\n'),
    options,
  );

  const byRun = new Map<
    string,
    { started: string | null; modelVersion: string | null; predictions: number; predictionErrors: number; datasets: Map<string, DatasetCounts> }
  >();
  const entry = (runId: string) => {
    let e = byRun.get(runId);
    if (e === undefined) {
      e = { started: null, modelVersion: null, predictions: 0, predictionErrors: 0, datasets: new Map() };
      byRun.set(runId, e);
    }
    return e;
  };
  for (const row of runs.rows) {
    const e = entry(String(row.run_id));
    e.started = text(row.started);
    e.modelVersion = text(row.fine_tuned_version) ?? text(row.pretrained_version);
    e.predictions = num(row.predictions) ?? 0;
    e.predictionErrors = num(row.prediction_errors) ?? 0;
  }
  // The query lower-cases the summary's metric names, which makes them the row columns (rougel → rougeL).
  const metricKeys: Record<string, RougeMetric> = Object.fromEntries(ROUGE_METRICS.map((m) => [m.column, m.metric]));
  for (const row of scores.rows) {
    const e = entry(String(row.run_id));
    const dataset = String(row.dataset);
    const scoresOfSet = e.datasets.get(dataset) ?? { count: null, errors: null, ...noScores() };
    const key = metricKeys[String(row.metric)];
    if (key !== undefined) scoresOfSet[key] = num(row.mean);
    scoresOfSet.count = num(row.count) ?? scoresOfSet.count;
    scoresOfSet.errors = num(row.errors) ?? scoresOfSet.errors;
    e.datasets.set(dataset, scoresOfSet);
  }
  return [...byRun.entries()]
    .map(([runId, e]): RunOverview => ({
      runId,
      started: e.started,
      modelVersion: e.modelVersion,
      predictions: e.predictions,
      predictionErrors: e.predictionErrors,
      fineTuned: [...e.datasets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dataset, s]): RunDatasetScores => ({ dataset, ...s })),
    }))
    .sort((a, b) => (b.started ?? '').localeCompare(a.started ?? '') || a.runId.localeCompare(b.runId));
}

function fixed(value: number | null): string {
  return value === null ? '-' : value.toFixed(4);
}

/** Formats runs as an aligned text table: one line per run and data set, then the cost note. */
export function formatRuns(runs: readonly RunOverview[]): string {
  if (runs.length === 0) return 'No published runs (a run appears here after its final step registered its results).\n';
  const header = ['run_id', 'started (UTC)', 'model version', 'cost (USD)', 'dataset', 'reports', 'errors', ...ROUGE_METRICS.map((m) => m.label)];
  const lines: string[][] = [];
  for (const run of runs) {
    const started = run.started === null ? '-' : run.started.replace('T', ' ').slice(0, 16);
    const cost = run.costUsd === undefined || run.costUsd === null ? '-' : run.costUsd.toFixed(2);
    const base = [run.runId, started, run.modelVersion ?? '-', cost];
    if (run.fineTuned.length === 0) {
      lines.push([...base, '-', String(run.predictions), String(run.predictionErrors), ...ROUGE_METRICS.map(() => '-')]);
    }
    for (const s of run.fineTuned) {
      lines.push([
        ...base,
        s.dataset,
        s.count === null ? '-' : String(s.count),
        s.errors === null ? '-' : String(s.errors),
        ...ROUGE_METRICS.map((m) => fixed(s[m.metric])),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 || i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    render(header),
    ...lines.map(render),
    '',
    "Scores: mean F of the fine-tuned model per data set, from the run's summary rows (`-`: no fine-tuned summary).",
    COST_NOTE,
    '',
  ].join('\n');
}

/** Registers `impressions runs`. */
export function register(program: Command): void {
  program
    .command('runs')
    .description("list the published runs: date, model version, the fine-tuned model's mean ROUGE per data set and cost (Athena, S3)")
    .option('--json', 'print the runs as JSON instead of a table')
    .option('--workgroup <name>', 'Athena workgroup (default: from the resource prefix in cdk.json)')
    .option('--database <name>', 'Glue database (default: from the resource prefix in cdk.json)')
    .option('--bucket <name>', 'data bucket holding the run summaries (default: from the data stack outputs)')
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (opts: { json?: boolean; workgroup?: string; database?: string; bucket?: string; region?: string }) => {
      const { config } = loadProject();
      const aws = awsClients({ region: opts.region });
      const defaults = athenaTarget(aws.athena, config.resourcePrefix);
      const target: AthenaTarget = { ...defaults, workGroup: opts.workgroup ?? defaults.workGroup, database: opts.database ?? defaults.database };
      const bucket = opts.bucket ?? (await requireStackOutput(aws.cloudFormation, stackNames(config.resourcePrefix).data, STACK_OUTPUTS.dataBucketName));
      await printRuns(target, process.stdout, opts.json === true, {}, s3Store(aws.s3, bucket));
    });
}

/**
 * Adds each run's estimated cost from its run summary in `store` (null when there is none).
 * @throws CliError naming the file of a run summary that is not valid JSON.
 */
export async function withCosts(runs: readonly RunOverview[], store: ResultStore): Promise<RunOverview[]> {
  return Promise.all(
    runs.map(async (run) => {
      const total: unknown = (await readRunSummary(store, run.runId))?.cost?.totalUsd;
      return { ...run, costUsd: typeof total === 'number' && Number.isFinite(total) ? total : null };
    }),
  );
}

/** The command's work: reads the runs (and their costs, given a store) and writes them to `out` as a table or as JSON. */
export async function printRuns(
  target: AthenaTarget,
  out: NodeJS.WritableStream,
  json: boolean,
  options: Omit<QueryOptions, 'parameters'> = {},
  summaries?: ResultStore,
): Promise<RunOverview[]> {
  const listed = await listRuns(target, options);
  const runs = summaries === undefined ? listed : await withCosts(listed, summaries);
  out.write(json ? `${JSON.stringify({ runs, note: COST_NOTE }, null, 2)}\n` : formatRuns(runs));
  return runs;
}
