/**
 * Makes one run's results visible: registers the run's Glue partitions of the `predictions` and
 * `summary` tables (idempotent), then, when QuickSight is configured, starts a SPICE refresh of
 * each SPICE data set it is given (the summary; the predictions data set is queried directly) and
 * puts the `AnalyticsRefreshFailed` metric (1 failed, 0 started).
 *
 * Contract (event, output, errors, environment): lib/core/analytics/publish-contracts.ts. A refresh
 * that cannot be started is reported in the output and the metric, never thrown: the scores are in
 * S3 and Athena already. Registration problems are thrown (named errors, for the state machine's
 * Catch). Reads no object and logs ids and counts only.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { BatchCreatePartitionCommand, GetTableCommand, GlueClient, PartitionInput, StorageDescriptor } from '@aws-sdk/client-glue';
import { CreateIngestionCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  NoResultsError,
  PartitionRegistrationError,
  parsePublishResultsEvent,
  PUBLISH_ENV,
  type IngestionResult,
  type PublishResultsOutput,
} from '../../lib/core/analytics/publish-contracts';
import { partitionsOfRun, ResultPartition } from '../../lib/core/analytics/tables';
import { InvalidEventError } from '../../lib/core/event-reader';
import { predictionsPrefix, summaryPrefix } from '../../lib/core/evaluation/keys';
import { REVIEW_RESULTS_PREFIX } from '../../lib/core/review/keys';
import { listKeys } from '../../lib/aws/s3-text';

export { InvalidEventError, NoResultsError, PartitionRegistrationError, type PublishResultsOutput };

/** Deployment settings, from the function's environment. */
export interface PublishSettings {
  readonly bucket: string;
  readonly database: string;
  readonly predictionsTable: string;
  readonly summaryTable: string;
  /** The review tables; when absent, the run's reviews are not registered. */
  readonly reviewsTable?: string;
  readonly reviewSummaryTable?: string;
  readonly metricNamespace: string;
  readonly metricName: string;
  readonly quicksightAccountId: string;
  /** Empty when QuickSight is not configured. */
  readonly dataSetIds: readonly string[];
}

/** The SDK clients the function uses. */
export interface PublishClients {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly quicksight: QuickSightClient;
  readonly cloudwatch: CloudWatchClient;
}

/** Reads the settings from environment variables set by the ResultsPublisher construct. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): PublishSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const optional = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  return {
    bucket: required(PUBLISH_ENV.dataBucket),
    database: required(PUBLISH_ENV.database),
    predictionsTable: required(PUBLISH_ENV.predictionsTable),
    summaryTable: required(PUBLISH_ENV.summaryTable),
    reviewsTable: optional(PUBLISH_ENV.reviewsTable),
    reviewSummaryTable: optional(PUBLISH_ENV.reviewSummaryTable),
    metricNamespace: required(PUBLISH_ENV.metricNamespace),
    metricName: required(PUBLISH_ENV.metricName),
    quicksightAccountId: required(PUBLISH_ENV.quicksightAccountId),
    dataSetIds: (env[PUBLISH_ENV.quicksightDataSetIds] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

const logger = new Logger();
const clients: PublishClients = {
  s3: new S3Client({}),
  glue: new GlueClient({}),
  quicksight: new QuickSightClient({}),
  cloudwatch: new CloudWatchClient({}),
};

/** Lambda entry point. */
export async function handler(event: unknown): Promise<PublishResultsOutput> {
  return publishResults(event, settingsFromEnv(process.env), clients);
}

/** Glue's limit of partitions per BatchCreatePartition call. */
const GLUE_BATCH = 100;

/** The work of the function, with its settings and clients passed in (tested with mocked clients). */
export async function publishResults(
  event: unknown,
  settings: PublishSettings,
  sdk: PublishClients,
  now: () => Date = () => new Date(),
): Promise<PublishResultsOutput> {
  const { runId } = parsePublishResultsEvent(event);
  const reviewsConfigured = settings.reviewsTable !== undefined && settings.reviewSummaryTable !== undefined;
  const keys = [
    ...(await listKeys(sdk.s3, settings.bucket, predictionsPrefix(runId))),
    ...(await listKeys(sdk.s3, settings.bucket, summaryPrefix(runId))),
    // A radiologist review of the run publishes through this function too (its state machine's last step).
    ...(reviewsConfigured ? await listKeys(sdk.s3, settings.bucket, `${REVIEW_RESULTS_PREFIX}run_id=${runId}/`) : []),
  ];
  const partitions = partitionsOfRun(runId, keys);
  if (partitions.length === 0) {
    throw new NoResultsError(`run ${runId}: no result file under s3://${settings.bucket}/${predictionsPrefix(runId)} or ${summaryPrefix(runId)}`);
  }
  const predictions = partitions.filter((p) => p.table === 'predictions');
  const summary = partitions.filter((p) => p.table === 'summary');
  const reviews = partitions.filter((p) => p.table === 'reviews');
  const reviewSummary = partitions.filter((p) => p.table === 'review_summary');
  let created = 0;
  let alreadyRegistered = 0;
  for (const [tableName, group] of [
    [settings.predictionsTable, predictions],
    [settings.summaryTable, summary],
    [settings.reviewsTable, reviews],
    [settings.reviewSummaryTable, reviewSummary],
  ] as const) {
    if (group.length === 0 || tableName === undefined) continue;
    const result = await registerPartitions(sdk.glue, settings, tableName, group);
    created += result.created;
    alreadyRegistered += result.alreadyRegistered;
  }
  const partitionCounts = {
    predictions: predictions.length,
    summary: summary.length,
    ...(reviewsConfigured ? { reviews: reviews.length, reviewSummary: reviewSummary.length } : {}),
    created,
    alreadyRegistered,
  };
  logger.info('partitions registered', { runId, ...partitionCounts });

  if (settings.dataSetIds.length === 0) {
    return { runId, partitions: partitionCounts, ingestions: [], quicksight: 'not-configured' };
  }
  const ingestions = await startIngestions(sdk.quicksight, settings, runId, now());
  const failed = ingestions.filter((i) => i.error !== undefined);
  await putRefreshMetric(sdk.cloudwatch, settings, failed.length > 0);
  logger.info('quicksight refresh', { runId, ingestions: ingestions.map((i) => ({ dataSetId: i.dataSetId, ingestionId: i.ingestionId, status: i.status })) });
  if (failed.length === 0) return { runId, partitions: partitionCounts, ingestions, quicksight: 'started' };
  return {
    runId,
    partitions: partitionCounts,
    ingestions,
    quicksight: 'failed',
    error: failed.map((i) => `${i.dataSetId}: ${i.error}`).join('; '),
  };
}

