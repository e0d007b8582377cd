// Keep the handler's structured logs out of the test output (must run before the handler module loads).
import '../../helpers/quiet-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { BatchCreatePartitionCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { publishResults, settingsFromEnv, type PublishSettings } from '../../../lambda/publish-results/index';

const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const clients = { s3: new S3Client({}), glue: new GlueClient({}), quicksight: new QuickSightClient({}), cloudwatch: new CloudWatchClient({}) };
const SETTINGS: PublishSettings = {
  bucket: 'data-bucket',
  database: 'impressions_results',
  predictionsTable: 'predictions',
  summaryTable: 'summary',
  reviewsTable: 'reviews',
  reviewSummaryTable: 'review_summary',
  metricNamespace: 'RadiologyImpressions/impressions',
  metricName: 'AnalyticsRefreshFailed',
  quicksightAccountId: '123456789012',
  dataSetIds: [],
};
const REVIEW = 'ev-20260102-090000-00aa';
const TABLE = { Columns: [], Location: 's3://data-bucket/prediction_data/reviews/', SerdeInfo: {} };

beforeEach(() => {
  s3.reset();
  glue.reset();
  glue.on(GetTableCommand).resolves({ Table: { Name: 'x', DatabaseName: 'impressions_results', StorageDescriptor: TABLE } });
  glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
  s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/predictions/run_id=run-1/' }).resolves({
    Contents: [{ Key: 'prediction_data/predictions/run_id=run-1/dataset=dev1/model=fine-tuned/part-00000.jsonl' }],
  });
  s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/summary/run_id=run-1/' }).resolves({ Contents: [] });
  s3.on(ListObjectsV2Command, { Prefix: 'prediction_data/reviews/run_id=run-1/' }).resolves({
    Contents: [
      { Key: `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/${REVIEW}-0000-r1.jsonl` },
      { Key: `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/${REVIEW}-0000-r2.jsonl` },
      { Key: `prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/summary/summary.jsonl` },
    ],
  });
});

describe('publishResults with the review tables', () => {
  test("registers a review's rows and figures as partitions of the two review tables, each at its own folder", async () => {
    const output = await publishResults({ runId: 'run-1' }, SETTINGS, clients);
    expect(output.partitions).toEqual({ predictions: 1, summary: 0, reviews: 1, reviewSummary: 1, created: 3, alreadyRegistered: 0 });
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    const of = (table: string) => calls.find((c) => c.TableName === table)!.PartitionInputList!.map((p) => [p.Values, p.StorageDescriptor!.Location]);
    expect(of('reviews')).toEqual([[['run-1', REVIEW], `s3://data-bucket/prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/rows/`]]);
    expect(of('review_summary')).toEqual([[['run-1', REVIEW], `s3://data-bucket/prediction_data/reviews/run_id=run-1/review_id=${REVIEW}/summary/`]]);
  });

  test('leaves reviews alone when the review tables are not configured', async () => {
    const output = await publishResults({ runId: 'run-1' }, { ...SETTINGS, reviewsTable: undefined, reviewSummaryTable: undefined }, clients);
    expect(output.partitions).toEqual({ predictions: 1, summary: 0, created: 1, alreadyRegistered: 0 });
    expect(s3).not.toHaveReceivedCommandWith(ListObjectsV2Command, { Prefix: 'prediction_data/reviews/run_id=run-1/' });
  });

  test('reads the review tables from the environment', () => {
    const env = {
      DATA_BUCKET: 'b',
      DATABASE_NAME: 'd',
      PREDICTIONS_TABLE: 'p',
      SUMMARY_TABLE: 's',
      REVIEWS_TABLE: 'reviews',
      REVIEW_SUMMARY_TABLE: 'review_summary',
      METRIC_NAMESPACE: 'n',
      METRIC_NAME: 'm',
      QUICKSIGHT_ACCOUNT_ID: '1',
    };
    expect(settingsFromEnv(env)).toMatchObject({ reviewsTable: 'reviews', reviewSummaryTable: 'review_summary' });
  });
});
