import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { ColumnType, PREDICTIONS_SCHEMA, SUMMARY_SCHEMA, TableSchema } from '../core/analytics/tables';
import { AthenaWorkgroup } from './athena-workgroup';
import { clinicianDashboardDefinition } from './clinician-dashboard-definition';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeGrantWildcards } from './nag-acknowledgements';
import { ResultsCatalog } from './results-catalog';

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
    readonly predictionsDataSet: string;
    readonly summaryDataSet: string;
    readonly dashboard: string;
  };
}

const QUICKSIGHT_TYPES: Record<ColumnType, string> = { string: 'STRING', double: 'DECIMAL', bigint: 'INTEGER' };

/** What viewing the dashboard needs, and nothing more (no PassDataSet/PassDataSource, no data set or data source access). */
const DASHBOARD_VIEWER_ACTIONS = ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'];

/**
 * The clinicians' QuickSight dashboard over the result tables: an IAM role that QuickSight assumes
 * for this data source only, an Athena data source through the workgroup, two data sets and a
 * dashboard declared in code (see clinician-dashboard-definition.ts).
 *
 * The predictions data set (one row per report: findings, reference and generated impression) is
 * DIRECT_QUERY: every view queries Athena, so the report text stays in S3 under the data key and
 * Athena's results under the same key. SPICE would copy it into QuickSight's own storage, which is
 * encrypted with an AWS-owned key unless the account has set up customer-managed SPICE keys. The
 * summary data set holds only scores and counts and stays in SPICE, refreshed by the run's final
 * step ({@link grantRefresh}), not on a schedule.
 *
 * Requires an existing QuickSight (Enterprise) subscription in the account; this construct never
 * creates or deletes it.
 */
export class ClinicianDashboard extends Construct {
  /** The role QuickSight assumes to query Athena for this data source. */
  public readonly role: iam.Role;
  /** Ids of the SPICE data sets, the ones a run refreshes (the summary; the predictions are queried directly). */
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

    const dataSet = (cid: string, dataSetId: string, name: string, table: string, schema: TableSchema<unknown>, importMode: 'SPICE' | 'DIRECT_QUERY') => {
      const resource = new quicksight.CfnDataSet(this, cid, {
        awsAccountId: account,
        dataSetId,
        name,
        importMode,
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
      'DIRECT_QUERY',
    );
    const summary = dataSet(
      'SummaryDataSet',
      props.ids.summaryDataSet,
      'radiology-impressions summary',
      props.catalog.summaryTable.tableName,
      SUMMARY_SCHEMA as TableSchema<unknown>,
      'SPICE',
    );
    this.spiceDataSetIds = [props.ids.summaryDataSet];

    const dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: account,
      dashboardId: props.ids.dashboard,
      name: 'Radiology impressions: model evaluation',
      definition: clinicianDashboardDefinition({ predictionsDataSetArn: predictions.attrArn, summaryDataSetArn: summary.attrArn }),
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
