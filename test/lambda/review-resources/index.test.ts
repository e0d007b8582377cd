/**
 * The review custom resources against a mocked SageMaker client: what each request creates,
 * updates or deletes, how isComplete follows SageMaker's statuses, and the one-workforce-per-region
 * rule (adopt this stack's, refuse anybody else's).
 */
import {
  CreateFlowDefinitionCommand,
  CreateHumanTaskUiCommand,
  CreateWorkforceCommand,
  DeleteFlowDefinitionCommand,
  DeleteHumanTaskUiCommand,
  DeleteWorkforceCommand,
  DescribeFlowDefinitionCommand,
  DescribeHumanTaskUiCommand,
  ListWorkforcesCommand,
  SageMakerClient,
  UpdateWorkforceCommand,
} from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHandlers, versionedName, type IsCompleteEvent } from '../../../lambda/review-resources/index';
import { REVIEW_RESOURCE_TYPES } from '../../../lib/core/review/review-lambda-contracts';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const sagemaker = mockClient(SageMakerClient);
const { onEvent, isComplete } = createHandlers(new SageMakerClient({ region: 'us-east-1' }));

function event(
  type: string,
  requestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Resource',
    ResourceType: type,
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...extra,
  } as CloudFormationCustomResourceEvent;
}
const done = (e: CloudFormationCustomResourceEvent, physical: string) => ({ ...e, PhysicalResourceId: physical }) as IsCompleteEvent;

const WORKFORCE = { WorkforceName: 'impressions-readers', UserPoolId: 'us-east-1_ABC', ClientId: 'client-1', Cidrs: ['203.0.113.0/24'] };
const WF = REVIEW_RESOURCE_TYPES.workforce;

beforeEach(() => sagemaker.reset());

describe('Custom::ReviewWorkforce', () => {
  test('creates the workforce with the pool, client and CIDRs, and completes when it is Active with its portal', async () => {
    sagemaker.on(ListWorkforcesCommand).resolvesOnce({ Workforces: [] });
    const e = event(WF, 'Create', WORKFORCE);
    expect(await onEvent(e)).toEqual({ PhysicalResourceId: 'impressions-readers' });
    expect(sagemaker).toHaveReceivedCommandWith(CreateWorkforceCommand, {
      WorkforceName: 'impressions-readers',
      CognitoConfig: { UserPool: 'us-east-1_ABC', ClientId: 'client-1' },
      SourceIpConfig: { Cidrs: ['203.0.113.0/24'] },
    });
    const wf = { WorkforceName: 'impressions-readers', WorkforceArn: 'arn:wf', CognitoConfig: { UserPool: 'us-east-1_ABC', ClientId: 'client-1' } };
    sagemaker.reset();
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [{ ...wf, Status: 'Initializing' }] })
      .resolvesOnce({ Workforces: [{ ...wf, Status: 'Active', SubDomain: 'abc123.labeling.us-east-1.sagemaker.aws' }] });
    expect(await isComplete(done(e, 'impressions-readers'))).toEqual({ IsComplete: false });
    expect(await isComplete(done(e, 'impressions-readers'))).toEqual({
      IsComplete: true,
      Data: { WorkforceArn: 'arn:wf', WorkforceName: 'impressions-readers', PortalUrl: 'https://abc123.labeling.us-east-1.sagemaker.aws' },
    });
  });

  test("adopts the region's workforce when it is this pool's (and leaves it on delete); refuses one of another pool", async () => {
    const mine = {
      WorkforceName: 'old-name',
      CognitoConfig: { UserPool: 'us-east-1_ABC', ClientId: 'client-1' },
      Status: 'Active' as const,
      WorkforceArn: 'arn:old',
    };
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [mine] });
    expect(await onEvent(event(WF, 'Create', WORKFORCE))).toEqual({ PhysicalResourceId: 'adopted:old-name' });
    expect(sagemaker).not.toHaveReceivedCommand(CreateWorkforceCommand);
    const del = event(WF, 'Delete', WORKFORCE, { PhysicalResourceId: 'adopted:old-name' });
    await onEvent(del);
    expect(sagemaker).not.toHaveReceivedCommand(DeleteWorkforceCommand);
    expect(await isComplete(done(del, 'adopted:old-name'))).toEqual({ IsComplete: true });

    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [{ ...mine, CognitoConfig: { UserPool: 'us-east-1_OTHER', ClientId: 'x' } }] });
    await expect(onEvent(event(WF, 'Create', WORKFORCE))).rejects.toThrow(
      /already has a private workforce in this region \(old-name, Cognito user pool us-east-1_OTHER\); SageMaker allows one per region/,
    );
  });

  test('updates only the CIDRs; refuses to move to another pool; deletes and waits until it is gone', async () => {
    const old = { ...WORKFORCE, Cidrs: [] };
    await onEvent(event(WF, 'Update', WORKFORCE, { PhysicalResourceId: 'impressions-readers', OldResourceProperties: old }));
    expect(sagemaker).toHaveReceivedCommandWith(UpdateWorkforceCommand, {
      WorkforceName: 'impressions-readers',
      SourceIpConfig: { Cidrs: ['203.0.113.0/24'] },
    });
    await expect(
      onEvent(
        event(WF, 'Update', { ...WORKFORCE, UserPoolId: 'us-east-1_NEW' }, { PhysicalResourceId: 'impressions-readers', OldResourceProperties: WORKFORCE }),
      ),
    ).rejects.toThrow(/cannot move to another Cognito user pool/);
    const del = event(WF, 'Delete', WORKFORCE, { PhysicalResourceId: 'impressions-readers' });
    sagemaker.on(DeleteWorkforceCommand).rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFound' }));
    await expect(onEvent(del)).resolves.toEqual({ PhysicalResourceId: 'impressions-readers' });
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [{ WorkforceName: 'impressions-readers', WorkforceArn: 'arn:wf', Status: 'Deleting' }] })
      .resolvesOnce({ Workforces: [] });
    expect(await isComplete(done(del, 'impressions-readers'))).toEqual({ IsComplete: false });
    expect(await isComplete(done(del, 'impressions-readers'))).toEqual({ IsComplete: true });
  });

  test('fails the deployment when SageMaker reports the workforce Failed', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({
      Workforces: [{ WorkforceName: 'impressions-readers', WorkforceArn: 'arn:wf', Status: 'Failed', FailureReason: 'The user pool has no domain.' }],
    });
    await expect(isComplete(done(event(WF, 'Create', WORKFORCE), 'impressions-readers'))).rejects.toThrow(
      'workforce impressions-readers failed: The user pool has no domain.',
    );
  });
});

