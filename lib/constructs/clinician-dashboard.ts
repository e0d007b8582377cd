import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { ColumnType, PREDICTIONS_SCHEMA, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA, SUMMARY_SCHEMA, TableSchema } from '../core/analytics/tables';
import { AthenaWorkgroup } from './athena-workgroup';
import { clinicianDashboardDefinition } from './clinician-dashboard-definition';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeBucketPrefixWildcards, acknowledgeGrantActionWildcards } from './nag-acknowledgements';
import { ResultsCatalog } from './results-catalog';
import { withReviewSheet } from './review-dashboard-sheet';

/** Properties of {@link ClinicianDashboard}. */
export interface ClinicianDashboardProps {
  /**
   * QuickSight users or groups (`arn:aws:quicksight:<region>:<account>:user/<namespace>/<name>` or
   * `.../group/<namespace>/<name>`) given read access to the dashboard, its data sets and its data
   * source. At least one.
   */
  readonly principalArns: readonly string[];
  /** The data bucket and key. */
  readonly dataStore: DataStore;
  /** The Glue tables the data sets import. */
  readonly catalog: ResultsCatalog;
  /** The workgroup QuickSight queries through. */
  readonly workGroup: AthenaWorkgroup;
  /** QuickSight ids (unique in the account and region). */
  readonly ids: {
    readonly dataSource: string;
    readonly predictionsDataSet: string;
    readonly summaryDataSet: string;
    /**
     * The review rows data set (radiologist review sheet).
     * @default - `<dashboard>-reviews`
     */
    readonly reviewsDataSet?: string;
    /**
     * The review figures data set.
     * @default - `<dashboard>-review-summary`
     */
    readonly reviewSummaryDataSet?: string;
    readonly dashboard: string;
  };
}

const QUICKSIGHT_TYPES: Record<ColumnType, string> = { string: 'STRING', double: 'DECIMAL', bigint: 'INTEGER' };

/** Read-only access for the configured principals (clinicians are readers; authors can build analyses on the data sets). */
const DATA_SOURCE_ACTIONS = ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource'];
const DATA_SET_ACTIONS = [
  'quicksight:DescribeDataSet',
  'quicksight:DescribeDataSetPermissions',
  'quicksight:PassDataSet',
  'quicksight:DescribeIngestion',
  'quicksight:ListIngestions',
];
const DASHBOARD_ACTIONS = ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'];

/**
 * The clinicians' QuickSight dashboard over the result tables: an IAM role that QuickSight assumes
 * for this data source only, an Athena data source through the workgroup, two SPICE data sets
 * (predictions, summary) and a dashboard declared in code (see clinician-dashboard-definition.ts).
 *
 * Requires an existing QuickSight (Enterprise) subscription in the account; this construct never
 * creates or deletes it. SPICE holds a copy of the report text: it is refreshed by the run's final
 * step ({@link grantRefresh}), not on a schedule.
 */
export class ClinicianDashboard extends Construct {
  /** The role QuickSight assumes to query Athena for this data source. */
  public readonly role: iam.Role;
  /** Ids of the two SPICE data sets, predictions first. */
  public readonly dataSetIds: readonly string[];
  /** Id of the dashboard. */
  public readonly dashboardId: string;

