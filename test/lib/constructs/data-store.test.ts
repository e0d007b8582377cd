import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataPrefix, DataStore } from '../../../lib/constructs/data-store';
import { nagFindings, testApp } from '../../helpers/cdk';

function build(props: ConstructorParameters<typeof DataStore>[2] = {}) {
  const stack = new Stack(testApp(), 'S');
  const store = new DataStore(stack, 'Data', props);
  return { stack, store, template: Template.fromStack(stack) };
}

describe('DataStore', () => {
  test('the key is customer-managed with rotation, and lets CloudWatch Logs of this account and region use it', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('the data bucket uses SSE-KMS with the key and a bucket key, blocks public access and is versioned', () => {
    const { template, stack, store } = build();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['llm-radiology-bucket-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(store.key.node.defaultChild as never), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: stack.getLogicalId(store.accessLogsBucket.node.defaultChild as never) },
        LogFilePrefix: 'data-bucket/',
      },
    });
  });

  test('the data bucket denies requests without TLS and below TLS 1.2', () => {
    const { template } = build();
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
    // Both buckets carry both statements.
    expect(statements.filter((s) => s.Effect === 'Deny' && String(s.Action) === 's3:*')).toHaveLength(4);
  });

  test('lifecycle expires noncurrent versions and athena-results/, and aborts stale multipart uploads', () => {
    const { template } = build({ noncurrentVersionExpiration: Duration.days(14) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 14 }, Status: 'Enabled' },
          { Id: 'expire-athena-results', Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' },
          { Id: 'abort-incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
        ],
      },
    });
  });

  test('the access log bucket is SSE-S3 (required for log delivery), TLS-only, private and versioned', () => {
    const { template, stack, store } = build();
    const logical = stack.getLogicalId(store.accessLogsBucket.node.defaultChild as never);
    const bucket = template.toJSON().Resources[logical];
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('buckets and key are retained by default', () => {
    const { template } = build();
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('removeDataOnDestroy deletes buckets (emptied first) and the key, with a warning', () => {
    const { template, stack } = build({ removeDataOnDestroy: true });
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const r of Object.values(template.findResources(type))) expect(r).toMatchObject({ DeletionPolicy: 'Delete' });
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    Annotations.fromStack(stack).hasWarning(
      '/S/Data',
      Match.stringLikeRegexp('removeDataOnDestroy is true: `cdk destroy` empties and deletes the data bucket'),
    );
  });

  test('a configured bucket name is used as is', () => {
    build({ bucketName: 'my-radiology-data' }).template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'my-radiology-data' });
  });

  test.each([
    [{ bucketName: 'Not_Valid' }, /DataStore: bucketName "Not_Valid" is not a valid S3 bucket name/],
    [{ noncurrentVersionExpiration: Duration.hours(1) }, /DataStore: noncurrentVersionExpiration must be at least 1 day/],
    [{ athenaResultsExpiration: Duration.hours(2) }, /DataStore: athenaResultsExpiration must be at least 1 day/],
  ])('rejects invalid props %p', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('grants are scoped to one prefix and carry the key permission', () => {
    const stack = new Stack(testApp(), 'S');
    const store = new DataStore(stack, 'Data');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    store.grantRead(role, DataPrefix.EVAL_DATA);
    store.grantWrite(role, DataPrefix.PREDICTION_DATA);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0] as {
      Properties: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } };
    };
    const text = JSON.stringify(policy.Properties.PolicyDocument.Statement);
    expect(text).toContain('/eval_data/*');
    expect(text).toContain('/prediction_data/*');
    expect(text).not.toMatch(/"\/\*"/);
    expect(text).toContain('kms:Decrypt');
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s) => s.Action);
    expect(actions).not.toContain('s3:*');
    expect(actions).not.toContain('s3:DeleteObject*');
  });

  test('is nag-clean (AwsSolutions and HIPAA Security), retained or not', () => {
    expect(nagFindings(build().stack)).toEqual([]);
    expect(nagFindings(build({ removeDataOnDestroy: true }).stack)).toEqual([]);
  });
});
