/**
 * Names shared by the stacks (which create them) and the operator CLI (which looks them up):
 * stack names and the keys of their outputs. Plain strings, so the CLI needs no CDK.
 */
import { DASHBOARD_DATA_SETS, type DashboardDataSetKey } from './analytics/dashboard-sql';

/** CloudFormation stack names, derived from the configured resource prefix. */
export function stackNames(resourcePrefix: string): { readonly data: string; readonly pipeline: string; readonly analytics: string; readonly review: string } {
  return {
    data: `${resourcePrefix}-data`,
    pipeline: `${resourcePrefix}-pipeline`,
    analytics: `${resourcePrefix}-analytics`,
    review: `${resourcePrefix}-review`,
  };
}

/** Names of the analytics resources (AnalyticsStack), shared with the CLI and the run's final step. */
export interface AnalyticsNames {
  /** Glue database (Glue and Athena want underscores, not hyphens). */
  readonly glueDatabase: string;
  /** Glue table over `prediction_data/predictions/`. */
  readonly predictionsTable: string;
  /** Glue table over `prediction_data/summary/`. */
  readonly summaryTable: string;
  /** Glue table of the review rows (`prediction_data/reviews/…/rows/`). */
  readonly reviewsTable: string;
  /** Glue table of the review figures (`prediction_data/reviews/…/summary/`). */
  readonly reviewSummaryTable: string;
  /** QuickSight data sets over the two review tables (the rows, with report text, by direct query; the figures in SPICE). */
  readonly reviewsDataSetId: string;
  readonly reviewSummaryDataSetId: string;
  /** Athena workgroup. */
  readonly workGroup: string;
  /** QuickSight data source id (Athena through the workgroup). */
  readonly quicksightDataSourceId: string;
  /** QuickSight SPICE data set ids of the dashboard, one per data set (lib/core/analytics/dashboard-sql.ts), `<prefix>-<key>`. */
  readonly quicksightDataSetIds: Readonly<Record<DashboardDataSetKey, string>>;
  /** QuickSight dashboard id. */
  readonly dashboardId: string;
  /** CloudWatch namespace of the analytics metrics (one per deployment). */
  readonly metricNamespace: string;
  /** Metric set to 1 when a run's QuickSight refresh could not be started, 0 when it was. */
  readonly refreshFailedMetric: string;
}

/**
 * Physical names of the analytics resources, derived from the configured resource prefix so the
 * CLI finds them without CloudFormation. The prefix is validated by lib/config.ts (lower-case
 * letters, digits, hyphens), which keeps every name here valid for its service.
 */
export function analyticsNames(resourcePrefix: string): AnalyticsNames {
  return {
    glueDatabase: `${resourcePrefix.replace(/-/g, '_')}_results`,
    predictionsTable: 'predictions',
    summaryTable: 'summary',
    reviewsTable: 'reviews',
    reviewSummaryTable: 'review_summary',
    reviewsDataSetId: `${resourcePrefix}-reviews`,
    reviewSummaryDataSetId: `${resourcePrefix}-review-summary`,
    workGroup: `${resourcePrefix}-workgroup`,
    quicksightDataSourceId: `${resourcePrefix}-athena`,
    quicksightDataSetIds: Object.fromEntries(DASHBOARD_DATA_SETS.map((key) => [key, `${resourcePrefix}-${key}`])) as Record<DashboardDataSetKey, string>,
    dashboardId: `${resourcePrefix}-dashboard`,
    metricNamespace: `RadiologyImpressions/${resourcePrefix}`,
    refreshFailedMetric: 'AnalyticsRefreshFailed',
  };
}

/** Output keys of the stacks. */
export const STACK_OUTPUTS = {
  /** DataStack: name of the data bucket. */
  dataBucketName: 'DataBucketName',
  /** DataStack: ARN of the customer-managed KMS key. */
  dataKeyArn: 'DataKeyArn',
  /** PipelineStack: ARN of the run state machine. */
  stateMachineArn: 'StateMachineArn',
  /** PipelineStack: SHA-256 of the prompt template the evaluation uses (lib/core/run/training-channel.ts). */
  promptTemplateSha256: 'PromptTemplateSha256',
  /** AnalyticsStack: Athena workgroup name. */
  athenaWorkgroup: 'AthenaWorkgroupName',
  /** AnalyticsStack: Glue database name. */
  glueDatabase: 'GlueDatabaseName',
  /** AnalyticsStack: ARN of the function that publishes a run's results (Glue partitions, SPICE refresh). */
  publishResultsFunctionArn: 'PublishResultsFunctionArn',
  /** AnalyticsStack: QuickSight dashboard id (only when QuickSight principals are configured). */
  dashboardId: 'QuickSightDashboardId',
  /** ReviewStack: ARN of the review state machine. */
  reviewStateMachineArn: 'ReviewStateMachineArn',
  /** ReviewStack: the readers' worker portal. */
  reviewPortalUrl: 'ReviewPortalUrl',
  /** ReviewStack: id of the readers' Cognito user pool. */
  reviewUserPoolId: 'ReviewUserPoolId',
} as const;
