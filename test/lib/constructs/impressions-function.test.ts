import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ImpressionsFunction, ImpressionsFunctionProps, InvocationMode } from '../../../lib/constructs/impressions-function';
import { nagFindings, testApp } from '../../helpers/cdk';

function build(props: Partial<ImpressionsFunctionProps> = {}) {
  const stack = new Stack(testApp(), 'S');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const fn = new ImpressionsFunction(stack, 'Fn', {
    handlerDir: 'validate-input',
    description: 'test function',
    logKey: key,
    invocation: InvocationMode.SYNCHRONOUS,
    ...props,
  });
  return { stack, fn, template: Template.fromStack(stack) };
}

describe('ImpressionsFunction', () => {
  test('Node.js 24 on ARM64, X-Ray, reserved concurrency, JSON logs to its own KMS-encrypted group, Powertools named after the handler folder', () => {
    const { template } = build({ environment: { EXTRA: 'x' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Description: 'test function',
      Timeout: 60,
      MemorySize: 512,
      ReservedConcurrentExecutions: 2,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^FnLogs') } },
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'validate-input', LOG_LEVEL: 'INFO', NODE_OPTIONS: '--enable-source-maps', EXTRA: 'x' } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] }, RetentionInDays: 90 },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  test('its own role: no managed policy; it may write its log group only (and send traces)', () => {
    const { template } = build();
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/^FnRole/)]);
    expect(Object.values(roles)[0]).not.toHaveProperty('Properties.ManagedPolicyArns');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    const logs = statements.filter((s) => JSON.stringify(s.Action).includes('logs:'));
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0].Resource)).toMatch(/FnLogs/);
    const star = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(star.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  test('handler name, timeout, memory, concurrency, log level and retention can be set', () => {
    const { template } = build({
      handlerName: 'onEvent',
      timeout: Duration.minutes(5),
      memorySize: 2048,
      reservedConcurrentExecutions: 7,
      logLevel: 'DEBUG',
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Timeout: 300,
      MemorySize: 2048,
      ReservedConcurrentExecutions: 7,
      Environment: { Variables: Match.objectLike({ LOG_LEVEL: 'DEBUG' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('an asynchronous function needs a dead-letter queue, and gets two retries within six hours', () => {
    expect(() => build({ invocation: InvocationMode.ASYNCHRONOUS })).toThrow(
      'ImpressionsFunction Fn: an asynchronously invoked function needs a deadLetterQueue',
    );
    const stack = new Stack(testApp(), 'A');
    const key = new kms.Key(stack, 'Key');
    new ImpressionsFunction(stack, 'Fn', {
      handlerDir: 'janitor',
      description: 'async',
      logKey: key,
      invocation: InvocationMode.ASYNCHRONOUS,
      deadLetterQueue: new sqs.Queue(stack, 'Dlq', { encryptionMasterKey: key }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  });

  test('is nag-clean on its own: its acknowledgements (X-Ray, inline policy, no VPC, synchronous DLQ) cover it and nothing more', () => {
    expect(nagFindings(build().stack)).toEqual([]);
  });
});
