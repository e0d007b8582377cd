/**
 * RunSafetyNets: built alone, the scope of each clean-up function's grants and a nag-clean
 * construct; in the app, the safety nets' policies read from the synthesized templates and evaluated
 * (test/helpers/iam-policy.ts): every sender can write to the encrypted dead-letter queue,
 * CloudWatch can publish each alarm to the encrypted topic, and nothing more than that.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { buildApp } from '../../../lib/app';
import { DataStore } from '../../../lib/constructs/data-store';
import { RunSafetyNets } from '../../../lib/constructs/run-safety-nets';
import { nagFindings, testApp } from '../../helpers/cdk';
import { allows, type TemplateStatement } from '../../helpers/iam-policy';

function buildAlone(sweepTimeout?: Duration) {
  const stack = new Stack(testApp(), 'S');
  const dataStore = new DataStore(stack, 'Data');
  const stateMachine = new sfn.StateMachine(stack, 'Run', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) });
  const alarmTopic = new sns.Topic(stack, 'Alarms', { masterKey: dataStore.key, enforceSSL: true });
  new RunSafetyNets(stack, 'Nets', { stateMachine, dataStore, resourcePrefix: 'rad', alarmTopic, sweepTimeout });
  return { stack, template: Template.fromStack(stack) };
}

describe('RunSafetyNets built alone', () => {
  const { stack, template } = buildAlone();
  /** Statements of the policies of the role whose logical id starts with `prefix`. */
  const statements = (prefix: string): (TemplateStatement & { Sid?: string })[] =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(prefix)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as (TemplateStatement & { Sid?: string })[]);

  test('each function logs under its handler folder and knows the prefix', () => {
    for (const service of ['janitor', 'orphan-check', 'sweep']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: service, RESOURCE_PREFIX: 'rad' }) },
      });
    }
  });

  test('each clean-up function may find tagged resources and stop or delete only <prefix>-* SageMaker resources tagged for this app', () => {
    for (const role of ['NetsJanitorRole', 'NetsOrphanCheckRole', 'NetsSweepOnEventRole', 'NetsSweepIsCompleteRole']) {
      const sagemaker = statements(role).filter((s) => [s.Action ?? []].flat().some((a) => a.startsWith('sagemaker:')));
      expect([...new Set(sagemaker.flatMap((s) => [s.Action ?? []].flat()))].sort()).toEqual([
        'sagemaker:DeleteEndpoint',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:DeleteModel',
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeTrainingJob',
        'sagemaker:StopTrainingJob',
      ]);
      for (const resource of sagemaker.flatMap((s) => [s.Resource].flat()))
        expect(JSON.stringify(resource)).toMatch(/:(training-job|model|endpoint-config|endpoint)\/rad-\*"/);
      for (const change of sagemaker.filter((s) => [s.Action ?? []].flat().some((a) => /:(Stop|Delete)/.test(a))))
        expect(change.Condition).toEqual({ StringEqualsIfExists: { 'aws:ResourceTag/impressions:app': 'rad' } });
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
    expect(waiter(buildAlone(Duration.minutes(30)).template)).toMatch(/\\"MaxAttempts\\":30/);
  });

  test('is nag-clean (AwsSolutions and HIPAA Security): every finding under it is acknowledged', () => {
    // The test's own stand-ins (S/Run, S/Alarms) are not part of the construct.
    expect(nagFindings(stack).filter((f) => f.includes(' at S/Nets'))).toEqual([]);
  });
});

const { data, pipeline } = buildApp(testApp());
const dataTemplate = Template.fromStack(data);
const template = Template.fromStack(pipeline);