/** The partition's storage: the table's, at the partition's own location. */
function partitionStorage(table: StorageDescriptor, location: string): StorageDescriptor {
  return {
    Columns: table.Columns,
    InputFormat: table.InputFormat,
    OutputFormat: table.OutputFormat,
    SerdeInfo: table.SerdeInfo,
    Compressed: table.Compressed,
    StoredAsSubDirectories: table.StoredAsSubDirectories,
    Parameters: table.Parameters,
    Location: location,
  };
}

async function registerPartitions(
  glue: GlueClient,
  settings: PublishSettings,
  tableName: string,
  partitions: readonly ResultPartition[],
): Promise<{ created: number; alreadyRegistered: number }> {
  const table = await glue.send(new GetTableCommand({ DatabaseName: settings.database, Name: tableName }));
  const storage = table.Table?.StorageDescriptor;
  if (storage === undefined) throw new PartitionRegistrationError(`table ${settings.database}.${tableName} has no storage descriptor`);
  let alreadyRegistered = 0;
  const problems: string[] = [];
  for (let start = 0; start < partitions.length; start += GLUE_BATCH) {
    const batch = partitions.slice(start, start + GLUE_BATCH);
    const input: PartitionInput[] = batch.map((p) => ({
      Values: [...p.values],
      StorageDescriptor: partitionStorage(storage, `s3://${settings.bucket}/${p.prefix}`),
    }));
    const response = await glue.send(new BatchCreatePartitionCommand({ DatabaseName: settings.database, TableName: tableName, PartitionInputList: input }));
    for (const error of response.Errors ?? []) {
      const code = error.ErrorDetail?.ErrorCode ?? 'UnknownError';
      if (code === 'AlreadyExistsException') {
        alreadyRegistered += 1;
      } else {
        problems.push(`${(error.PartitionValues ?? []).join('/')}: ${code}: ${error.ErrorDetail?.ErrorMessage ?? ''}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new PartitionRegistrationError(`table ${settings.database}.${tableName}: ${problems.length} partition(s) not registered: ${problems.join('; ')}`);
  }
  return { created: partitions.length - alreadyRegistered, alreadyRegistered };
}

/** `<runId>-<yyyymmddThhmmss>` with characters QuickSight refuses in an ingestion id replaced. */
export function ingestionId(runId: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${runId}-${stamp}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

async function startIngestions(quicksight: QuickSightClient, settings: PublishSettings, runId: string, at: Date): Promise<IngestionResult[]> {
  const id = ingestionId(runId, at);
  return Promise.all(
    settings.dataSetIds.map(async (dataSetId): Promise<IngestionResult> => {
      try {
        const response = await quicksight.send(
          new CreateIngestionCommand({
            AwsAccountId: settings.quicksightAccountId,
            DataSetId: dataSetId,
            IngestionId: id,
            IngestionType: 'FULL_REFRESH',
          }),
        );
        return { dataSetId, ingestionId: response.IngestionId ?? id, status: response.IngestionStatus ?? 'UNKNOWN' };
      } catch (error) {
        const e = error as Error;
        logger.warn('could not start SPICE ingestion', { runId, dataSetId, errorName: e.name });
        return { dataSetId, status: 'FAILED', error: `${e.name}: ${e.message}` };
      }
    }),
  );
}

async function putRefreshMetric(cloudwatch: CloudWatchClient, settings: PublishSettings, failed: boolean): Promise<void> {
  try {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: settings.metricNamespace,
        MetricData: [{ MetricName: settings.metricName, Value: failed ? 1 : 0, Unit: 'Count' }],
      }),
    );
  } catch (error) {
    // The output already says whether the refresh started; a lost data point must not fail the run.
    logger.warn('could not put the refresh metric', { errorName: (error as Error).name });
  }
}
