import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { buildApp, ImpressionsStacks } from '../../../lib/app';
import { PREDICTIONS_SCHEMA, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA, SUMMARY_SCHEMA } from '../../../lib/core/analytics/tables';
import { cdkJsonContext, nagFindings, testApp } from '../../helpers/cdk';

const ALICE = 'arn:aws:quicksight:us-east-1:123456789012:user/default/alice';
const WITH_QUICKSIGHT = { 'impressions:quicksightPrincipalArns': `["${ALICE}"]` };

function build(context: Record<string, unknown> = {}): { stacks: ImpressionsStacks; template: Template } {
  const stacks = buildApp(testApp(context));
  return { stacks, template: Template.fromStack(stacks.analytics) };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string };

/** Statements of the inline policy attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const found = Object.values(policies).filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)));
  expect(found).toHaveLength(1);
  return found[0].Properties.PolicyDocument.Statement as Statement[];
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('AnalyticsStack without QuickSight', () => {
  const { stacks, template } = build();

  test('the predictions table has every row field: data columns typed as the contract, run_id/dataset/model as partition keys', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'predictions',
        TableType: 'EXTERNAL_TABLE',
        Parameters: Match.objectLike({ classification: 'json', has_encrypted_data: false }),
        PartitionKeys: [
          { Name: 'run_id', Type: 'string' },
          { Name: 'dataset', Type: 'string' },
          { Name: 'model', Type: 'string' },
        ],
        StorageDescriptor: Match.objectLike({
          Columns: PREDICTIONS_SCHEMA.columns.map((c) => ({ Name: c.name, Type: c.type })),
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          Location: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/prediction_data/predictions/'])] }),
        }),
      }),
    });
    const table = Object.values(template.findResources('AWS::Glue::Table')).find((t) => t.Properties.TableInput.Name === 'predictions')!;
    const columns = (table.Properties.TableInput.StorageDescriptor.Columns as { Name: string; Type: string }[]).map((c) => c.Name);
    expect(columns).toEqual([
      'data_source',
      'model_version',
      'study_id',
      'findings',
      'background',
      'reference',
      'generated',
      'rouge1',
      'rouge2',
      'rougel',
      'rougelsum',
      'rouge1_precision',
      'rouge1_recall',
      'rouge2_precision',
      'rouge2_recall',
      'rougel_precision',
      'rougel_recall',
      'rougelsum_precision',
      'rougelsum_recall',
      'latency_ms',
      'generated_labels',
      'reference_labels',
      'error',
      'created_at',
    ]);
    // A partition key is never also a data column (Hive rejects the table).
    expect(columns).not.toEqual(expect.arrayContaining(['run_id']));
    expect(columns.filter((c) => ['run_id', 'dataset', 'model'].includes(c))).toEqual([]);
  });

  test('the summary table is partitioned by run_id only; dataset and model stay data columns', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'summary',
        PartitionKeys: [{ Name: 'run_id', Type: 'string' }],
        StorageDescriptor: Match.objectLike({
          Columns: [
            { Name: 'dataset', Type: 'string' },
            { Name: 'model', Type: 'string' },
            { Name: 'metric', Type: 'string' },
            { Name: 'count', Type: 'bigint' },
            { Name: 'errors', Type: 'bigint' },
            ...['mean', 'ci_low', 'ci_high', 'std', 'min', 'p25', 'p50', 'p75', 'max'].map((n) => ({ Name: n, Type: 'double' })),
          ],
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          Location: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/prediction_data/summary/'])] }),
        }),
      }),
    });
    expect(SUMMARY_SCHEMA.columns.map((c) => c.name)).not.toContain('run_id');
  });

  test('the database is named from the prefix with underscores', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'impressions_results' }) });
  });

  test('the workgroup enforces KMS-encrypted results under athena-results/, engine 3, a 10 GiB scan limit and metrics', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'impressions-workgroup',
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        RequesterPaysEnabled: false,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['s3://', '/athena-results/'])] }),
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        },
      },
    });
  });

  test('the named queries of the runs and of the reviews, in the workgroup and database', () => {
    const queries = template.findResources('AWS::Athena::NamedQuery');
    expect(
      Object.values(queries)
        .map((q) => q.Properties.Name)
        .sort(),
    ).toEqual([
      'clinical-agreement-by-model-and-dataset',
      'feedback-corrections',
      'fine-tuned-lowest-scoring-reports',
      'mean-rouge-by-model-and-dataset',
      'review-agreement-and-correlation',
      'review-harm-flags',
      'review-preferences',
      'review-progress',
      'review-ratings-by-model',
      'review-unanswered',
      'score-distributions',
    ]);
    for (const q of Object.values(queries)) {
      expect(q.Properties.Database).toEqual({ Ref: expect.stringMatching(/^CatalogDatabase/) });
      expect(q.Properties.WorkGroup).toEqual({ Ref: expect.stringMatching(/^AthenaWorkGroup/) });
    }
  });

  test('the publish function: Node 24, X-Ray, its own KMS-encrypted log group, QuickSight not configured', () => {
    const logGroup = logicalIdOf(template, 'AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: logGroup }, LogFormat: 'JSON' }),
      ReservedConcurrentExecutions: 2,
      Environment: {
        Variables: Match.objectLike({
          DATABASE_NAME: { Ref: Match.stringLikeRegexp('^CatalogDatabase') },
          QUICKSIGHT_DATA_SET_IDS: '',
          METRIC_NAMESPACE: 'RadiologyImpressions/impressions',
          METRIC_NAME: 'AnalyticsRefreshFailed',
        }),
      },
    });
    expect(stacks.analytics.publishFunction).toBe(stacks.analytics.publisher.function);
  });

  test("the publish role may list the result prefixes, register partitions, put one namespace's metrics, log and trace: nothing else", () => {
    const statements = roleStatements(template, 'PublishRole');
    expect(actionsOf(statements)).toEqual([
      'cloudwatch:PutMetricData',
      'glue:BatchCreatePartition',
      'glue:GetTable',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:ListBucket',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements.find((s) => s.Action === 's3:ListBucket')!.Condition).toEqual({
      StringLike: { 's3:prefix': ['prediction_data/predictions/*', 'prediction_data/summary/*', 'prediction_data/reviews/*'] },
    });
    expect(statements.find((s) => s.Action === 'cloudwatch:PutMetricData')!.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'RadiologyImpressions/impressions' },
    });
    const glue = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('glue:BatchCreatePartition'))!;
    const resources = JSON.stringify(glue.Resource);
    expect(resources).toContain(':catalog');
    expect(resources).toContain(':database/');
    expect(resources.match(/:table\//g)).toHaveLength(4);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('no QuickSight resource; an info annotation says how to turn it on', () => {
    for (const type of ['AWS::QuickSight::DataSource', 'AWS::QuickSight::DataSet', 'AWS::QuickSight::Dashboard']) template.resourceCountIs(type, 0);
    Annotations.fromStack(stacks.analytics).hasInfo('*', Match.stringLikeRegexp('quicksightPrincipalArns'));
    expect(stacks.analytics.dashboard).toBeUndefined();
  });

  test('outputs the workgroup, the database and the publish function', () => {
    template.hasOutput('AthenaWorkgroupName', { Value: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') } });
    template.hasOutput('GlueDatabaseName', { Value: { Ref: Match.stringLikeRegexp('^CatalogDatabase') } });
    template.hasOutput('PublishResultsFunctionArn', Match.anyValue());
  });

  test('no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stacks.analytics)).toEqual([]);
  });
});

describe('AnalyticsStack with QuickSight principals', () => {
  const { stacks, template } = build(WITH_QUICKSIGHT);

  test('QuickSight assumes a role that reaches exactly the workgroup, the Glue tables, two prefixes and the key', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'quicksight.amazonaws.com' } }],
        Version: '2012-10-17',
      },
    });
    const statements = roleStatements(template, 'QuickSightQuickSightRole');
    const byFirstAction = (prefix: string) => statements.filter((s) => actionsOf([s])[0].startsWith(prefix));
    expect(actionsOf(byFirstAction('athena:Batch'))).toEqual([
      'athena:BatchGetQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:GetQueryResultsStream',
      'athena:GetWorkGroup',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
    ]);
    expect(JSON.stringify(byFirstAction('athena:Batch')[0].Resource)).toMatch(/:workgroup\/.*AthenaWorkGroup/);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadAthenaCatalogMetadata')!.Resource)).toContain(':datacatalog/AwsDataCatalog');
    const glue = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect(actionsOf(glue)).toEqual([
      'glue:BatchGetPartition',
      'glue:GetDatabase',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
    ]);
    const s3Resources = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:'))).map((s) => JSON.stringify(s.Resource));
    expect(s3Resources).toHaveLength(2);
    expect(s3Resources.some((r) => r.includes('/athena-results/*'))).toBe(true);
    expect(s3Resources.some((r) => r.includes('/prediction_data/*'))).toBe(true);
    // Writes only under athena-results/: the statement over prediction_data/ is read-only.
    const predictionData = statements.find((s) => JSON.stringify(s.Resource).includes('/prediction_data/*'))!;
    expect(actionsOf([predictionData])).toEqual(['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
    const kms = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(statements).filter((a) => !/^(athena|glue|s3|kms):/.test(a))).toEqual([]);
  });

  test('an Athena data source through the workgroup with the role, SSL on, readable by the principals', () => {
    const role = logicalIdOf(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'quicksight.amazonaws.com' } })] }),
    });
    template.hasResourceProperties('AWS::QuickSight::DataSource', {
      DataSourceId: 'impressions-athena',
      Type: 'ATHENA',
      DataSourceParameters: { AthenaParameters: { WorkGroup: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') }, RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } } },
      SslProperties: { DisableSsl: false },
      Permissions: [{ Principal: ALICE, Actions: ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource'] }],
    });
  });

  test('four SPICE data sets over the Glue tables (runs and reviews), every row field as an input column', () => {
    for (const [id, table, schema] of [
      ['impressions-predictions', 'Predictions', PREDICTIONS_SCHEMA],
      ['impressions-summary', 'Summary', SUMMARY_SCHEMA],
      ['impressions-reviews', 'Reviews', REVIEWS_SCHEMA],
      ['impressions-review-summary', 'ReviewSummary', REVIEW_SUMMARY_SCHEMA],
    ] as const) {
      const dataSet = Object.values(template.findResources('AWS::QuickSight::DataSet')).find((d) => d.Properties.DataSetId === id)!;
      expect(dataSet.Properties.ImportMode).toBe('SPICE');
      expect(dataSet.Properties.LogicalTableMap).toBeUndefined();
      const physical = Object.values(dataSet.Properties.PhysicalTableMap as Record<string, { RelationalTable: Record<string, unknown> }>);
      expect(physical).toHaveLength(1);
      const relational = physical[0].RelationalTable;
      expect(relational.Catalog).toBe('AwsDataCatalog');
      expect(relational.Schema).toEqual({ Ref: expect.stringMatching(/^CatalogDatabase/) });
      expect(relational.Name).toEqual({ Ref: expect.stringMatching(new RegExp(`^Catalog${table}Table`)) });
      expect((relational.InputColumns as { Name: string }[]).map((c) => c.Name)).toEqual(Object.keys(schema.fields));
      expect(dataSet.Properties.Permissions).toEqual([
        { Principal: ALICE, Actions: expect.arrayContaining(['quicksight:DescribeDataSet', 'quicksight:PassDataSet']) },
      ]);
    }
  });

  test('the dashboard: three sheets, data set references to both data sets, viewer permissions, no CSV export', () => {
    const dashboard = Object.values(template.findResources('AWS::QuickSight::Dashboard'))[0];
    const props = dashboard.Properties;
    expect(props.DashboardId).toBe('impressions-dashboard');
    expect(props.SourceEntity).toBeUndefined();
    expect(props.Definition.Sheets.map((s: { Name: string }) => s.Name)).toEqual([
      'Model comparison',
      'Score distributions',
      'Read reports',
      'Radiologist review',
    ]);
    const declarations = props.Definition.DataSetIdentifierDeclarations as { Identifier: string; DataSetArn: { 'Fn::GetAtt': [string, string] } }[];
    const dataSetIds = Object.keys(template.findResources('AWS::QuickSight::DataSet')).sort();
    expect(declarations.map((d) => d.DataSetArn['Fn::GetAtt'][0]).sort()).toEqual(dataSetIds);
    expect(props.Permissions).toEqual([
      { Principal: ALICE, Actions: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'] },
    ]);
    expect(props.DashboardPublishOptions.ExportToCSVOption).toEqual({ AvailabilityStatus: 'DISABLED' });
    const visualKinds = props.Definition.Sheets.map((s: { Visuals: Record<string, unknown>[] }) => s.Visuals.map((v) => Object.keys(v)[0]));
    expect(visualKinds).toEqual([
      ['TableVisual', 'TableVisual', 'PivotTableVisual', 'BarChartVisual'],
      ['BoxPlotVisual', 'BoxPlotVisual', 'BoxPlotVisual', 'BoxPlotVisual', 'TableVisual'],
      ['TableVisual'],
      ['TableVisual', 'TableVisual', 'BarChartVisual', 'TableVisual', 'TableVisual', 'TableVisual'],
    ]);
  });

  test('the publish function refreshes both data sets: CreateIngestion on their ingestions only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ QUICKSIGHT_DATA_SET_IDS: 'impressions-predictions,impressions-summary,impressions-reviews,impressions-review-summary' }),
      },
    });
    const statements = roleStatements(template, 'PublishRole');
    const ingest = statements.find((s) => s.Action === 'quicksight:CreateIngestion')!;
    const resources = JSON.stringify(ingest.Resource);
    expect(resources).toContain(':dataset/impressions-predictions/ingestion/*');
    expect(resources).toContain(':dataset/impressions-summary/ingestion/*');
    expect(resources).toContain(':dataset/impressions-reviews/ingestion/*');
    expect(resources).toContain(':dataset/impressions-review-summary/ingestion/*');
    expect((ingest.Resource as unknown[]).length).toBe(4);
    template.hasOutput('QuickSightDashboardId', { Value: 'impressions-dashboard' });
  });

  test('no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stacks.analytics)).toEqual([]);
  });
});

describe('the whole app with the nag packs registered, as `cdk synth` runs it', () => {
  test.each([
    ['without QuickSight', {}],
    ['with QuickSight', WITH_QUICKSIGHT],
  ])('synthesizes with no finding %s', (_name, context) => {
    // Synthesis resolves weak cross-stack references (Fn::GetStackOutput), which changes how cdk-nag names findings.
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
    buildApp(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
