/**
 * The offline policy evaluator the security tests rely on: if it said "allowed" too easily, every
 * least-privilege and safety-net test built on it would prove nothing.
 */
import { allows, evaluate, type TemplateStatement } from './iam-policy';

const queueArn = { 'Fn::GetAtt': ['Queue', 'Arn'] };
const ruleArn = { 'Fn::GetAtt': ['Rule', 'Arn'] };
const queuePolicy: TemplateStatement[] = [
  {
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
  },
  { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
];
const tls = { 'aws:SecureTransport': 'true' };

describe('resource policies', () => {
  test('a statement applies only to the principal it names', () => {
    const request = { action: 'sqs:SendMessage', resource: queueArn, context: { 'aws:SourceArn': ruleArn, ...tls } };
    expect(allows(queuePolicy, { ...request, principal: { Service: 'events.amazonaws.com' } })).toBe(true);
    expect(evaluate(queuePolicy, { ...request, principal: { Service: 'sns.amazonaws.com' } })).toBe('implicit-deny');
    expect(evaluate(queuePolicy, { ...request, principal: { AWS: 'arn:aws:iam::111122223333:root' } })).toBe('implicit-deny');
  });

  test('intrinsics in the resource and the context compare as the template renders them', () => {
    const request = { principal: { Service: 'events.amazonaws.com' }, action: 'sqs:SendMessage', resource: queueArn };
    expect(allows(queuePolicy, { ...request, context: { 'aws:SourceArn': { 'Fn::GetAtt': ['OtherRule', 'Arn'] }, ...tls } })).toBe(false);
    expect(allows(queuePolicy, { ...request, resource: { 'Fn::GetAtt': ['OtherQueue', 'Arn'] }, context: { 'aws:SourceArn': ruleArn, ...tls } })).toBe(false);
  });

  test('{"AWS": "*"} is everyone: the TLS deny wins over the allow', () => {
    const request = { principal: { Service: 'events.amazonaws.com' }, action: 'sqs:SendMessage', resource: queueArn };
    expect(evaluate(queuePolicy, { ...request, context: { 'aws:SourceArn': ruleArn, 'aws:SecureTransport': 'false' } })).toBe('explicit-deny');
  });

  test('a condition key the request does not carry makes an Allow useless (a key policy with aws:SourceArn, asked without it)', () => {
    const keyPolicy: TemplateStatement[] = [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:*' } },
      },
    ];
    expect(allows(keyPolicy, { principal: { Service: 'events.amazonaws.com' }, action: 'kms:GenerateDataKey', context: {} })).toBe(false);
    expect(
      allows(keyPolicy, {
        principal: { Service: 'events.amazonaws.com' },
        action: 'kms:GenerateDataKey',
        context: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:1:rule/r' },
      }),
    ).toBe(true);
  });
});

describe('identity policies', () => {
  test('a request without a resource matches only "*"; IfExists passes an absent key; actions match case-insensitively', () => {
    const statements: TemplateStatement[] = [
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:1:key/k' },
      {
        Effect: 'Allow',
        Action: 'sagemaker:DeleteEndpoint',
        Resource: 'arn:aws:sagemaker:*:*:endpoint/rad-*',
        Condition: { StringEqualsIfExists: { 'aws:ResourceTag/app': 'rad' } },
      },
    ];
    expect(allows(statements, { action: 'kms:Decrypt' })).toBe(false);
    expect(allows(statements, { action: 'kms:decrypt', resource: 'arn:aws:kms:eu-west-1:1:key/k' })).toBe(true);
    const endpoint = 'arn:aws:sagemaker:eu-west-1:1:endpoint/rad-x';
    expect(allows(statements, { action: 'sagemaker:DeleteEndpoint', resource: endpoint })).toBe(true);
    expect(allows(statements, { action: 'sagemaker:DeleteEndpoint', resource: endpoint, context: { 'aws:ResourceTag/app': 'other' } })).toBe(false);
    expect(allows(statements, { action: 'sagemaker:DeleteEndpoint', resource: 'arn:aws:sagemaker:eu-west-1:1:endpoint/other' })).toBe(false);
  });
});
