import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { DASHBOARD_DATA_SETS, dashboardDataSets, REPORT_TEXT_DATA_SETS, type DashboardDataSetKey } from '../core/analytics/dashboard-sql';
import { ColumnType, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA, TableSchema } from '../core/analytics/tables';
import { AthenaWorkgroup } from './athena-workgroup';
import { clinicianDashboardDefinition } from './clinician-dashboard-definition';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeGrantWildcards } from './nag-acknowledgements';
import { ResultsCatalog } from './results-catalog';
import { withReviewSheet } from './review-dashboard-sheet';

/** Properties of {@link ClinicianDashboard}. */
export interface ClinicianDashboardProps {
  /**
   * QuickSight users or groups (`arn:aws:quicksight:<region>:<account>:user/<namespace>/<name>` or
   * `.../group/<namespace>/<name>`) who may view the dashboard. At least one. They get no
   * permission on the data sets or the data source: viewing a dashboard needs none, and with one an
   * author could build an analysis of their own over the report text.
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
    /** One data set per key of DASHBOARD_DATA_SETS. */
    readonly dataSets: Readonly<Record<DashboardDataSetKey, string>>;
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

/** What viewing the dashboard needs, and nothing more (no PassDataSet/PassDataSource, no data set or data source access). */
const DASHBOARD_VIEWER_ACTIONS = ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'];

/**
 * The clinicians' QuickSight dashboard over the result tables: an IAM role that QuickSight assumes
 * for this data source only, an Athena data source through the workgroup, one data set per custom
 * SQL query of lib/core/analytics/dashboard-sql.ts, and a dashboard declared in code (see
 * clinician-dashboard-definition.ts).
 *
 * The data sets that carry report text (findings, reference and generated impressions:
 * `REPORT_TEXT_DATA_SETS`) are DIRECT_QUERY: every view queries Athena, so the text stays in S3
 * under the data key and Athena's results under the same key. SPICE would copy it into QuickSight's
 * own storage, which is encrypted with an AWS-owned key unless the account has set up
 * customer-managed SPICE keys. The others hold only scores, counts and names and stay in SPICE,
 * refreshed by the run's final step ({@link grantRefresh}), not on a schedule.
 *
 * Requires an existing QuickSight (Enterprise) subscription in the account; this construct never
 * creates or deletes it.
 */
export class ClinicianDashboard extends Construct {
  /** The role QuickSight assumes to query Athena for this data source. */
  public readonly role: iam.Role;
  /** Ids of the SPICE data sets, in DASHBOARD_DATA_SETS order: the ones a run refreshes (the report-text data sets are queried directly). */
  public readonly spiceDataSetIds: readonly string[];
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
    acknowledgeGrantWildcards(
      this.role,
      props.workGroup.grantQuery(this.role),
      'Athena writes, reads and aborts its own query results under athena-results/ (every query gets a new key).',
    );
    props.catalog.grantReadMetadata(this.role);
    acknowledgeGrantWildcards(
      this.role,
      props.dataStore.grantRead(this.role, DataPrefix.PREDICTION_DATA),
      'The result rows: every run, data set and model partition under prediction_data/.',
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAthenaCatalogMetadata',
        // QuickSight lists databases and tables through Athena's metadata API of the default catalog.
        actions: ['athena:GetDataCatalog', 'athena:GetDatabase', 'athena:GetTableMetadata', 'athena:ListDatabases', 'athena:ListTableMetadata'],
        resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
      }),
    );

    const dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: account,
      dataSourceId: props.ids.dataSource,
      name: 'radiology-impressions results (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workGroup.workGroupName, roleArn: this.role.roleArn } },
      sslProperties: { disableSsl: false },
    });
    // The role's policy must exist before QuickSight validates the data source with it.
    const rolePolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy !== undefined) dataSource.node.addDependency(rolePolicy);

    // Custom SQL over the Glue tables (lib/core/analytics/dashboard-sql.ts): readable names, the
    // run order and the verdict's figures are computed once per SPICE refresh (per view for the
    // direct-query data sets), not per visual.
    const sql = dashboardDataSets({
      database: props.catalog.database.databaseName,
      predictions: props.catalog.predictionsTable.tableName,
      summary: props.catalog.summaryTable.tableName,
    });
    const dataSets = Object.fromEntries(
      DASHBOARD_DATA_SETS.map((key) => {
        const spec = sql[key];
        const resource = new quicksight.CfnDataSet(this, `DataSet-${key}`, {
          awsAccountId: account,
          dataSetId: props.ids.dataSets[key],
          name: `radiology-impressions: ${spec.name}`,
          importMode: REPORT_TEXT_DATA_SETS.includes(key) ? 'DIRECT_QUERY' : 'SPICE',
          physicalTableMap: {
            // A literal key: CloudFormation map keys cannot be tokens.
            [key]: { customSql: { dataSourceArn: dataSource.attrArn, name: key, sqlQuery: spec.sql, columns: [...spec.columns] } },
          },
        });
        return [key, resource];
      }),
    ) as Record<DashboardDataSetKey, quicksight.CfnDataSet>;

    // The radiologist review tables, imported whole: the rows (findings, impressions, the readers' reasons
    // and corrections: report text) by direct query, the figures (no text) in SPICE.
    const reviewTable = (cid: string, dataSetId: string, name: string, table: string, schema: TableSchema<unknown>, importMode: 'SPICE' | 'DIRECT_QUERY') => {
      const resource = new quicksight.CfnDataSet(this, cid, {
        awsAccountId: account,
        dataSetId,
        name,
        importMode,
        physicalTableMap: {
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
      });
      resource.node.addDependency(props.catalog);
      return resource;
    };
    const reviewsId = props.ids.reviewsDataSet ?? `${props.ids.dashboard}-reviews`;
    const reviewSummaryId = props.ids.reviewSummaryDataSet ?? `${props.ids.dashboard}-review-summary`;
    const reviews = reviewTable(
      'ReviewsDataSet',
      reviewsId,
      'radiology-impressions reviews',
      props.catalog.reviewsTable.tableName,
      REVIEWS_SCHEMA as TableSchema<unknown>,
      'DIRECT_QUERY',
    );
    const reviewSummary = reviewTable(
      'ReviewSummaryDataSet',
      reviewSummaryId,
      'radiology-impressions review summary',
      props.catalog.reviewSummaryTable.tableName,
      REVIEW_SUMMARY_SCHEMA as TableSchema<unknown>,
      'SPICE',
    );
    this.spiceDataSetIds = [
      ...DASHBOARD_DATA_SETS.filter((key) => !REPORT_TEXT_DATA_SETS.includes(key)).map((key) => props.ids.dataSets[key]),
      reviewSummaryId,
    ];

    const dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: account,
      dashboardId: props.ids.dashboard,
      name: 'Radiology impressions: model evaluation',
      definition: withReviewSheet(
        clinicianDashboardDefinition(Object.fromEntries(DASHBOARD_DATA_SETS.map((key) => [key, dataSets[key].attrArn])) as Record<DashboardDataSetKey, string>),
        { reviewsDataSetArn: reviews.attrArn, reviewSummaryDataSetArn: reviewSummary.attrArn },
      ),
      permissions: props.principalArns.map((principal) => ({ principal, actions: DASHBOARD_VIEWER_ACTIONS })),
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
  }

  /** Lets `grantee` start SPICE ingestions (refreshes) of the SPICE data sets, nothing else; ingestion ids are chosen per run. */
  public grantRefresh(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['quicksight:CreateIngestion'],
      resourceArns: this.spiceDataSetIds.map((id) =>
        Stack.of(this).formatArn({ service: 'quicksight', resource: 'dataset', resourceName: `${id}/ingestion/*` }),
      ),
    });
  }
}
