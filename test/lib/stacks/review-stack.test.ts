/**
 * The review stack's resources and grants: readers (Cognito, MFA, no self sign-up, no AWS
 * credentials), the workforce, work teams, human task UIs and flow definitions (custom resources),
 * the A2I role (writes only reviews/a2i-output/), the review Lambdas (only the review prefixes;
 * rows only under prediction_data/reviews/), the state machine, the event rule, nag and cfn-lint.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { buildApp } from '../../../lib/app';
import { DataPrefix } from '../../../lib/constructs/data-store';
import { A2I_OUTPUT_PREFIX, REVIEW_RESULTS_PREFIX, REVIEWS_PREFIX } from '../../../lib/core/review/keys';
import { REVIEW_RESOURCE_TYPES } from '../../../lib/core/review/review-lambda-contracts';
import { ReviewStack } from '../../../lib/stacks/review-stack';
import { stateMachineDefinitions } from '../../helpers/asl';
import { nagReport, testApp } from '../../helpers/cdk';
import { cfnLint, describeFindings, testWithCfnLint } from '../../helpers/cfn-lint';

const CONTEXT = { 'impressions:reviewEnabled': true, 'impressions:reviewAllowedCidrs': '203.0.113.0/24' };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function build(context: Record<string, unknown> = CONTEXT): ReviewStack {
  return buildApp(testApp(context)).review!;
}
const stack = build();
const template = Template.fromStack(stack);

/** The statements of the inline policy of the role whose logical id starts with `prefix`. */
function statementsOf(prefix: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(prefix)),
  );
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement as Statement[];
}
const actions = (s: Statement[]) => s.flatMap((x) => [x.Action].flat()).sort();
const json = (v: unknown) => JSON.stringify(v);
/** The S3 object resources of statements with any s3:Put or s3:Get action. */
const objectResources = (s: Statement[], kind: 'Put' | 'Get') =>
  s
    .filter((x) => [x.Action].flat().some((a) => a.startsWith(`s3:${kind}`)))
    .flatMap((x) => [x.Resource].flat())
    .map(json)
    .filter((r) => r.includes('/'));

