import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DataStore } from '../../../lib/constructs/data-store';
import { RunSafetyNets } from '../../../lib/constructs/run-safety-nets';
import { nagFindings, testApp } from '../../helpers/cdk';

function build(sweepTimeout?: Duration) {
  const stack = new Stack(testApp(), 'S');
  const dataStore = new DataStore(stack, 'Data');
  const stateMachine = new sfn.StateMachine(stack, 'Run', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) });
  const nets = new RunSafetyNets(stack, 'Nets', { stateMachine, dataStore, resourcePrefix: 'rad', sweepTimeout });
  return { stack, nets, template: Template.fromStack(stack) };
}
const { stack, nets, template } = build();

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}
/** Statements of the policy of the role whose logical id starts with `prefix`. */
function statements(prefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(prefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('RunSafetyNets', () => {
  test("the janitor rule matches only this state machine's ABORTED, TIMED_OUT and FAILED executions", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: Match.stringLikeRegexp('^Run') }], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetsJanitor'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetsJanitorDlq'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });

  test('the janitor is invoked asynchronously with two retries and a KMS-encrypted dead-letter queue; it knows the prefix', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'janitor', RESOURCE_PREFIX: 'rad' }) },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(nets.deadLetterQueue.fifo).toBe(false);
  });

  test('each clean-up function may find tagged resources and stop or delete only <prefix>-* SageMaker resources', () => {
    for (const role of ['NetsJanitorRole', 'NetsSweepOnEventRole', 'NetsSweepIsCompleteRole']) {
      const sagemaker = statements(role).filter((s) => [s.Action].flat().some((a) => a.startsWith('sagemaker:')));
      expect([...new Set(sagemaker.flatMap((s) => [s.Action].flat()))].sort()).toEqual([
        'sagemaker:DeleteEndpoint',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:DeleteModel',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeTrainingJob',
        'sagemaker:StopTrainingJob',
      ]);
      for (const resource of sagemaker.flatMap((s) => [s.Resource].flat()))
        expect(JSON.stringify(resource)).toMatch(/:(training-job|model|endpoint-config|endpoint)\/rad-\*"/);
      expect(statements(role).find((s) => s.Sid === 'FindTaggedResources')).toMatchObject({ Action: 'tag:GetResources', Resource: '*' });
    }
  });

  test('the sweep is deleted before the state machine and waits up to sweepTimeout, one query a minute', () => {
    template.hasResource('Custom::ImpressionsSweep', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Run')]),
      Properties: Match.objectLike({ ResourcePrefix: 'rad' }),
    });
    const waiter = (t: Template) =>
      JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine')).map((m) => m.Properties.DefinitionString));
    expect(waiter(template)).toMatch(/\\"MaxAttempts\\":60/);
    expect(waiter(build(Duration.minutes(30)).template)).toMatch(/\\"MaxAttempts\\":30/);
  });

  test('is nag-clean (AwsSolutions and HIPAA Security): every finding under it is acknowledged', () => {
    // The test's own stand-in state machine (S/Run) is not part of the construct.
    expect(nagFindings(stack).filter((f) => f.includes(' at S/Nets'))).toEqual([]);
  });
});
