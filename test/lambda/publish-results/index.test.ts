// Keep the handler's structured logs out of the test output (must run before the handler module loads).
import '../../helpers/quiet-logs';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { BatchCreatePartitionCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateIngestionCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  ingestionId,
  InvalidEventError,
  NoResultsError,
  PartitionRegistrationError,
  publishResults,
  PublishSettings,
  settingsFromEnv,
} from '../../../lambda/publish-results/index';

const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const quicksight = mockClient(QuickSightClient);
const cloudwatch = mockClient(CloudWatchClient);
const clients = { s3: new S3Client({}), glue: new GlueClient({}), quicksight: new QuickSightClient({}), cloudwatch: new CloudWatchClient({}) };

const SETTINGS: PublishSettings = {
  bucket: 'data-bucket',
  database: 'impressions_results',
  predictionsTable: 'predictions',
  summaryTable: 'summary',
  metricNamespace: 'RadiologyImpressions/impressions',
  metricName: 'AnalyticsRefreshFailed',
  quicksightAccountId: '123456789012',
  dataSetIds: [],
};
const WITH_QS: PublishSettings = { ...SETTINGS, dataSetIds: ['impressions-predictions', 'impressions-summary'] };
const NOW = () => new Date('2026-11-28T18:53:41.123Z');

const TABLE_SD = {
  Columns: [{ Name: 'study_id', Type: 'string' }],
  Location: 's3://data-bucket/prediction_data/predictions/',
  InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
  Compressed: false,
};

function predictionKeys(run: string): string[] {
  const keys: string[] = [];
  for (const dataset of ['dev1', 'dev2']) {
    for (const model of ['fine-tuned', 'pretrained', 'baseline-normal']) {
      for (const part of [0, 1]) keys.push(`prediction_data/predictions/run_id=${run}/dataset=${dataset}/model=${model}/part-${part}.jsonl`);
    }
  }
  return keys;
}

