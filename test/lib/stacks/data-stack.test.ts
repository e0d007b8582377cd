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

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(buildApp(testApp()).data)).toEqual([]);
  });
});