  constructor(scope: Construct, id: string, props: ClinicianDashboardProps) {
    super(scope, id);
    if (props.principalArns.length === 0) throw new Error('ClinicianDashboard: principalArns must name at least one QuickSight user or group');
    const account = Stack.of(this).account;
    const stack = Stack.of(this);

    this.role = new iam.Role(this, 'QuickSightRole', {
      assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com'),
      description: 'radiology-impressions: QuickSight reads the result tables through the Athena workgroup',
    });
    props.workGroup.grantQuery(this.role);
    props.catalog.grantReadMetadata(this.role);
    props.dataStore.grantRead(this.role, DataPrefix.PREDICTION_DATA);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAthenaCatalogMetadata',
        // QuickSight lists databases and tables through Athena's metadata API of the default catalog.
        actions: ['athena:GetDataCatalog', 'athena:GetDatabase', 'athena:GetTableMetadata', 'athena:ListDatabases', 'athena:ListTableMetadata'],
        resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
      }),
    );

    const permissions = (actions: string[]) => props.principalArns.map((principal) => ({ principal, actions }));
    const dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: account,
      dataSourceId: props.ids.dataSource,
      name: 'radiology-impressions results (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workGroup.workGroupName, roleArn: this.role.roleArn } },
      sslProperties: { disableSsl: false },
      permissions: permissions(DATA_SOURCE_ACTIONS),
    });
    // The role's policy must exist before QuickSight validates the data source with it.
    const rolePolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy !== undefined) dataSource.node.addDependency(rolePolicy);

    const dataSet = (cid: string, dataSetId: string, name: string, table: string, schema: TableSchema<unknown>) => {
      const resource = new quicksight.CfnDataSet(this, cid, {
        awsAccountId: account,
        dataSetId,
        name,
        importMode: 'SPICE',
        physicalTableMap: {
          // A literal key: CloudFormation map keys cannot be tokens.
          [cid]: {
            relationalTable: {
              dataSourceArn: dataSource.attrArn,
              catalog: 'AwsDataCatalog',
              schema: props.catalog.database.databaseName,
              name: table,
              inputColumns: Object.entries(schema.fields as Record<string, ColumnType>).map(([columnName, type]) => ({
                name: columnName,
                type: QUICKSIGHT_TYPES[type],
              })),
            },
          },
        },
        permissions: permissions(DATA_SET_ACTIONS),
      });
      resource.node.addDependency(props.catalog);
      return resource;
    };
    const predictions = dataSet(
      'PredictionsDataSet',
      props.ids.predictionsDataSet,
      'radiology-impressions predictions',
      props.catalog.predictionsTable.tableName,
      PREDICTIONS_SCHEMA as TableSchema<unknown>,
    );
    const summary = dataSet(
      'SummaryDataSet',
      props.ids.summaryDataSet,
      'radiology-impressions summary',
      props.catalog.summaryTable.tableName,
      SUMMARY_SCHEMA as TableSchema<unknown>,
    );
    const reviewsId = props.ids.reviewsDataSet ?? `${props.ids.dashboard}-reviews`;
    const reviewSummaryId = props.ids.reviewSummaryDataSet ?? `${props.ids.dashboard}-review-summary`;
    const reviews = dataSet(
      'ReviewsDataSet',
      reviewsId,
      'radiology-impressions reviews',
      props.catalog.reviewsTable.tableName,
      REVIEWS_SCHEMA as TableSchema<unknown>,
    );
    const reviewSummary = dataSet(
      'ReviewSummaryDataSet',
      reviewSummaryId,
      'radiology-impressions review summary',
      props.catalog.reviewSummaryTable.tableName,
      REVIEW_SUMMARY_SCHEMA as TableSchema<unknown>,
    );
    this.dataSetIds = [props.ids.predictionsDataSet, props.ids.summaryDataSet, reviewsId, reviewSummaryId];

    const dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: account,
      dashboardId: props.ids.dashboard,
      name: 'Radiology impressions: model evaluation',
      definition: withReviewSheet(clinicianDashboardDefinition({ predictionsDataSetArn: predictions.attrArn, summaryDataSetArn: summary.attrArn }), {
        reviewsDataSetArn: reviews.attrArn,
        reviewSummaryDataSetArn: reviewSummary.attrArn,
      }),
      permissions: permissions(DASHBOARD_ACTIONS),
      validationStrategy: { mode: 'STRICT' },
      dashboardPublishOptions: {
        adHocFilteringOption: { availabilityStatus: 'ENABLED' },
        // Report text is patient data: no CSV export from the dashboard.
        exportToCsvOption: { availabilityStatus: 'DISABLED' },
        sheetControlsOption: { visibilityState: 'EXPANDED' },
      },
    });
    this.dashboardId = dashboard.dashboardId;

    Validations.of(this.role).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: 'Assumed by QuickSight for this data source only; its grants are scoped statements generated next to the resources they concern.',
    });
    if (rolePolicy !== undefined) {
      acknowledgeGrantActionWildcards(
        rolePolicy,
        'read of prediction_data/, read-write of athena-results/ where Athena writes, cleans up and aborts its own query results',
      );
      acknowledgeBucketPrefixWildcards(rolePolicy, props.dataStore.bucket, [
        { prefix: DataPrefix.PREDICTION_DATA, reason: 'The result rows: every run, data set and model partition under prediction_data/.' },
        { prefix: DataPrefix.ATHENA_RESULTS, reason: 'Athena query results written and read by QuickSight queries.' },
      ]);
    }
  }

  /** Lets `grantee` start SPICE ingestions (refreshes) of the two data sets, nothing else. */
  public grantRefresh(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['quicksight:CreateIngestion'],
      resourceArns: this.dataSetIds.map((id) => this.ingestionArnPattern(id)),
    });
  }

  /** cdk-nag acknowledgements for a policy holding {@link grantRefresh}: ingestion ids are chosen per run. */
  public ingestionAcknowledgements(): { id: string; reason: string }[] {
    return this.dataSetIds.map((id) => ({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:quicksight:<AWS::Region>:<AWS::AccountId>:dataset/${id}/ingestion/*]`,
      reason: `Ingestions of the ${id} data set only; each run starts an ingestion with a new id.`,
    }));
  }

  private ingestionArnPattern(dataSetId: string): string {
    return Stack.of(this).formatArn({ service: 'quicksight', resource: 'dataset', resourceName: `${dataSetId}/ingestion/*` });
  }
}