type Resource = { Properties: Record<string, unknown> };
const one = (t: Template, type: string, prefix = ''): [string, Resource] => {
  const found = Object.entries(t.findResources(type)).filter(([id]) => id.startsWith(prefix)) as [string, Resource][];
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.map(([id]) => id).join(', ')}`);
  return found[0];
};
const statementsOf = (document: unknown): TemplateStatement[] => (document as { Statement: TemplateStatement[] }).Statement;

const [keyId, key] = one(dataTemplate, 'AWS::KMS::Key');
const keyPolicy = statementsOf(key.Properties.KeyPolicy);
const [queueId] = one(template, 'AWS::SQS::Queue', 'SafetyNetsDeadLetters');
const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
const queuePolicy = statementsOf(one(template, 'AWS::SQS::QueuePolicy', 'SafetyNetsDeadLetters')[1].Properties.PolicyDocument);
const ruleArn = (prefix: string) => ({ 'Fn::GetAtt': [one(template, 'AWS::Events::Rule', prefix)[0], 'Arn'] });
const rules = { runEnded: ruleArn('SafetyNetsRunEnded'), orphanCheck: ruleArn('SafetyNetsOrphanCheckSchedule') };
const TLS = { 'aws:SecureTransport': 'true' };

/** The statements of every IAM policy attached to the role whose logical id starts with `prefix`. */
function rolePolicy(prefix: string): TemplateStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
    const props = (p as Resource).Properties as { Roles: { Ref: string }[]; PolicyDocument: unknown };
    return props.Roles.some((r) => r.Ref.startsWith(prefix)) ? statementsOf(props.PolicyDocument) : [];
  });
}

describe('safety nets: the dead-letter queue is writable by whoever sends to it', () => {
  test('is encrypted with the data key', () => {
    expect(one(template, 'AWS::SQS::Queue', 'SafetyNetsDeadLetters')[1].Properties.KmsMasterKeyId).toEqual(
      expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() }),
    );
    expect(JSON.stringify(one(template, 'AWS::SQS::Queue', 'SafetyNetsDeadLetters')[1].Properties.KmsMasterKeyId)).toContain(keyId);
  });

  test('EventBridge (both rules) may send to the queue, over TLS only, and no other rule or principal may', () => {
    for (const rule of Object.values(rules)) {
      expect(
        allows(queuePolicy, {
          principal: { Service: 'events.amazonaws.com' },
          action: 'sqs:SendMessage',
          resource: queueArn,
          context: { 'aws:SourceArn': rule, ...TLS },
        }),
      ).toBe(true);
    }
    const otherRule = { 'Fn::GetAtt': ['SomeOtherRule', 'Arn'] };
    expect(
      allows(queuePolicy, {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        resource: queueArn,
        context: { 'aws:SourceArn': otherRule, ...TLS },
      }),
    ).toBe(false);
    expect(allows(queuePolicy, { principal: { Service: 'sns.amazonaws.com' }, action: 'sqs:SendMessage', resource: queueArn, context: TLS })).toBe(false);
    expect(
      allows(queuePolicy, {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        resource: queueArn,
        context: { 'aws:SourceArn': rules.runEnded, 'aws:SecureTransport': 'false' },
      }),
    ).toBe(false);
  });

  test('EventBridge may use the data key to encrypt for the queue: the key policy allows it, with no condition its KMS request would not carry', () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(allows(keyPolicy, { principal: { Service: 'events.amazonaws.com' }, action, context: {} })).toBe(true);
    }
    expect(allows(keyPolicy, { principal: { Service: 'events.amazonaws.com' }, action: 'kms:Encrypt', context: {} })).toBe(false);
    expect(allows(keyPolicy, { principal: { Service: 'events.amazonaws.com' }, action: 'kms:CreateGrant', context: {} })).toBe(false);
  });

  test("the orphan check's asynchronous failures reach the queue through its own role: sqs:SendMessage and the key's GenerateDataKey and Decrypt", () => {
    const statements = rolePolicy('SafetyNetsOrphanCheckRole');
    expect(allows(statements, { action: 'sqs:SendMessage', resource: queueArn })).toBe(true);
    const keyArn = statements.flatMap((s) => ((s.Action ?? []).includes('kms:Decrypt') ? [s.Resource] : []))[0];
    expect(JSON.stringify(keyArn)).toContain(keyId);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) expect(allows(statements, { action, resource: keyArn })).toBe(true);
    // The key policy lets IAM policies of the account grant the key (the account root statement).
    expect(
      allows(keyPolicy, {
        principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
        action: 'kms:GenerateDataKey',
      }),
    ).toBe(true);
    const fn = one(template, 'AWS::Lambda::Function', 'SafetyNetsOrphanCheck')[1];
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: queueArn });
  });

  test('both rules name the queue as their target dead-letter queue', () => {
    for (const prefix of ['SafetyNetsRunEnded', 'SafetyNetsOrphanCheckSchedule']) {
      const targets = one(template, 'AWS::Events::Rule', prefix)[1].Properties.Targets as { DeadLetterConfig: unknown }[];
      expect(targets.map((t) => t.DeadLetterConfig)).toEqual([{ Arn: queueArn }]);
    }
  });
});

describe('alarms can publish', () => {
  const topicPolicy = statementsOf(one(template, 'AWS::SNS::TopicPolicy')[1].Properties.PolicyDocument);
  const [topicId] = one(template, 'AWS::SNS::Topic');
  const topic = { Ref: topicId };
  const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
  const account = { Ref: 'AWS::AccountId' };

  test('CloudWatch may publish each of these alarms to the topic, from this account, over TLS', () => {
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      const context = { 'aws:SourceArn': { 'Fn::GetAtt': [alarm, 'Arn'] }, 'aws:SourceAccount': account, ...TLS };
      expect({
        alarm,
        allowed: allows(topicPolicy, { principal: { Service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topic, context }),
      }).toEqual({
        alarm,
        allowed: true,
      });
    }
  });

  test('not another alarm, not another account, not without TLS, not another service', () => {
    const alarm = { 'Fn::GetAtt': [alarms[0], 'Arn'] };
    const publish = (principal: string, context: Record<string, unknown>) =>
      allows(topicPolicy, { principal: { Service: principal }, action: 'sns:Publish', resource: topic, context });
    expect(publish('cloudwatch.amazonaws.com', { 'aws:SourceArn': { 'Fn::GetAtt': ['SomeoneElsesAlarm', 'Arn'] }, 'aws:SourceAccount': account, ...TLS })).toBe(
      false,
    );
    expect(publish('cloudwatch.amazonaws.com', { 'aws:SourceArn': alarm, 'aws:SourceAccount': '999999999999', ...TLS })).toBe(false);
    expect(publish('cloudwatch.amazonaws.com', { 'aws:SourceArn': alarm, 'aws:SourceAccount': account, 'aws:SecureTransport': 'false' })).toBe(false);
    expect(publish('cloudwatch.amazonaws.com', { 'aws:SourceAccount': account, ...TLS })).toBe(false);
    expect(publish('events.amazonaws.com', { 'aws:SourceArn': alarm, 'aws:SourceAccount': account, ...TLS })).toBe(false);
  });

  test('CloudWatch may encrypt for the topic with the data key, for alarms of this account only (confused deputy)', () => {
    const statement = keyPolicy.find((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'))!;
    // The alarm ARN pattern of this account and region, as the key policy renders it.
    const alarmArns = statement.Condition!.ArnLike['aws:SourceArn'];
    const fromAlarm = { 'aws:SourceAccount': account, 'aws:SourceArn': alarmArns };
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(allows(keyPolicy, { principal: { Service: 'cloudwatch.amazonaws.com' }, action, context: fromAlarm })).toBe(true);
      expect(allows(keyPolicy, { principal: { Service: 'cloudwatch.amazonaws.com' }, action, context: {} })).toBe(false);
      expect(
        allows(keyPolicy, { principal: { Service: 'cloudwatch.amazonaws.com' }, action, context: { ...fromAlarm, 'aws:SourceAccount': '999999999999' } }),
      ).toBe(false);
    }
  });

  test('the janitor state machine may publish its give-up notice (sns:Publish and the key)', () => {
    const statements = rolePolicy('SafetyNetsJanitorWorkflowStateMachineRole');
    expect(allows(statements, { action: 'sns:Publish', resource: topic })).toBe(true);
    expect(statements.some((s) => (s.Action ?? []).includes('kms:GenerateDataKey*') && JSON.stringify(s.Resource).includes(keyId))).toBe(true);
  });

  test('the alarms of the safety nets: janitor gave up, orphaned resources, dead letters', () => {
    for (const [name, metric, namespace] of [
      ['JanitorGaveUp', 'ExecutionsFailed', 'AWS/States'],
      ['OrphanedResources', 'OrphanedResources', 'RadiologyImpressions/impressions'],
      ['SafetyNetDeadLetters', 'ApproximateNumberOfMessagesVisible', 'AWS/SQS'],
    ]) {
      const [, alarm] = one(template, 'AWS::CloudWatch::Alarm', `Alarms${name}`);
      expect(alarm.Properties).toMatchObject({ MetricName: metric, Namespace: namespace, Threshold: 1, AlarmActions: [topic] });
    }
  });
});
