import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { nagFindings, testApp } from '../../helpers/cdk';

describe('DataStack', () => {
  test('is named from the resource prefix and exports the bucket and key', () => {
    const { data } = buildApp(testApp({ 'impressions:resourcePrefix': 'rad' }));
    expect(data.stackName).toBe('rad-data');
    const outputs = Template.fromStack(data).toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['DataBucketName', 'DataKeyArn']));
    Template.fromStack(data).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/rad-data' });
  });

  test('uses the configured bucket name', () => {
    const { data } = buildApp(testApp({ 'impressions:bucketName': 'chest-xray-results' }));
    Template.fromStack(data).hasResourceProperties('AWS::S3::Bucket', { BucketName: 'chest-xray-results' });
  });

  test('a bad configuration fails the app with the key named', () => {
    expect(() => buildApp(testApp({ 'impressions:epochs': 'zero' }))).toThrow(/impressions:epochs: received "zero"; allowed: a whole number from 1 to 100/);
  });

  test('the retained bucket, log bucket and key keep their logical ids (a change would replace them: new, empty ones)', () => {
    // Literals on purpose: renaming a construct id changes a logical id, and CloudFormation then creates
    // a new resource and orphans the retained one with the patient data. Update only with a migration plan.
    const resources = Template.fromStack(buildApp(testApp()).data).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    const retained = Object.entries(resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([id, r]) => `${id} ${r.Type}`)
      .sort();
    expect(retained).toEqual(['DataAccessLogsC0C25EE4 AWS::S3::Bucket', 'DataBucketE6B0FAA8 AWS::S3::Bucket', 'DataKey5F086070 AWS::KMS::Key']);
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(buildApp(testApp()).data)).toEqual([]);
  });
});
