import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { athenaTarget, readRunFromAthena, runAthenaQuery } from '../../../lib/cli/athena';
import { CliError } from '../../../lib/cli/errors';
import { PREDICTIONS_SCHEMA, SUMMARY_SCHEMA } from '../../../lib/core/analytics/tables';
import { resultPage } from './athena-fixtures';

const athena = mockClient(AthenaClient);
const target = athenaTarget(new AthenaClient({}), 'impressions');
const waits: number[] = [];
const options = {
  sleep: async (ms: number) => {
    waits.push(ms);
  },
};

beforeEach(() => {
  athena.reset();
  waits.length = 0;
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('runAthenaQuery', () => {
  test('runs in the workgroup and database, polls with growing waits, and reads every page as typed rows', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1234 } } });
    const columns: [string, string][] = [
      ['run_id', 'varchar'],
      ['n', 'bigint'],
      ['mean', 'double'],
      ['ok', 'boolean'],
    ];
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves(resultPage(columns, [['r1', '2000', '0.604', 'true']], { header: true, nextToken: 'p2' }));
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'p2' })
      // A later page has no header row, even when a row happens to look like one.
      .resolves(
        resultPage(columns, [
          ['run_id', null, null, 'false'],
          ['r2', '10', 'NaN', null],
        ]),
      );

    const result = await runAthenaQuery(target, 'SELECT 1', { ...options, parameters: ["'r1'"] });
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: 'SELECT 1',
      WorkGroup: 'impressions-workgroup',
      QueryExecutionContext: { Database: 'impressions_results' },
      ExecutionParameters: ["'r1'"],
    });
    expect(waits).toEqual([250, 375, 563]);
    expect(result.bytesScanned).toBe(1234);
    expect(result.rows).toEqual([
      { run_id: 'r1', n: 2000, mean: 0.604, ok: true },
      { run_id: 'run_id', n: null, mean: null, ok: false },
      { run_id: 'r2', n: 10, mean: NaN, ok: null },
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });

  test("a FAILED query is a CliError with the query id and Athena's reason", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.impressions_results.nope does not exist' },
      },
    });
    const error = await runAthenaQuery(target, 'SELECT * FROM nope', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe(
      'Athena query q-1 FAILED in workgroup impressions-workgroup: TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.impressions_results.nope does not exist',
    );
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });

  test('a CANCELLED query is a CliError with the reason', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query exhausted the bytes scanned limit' } } });
    await expect(runAthenaQuery(target, 'SELECT 1', options)).rejects.toThrow(
      /^Athena query q-1 CANCELLED in workgroup impressions-workgroup: Query exhausted the bytes scanned limit$/,
    );
  });

  test('a query still running at the time limit is stopped and reported', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    await expect(runAthenaQuery(target, 'SELECT 1', { ...options, timeoutMs: 1000 })).rejects.toThrow(/q-1 still RUNNING after 1 s; stopped it/);
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });
  });

  test("an SDK error is passed on as it is, for the CLI's one AWS error path (lib/cli/aws.ts)", async () => {
    const refusal = Object.assign(new Error('WorkGroup impressions-workgroup is not found.'), { name: 'InvalidRequestException' });
    athena.on(StartQueryExecutionCommand).rejects(refusal);
    await expect(runAthenaQuery(target, 'SELECT 1', options)).rejects.toBe(refusal);
  });
});

const SUMMARY_COLUMNS = Object.entries(SUMMARY_SCHEMA.fields).map(([n, t]) => [n, t === 'string' ? 'varchar' : t] as [string, string]);
const PREDICTION_COLUMNS = Object.entries(PREDICTIONS_SCHEMA.fields).map(([n, t]) => [n, t === 'string' ? 'varchar' : t] as [string, string]);

function predictionRow(overrides: Record<string, string | null> = {}): (string | null)[] {
  const row: Record<string, string | null> = {
    run_id: 'run-1',
    dataset: 'dev1',
    data_source: 'mimic-cxr',
    model: 'fine-tuned',
    model_version: '2.2.3',
    study_id: 's1',
    findings: 'F',
    background: 'B',
    reference: 'R',
    generated: 'G',
    latency_ms: '812.5',
    error: null,
    created_at: '2026-11-28T10:00:00Z',
  };
  for (const [name] of PREDICTION_COLUMNS) if (name.startsWith('rouge')) row[name] = '0.5';
  Object.assign(row, overrides);
  return PREDICTION_COLUMNS.map(([name]) => row[name]);
}

