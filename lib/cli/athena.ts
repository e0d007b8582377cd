/**
 * Runs SQL through the app's Athena workgroup and reads the result tables back as typed rows.
 * The workgroup enforces the result location and encryption, so no output location is sent.
 */
import {
  AthenaClient,
  ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { isValidRunId, PREDICTIONS_SCHEMA, SUMMARY_SCHEMA, TableSchema } from '../core/analytics/tables';
import { MODEL_ORDER } from '../core/evaluation/aggregate';
import type { PredictionRow, SummaryRow } from '../core/run/contracts';
import { analyticsNames } from '../core/deployment';
import { CliError, EXIT } from './errors';

/** Where queries run. */
export interface AthenaTarget {
  readonly client: AthenaClient;
  /** Athena workgroup (see `analyticsNames().workGroup`). */
  readonly workGroup: string;
  /** Glue database of the result tables. */
  readonly database: string;
  /**
   * Name of the predictions table.
   * @default 'predictions'
   */
  readonly predictionsTable?: string;
  /**
   * Name of the summary table.
   * @default 'summary'
   */
  readonly summaryTable?: string;
}

/** The target of a deployment with the given resource prefix (names from lib/core/deployment.ts). */
export function athenaTarget(client: AthenaClient, resourcePrefix: string): AthenaTarget {
  const names = analyticsNames(resourcePrefix);
  return { client, workGroup: names.workGroup, database: names.glueDatabase, predictionsTable: names.predictionsTable, summaryTable: names.summaryTable };
}

/** A cell: numbers for numeric Athena types, booleans for boolean, text otherwise, null for SQL NULL. */
export type Cell = string | number | boolean | null;

/** The rows of a finished query. */
export interface QueryResult {
  readonly queryExecutionId: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
  /** Bytes Athena scanned (what it bills), when reported. */
  readonly bytesScanned?: number;
}

/** Tuning of {@link runAthenaQuery}. */
export interface QueryOptions {
  /** Values for the `?` placeholders, as SQL literals (`'text'`, `42`). */
  readonly parameters?: readonly string[];
  /** First wait between status polls (default 250 ms); it grows by half each poll. */
  readonly initialPollMs?: number;
  /** Longest wait between polls (default 5 s). */
  readonly maxPollMs?: number;
  /** Give up (and stop the query) after this long (default 10 min). */
  readonly timeoutMs?: number;
  /** Waits; replaced in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

function convert(value: string | undefined, type: string): Cell {
  if (value === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '');
  if (NUMERIC.has(base)) return Number(value);
  if (base === 'boolean') return value === 'true';
  return value;
}

/**
 * Runs one statement in the workgroup and returns every row (all pages). Polls with back-off until
 * the query SUCCEEDED, FAILED or was CANCELLED.
 * @throws CliError when the query fails, is cancelled, or times out (naming the query id and
 * Athena's reason); the SDK's error when Athena cannot be reached or refuses the call.
 */
export async function runAthenaQuery(target: AthenaTarget, sql: string, options: QueryOptions = {}): Promise<QueryResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxPoll = options.maxPollMs ?? 5000;
  const timeout = options.timeoutMs ?? 600_000;
  // AWS failures are the SDK's errors, explained by the CLI's one AWS error path (lib/cli/aws.ts).
  const started = await target.client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: target.workGroup,
      QueryExecutionContext: { Database: target.database },
      ExecutionParameters: options.parameters === undefined || options.parameters.length === 0 ? undefined : [...options.parameters],
    }),
  );
  const id = started.QueryExecutionId;
  if (id === undefined) throw new CliError(`Athena returned no query execution id (workgroup ${target.workGroup})`, EXIT.failed);

  let wait = options.initialPollMs ?? 250;
  let waited = 0;
  let bytesScanned: number | undefined;
  for (;;) {
    const execution = (await target.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED') {
      bytesScanned = execution?.Statistics?.DataScannedInBytes;
      break;
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
      throw new CliError(`Athena query ${id} ${state} in workgroup ${target.workGroup}: ${reason}`, EXIT.failed);
    }
    if (waited >= timeout) {
      await target.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
      throw new CliError(`Athena query ${id} still ${state ?? 'unknown'} after ${Math.round(waited / 1000)} s; stopped it`, EXIT.failed);
    }
    await sleep(wait);
    waited += wait;
    wait = Math.min(Math.round(wait * 1.5), maxPoll);
  }

  let columns: { name: string; type: string }[] | undefined;
  const rows: Record<string, Cell>[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page: GetQueryResultsCommandOutput = await target.client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }),
    );
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c: ColumnInfo) => ({ name: c.Name ?? c.Label ?? '', type: c.Type ?? 'varchar' }));
    const pageRows = page.ResultSet?.Rows ?? [];
    pageRows.forEach((row, index) => {
      const values = (row.Data ?? []).map((d) => d.VarCharValue);
      // A SELECT's first result row repeats the column names.
      if (first && index === 0 && values.length === columns!.length && values.every((v, i) => v === columns![i].name)) return;
      const record: Record<string, Cell> = {};
      columns!.forEach((c, i) => {
        record[c.name] = convert(values[i], c.type);
      });
      rows.push(record);
    });
    first = false;
    token = page.NextToken;
  } while (token !== undefined);
  return { queryExecutionId: id, columns: columns ?? [], rows, bytesScanned };
}