describe('Custom::ReviewHumanTaskUi', () => {
  const UI = REVIEW_RESOURCE_TYPES.humanTaskUi;
  const props = { HumanTaskUiName: 'impressions-evaluation-review', Template: '<crowd-form></crowd-form>' };
  const name = versionedName('impressions-evaluation-review', '<crowd-form></crowd-form>');

  test('is named after a hash of its template; a new template is a new UI, the same one is kept', async () => {
    expect(name).toMatch(/^impressions-evaluation-review-[0-9a-f]{8}$/);
    expect(await onEvent(event(UI, 'Create', props))).toEqual({ PhysicalResourceId: name });
    expect(sagemaker).toHaveReceivedCommandWith(CreateHumanTaskUiCommand, { HumanTaskUiName: name, UiTemplate: { Content: '<crowd-form></crowd-form>' } });
    sagemaker.reset();
    expect(await onEvent(event(UI, 'Update', props, { PhysicalResourceId: name, OldResourceProperties: props }))).toEqual({ PhysicalResourceId: name });
    expect(sagemaker).not.toHaveReceivedCommand(CreateHumanTaskUiCommand);
    const changed = { ...props, Template: '<crowd-form><p>v2</p></crowd-form>' };
    const replaced = await onEvent(event(UI, 'Update', changed, { PhysicalResourceId: name, OldResourceProperties: props }));
    expect(replaced.PhysicalResourceId).not.toBe(name);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateHumanTaskUiCommand, 1);
  });

  test('completes with its ARN when Active; deletion completes once it is gone', async () => {
    sagemaker
      .on(DescribeHumanTaskUiCommand)
      .resolvesOnce({ HumanTaskUiArn: 'arn:ui', HumanTaskUiStatus: 'Active', HumanTaskUiName: name, UiTemplate: undefined, CreationTime: new Date() });
    expect(await isComplete(done(event(UI, 'Create', props), name))).toEqual({ IsComplete: true, Data: { HumanTaskUiArn: 'arn:ui' } });
    const del = event(UI, 'Delete', props, { PhysicalResourceId: name });
    await onEvent(del);
    expect(sagemaker).toHaveReceivedCommandWith(DeleteHumanTaskUiCommand, { HumanTaskUiName: name });
    sagemaker.on(DescribeHumanTaskUiCommand).rejects(Object.assign(new Error('no'), { name: 'ResourceNotFound' }));
    expect(await isComplete(done(del, name))).toEqual({ IsComplete: true });
  });
});

