import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PREDICTIONS_PREFIX, SUMMARY_PREFIX } from '../core/analytics/tables';
import { REVIEW_RESULTS_PREFIX } from '../core/review/keys';
import { ClinicianDashboard } from './clinician-dashboard';
import { DataStore } from './data-store';
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
   * The dashboard whose SPICE data sets are refreshed after each run.
   * @default - no QuickSight: the function only registers partitions
   */
  readonly dashboard?: ClinicianDashboard;
  /**
   * How long the function may run.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/** Path of the handler, bundled by esbuild at synth time. */
const ENTRY = path.join(__dirname, '..', '..', 'lambda', 'publish-results', 'index.ts');

/**
 * The function the run's final step calls with `{ runId }`: it registers the run's Glue partitions
 * (idempotent) and, when QuickSight is configured, starts the SPICE refresh of both data sets. A
 * failed refresh is reported in its output and as the `AnalyticsRefreshFailed` metric, never as an
 * error, so the run's scores stay visible in Athena. See lambda/publish-results/index.ts.
 *
 * Its role may only: list keys under the two result prefixes (it reads no object, so it needs no
 * KMS permission for S3), read the two tables' definitions and add partitions to them, start
 * ingestions of the two data sets, put metrics in one namespace, write its own log group, and send
 * X-Ray traces.
 */
export class ResultsPublisher extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  private readonly metricNamespace: string;
  private readonly refreshFailedMetricName: string;

  constructor(scope: Construct, id: string, props: ResultsPublisherProps) {
    super(scope, id);
    this.metricNamespace = props.metricNamespace;
    this.refreshFailedMetricName = props.refreshFailedMetricName;
    const stack = Stack.of(this);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.dataStore.key,
      retention: logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'radiology-impressions: registers result partitions and refreshes the QuickSight data sets',
    });
    logGroup.grantWrite(role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.minutes(2),
      // One run finishes at a time; a small cap keeps a retry storm from exhausting account concurrency.
      reservedConcurrentExecutions: 2,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      description: 'radiology-impressions: make a run visible to Athena and QuickSight',
      environment: {
        DATABASE_NAME: props.catalog.database.databaseName,
        PREDICTIONS_TABLE: props.catalog.predictionsTable.tableName,
        SUMMARY_TABLE: props.catalog.summaryTable.tableName,
        REVIEWS_TABLE: props.catalog.reviewsTable.tableName,
        REVIEW_SUMMARY_TABLE: props.catalog.reviewSummaryTable.tableName,
        DATA_BUCKET: props.dataStore.bucket.bucketName,
        METRIC_NAMESPACE: props.metricNamespace,
        METRIC_NAME: props.refreshFailedMetricName,
        QUICKSIGHT_ACCOUNT_ID: stack.account,
        QUICKSIGHT_DATA_SET_IDS: (props.dashboard?.dataSetIds ?? []).join(','),
        POWERTOOLS_SERVICE_NAME: 'publish-results',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the pinned SDK clients instead of relying on the runtime's copy.
        externalModules: [],
      },
    });

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunResultKeys',
        actions: ['s3:ListBucket'],
        resources: [props.dataStore.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${PREDICTIONS_PREFIX}*`, `${SUMMARY_PREFIX}*`, `${REVIEW_RESULTS_PREFIX}*`] } },
      }),
    );
    props.catalog.grantRegisterPartitions(role);
    props.dashboard?.grantRefresh(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PutAnalyticsMetrics',
        actions: ['cloudwatch:PutMetricData'],
        // PutMetricData has no resource-level permissions; the namespace condition scopes it.
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': props.metricNamespace } },
      }),
    );

    const policy = role.node.tryFindChild('DefaultPolicy');
    Validations.of(role).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: 'The role is used by this one function only; its grants are scoped statements generated next to the resources they concern.',
    });
    if (policy !== undefined) {
      Validations.of(policy).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'xray:PutTraceSegments/PutTelemetryRecords and cloudwatch:PutMetricData have no resource-level permissions; PutMetricData is limited by the cloudwatch:namespace condition.',
        },
        ...(props.dashboard?.ingestionAcknowledgements() ?? []),
      );
    }
    Validations.of(this.function).acknowledge(
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason: "Invoked synchronously by the run's state machine, which retries and catches failures; a DLQ only applies to asynchronous invocations.",
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason: 'Calls only AWS APIs (S3 list, Glue, QuickSight, CloudWatch) over TLS and handles no report text; no VPC in this design.',
      },
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