beforeEach(() => {
  s3.reset();
  glue.reset();
  quicksight.reset();
  cloudwatch.reset();
  glue.on(GetTableCommand).resolves({ Table: { Name: 'predictions', DatabaseName: 'impressions_results', StorageDescriptor: TABLE_SD } });
  glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
  // Predictions listed over two pages; other runs' keys never come back for this prefix.
  const keys = predictionKeys('run-1');
  s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/predictions/run_id=run-1/' })
    .resolvesOnce({ Contents: keys.slice(0, 7).map((Key) => ({ Key })), IsTruncated: true, NextContinuationToken: 't1' })
    .resolvesOnce({ Contents: keys.slice(7).map((Key) => ({ Key })), IsTruncated: false });
  s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/summary/run_id=run-1/' }).resolves({
    Contents: [{ Key: 'prediction_data/summary/run_id=run-1/summary.jsonl' }],
    IsTruncated: false,
  });
  quicksight.on(CreateIngestionCommand).resolves({ IngestionStatus: 'INITIALIZED', IngestionId: ingestionId('run-1', NOW()) });
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('publishResults', () => {
  test('registers one partition per data set and model, and the summary partition, at their own locations', async () => {
    const output = await publishResults({ runId: 'run-1' }, SETTINGS, clients, NOW);
    expect(output).toEqual({
      runId: 'run-1',
      partitions: { predictions: 6, summary: 1, created: 7, alreadyRegistered: 0 },
      ingestions: [],
      quicksight: 'not-configured',
    });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: 'data-bucket',
      Prefix: 'prediction_data/predictions/run_id=run-1/',
      ContinuationToken: 't1',
    });
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.TableName)).toEqual(['predictions', 'summary']);
    const predictions = calls[0].PartitionInputList!;
    expect(predictions.map((p) => p.Values)).toEqual([
      ['run-1', 'dev1', 'baseline-normal'],
      ['run-1', 'dev1', 'fine-tuned'],
      ['run-1', 'dev1', 'pretrained'],
      ['run-1', 'dev2', 'baseline-normal'],
      ['run-1', 'dev2', 'fine-tuned'],
      ['run-1', 'dev2', 'pretrained'],
    ]);
    expect(predictions[1].StorageDescriptor).toEqual({
      ...TABLE_SD,
      Location: 's3://data-bucket/prediction_data/predictions/run_id=run-1/dataset=dev1/model=fine-tuned/',
      StoredAsSubDirectories: undefined,
      Parameters: undefined,
    });
    expect(calls[1].PartitionInputList!.map((p) => [p.Values, p.StorageDescriptor!.Location])).toEqual([
      [['run-1'], 's3://data-bucket/prediction_data/summary/run_id=run-1/'],
    ]);
    expect(quicksight).not.toHaveReceivedCommand(CreateIngestionCommand);
    expect(cloudwatch).not.toHaveReceivedCommand(PutMetricDataCommand);
  });

  test('is idempotent: partitions that already exist are counted, not errors', async () => {
    glue.on(BatchCreatePartitionCommand, { TableName: 'predictions' }).resolves({
      Errors: [{ PartitionValues: ['run-1', 'dev1', 'fine-tuned'], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' } }],
    });
    const output = await publishResults({ runId: 'run-1' }, SETTINGS, clients, NOW);
    expect(output.partitions).toEqual({ predictions: 6, summary: 1, created: 6, alreadyRegistered: 1 });
  });

  test('any other Glue refusal fails with the partition values and the error code', async () => {
    glue.on(BatchCreatePartitionCommand, { TableName: 'predictions' }).resolves({
      Errors: [{ PartitionValues: ['run-1', 'dev2', 'pretrained'], ErrorDetail: { ErrorCode: 'AccessDeniedException', ErrorMessage: 'denied' } }],
    });
    const error = await publishResults({ runId: 'run-1' }, SETTINGS, clients, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartitionRegistrationError);
    expect((error as Error).name).toBe('PartitionRegistrationError');
    expect((error as Error).message).toMatch(
      /impressions_results\.predictions: 1 partition\(s\) not registered: run-1\/dev2\/pretrained: AccessDeniedException/,
    );
  });

  test('sends at most 100 partitions per BatchCreatePartition call', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/predictions/run_id=big/' }).resolves({
      Contents: Array.from({ length: 150 }, (_, i) => ({ Key: `prediction_data/predictions/run_id=big/dataset=d${i}/model=fine-tuned/part-0.jsonl` })),
    });
    s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/summary/run_id=big/' }).resolves({ Contents: [] });
    const output = await publishResults({ runId: 'big' }, SETTINGS, clients, NOW);
    expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input.PartitionInputList!.length)).toEqual([100, 50]);
    expect(output.partitions).toEqual({ predictions: 150, summary: 0, created: 150, alreadyRegistered: 0 });
  });

  test('starts a SPICE refresh of both data sets and puts 0 on the failure metric', async () => {
    const output = await publishResults({ runId: 'run-1' }, WITH_QS, clients, NOW);
    expect(output.quicksight).toBe('started');
    expect(output.ingestions).toEqual([
      { dataSetId: 'impressions-predictions', ingestionId: 'run-1-20261128T185341Z', status: 'INITIALIZED' },
      { dataSetId: 'impressions-summary', ingestionId: 'run-1-20261128T185341Z', status: 'INITIALIZED' },
    ]);
    expect(quicksight).toHaveReceivedCommandWith(CreateIngestionCommand, {
      AwsAccountId: '123456789012',
      DataSetId: 'impressions-summary',
      IngestionId: 'run-1-20261128T185341Z',
      IngestionType: 'FULL_REFRESH',
    });
    expect(cloudwatch).toHaveReceivedCommandWith(PutMetricDataCommand, {
      Namespace: 'RadiologyImpressions/impressions',
      MetricData: [{ MetricName: 'AnalyticsRefreshFailed', Value: 0, Unit: 'Count' }],
    });
  });

  test('a refresh that cannot start is reported and counted, not thrown', async () => {
    quicksight
      .on(CreateIngestionCommand, { DataSetId: 'impressions-summary' })
      .rejects(Object.assign(new Error('Too many ingestions'), { name: 'LimitExceededException' }));
    const output = await publishResults({ runId: 'run-1' }, WITH_QS, clients, NOW);
    expect(output.quicksight).toBe('failed');
    expect(output.partitions.created).toBe(7);
    expect(output.ingestions[1]).toEqual({ dataSetId: 'impressions-summary', status: 'FAILED', error: 'LimitExceededException: Too many ingestions' });
    expect(output.error).toBe('impressions-summary: LimitExceededException: Too many ingestions');
    expect(cloudwatch).toHaveReceivedCommandWith(PutMetricDataCommand, { MetricData: [{ MetricName: 'AnalyticsRefreshFailed', Value: 1, Unit: 'Count' }] });
  });

  test('a lost metric does not fail the run', async () => {
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('throttled'));
    await expect(publishResults({ runId: 'run-1' }, WITH_QS, clients, NOW)).resolves.toMatchObject({ quicksight: 'started' });
  });

  test('a run with no result file fails with NoResultsError', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'prediction_data/predictions/run_id=run-9/_SUCCESS' }] });
    await expect(publishResults({ runId: 'run-9' }, SETTINGS, clients, NOW)).rejects.toThrow(NoResultsError);
    expect(glue).not.toHaveReceivedCommand(BatchCreatePartitionCommand);
  });

  test.each([[undefined], [null], [[]], [{}], [{ runId: '' }], [{ runId: '../x' }], [{ runId: "a'b" }], [{ runId: 'x'.repeat(81) }]])(
    'rejects the event %j',
    async (event) => {
      await expect(publishResults(event, SETTINGS, clients, NOW)).rejects.toThrow(InvalidEventError);
      expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
    },
  );
});

describe('settingsFromEnv', () => {
  const env = {
    DATA_BUCKET: 'b',
    DATABASE_NAME: 'd',
    PREDICTIONS_TABLE: 'p',
    SUMMARY_TABLE: 's',
    METRIC_NAMESPACE: 'n',
    METRIC_NAME: 'm',
    QUICKSIGHT_ACCOUNT_ID: '1',
  };
  test('reads the data set ids as a comma-separated list, empty meaning not configured', () => {
    expect(settingsFromEnv({ ...env, QUICKSIGHT_DATA_SET_IDS: '' }).dataSetIds).toEqual([]);
    expect(settingsFromEnv({ ...env, QUICKSIGHT_DATA_SET_IDS: 'a, b' }).dataSetIds).toEqual(['a', 'b']);
  });
  test('names a missing variable', () => {
    expect(() => settingsFromEnv({ ...env, DATABASE_NAME: undefined })).toThrow(/DATABASE_NAME is not set/);
  });
});

test('ingestion ids only use characters QuickSight accepts', () => {
  expect(ingestionId('run.2026_a', NOW())).toBe('run-2026_a-20261128T185341Z');
});
