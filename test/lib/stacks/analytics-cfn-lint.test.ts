/**
 * The synthesized analytics stack, QuickSight on, passes cfn-lint (the CloudFormation resource
 * schemas: QuickSight enums, lengths, row spans, and `${...}` outside Fn::Sub): no error, and no
 * warning but the two expected kinds. Skipped, with a
 * message, when cfn-lint is not installed.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { analyticsNames } from '../../../lib/core/deployment';
import { testApp } from '../../helpers/cdk';
import { cfnLint, describeFindings, testWithCfnLint } from '../../helpers/cfn-lint';

// cfn-lint takes 30-60 s per template on a shared two-core machine: each test gets five minutes.
const maybe = testWithCfnLint('analytics-cfn-lint.test.ts');

maybe(
  'the analytics template with the dashboard passes cfn-lint',
  () => {
    const stacks = buildApp(testApp({ 'impressions:quicksightPrincipalArns': 'arn:aws:quicksight:us-east-1:123456789012:group/default/clinicians' }));
    const template = Template.fromStack(stacks.analytics).toJSON();
    // Every data set of the dashboard's definitions (lib/core/analytics/dashboard-sql.ts) and the two review data sets, and no other.
    const names = analyticsNames('impressions');
    const dataSetIds = Object.values(template.Resources as Record<string, { Type: string; Properties: { DataSetId: string } }>)
      .filter((r) => r.Type === 'AWS::QuickSight::DataSet')
      .map((r) => r.Properties.DataSetId);
    expect(dataSetIds.sort()).toEqual([...Object.values(names.quicksightDataSetIds), names.reviewsDataSetId, names.reviewSummaryDataSetId].sort());
    const findings = cfnLint([template]);
    // Errors fail; the warnings left are W1020 (the Fn::Sub that keeps a calculated field's `${Run}`
    // literal has no template variable, by design) and W3005 (explicit dependencies CDK adds beside a Ref).
    expect(describeFindings(findings.filter((f) => f.Level === 'Error'))).toEqual([]);
    expect(describeFindings(findings.filter((f) => !['W1020', 'W3005'].includes(f.Rule.Id)))).toEqual([]);
  },
  300_000,
);

maybe(
  'cfn-lint finds a layout element taller than QuickSight allows (the check can fail)',
  () => {
    const stacks = buildApp(testApp({ 'impressions:quicksightPrincipalArns': 'arn:aws:quicksight:us-east-1:123456789012:group/default/clinicians' }));
    type Layout = { Configuration: { GridLayout: { Elements: { RowSpan: number }[] } } };
    const template = Template.fromStack(stacks.analytics).toJSON() as {
      Resources: Record<string, { Type: string; Properties: { Definition: { Sheets: { Layouts: Layout[] }[] } } }>;
    };
    const dashboard = Object.values(template.Resources).find((r) => r.Type === 'AWS::QuickSight::Dashboard')!;
    dashboard.Properties.Definition.Sheets[0].Layouts[0].Configuration.GridLayout.Elements[2].RowSpan = 24;
    expect(
      cfnLint([template])
        .filter((f) => f.Level === 'Error')
        .map((f) => f.Rule.Id),
    ).toEqual(['E3034']);
  },
  300_000,
);
