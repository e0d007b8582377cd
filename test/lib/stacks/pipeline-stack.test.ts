import { Template, Match } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { buildApp } from '../../../lib/app';
import { PipelineStack } from '../../../lib/stacks/pipeline-stack';
import { stateMachineDefinitions } from '../../helpers/asl';
import { nagFindings, testApp } from '../../helpers/cdk';

function build(context: Record<string, unknown> = {}): { stack: PipelineStack; template: Template } {
  const { pipeline } = buildApp(testApp(context));
  return { stack: pipeline, template: Template.fromStack(pipeline) };
}

const { stack, template } = build();

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Effect: string;
  Sid?: string;
}

/** Every statement of every policy attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const out: Statement[] = [];
  for (const policy of Object.values(policies)) {
    const props = (policy as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }).Properties;
    if (props.Roles.some((r) => r.Ref.startsWith(rolePrefix))) out.push(...props.PolicyDocument.Statement);
  }
  return out;
}
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const render = (v: unknown): string => JSON.stringify(v);

describe('PipelineStack', () => {
  test('is nag-clean (AwsSolutions and HIPAA Security)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('every state machine definition passes asl-validator', () => {
    const definitions = stateMachineDefinitions(stack);
    expect(Object.keys(definitions).length).toBe(3);
    for (const [id, definition] of Object.entries(definitions)) {
      const { isValid, errors } = aslValidator(definition as never, { checkPaths: true, checkArn: true });
      expect({ id, errors: isValid ? [] : errors }).toEqual({ id, errors: [] });
    }
  });

  test('no IAM statement of ours grants a "*" action', () => {
    for (const statement of Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    )) {
      for (const action of actions(statement)) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    }
  });

  test('quota check role: SageMaker reads only (lists, and describes of jobs, endpoints and their configurations)', () => {
    const sageMaker = statementsOf('RunFunctionsPreflightQuotas').filter((s) => actions(s).some((a) => a.startsWith('sagemaker:')));
    expect(sageMaker.flatMap(actions).sort()).toEqual([
      'sagemaker:DescribeEndpoint',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListEndpoints',
      'sagemaker:ListTrainingJobs',
    ]);
    const describe = sageMaker.find((s) => actions(s).includes('sagemaker:DescribeEndpoint'))!;
    const tails = (describe.Resource as unknown[]).map((r) => /:([a-z-]+\/[^"]*)"\]\]\}$/.exec(render(r))?.[1]).sort();
    expect(tails).toEqual(['endpoint-config/*', 'endpoint/*', 'training-job/*']);
  });

  test('state machine role: SageMaker actions only on <prefix>-* names, PassRole only to SageMaker, the .sync rule only', () => {
    const statements = statementsOf('RunStateMachineRole').filter((s) => s.Effect === 'Allow');
    const sageMaker = statements.filter((s) => actions(s).some((a) => a.startsWith('sagemaker:')));
    expect(sageMaker.length).toBeGreaterThan(0);
    for (const statement of sageMaker) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const resource of resources) expect(render(resource)).toMatch(/:(training-job|model|endpoint-config|endpoint)\/impressions-\*"/);
    }
    const allSageMakerActions = sageMaker.flatMap(actions).map((a) => a.toLowerCase());
    for (const needed of [
      'createtrainingjob',
      'describetrainingjob',
      'stoptrainingjob',
      'createmodel',
      'createendpointconfig',
      'createendpoint',
      'describeendpoint',
      'deleteendpoint',
      'deleteendpointconfig',
      'deletemodel',
      'addtags',
    ]) {
      expect(allSageMakerActions).toContain(`sagemaker:${needed}`);
    }
    const passRole = statements.filter((s) => actions(s).includes('iam:PassRole'));
    expect(passRole).toEqual([
      expect.objectContaining({
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        Resource: expect.arrayContaining([
          { 'Fn::GetAtt': [expect.stringMatching(/^SageMakerTraining/), 'Arn'] },
          { 'Fn::GetAtt': [expect.stringMatching(/^SageMakerHosting/), 'Arn'] },
        ]),
      }),
    ]);
    const events = statements.filter((s) => actions(s).some((a) => a.startsWith('events:')));
    expect(events).toHaveLength(1);
    expect(actions(events[0]).sort()).toEqual(['events:DescribeRule', 'events:PutRule', 'events:PutTargets']);
    expect(render(events[0].Resource)).toContain(':rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule');
  });

  test('SageMaker roles: two, no managed policy; each its own images and log group; no data outside train_data/ and runs/', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } },
    });
    expect(Object.keys(roles).sort()).toEqual([expect.stringMatching(/^SageMakerHosting/), expect.stringMatching(/^SageMakerTraining/)]);
    for (const [id, role] of Object.entries(roles)) {
      expect(role).not.toHaveProperty('Properties.ManagedPolicyArns');
      const text = render(statementsOf(id));
      expect(text).toContain('jumpstart-cache-prod-');
      expect(text).not.toContain('/eval_data/');
      expect(text).not.toContain('/prediction_data/');
      const star = statementsOf(id).filter((s) => s.Resource === '*');
      expect(star.flatMap(actions).sort()).toEqual(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);
    }
    const [hosting, training] = Object.keys(roles).sort();
    expect(render(statementsOf(training))).toContain(':763104351884:repository/huggingface-pytorch-training');
    expect(render(statementsOf(training))).not.toContain('-inference');
    expect(render(statementsOf(training))).toContain('log-group:/aws/sagemaker/TrainingJobs');
    expect(render(statementsOf(hosting))).toContain(':763104351884:repository/huggingface-pytorch-tgi-inference');
    expect(render(statementsOf(hosting))).not.toContain('huggingface-pytorch-training');
    expect(render(statementsOf(hosting))).toContain('log-group:/aws/sagemaker/Endpoints/impressions-*');
  });

  test('state machine: Standard, logs ALL without execution data to a KMS-encrypted group, X-Ray on', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
      DefinitionString: Match.anyValue(),
    });
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const group of Object.values(groups)) {
      expect(group).toHaveProperty('Properties.KmsKeyId');
      expect(group).toHaveProperty('Properties.RetentionInDays');
    }
  });

  test('Lambdas: nodejs24.x, X-Ray, reserved concurrency, Powertools environment', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
    });
    expect(Object.keys(functions).length).toBe(11);
    for (const fn of Object.values(functions)) {
      expect(fn).toHaveProperty('Properties.Runtime', 'nodejs24.x');
      expect(fn).toHaveProperty('Properties.TracingConfig.Mode', 'Active');
      expect(fn).toHaveProperty('Properties.ReservedConcurrentExecutions');
      expect(fn).toHaveProperty('Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME');
      expect(fn).toHaveProperty('Properties.Environment.Variables.LOG_LEVEL', 'INFO');
    }
  });

  test('janitor: rule on ABORTED/TIMED_OUT/FAILED executions of this state machine starts the janitor state machine, with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'impressions-run-ended',
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: Match.stringLikeRegexp('^RunStateMachine') }], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^SafetyNetsJanitorWorkflowStateMachine') },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SafetyNetsDeadLetters'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          InputTransformer: Match.objectLike({
            InputPathsMap: { 'detail-executionArn': '$.detail.executionArn', 'detail-name': '$.detail.name', 'detail-status': '$.detail.status' },
          }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'janitor', RESOURCE_PREFIX: 'impressions' }) },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  test('orphan check: an hourly schedule invokes it asynchronously, with a DLQ for the rule and for the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'impressions-orphan-check',
      ScheduleExpression: 'rate(1 hour)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SafetyNetsOrphanCheck'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SafetyNetsDeadLetters'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orphan-check', GRACE_SECONDS: '18000' }) },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SafetyNetsDeadLetters'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  test('sweep: a custom resource with onEvent and isComplete, one hour in total', () => {
    template.resourceCountIs('Custom::ImpressionsSweep', 1);
    template.hasResource('Custom::ImpressionsSweep', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^RunStateMachine')]) });
    const waiter = Object.values(stateMachineDefinitions(stack)).find((d) => !('Validate input' in d.States) && !('Janitor: start' in d.States));
    expect(waiter).toBeDefined();
    // 1 h at one query per minute: the waiter retries isComplete 60 times.
    expect(JSON.stringify(waiter)).toMatch(/"MaxAttempts":60/);
  });

  test('alarms on failed, timed-out and aborted runs publish to an SNS topic encrypted with the data key', () => {
    const topics = template.findResources('AWS::SNS::Topic');
    expect(Object.values(topics)).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ KmsMasterKeyId: expect.anything() }) })]);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      });
    }
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test("publishing failures raise alarms too: the publish function's errors and the analytics refresh metric", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      AlarmDescription: Match.stringLikeRegexp("^Publishing a run's results for Athena/QuickSight failed"),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AnalyticsRefreshFailed',
      Namespace: 'RadiologyImpressions/impressions',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
  });

  test('notificationEmail subscribes the address to the topic', () => {
    const { template: withEmail } = build({ 'impressions:notificationEmail': 'radiology-ops@example.org' });
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'radiology-ops@example.org' });
  });

  test('spot training adds MaxWaitTimeInSeconds and a checkpoint under the run prefix', () => {
    const { stack: spot } = build({ 'impressions:spotTraining': true });
    const run = Object.entries(stateMachineDefinitions(spot)).find(([id]) => id.startsWith('RunStateMachine'))![1];
    const text = JSON.stringify(run);
    expect(text).toContain('"EnableManagedSpotTraining":true');
    expect(text).toContain('"CheckpointConfig":{"S3Uri.$":"$.plan.checkpointPath"}');
    expect(text).toContain('"MaxWaitTimeInSeconds.$":"States.MathAdd($.settings.training.maxRuntimeSeconds, 43200)"');
  });

  test('the quota check is told whether training uses spot capacity', () => {
    const payload = (s: typeof stack) => {
      // payloadResponseOnly: the Lambda ARN is the resource and Parameters is the payload itself.
      const run = Object.entries(stateMachineDefinitions(s)).find(([id]) => id.startsWith('RunStateMachine'))![1] as {
        States: Record<string, { Parameters?: Record<string, unknown> }>;
      };
      return run.States['Check quotas'].Parameters;
    };
    expect(payload(stack)).toMatchObject({ spotTraining: false });
    expect(payload(build({ 'impressions:spotTraining': true }).stack)).toMatchObject({ spotTraining: true });
  });

  test('outputs the state machine ARN', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^RunStateMachine') } });
  });

  test("outputs the SHA-256 of the evaluation's prompt template, which impressions run checks the training channel against", () => {
    // sha256 of the default template's UTF-8 bytes (printf '%s' '<template>' | sha256sum).
    template.hasOutput('PromptTemplateSha256', { Value: 'a7d87cb03f365c075887de221afe9f0d7eaa288dd13801f22ec1fc60ff904f4b' });
  });
});