describe('Custom::ReviewFlowDefinition', () => {
  const FD = REVIEW_RESOURCE_TYPES.flowDefinition;
  const props = {
    FlowDefinitionName: 'impressions-review-reader-1',
    WorkteamArn: 'arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/impressions-reader-1',
    HumanTaskUiArn: 'arn:ui',
    RoleArn: 'arn:aws:iam::123456789012:role/a2i',
    OutputPath: 's3://bucket/reviews/a2i-output/',
    KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
    TaskTitle: 'Rate two chest X-ray impressions',
    TaskDescription: 'd',
    TaskAvailabilitySeconds: '864000',
    TaskTimeLimitSeconds: '3600',
  };

  test('creates it with one worker per loop, the output path and key; a changed setting is a new flow definition', async () => {
    const created = await onEvent(event(FD, 'Create', props));
    expect(created.PhysicalResourceId).toMatch(/^impressions-review-reader-1-[0-9a-f]{8}$/);
    expect(sagemaker).toHaveReceivedCommandWith(CreateFlowDefinitionCommand, {
      FlowDefinitionName: created.PhysicalResourceId,
      RoleArn: props.RoleArn,
      OutputConfig: { S3OutputPath: props.OutputPath, KmsKeyId: props.KmsKeyArn },
      HumanLoopConfig: {
        WorkteamArn: props.WorkteamArn,
        HumanTaskUiArn: 'arn:ui',
        TaskTitle: props.TaskTitle,
        TaskDescription: 'd',
        TaskCount: 1,
        TaskAvailabilityLifetimeInSeconds: 864000,
        TaskTimeLimitInSeconds: 3600,
      },
    });
    const again = await onEvent(event(FD, 'Update', props, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }));
    expect(again.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const moved = await onEvent(
      event(FD, 'Update', { ...props, HumanTaskUiArn: 'arn:ui-2' }, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }),
    );
    expect(moved.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(sagemaker).toHaveReceivedCommandTimes(CreateFlowDefinitionCommand, 2);
  });

  test('waits for Active, fails on Failed with the reason, and deletion completes once it is gone', async () => {
    const e = event(FD, 'Create', props);
    sagemaker
      .on(DescribeFlowDefinitionCommand)
      .resolvesOnce({
        FlowDefinitionStatus: 'Initializing',
        FlowDefinitionArn: 'arn:fd',
        FlowDefinitionName: 'x',
        CreationTime: new Date(),
        OutputConfig: undefined,
        RoleArn: '',
      })
      .resolvesOnce({
        FlowDefinitionStatus: 'Active',
        FlowDefinitionArn: 'arn:fd',
        FlowDefinitionName: 'x',
        CreationTime: new Date(),
        OutputConfig: undefined,
        RoleArn: '',
      })
      .resolvesOnce({
        FlowDefinitionStatus: 'Failed',
        FailureReason: 'Role cannot be assumed',
        FlowDefinitionArn: 'arn:fd',
        FlowDefinitionName: 'x',
        CreationTime: new Date(),
        OutputConfig: undefined,
        RoleArn: '',
      });
    expect(await isComplete(done(e, 'x'))).toEqual({ IsComplete: false, Data: { FlowDefinitionArn: 'arn:fd' } });
    expect(await isComplete(done(e, 'x'))).toEqual({ IsComplete: true, Data: { FlowDefinitionArn: 'arn:fd' } });
    await expect(isComplete(done(e, 'x'))).rejects.toThrow('flow definition x failed: Role cannot be assumed');
    const del = event(FD, 'Delete', props, { PhysicalResourceId: 'x' });
    sagemaker.on(DeleteFlowDefinitionCommand).rejects(Object.assign(new Error('no'), { name: 'ResourceNotFound' }));
    await expect(onEvent(del)).resolves.toEqual({ PhysicalResourceId: 'x' });
    sagemaker.on(DescribeFlowDefinitionCommand).rejects(Object.assign(new Error('no'), { name: 'ResourceNotFound' }));
    expect(await isComplete(done(del, 'x'))).toEqual({ IsComplete: true });
  });
});

test('an unknown resource type is refused', async () => {
  await expect(onEvent(event('Custom::Other', 'Create', {}))).rejects.toThrow('unknown resource type Custom::Other');
});
