import { Annotations, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { AthenaWorkgroup } from '../constructs/athena-workgroup';
import { ClinicianDashboard } from '../constructs/clinician-dashboard';
import { DataStore } from '../constructs/data-store';
import { ResultsCatalog } from '../constructs/results-catalog';
import { ResultsPublisher } from '../constructs/results-publisher';
import { namedQueries } from '../core/analytics/queries';
import { reviewNamedQueries } from '../core/analytics/review-queries';
import { analyticsNames, STACK_OUTPUTS } from '../core/deployment';

/** Properties of {@link AnalyticsStack}. */
export interface AnalyticsStackProps extends StackProps {
  /** The app's validated configuration. */
  readonly config: ImpressionsConfig;
  /** The data bucket and key of the DataStack. */
  readonly dataStore: DataStore;
}

/**
 * Glue tables over every run's results, the Athena workgroup with the named queries, the function
 * that publishes a run's results, and, when QuickSight principals are configured, the clinicians'
 * dashboard. Holds no data: the rows stay in the DataStack's bucket.
 */
export class AnalyticsStack extends Stack {
  /** Invoke with `{ runId }` at the end of a run: registers its partitions and refreshes SPICE. */
  public readonly publishFunction: lambda.IFunction;
  /** The publisher construct (for its `metricRefreshFailed()` alarm metric). */
  public readonly publisher: ResultsPublisher;
  /** The Glue database and tables. */
  public readonly catalog: ResultsCatalog;
  /** The Athena workgroup. */
  public readonly workGroup: AthenaWorkgroup;
  /** The dashboard, or undefined when no QuickSight principal is configured. */
  public readonly dashboard?: ClinicianDashboard;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const names = analyticsNames(props.config.resourcePrefix);
    this.catalog = new ResultsCatalog(this, 'Catalog', {
      dataStore: props.dataStore,
      databaseName: names.glueDatabase,
      predictionsTableName: names.predictionsTable,
      summaryTableName: names.summaryTable,
      reviewsTableName: names.reviewsTable,
      reviewSummaryTableName: names.reviewSummaryTable,
    });
    this.workGroup = new AthenaWorkgroup(this, 'Athena', {
      dataStore: props.dataStore,
      workGroupName: names.workGroup,
      databaseName: this.catalog.database.databaseName,
      namedQueries: [
        ...namedQueries({ database: names.glueDatabase, predictions: names.predictionsTable, summary: names.summaryTable }),
        ...reviewNamedQueries({ database: names.glueDatabase, reviews: names.reviewsTable, reviewSummary: names.reviewSummaryTable }),
      ],
    });

    if (props.config.quicksightPrincipalArns.length > 0) {
      this.dashboard = new ClinicianDashboard(this, 'QuickSight', {
        principalArns: props.config.quicksightPrincipalArns,
        dataStore: props.dataStore,
        catalog: this.catalog,
        workGroup: this.workGroup,
        ids: {
          dataSource: names.quicksightDataSourceId,
          dataSets: names.quicksightDataSetIds,
          reviewsDataSet: names.reviewsDataSetId,
          reviewSummaryDataSet: names.reviewSummaryDataSetId,
          dashboard: names.dashboardId,
        },
      });
      new CfnOutput(this, STACK_OUTPUTS.dashboardId, { value: this.dashboard.dashboardId, description: 'QuickSight dashboard id' });
    } else {
      Annotations.of(this).addInfo(
        'QuickSight is off: no data source, data sets or dashboard. To create them, subscribe the account to QuickSight (Enterprise) and set ' +
          '-c impressions:quicksightPrincipalArns=\'["arn:aws:quicksight:<region>:<account>:user/default/<name>"]\' (README "Analytics").',
      );
    }

    this.publisher = new ResultsPublisher(this, 'Publish', {
      dataStore: props.dataStore,
      catalog: this.catalog,
      metricNamespace: names.metricNamespace,
      refreshFailedMetricName: names.refreshFailedMetric,
      dashboard: this.dashboard,
    });
    this.publishFunction = this.publisher.function;

    new CfnOutput(this, STACK_OUTPUTS.athenaWorkgroup, {
      value: this.workGroup.workGroupName,
      description: 'Athena workgroup (enforced encryption and scan limit)',
    });
    new CfnOutput(this, STACK_OUTPUTS.glueDatabase, {
      value: this.catalog.database.databaseName,
      description: 'Glue database of the predictions and summary tables',
    });
    new CfnOutput(this, STACK_OUTPUTS.publishResultsFunctionArn, {
      value: this.publishFunction.functionArn,
      description: "Function the run's final step invokes with { runId }",
    });
  }
}
