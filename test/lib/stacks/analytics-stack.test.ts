import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { buildApp, ImpressionsStacks } from '../../../lib/app';
import { PREDICTIONS_SCHEMA, REVIEW_SUMMARY_SCHEMA, REVIEWS_SCHEMA, SUMMARY_SCHEMA } from '../../../lib/core/analytics/tables';
import { dashboardDataSets, DASHBOARD_DATA_SETS, REPORT_TEXT_DATA_SETS } from '../../../lib/core/analytics/dashboard-sql';
import { analyticsNames } from '../../../lib/core/deployment';
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
    const statements = roleStatements(template, 'PublishFunctionRole');
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
    const s3 = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    const objectsOf = (prefix: string) => s3.filter((s) => JSON.stringify(s.Resource).includes(`/${prefix}*`));
    // Objects: read prediction_data/, read and write athena-results/; never delete anything.
    expect(actionsOf(objectsOf('prediction_data/'))).toEqual(['s3:GetObject']);
    expect(actionsOf(objectsOf('athena-results/'))).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(actionsOf(s3).filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
    // The bucket itself: listing (key names) and its location, which Athena asks for.
    const bucketLevel = s3.filter((s) => !JSON.stringify(s.Resource).includes('/'));
    expect(actionsOf(bucketLevel)).toEqual(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads']);
    expect(s3.every((s) => objectsOf('prediction_data/').includes(s) || objectsOf('athena-results/').includes(s) || bucketLevel.includes(s))).toBe(true);
    const kms = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(statements).filter((a) => !/^(athena|glue|s3|kms):/.test(a))).toEqual([]);
  });

  test('an Athena data source through the workgroup with the role, SSL on, with no permission for the clinicians', () => {
    const role = logicalIdOf(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'quicksight.amazonaws.com' } })] }),
    });
    template.hasResourceProperties('AWS::QuickSight::DataSource', {
      DataSourceId: 'impressions-athena',
      Type: 'ATHENA',
      DataSourceParameters: { AthenaParameters: { WorkGroup: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') }, RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } } },
      SslProperties: { DisableSsl: false },
    });
    // Viewing a dashboard needs no data source permission; PassDataSource would let an author build on it.
    for (const source of Object.values(template.findResources('AWS::QuickSight::DataSource'))) expect(source.Properties.Permissions).toBeUndefined();
  });

  test('one data set per dashboard query: custom SQL over the Glue tables through the data source; report text by direct query, the rest in SPICE', () => {
    const dataSets = Object.values(template.findResources('AWS::QuickSight::DataSet'));
    const names = analyticsNames('impressions');
    expect(dataSets.map((d) => d.Properties.DataSetId).sort()).toEqual(
      [...Object.values(names.quicksightDataSetIds), names.reviewsDataSetId, names.reviewSummaryDataSetId].sort(),
    );
    const source = logicalIdOf(template, 'AWS::QuickSight::DataSource', {});
    const specs = dashboardDataSets({ database: 'd', predictions: 'p', summary: 's' });
    const TEXT_COLUMNS = ['findings', 'reference', 'generated', 'pretrained_text', 'fine_tuned_text', 'search_text'];
    for (const key of DASHBOARD_DATA_SETS) {
      const dataSet = dataSets.find((d) => d.Properties.DataSetId === `impressions-${key}`)!;
      // A data set with a report-text column never goes to SPICE (its storage is not under the data key).
      const carriesText = specs[key].columns.some((c) => TEXT_COLUMNS.includes(c.name));
      expect(REPORT_TEXT_DATA_SETS.includes(key)).toBe(carriesText);
      expect(dataSet.Properties.ImportMode).toBe(carriesText ? 'DIRECT_QUERY' : 'SPICE');
      expect(dataSet.Properties.LogicalTableMap).toBeUndefined();
      const physical = dataSet.Properties.PhysicalTableMap[key].CustomSql;
      expect(physical.DataSourceArn).toEqual({ 'Fn::GetAtt': [source, 'Arn'] });
      // The SQL names the Glue database and tables by reference, so a renamed table cannot be missed.
      const sql = JSON.stringify(physical.SqlQuery);
      expect(sql).toMatch(/"Ref":"CatalogDatabase/);
      expect(sql).toMatch(/"Ref":"CatalogPredictionsTable/);
      expect(physical.Columns).toEqual(specs[key].columns.map((c) => ({ Name: c.name, Type: c.type })));
      // Viewing needs no data set permission; PassDataSet would let an author build an analysis over the report text.
      expect(dataSet.Properties.Permissions).toBeUndefined();
    }
  });

  test('the radiologist review tables as two data sets, every row field as an input column: the rows (report text) by direct query, the figures in SPICE', () => {
    const names = analyticsNames('impressions');
    for (const [id, table, schema, importMode] of [
      [names.reviewsDataSetId, 'Reviews', REVIEWS_SCHEMA, 'DIRECT_QUERY'],
      [names.reviewSummaryDataSetId, 'ReviewSummary', REVIEW_SUMMARY_SCHEMA, 'SPICE'],
    ] as const) {
      const dataSet = Object.values(template.findResources('AWS::QuickSight::DataSet')).find((d) => d.Properties.DataSetId === id)!;
      expect(dataSet.Properties.ImportMode).toBe(importMode);
      const physical = Object.values(dataSet.Properties.PhysicalTableMap as Record<string, { RelationalTable: Record<string, unknown> }>);
      expect(physical).toHaveLength(1);
      const relational = physical[0].RelationalTable;
      expect(relational.Catalog).toBe('AwsDataCatalog');
      expect(relational.Name).toEqual({ Ref: expect.stringMatching(new RegExp(`^Catalog${table}Table`)) });
      expect((relational.InputColumns as { Name: string }[]).map((c) => c.Name)).toEqual(Object.keys(schema.fields));
      expect(dataSet.Properties.Permissions).toBeUndefined();
    }
  });

  test('the clinicians hold dashboard viewer actions only: nothing that passes, edits or exports data', () => {
    const granted = ['AWS::QuickSight::DataSource', 'AWS::QuickSight::DataSet', 'AWS::QuickSight::Dashboard'].flatMap((type) =>
      Object.values(template.findResources(type)).flatMap((r) => (r.Properties.Permissions ?? []) as { Actions: string[] }[]),
    );
    expect([...new Set(granted.flatMap((p) => p.Actions))].sort()).toEqual([
      'quicksight:DescribeDashboard',
      'quicksight:ListDashboardVersions',
      'quicksight:QueryDashboard',
    ]);
  });

  test('the dashboard: six sheets over the data sets, viewer permissions, no CSV export', () => {
    const dashboard = Object.values(template.findResources('AWS::QuickSight::Dashboard'))[0];
    const props = dashboard.Properties;
    expect(props.DashboardId).toBe('impressions-dashboard');
    expect(props.SourceEntity).toBeUndefined();
    expect(props.Definition.Sheets.map((s: { Name: string }) => s.Name)).toEqual([
      'Verdict',
      'Means with intervals',
      'Per observation',
      'Reports side by side',
      'Score distributions',
      'Run comparison',
      'Radiologist review',
    ]);
    const declarations = props.Definition.DataSetIdentifierDeclarations as { Identifier: string; DataSetArn: { 'Fn::GetAtt': [string, string] } }[];
    const dataSetIds = Object.keys(template.findResources('AWS::QuickSight::DataSet')).sort();
    expect(declarations.map((d) => d.DataSetArn['Fn::GetAtt'][0]).sort()).toEqual(dataSetIds);
    expect(props.Permissions).toEqual([
      { Principal: ALICE, Actions: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:QueryDashboard'] },
    ]);
    expect(props.DashboardPublishOptions.ExportToCSVOption).toEqual({ AvailabilityStatus: 'DISABLED' });
  });

  test('the publish function refreshes the SPICE data sets only (a direct-query data set has nothing to ingest): CreateIngestion on their ingestions', () => {
    const names = analyticsNames('impressions').quicksightDataSetIds;
    const spice = [
      ...DASHBOARD_DATA_SETS.filter((key) => !REPORT_TEXT_DATA_SETS.includes(key)).map((key) => names[key]),
      analyticsNames('impressions').reviewSummaryDataSetId,
    ];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUICKSIGHT_DATA_SET_IDS: spice.join(',') }) },
    });
    const statements = roleStatements(template, 'PublishFunctionRole');
    const ingest = statements.find((s) => s.Action === 'quicksight:CreateIngestion')!;
    const resources = JSON.stringify(ingest.Resource);
    for (const id of spice) expect(resources).toContain(`:dataset/${id}/ingestion/*`);
    expect(resources).not.toContain(`:dataset/${names.studies}/ingestion/*`);
    expect(resources).not.toContain(`:dataset/${analyticsNames('impressions').reviewsDataSetId}/ingestion/*`);
    expect((ingest.Resource as unknown[]).length).toBe(spice.length);
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
