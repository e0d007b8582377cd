import '../../helpers/quiet-logs';
import { createHandler, type LogGroupResponse } from '../../../lambda/sagemaker-log-group/index';
import { decodeAdoption } from '../../../lib/core/run/log-group-adoption';
import { startCloudWatchLogsStandIn, type CloudWatchLogsStandIn } from '../../helpers/cloudwatch-logs-stand-in';

const GROUP = '/aws/sagemaker/TrainingJobs';
const DATA_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const NEW_KEY = 'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000';
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

const properties = (overrides: Record<string, string> = {}) => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  LogGroupName: GROUP,
  KmsKeyId: DATA_KEY,
  RetentionInDays: '90',
  ReleaseKeyOnDelete: 'false',
  ...overrides,
});

describe('sagemaker-log-group custom resource, with the real SDK client against a CloudWatch Logs stand-in', () => {
  let logs: CloudWatchLogsStandIn;
  let onEvent: (event: unknown) => Promise<LogGroupResponse>;
  beforeEach(async () => {
    // Two groups per page and a sibling with the same prefix: the handler must page and match exactly.
    logs = await startCloudWatchLogsStandIn(2);
    logs.groups.set('/aws/sagemaker/Endpoints/x', {});
    logs.groups.set('/aws/sagemaker/TrainingJobs-archive', { retentionInDays: 7 });
    logs.groups.set('/aws/sagemaker/TrainingJobsA', {});
    onEvent = createHandler(logs.client());
  });
  afterEach(() => logs.close());

  test('no group yet: creates it under the data key with the retention; delete keeps it, key and all', async () => {
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: DATA_KEY, retentionInDays: 90 });
    expect(decodeAdoption(created.PhysicalResourceId)).toEqual({ logGroupName: GROUP, created: true });
    expect(created.Data).toEqual({ LogGroupName: GROUP });
    await onEvent({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties() });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: DATA_KEY, retentionInDays: 90 });
    expect(logs.groups.get('/aws/sagemaker/TrainingJobs-archive')).toEqual({ retentionInDays: 7 });
  });

  test('no group yet and the key is deleted with the stack: delete drops the key so SageMaker can keep writing', async () => {
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties({ ReleaseKeyOnDelete: 'true' }) });
    await onEvent({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties({ ReleaseKeyOnDelete: 'true' }) });
    expect(logs.groups.get(GROUP)).toEqual({ retentionInDays: 90 });
  });

  test('an existing unencrypted group that never expires is adopted, a key change is applied, and delete gives it back as it was', async () => {
    logs.groups.set(GROUP, {});
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: DATA_KEY, retentionInDays: 90 });
    expect(decodeAdoption(created.PhysicalResourceId)).toEqual({ logGroupName: GROUP, created: false });
    expect(logs.calls.filter((c) => c.startsWith('CreateLogGroup'))).toEqual([]);

    const updated = await onEvent({
      RequestType: 'Update',
      PhysicalResourceId: created.PhysicalResourceId,
      ResourceProperties: properties({ KmsKeyId: NEW_KEY }),
    });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: NEW_KEY, retentionInDays: 90 });
    // What is restored on delete is what the group had before the app touched it, not the previous deployment's key.
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);

    await onEvent({ RequestType: 'Delete', PhysicalResourceId: updated.PhysicalResourceId, ResourceProperties: properties({ KmsKeyId: NEW_KEY }) });
    expect(logs.groups.get(GROUP)).toEqual({});
  });

  test('an existing group under another key with 30 days gets both back on delete', async () => {
    logs.groups.set(GROUP, { kmsKeyId: OTHER_KEY, retentionInDays: 30 });
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: DATA_KEY, retentionInDays: 90 });
    expect(decodeAdoption(created.PhysicalResourceId)).toEqual({
      logGroupName: GROUP,
      created: false,
      previousKmsKeyId: OTHER_KEY,
      previousRetentionInDays: 30,
    });
    await onEvent({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties({ ReleaseKeyOnDelete: 'true' }) });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: OTHER_KEY, retentionInDays: 30 });
  });

  test('SageMaker creates the group between the look and the create: the handler adopts it instead', async () => {
    logs.before('CreateLogGroup', () => logs.groups.set(GROUP, { retentionInDays: 14 }));
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: DATA_KEY, retentionInDays: 90 });
    expect(decodeAdoption(created.PhysicalResourceId)).toEqual({ logGroupName: GROUP, created: false, previousRetentionInDays: 14 });
  });

  test('a group deleted by hand before the stack: delete has nothing to give back and succeeds', async () => {
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    logs.groups.delete(GROUP);
    await expect(onEvent({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties() })).resolves.toEqual({
      PhysicalResourceId: created.PhysicalResourceId,
    });
  });

  test('the rollback delete of a create that never returned a record touches nothing and succeeds', async () => {
    logs.groups.set(GROUP, { kmsKeyId: OTHER_KEY });
    await expect(onEvent({ RequestType: 'Delete', PhysicalResourceId: '2026/01/01/[$LATEST]abc', ResourceProperties: properties() })).resolves.toEqual({
      PhysicalResourceId: '2026/01/01/[$LATEST]abc',
    });
    expect(logs.groups.get(GROUP)).toEqual({ kmsKeyId: OTHER_KEY });
    expect(logs.calls).toEqual([]);
  });

  test('an update may not move the record to another log group', async () => {
    const created = await onEvent({ RequestType: 'Create', ResourceProperties: properties() });
    await expect(
      onEvent({
        RequestType: 'Update',
        PhysicalResourceId: created.PhysicalResourceId,
        ResourceProperties: properties({ LogGroupName: '/aws/sagemaker/Other' }),
      }),
    ).rejects.toThrow('the log group cannot change from /aws/sagemaker/TrainingJobs to /aws/sagemaker/Other');
  });

  test.each([
    [{ RequestType: 'Create', ResourceProperties: properties({ RetentionInDays: '45' }) }, /retention of 45 days is not one CloudWatch Logs accepts/],
    [{ RequestType: 'Create', ResourceProperties: properties({ KmsKeyId: '' }) }, /ResourceProperties\.KmsKeyId must be a non-empty string/],
    [{ RequestType: 'Create', ResourceProperties: properties({ ReleaseKeyOnDelete: 'yes' }) }, /ReleaseKeyOnDelete must be "true" or "false"/],
    [{ RequestType: 'Replace', ResourceProperties: properties() }, /RequestType "Replace" is not Create, Update or Delete/],
    [{ RequestType: 'Delete', ResourceProperties: properties() }, /Delete without a PhysicalResourceId/],
  ])('a bad request is refused before any call: %#', async (event, message) => {
    await expect(onEvent(event)).rejects.toThrow(message);
    expect(logs.calls).toEqual([]);
  });

  test('a CloudWatch Logs error other than "already exists" fails the request', async () => {
    logs.before('DescribeLogGroups', () => undefined);
    logs.before('CreateLogGroup', () => logs.groups.set(GROUP, {}));
    logs.before('AssociateKmsKey', () => logs.groups.delete(GROUP));
    await expect(onEvent({ RequestType: 'Create', ResourceProperties: properties() })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