describe('readRunFromAthena', () => {
  beforeEach(() => {
    athena
      .on(StartQueryExecutionCommand)
      .callsFake((input: { QueryString: string }) => ({ QueryExecutionId: input.QueryString.includes('"summary"') ? 'q-summary' : 'q-predictions' }));
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-summary' }).resolves(
      resultPage(
        SUMMARY_COLUMNS,
        [
          ['run-1', 'dev1', 'fine-tuned', 'rouge1', '2000', '0', '0.604', '0.59', '0.61', '0.2', '0', '0.45', '0.6', '0.75', '1'],
          ['run-1', 'dev1', 'fine-tuned', 'rouge2', '2000', '2', null, null, null, null, null, null, null, null, null],
        ],
        { header: true },
      ),
    );
  });

  test("returns the run's rows typed as SummaryRow and PredictionRow, with the run id as a query parameter", async () => {
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-predictions' }).resolves(
      resultPage(
        PREDICTION_COLUMNS,
        [
          predictionRow(),
          predictionRow({
            study_id: 's2',
            generated: null,
            error: 'ModelError: endpoint returned 500',
            rouge1: null,
            rouge2: null,
            rougel: null,
            rougelsum: null,
            latency_ms: null,
          }),
        ],
        { header: true },
      ),
    );
    const rows = await readRunFromAthena('run-1', target, options);
    expect(rows.summary[0]).toEqual({
      run_id: 'run-1',
      dataset: 'dev1',
      model: 'fine-tuned',
      metric: 'rouge1',
      count: 2000,
      errors: 0,
      mean: 0.604,
      ci_low: 0.59,
      ci_high: 0.61,
      std: 0.2,
      min: 0,
      p25: 0.45,
      p50: 0.6,
      p75: 0.75,
      max: 1,
    });
    expect(rows.summary[1].mean).toBeNull();
    expect(rows.predictions[0]).toMatchObject({ study_id: 's1', rouge1: 0.5, rougelsum_recall: 0.5, latency_ms: 812.5, error: null, generated: 'G' });
    expect(rows.predictions[1]).toMatchObject({ study_id: 's2', generated: null, rouge1: null, error: 'ModelError: endpoint returned 500' });
    for (const call of athena.commandCalls(StartQueryExecutionCommand)) {
      expect(call.args[0].input.ExecutionParameters).toEqual(["'run-1'"]);
      expect(call.args[0].input.QueryString).toMatch(/WHERE run_id = \?/);
    }
  });

  test('a row that breaks the contract is named by table, run, row, study id and field', async () => {
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-predictions' })
      .resolves(resultPage(PREDICTION_COLUMNS, [predictionRow(), predictionRow({ study_id: 's7', findings: null })], { header: true }));
    await expect(readRunFromAthena('run-1', target, options)).rejects.toThrow(
      'predictions table, run run-1, row 2 (study_id s7, dev1/fine-tuned): field findings is missing or null',
    );
  });

  test('an unknown model name is refused', async () => {
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-predictions' })
      .resolves(resultPage(PREDICTION_COLUMNS, [predictionRow({ model: 'gpt' })], { header: true }));
    await expect(readRunFromAthena('run-1', target, options)).rejects.toThrow(
      /field model is not one of pretrained, fine-tuned, baseline-normal, baseline-copy-findings, baseline-first-sentence$/,
    );
  });

  test('an unknown run is a CliError, and an unsafe run id never reaches Athena', async () => {
    athena.on(GetQueryResultsCommand).resolves(resultPage(SUMMARY_COLUMNS, [], { header: true }));
    await expect(readRunFromAthena('run-404', target, options)).rejects.toThrow(
      'run run-404: no rows in impressions_results (unknown run, or its results were not published yet)',
    );
    athena.reset();
    await expect(readRunFromAthena("x' OR '1'='1", target, options)).rejects.toThrow(/is not valid/);
    expect(athena).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });
});
