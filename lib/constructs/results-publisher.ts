import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PUBLISH_ENV } from '../core/analytics/publish-contracts';
import { PREDICTIONS_PREFIX, SUMMARY_PREFIX } from '../core/analytics/tables';
import { REVIEW_RESULTS_PREFIX } from '../core/review/keys';
import { ClinicianDashboard } from './clinician-dashboard';
import { DataStore } from './data-store';
import { ImpressionsFunction, InvocationMode } from './impressions-function';
import { acknowledgeGrantWildcards, acknowledgeStatementWildcards } from './nag-acknowledgements';
import { ResultsCatalog } from './results-catalog';

/** Properties of {@link ResultsPublisher}. */
export interface ResultsPublisherProps {
  /** The data bucket (listed under `prediction_data/`) and key (encrypts the function's logs). */
  readonly dataStore: DataStore;
  /** The tables whose partitions the function registers. */
  readonly catalog: ResultsCatalog;
  /** CloudWatch namespace of the `refreshFailedMetricName` metric. */
  readonly metricNamespace: string;
  /** Name of the metric set to 1 when a SPICE refresh could not be started. */
  readonly refreshFailedMetricName: string;
  /**
   * The dashboard whose SPICE data set is refreshed after each run.
   * @default - no QuickSight: the function only registers partitions
   */
  readonly dashboard?: ClinicianDashboard;
  /**
   * How long the function may run.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/**
 * The function the run's final step calls with `{ runId }`: it registers the run's Glue partitions
 * (idempotent) and, when QuickSight is configured, starts the SPICE refresh of the summary data set. A
 * failed refresh is reported in its output and as the `AnalyticsRefreshFailed` metric, never as an
 * error, so the run's scores stay visible in Athena. See lambda/publish-results/index.ts.
 *
 * Built like every function of the app ({@link ImpressionsFunction}). Its role may only: list keys
 * under the two result prefixes (it reads no object, so it needs no KMS permission for S3), read
 * the two tables' definitions and add partitions to them, start ingestions of the two data sets,
 * put metrics in one namespace, write its own log group, and send X-Ray traces.
 */
export class ResultsPublisher extends Construct {
  /** The function (lambda/publish-results; contract in lib/core/analytics/publish-contracts.ts). */
  public readonly function: ImpressionsFunction;
  private readonly metricNamespace: string;
  private readonly refreshFailedMetricName: string;

  constructor(scope: Construct, id: string, props: ResultsPublisherProps) {
    super(scope, id);
    this.metricNamespace = props.metricNamespace;
    this.refreshFailedMetricName = props.refreshFailedMetricName;
    const stack = Stack.of(this);

    this.function = new ImpressionsFunction(this, 'Function', {
      handlerDir: 'publish-results',
      description: 'radiology-impressions: make a run visible to Athena and QuickSight',
      logKey: props.dataStore.key,
      invocation: InvocationMode.SYNCHRONOUS,
      logRetention: logs.RetentionDays.ONE_YEAR,
      memorySize: 256,
      timeout: props.timeout ?? Duration.minutes(2),
      // One run finishes at a time; a small cap keeps a retry storm from exhausting account concurrency.
      reservedConcurrentExecutions: 2,
      environment: {
        [PUBLISH_ENV.database]: props.catalog.database.databaseName,
        [PUBLISH_ENV.predictionsTable]: props.catalog.predictionsTable.tableName,
        [PUBLISH_ENV.summaryTable]: props.catalog.summaryTable.tableName,
        [PUBLISH_ENV.reviewsTable]: props.catalog.reviewsTable.tableName,
        [PUBLISH_ENV.reviewSummaryTable]: props.catalog.reviewSummaryTable.tableName,
        [PUBLISH_ENV.dataBucket]: props.dataStore.bucket.bucketName,
        [PUBLISH_ENV.metricNamespace]: props.metricNamespace,
        [PUBLISH_ENV.metricName]: props.refreshFailedMetricName,
        [PUBLISH_ENV.quicksightAccountId]: stack.account,
        [PUBLISH_ENV.quicksightDataSetIds]: (props.dashboard?.spiceDataSetIds ?? []).join(','),
      },
    });
    const role = this.function.executionRole;

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunResultKeys',
        actions: ['s3:ListBucket'],
        resources: [props.dataStore.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${PREDICTIONS_PREFIX}*`, `${SUMMARY_PREFIX}*`, `${REVIEW_RESULTS_PREFIX}*`] } },
      }),
    );
    props.catalog.grantRegisterPartitions(role);
    const refresh = props.dashboard?.grantRefresh(role);
    if (refresh !== undefined) {
      acknowledgeGrantWildcards(role, refresh, 'Ingestions of the SPICE data set only; each run starts an ingestion with a new id.');
    }
    const metrics = new iam.PolicyStatement({
      sid: 'PutAnalyticsMetrics',
      actions: ['cloudwatch:PutMetricData'],
      // PutMetricData has no resource-level permissions; the namespace condition scopes it.
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': props.metricNamespace } },
    });
    role.addToPrincipalPolicy(metrics);
    acknowledgeStatementWildcards(
      role,
      [metrics],
      'cloudwatch:PutMetricData has no resource-level permissions; limited by the cloudwatch:namespace condition.',
    );
  }

  /**
   * The metric the function puts after each run when QuickSight is configured: 1 when a refresh
   * could not be started, 0 when both were (maximum over 5 minutes). No data when QuickSight is off.
   */
  public metricRefreshFailed(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName: this.refreshFailedMetricName,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    });
  }
}