/** Double-quotes an identifier for Athena SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A run's rows as written by the run (partition values included). */
export interface RunRows {
  readonly summary: SummaryRow[];
  readonly predictions: PredictionRow[];
}

/** The models a run writes rows for (the two models and the baselines). */
const MODEL_NAMES: ReadonlySet<string> = new Set(MODEL_ORDER);
const NULLABLE_PREDICTION: ReadonlySet<string> = new Set([
  'generated',
  'generated_labels',
  'reference_labels',
  'error',
  'latency_ms',
  ...Object.keys(PREDICTIONS_SCHEMA.fields).filter((f) => f.startsWith('rouge')),
]);
const NULLABLE_SUMMARY: ReadonlySet<string> = new Set(['mean', 'ci_low', 'ci_high', 'std', 'min', 'p25', 'p50', 'p75', 'max']);

/** Checks one result row against the table's schema; errors name the table, the row and the field. */
function typedRow<Row>(row: Readonly<Record<string, Cell>>, schema: TableSchema<Row>, nullable: ReadonlySet<string>, where: string): Row {
  const out: Record<string, Cell> = {};
  for (const [field, type] of Object.entries(schema.fields as Record<string, string>)) {
    const value = row[field];
    if (value === null || value === undefined) {
      if (!nullable.has(field)) throw new CliError(`${where}: field ${field} is missing or null`, EXIT.failed);
      out[field] = null;
      continue;
    }
    const expected = type === 'string' ? 'string' : 'number';
    if (typeof value !== expected || (expected === 'number' && Number.isNaN(value))) {
      throw new CliError(`${where}: field ${field} is not a ${expected}`, EXIT.failed);
    }
    out[field] = value;
  }
  return out as Row;
}

/**
 * Reads one run's summary and prediction rows from Athena (the published tables), typed as the
 * row contracts. Predictions are ordered by data set, model and study id. The rows hold report
 * text: print them, never log them. Cannot see a run whose partitions were not registered yet.
 * @throws CliError for an invalid run id, a failed query, a row that does not fit the contract
 * (naming the row's study id and field), or a run with no rows at all.
 */
export async function readRunFromAthena(runId: string, target: AthenaTarget, options: Omit<QueryOptions, 'parameters'> = {}): Promise<RunRows> {
  if (!isValidRunId(runId)) throw new CliError(`run id ${JSON.stringify(runId)} is not valid (1-80 characters of A-Z a-z 0-9 . _ -)`);
  const table = (name: string) => `${quoteIdentifier(target.database)}.${quoteIdentifier(name)}`;
  const select = (schema: TableSchema<unknown>) =>
    Object.keys(schema.fields as Record<string, string>)
      .map(quoteIdentifier)
      .join(', ');
  const parameters = [`'${runId}'`];

  const summaryResult = await runAthenaQuery(
    target,
    `SELECT ${select(SUMMARY_SCHEMA as TableSchema<unknown>)} FROM ${table(target.summaryTable ?? 'summary')} WHERE run_id = ? ORDER BY dataset, model, metric`,
    { ...options, parameters },
  );
  const summary = summaryResult.rows.map((row, i) =>
    typedRow<SummaryRow>(
      row,
      SUMMARY_SCHEMA,
      NULLABLE_SUMMARY,
      `summary table, run ${runId}, row ${i + 1} (${String(row.dataset)}/${String(row.model)}/${String(row.metric)})`,
    ),
  );

  const predictionResult = await runAthenaQuery(
    target,
    `SELECT ${select(PREDICTIONS_SCHEMA as TableSchema<unknown>)} FROM ${table(target.predictionsTable ?? 'predictions')} WHERE run_id = ? ORDER BY dataset, model, study_id`,
    { ...options, parameters },
  );
  const predictions = predictionResult.rows.map((row, i) => {
    const where = `predictions table, run ${runId}, row ${i + 1} (study_id ${String(row.study_id)}, ${String(row.dataset)}/${String(row.model)})`;
    const typed = typedRow<PredictionRow>(row, PREDICTIONS_SCHEMA, NULLABLE_PREDICTION, where);
    if (!MODEL_NAMES.has(typed.model)) throw new CliError(`${where}: field model is not one of ${[...MODEL_NAMES].join(', ')}`, EXIT.failed);
    return typed;
  });

  if (summary.length === 0 && predictions.length === 0) {
    throw new CliError(`run ${runId}: no rows in ${target.database} (unknown run, or its results were not published yet)`);
  }
  return { summary, predictions };
}
