import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RunFunctions } from '../../../lib/constructs/run-functions';
import { nagFindings, testApp } from '../../helpers/cdk';

const stack = new Stack(testApp(), 'S');
const functions = new RunFunctions(stack, 'RunFunctions', { logKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
const template = Template.fromStack(stack);

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}
function statementsOf(rolePrefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat()).sort();

describe('RunFunctions', () => {
  test('validate-input is pure: it may write its logs and traces, nothing else', () => {
    expect(actions(statementsOf('RunFunctionsValidateInputRole')).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });

  test('preflight-quotas reads quotas and describes the instance holders of the account, read-only', () => {
    expect(actions(statementsOf('RunFunctionsPreflightQuotasRole')).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([
      'sagemaker:DescribeEndpoint',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListEndpoints',
      'sagemaker:ListTrainingJobs',
      'servicequotas:ListAWSDefaultServiceQuotas',
      'servicequotas:ListServiceQuotas',
    ]);
  });

  test("resolve-model reads the region's public JumpStart bucket only", () => {
    const s3 = statementsOf('RunFunctionsResolveModelRole').filter((s) => actions([s]).some((a) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    for (const statement of s3) {
      expect(actions([statement]).every((a) => /^s3:(Get|List)/.test(a))).toBe(true);
      expect(JSON.stringify(statement.Resource)).toContain('jumpstart-cache-prod-');
    }
  });

  test('each is an ImpressionsFunction named after its handler folder', () => {
    for (const [fn, dir] of [
      [functions.validateInput, 'validate-input'],
      [functions.preflightQuotas, 'preflight-quotas'],
      [functions.resolveModel, 'resolve-model'],
    ] as const) {
      const resource = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)];
      expect(resource.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(dir);
    }
  });

  test('is nag-clean, its acknowledgements next to the functions', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
