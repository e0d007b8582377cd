import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { athenaTarget } from '../../../../lib/cli/athena';
import { COST_NOTE, formatRuns, listRuns, printRuns } from '../../../../lib/cli/commands/runs';
import * as runsCommand from '../../../../lib/cli/commands/runs';
import { buildProgram, runCli } from '../../../../lib/cli/program';
import type { ResultStore } from '../../../../lib/cli/run-results';
import { resultPage } from '../athena-fixtures';

const athena = mockClient(AthenaClient);
const target = athenaTarget(new AthenaClient({}), 'impressions');
const options = { sleep: async () => undefined };

const RUN_COLUMNS: [string, string][] = [
  ['run_id', 'varchar'],
  ['started', 'varchar'],
  ['fine_tuned_version', 'varchar'],
  ['pretrained_version', 'varchar'],
  ['predictions', 'bigint'],
  ['prediction_errors', 'bigint'],
];
const SCORE_COLUMNS: [string, string][] = [
  ['run_id', 'varchar'],
  ['dataset', 'varchar'],
  ['metric', 'varchar'],
  ['mean', 'double'],
  ['count', 'bigint'],
  ['errors', 'bigint'],
];

beforeEach(() => {
  athena.reset();
  athena
    .on(StartQueryExecutionCommand)
    .callsFake((input: { QueryString: string }) => ({ QueryExecutionId: input.QueryString.includes('"summary"') ? 'q-scores' : 'q-runs' }));
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-runs' }).resolves(
    resultPage(
      RUN_COLUMNS,
      [
        ['run-old', '2026-10-01T08:00:00Z', null, '2.2.3', '4000', '0'],
        ['run-new', '2026-11-28T10:15:30Z', '2.2.3', '2.2.3', '20000', '3'],
      ],
      { header: true },
    ),
  );
  athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-scores' }).resolves(
    resultPage(
      SCORE_COLUMNS,
      [
        ['run-new', 'dev2', 'rouge1', '0.466', '2000', '1'],
        ['run-new', 'dev1', 'rouge1', '0.604', '2000', '2'],
        ['run-new', 'dev1', 'rouge2', '0.48', '2000', '2'],
        ['run-new', 'dev1', 'rougel', '0.5705', '2000', '2'],
        ['run-new', 'dev1', 'rougelsum', '0.5708', '2000', '2'],
      ],
      { header: true },
    ),
  );
});

test("lists the runs, newest first, with the fine-tuned model's mean per data set", async () => {
  const runs = await listRuns(target, options);
  expect(runs.map((r) => r.runId)).toEqual(['run-new', 'run-old']);
  expect(runs[0]).toEqual({
    runId: 'run-new',
    started: '2026-11-28T10:15:30Z',
    modelVersion: '2.2.3',
    predictions: 20000,
    predictionErrors: 3,
    fineTuned: [
      { dataset: 'dev1', count: 2000, errors: 2, rouge1: 0.604, rouge2: 0.48, rougeL: 0.5705, rougeLsum: 0.5708 },
      { dataset: 'dev2', count: 2000, errors: 1, rouge1: 0.466, rouge2: null, rougeL: null, rougeLsum: null },
    ],
  });
  // A run without a fine-tuned model (pretrained only) still shows its version and counts.
  expect(runs[1]).toMatchObject({ runId: 'run-old', modelVersion: '2.2.3', fineTuned: [] });
  const queries = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString!);
  expect(queries[0]).toMatch(/FROM "impressions_results"\."predictions"\nGROUP BY run_id/);
  expect(queries[1]).toMatch(/FROM "impressions_results"\."summary"\nWHERE model = 'fine-tuned'/);
});

test('the table has one line per run and data set, with the cost from each run summary', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  // run-new has a run summary with its cost estimate; run-old has none.
  const summaries: ResultStore = {
    description: 'memory',
    list: async () => [],
    read: async (key) => (key === 'runs/run-new/run-summary.json' ? JSON.stringify({ cost: { currency: 'USD', totalUsd: 302.2133 } }) : undefined),
  };
  const runs = await printRuns(target, out, false, options, summaries);
  expect(runs.map((r) => r.costUsd)).toEqual([302.2133, null]);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^run_id\s+started \(UTC\)\s+model version\s+cost \(USD\)\s+dataset\s+reports\s+errors\s+ROUGE-1\s+ROUGE-2\s+ROUGE-L\s+ROUGE-Lsum$/);
  expect(lines[1]).toMatch(/^run-new\s+2026-11-28 10:15\s+2\.2\.3\s+302\.21\s+dev1\s+2000\s+2\s+0\.6040\s+0\.4800\s+0\.5705\s+0\.5708$/);
  expect(lines[2]).toMatch(/^run-new\s+.*dev2\s+2000\s+1\s+0\.4660\s+-\s+-\s+-$/);
  expect(lines[3]).toMatch(/^run-old\s+2026-10-01 08:00\s+2\.2\.3\s+-\s+-\s+4000\s+0\s+-/);
  expect(text).toContain(COST_NOTE);
});

test('--json prints the runs and the cost note; the bucket comes from the data stack outputs', async () => {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'impressions-data',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'DataBucketName', OutputValue: 'the-bucket' }],
      },
    ],
  });
  const s3 = mockClient(S3Client);
  s3.on(GetObjectCommand, { Bucket: 'the-bucket', Key: 'runs/run-new/run-summary.json' }).resolves({
    Body: Uint8ArrayBlobAdapter.fromString('{"cost":{"totalUsd":12.5}}') as never,
  });
  s3.on(GetObjectCommand, { Bucket: 'the-bucket', Key: 'runs/run-old/run-summary.json' }).rejects(Object.assign(new Error('missing'), { name: 'NoSuchKey' }));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(buildProgram([runsCommand.register]), ['node', 'impressions', 'runs', '--json', '--workgroup', 'other-wg']);
    expect(code).toBe(0);
    const printed = JSON.parse(write.mock.calls.map((c) => String(c[0])).join('')) as { runs: { runId: string }[]; note: string };
    expect(printed.runs.map((r) => [r.runId, (r as { costUsd?: number | null }).costUsd])).toEqual([
      ['run-new', 12.5],
      ['run-old', null],
    ]);
    expect(printed.note).toBe(COST_NOTE);
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, { WorkGroup: 'other-wg', QueryExecutionContext: { Database: 'impressions_results' } });
  } finally {
    write.mockRestore();
    cfn.restore();
    s3.restore();
    process.exitCode = 0;
  }
});

test('a run summary that is not JSON is named, not a crash', async () => {
  const broken: ResultStore = { description: 's3://b', list: async () => [], read: async () => '{"cost":' };
  await expect(printRuns(target, new PassThrough(), false, options, broken)).rejects.toThrow('s3://b/runs/run-new/run-summary.json: not valid JSON');
});

test('no runs yet', () => {
  expect(formatRuns([])).toMatch(/^No published runs/);
});