describe('ReviewStack', () => {
  test('is only deployed with impressions:reviewEnabled', () => {
    expect(buildApp(testApp()).review).toBeUndefined();
    expect(stack.stackName).toBe('impressions-review');
  });

  test('the data prefixes of reviews are the ones the core uses', () => {
    expect([DataPrefix.REVIEWS, DataPrefix.A2I_OUTPUT, DataPrefix.REVIEW_RESULTS]).toEqual([REVIEWS_PREFIX, A2I_OUTPUT_PREFIX, REVIEW_RESULTS_PREFIX]);
  });

  test("readers' user pool: invitation only, e-mail sign-in, MFA required with an authenticator app, strong passwords, Plus plan with threat protection, retained", () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        UsernameAttributes: ['email'],
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }),
        },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['', ['impressions-readers-', { Ref: 'AWS::AccountId' }]] } });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: true, PreventUserExistenceErrors: 'ENABLED' });
    // Readers never get AWS credentials: no identity pool, no role a Cognito identity could assume.
    template.resourceCountIs('AWS::Cognito::IdentityPool', 0);
    expect(json(template.findResources('AWS::IAM::Role'))).not.toContain('cognito-identity');
  });

  test('one Cognito group and one private work team per team, all in the workforce', () => {
    for (const team of ['reader-1', 'reader-2', 'reader-3', 'feedback']) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: `impressions-${team}` });
      template.hasResourceProperties('AWS::SageMaker::Workteam', {
        WorkteamName: `impressions-${team}`,
        WorkforceName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReadersWorkforce'), 'WorkforceName'] },
        MemberDefinitions: [
          {
            CognitoMemberDefinition: {
              CognitoUserPool: { Ref: Match.stringLikeRegexp('^Readers[0-9A-F]{8}$') },
              CognitoClientId: { Ref: Match.stringLikeRegexp('^ReadersPortalClient') },
              CognitoUserGroup: { Ref: Match.stringLikeRegexp(`^ReadersGroup${team.replace('-', '')}`) },
            },
          },
        ],
      });
    }
    template.resourceCountIs('AWS::SageMaker::Workteam', 4);
  });

  test('the workforce, human task UIs and flow definitions are custom resources with the settings A2I needs', () => {
    template.hasResourceProperties(REVIEW_RESOURCE_TYPES.workforce, {
      WorkforceName: 'impressions-readers',
      UserPoolId: { Ref: Match.stringLikeRegexp('^Readers[0-9A-F]{8}$') },
      ClientId: { Ref: Match.stringLikeRegexp('^ReadersPortalClient') },
      Cidrs: ['203.0.113.0/24'],
    });
    const uis = template.findResources(REVIEW_RESOURCE_TYPES.humanTaskUi);
    expect(
      Object.values(uis)
        .map((u) => u.Properties.HumanTaskUiName)
        .sort(),
    ).toEqual(['impressions-evaluation-review', 'impressions-feedback-review']);
    for (const ui of Object.values(uis)) {
      expect(ui.Properties.Template).toContain('<crowd-form>');
      expect(ui.Properties.Template.length).toBeLessThanOrEqual(128000);
    }
    const flows = Object.values(template.findResources(REVIEW_RESOURCE_TYPES.flowDefinition));
    expect(flows.map((f) => f.Properties.FlowDefinitionName).sort()).toEqual([
      'impressions-review-feedback',
      'impressions-review-reader-1',
      'impressions-review-reader-2',
      'impressions-review-reader-3',
    ]);
    for (const f of flows) {
      expect(f.Properties).toMatchObject({ TaskAvailabilitySeconds: '864000', TaskTimeLimitSeconds: '3600' });
      expect(json(f.Properties.OutputPath)).toContain('/reviews/a2i-output/');
      expect(json(f.Properties.WorkteamArn)).toMatch(/workteam\/private-crowd\/impressions-(reader-\d|feedback)/);
      // The data key of the data stack encrypts A2I's output.
      expect(json(f.Properties.KmsKeyArn)).toMatch(/DataKey/);
      expect(json(f.Properties.RoleArn)).toContain('TaskFlowsA2iRole');
    }
    const evaluation = flows.find((f) => f.Properties.FlowDefinitionName === 'impressions-review-reader-2')!;
    expect(json(evaluation.Properties.HumanTaskUiArn)).toContain('HumanTaskUievaluation');
    expect(evaluation.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ReadersWorkteamreader2/)]));
  });

  test('the A2I role: trusted by SageMaker of this account; may put objects under reviews/a2i-output/ with the data key, nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'sagemaker.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
        Version: '2012-10-17',
      },
    });
    const s = statementsOf('TaskFlowsA2iRole');
    // DataStore.grantWrite: put and multipart only (no tagging, retention or legal hold), no delete.
    expect(actions(s).filter((a) => a.startsWith('s3:'))).toEqual([
      's3:AbortMultipartUpload',
      's3:ListBucketMultipartUploads',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ]);
    expect(objectResources(s, 'Put')).toEqual([expect.stringContaining('/reviews/a2i-output/*')]);
    expect(objectResources(s, 'Get')).toEqual([]);
    // S3 asks KMS for a data key on every put under the data key, and to decrypt it when a multipart upload completes.
    expect(actions(s).filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('review functions: each reads reviews/ and writes only where it must; rows only under prediction_data/reviews/', () => {
    const put = (fn: string) => objectResources(statementsOf(`Review${fn}Role`), 'Put').sort();
    expect(put('StartLoops')).toEqual([]);
    expect(put('StoreWaitToken')).toEqual([expect.stringContaining('/reviews/*')]);
    for (const fn of ['OnLoopEvent', 'SummarizeReview']) expect(put(fn)).toEqual([expect.stringContaining('/prediction_data/reviews/*')]);
    expect(put('CloseReview')).toEqual([expect.stringContaining('/prediction_data/reviews/*'), expect.stringContaining('/reviews/*')]);
    for (const fn of ['StartLoops', 'StoreWaitToken', 'OnLoopEvent', 'CloseReview', 'SummarizeReview']) {
      const s = statementsOf(`Review${fn}Role`);
      for (const r of [...objectResources(s, 'Put'), ...objectResources(s, 'Get')]) expect(r).toMatch(/\/(prediction_data\/)?reviews\/\*"/);
      expect(actions(s)).not.toContain('s3:DeleteObject*');
    }
    expect(actions(statementsOf('ReviewStartLoopsRole'))).toEqual(expect.arrayContaining(['sagemaker:StartHumanLoop', 'sagemaker:DescribeHumanLoop']));
    expect(actions(statementsOf('ReviewCloseReviewRole'))).toEqual(expect.arrayContaining(['sagemaker:DescribeHumanLoop', 'sagemaker:StopHumanLoop']));
    for (const fn of ['OnLoopEvent', 'StoreWaitToken']) {
      const end = statementsOf(`Review${fn}Role`).find((x) => x.Sid === 'EndReviewWait')!;
      expect(end.Action).toBe('states:SendTaskSuccess');
      expect(json(end.Resource)).toContain(':stateMachine:impressions-review');
    }
    const start = statementsOf('ReviewStartLoopsRole').find((x) => x.Sid === 'StartReviewLoops')!;
    expect(json(start.Resource)).toContain('flow-definition/impressions-review-reader-1-*');
  });

  test('the custom resources may manage only their own names, and pass only the A2I role to SageMaker', () => {
    const s = statementsOf('ResourcesOnEventRole');
    expect(json(s.find((x) => x.Sid === 'ManageReviewWorkforce')!.Resource)).toContain('workforce/impressions-readers');
    expect(json(s.find((x) => x.Sid === 'ManageReviewFlowDefinitions')!.Resource)).toContain('flow-definition/impressions-review-feedback-*');
    expect(json(s.find((x) => x.Sid === 'ManageReviewHumanTaskUis')!.Resource)).toContain('human-task-ui/impressions-evaluation-review-*');
    const pass = s.find((x) => x.Sid === 'PassTheA2iRole')!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(json(pass.Resource)).toContain('TaskFlowsA2iRole');
    expect(json(s.find((x) => x.Sid === 'LetSageMakerConfigureTheReadersPool')!.Resource)).toMatch(/Readers[0-9A-F]{8}/);
  });

  test('the state machine: named, Standard, logs without data, X-Ray, at most 11 days, valid ASL', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'impressions-review',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    const definitions = Object.entries(stateMachineDefinitions(stack)).filter(([id]) => id.startsWith('ReviewStateMachine'));
    expect(definitions).toHaveLength(1);
    const [, definition] = definitions[0];
    expect(definition.TimeoutSeconds).toBe(11 * 86400);
    const { isValid, errors } = aslValidator(definition as never, { checkPaths: true, checkArn: true });
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
    expect(definition.States['Wait for answers']).toMatchObject({
      Resource: expect.stringContaining('lambda:invoke.waitForTaskToken'),
      TimeoutSecondsPath: '$.Payload.waitSeconds',
    });
  });

  test("the event rule takes A2I's status changes of this app's flow definitions to the loop-event function, with a dead-letter queue", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker A2I HumanLoop Status Change'],
        detail: {
          flowDefinitionArn: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^TaskFlowsFlowDefinitionreader1'), 'FlowDefinitionArn'] }]),
          humanLoopStatus: ['Completed', 'Failed', 'Stopped'],
        },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 8 } })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 14 * 86400 });
  });

  test('outputs for the CLI', () => {
    for (const output of ['ReviewStateMachineArn', 'ReviewPortalUrl', 'ReviewUserPoolId']) template.hasOutput(output, Match.anyValue());
  });

  test('no unacknowledged and no stale cdk-nag finding', () => {
    expect(nagReport(stack)).toEqual({ unacknowledged: [], stale: [] });
  });

  test('validates its settings', () => {
    expect(() => build({ ...CONTEXT, 'impressions:reviewDomainPrefix': 'my-cognito-readers' })).toThrow(/reviewDomainPrefix/);
    expect(() => build({ ...CONTEXT, 'impressions:reviewAllowedCidrs': '10.0.0.0/33' })).toThrow(/reviewAllowedCidrs/);
  });

  testWithCfnLint('review-stack.test.ts')('cfn-lint finds no error and no warning but the dependencies CDK adds to function roles (W3005)', () => {
    const findings = cfnLint([template.toJSON()]).filter((f) => !(f.Rule.Id === 'W3005' && /Role/.test(f.Message)));
    expect(describeFindings(findings)).toEqual([]);
  });
});
