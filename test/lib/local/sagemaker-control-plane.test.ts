/**
 * The local SageMaker control plane through the real SDK clients: endpoint and training job
 * lifecycles, SageMaker's refusals and messages, tags and the tagging API, quotas, the ledger.
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  AddTagsCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { startSageMakerControlPlane, type ControlPlaneOptions, type SageMakerControlPlane } from '../../../lib/local/sagemaker-control-plane';

const credentials = { accessKeyId: 'CALLER', secretAccessKey: 'secret' };
const open: SageMakerControlPlane[] = [];

async function plane(options: ControlPlaneOptions = {}): Promise<{ cp: SageMakerControlPlane; sm: SageMakerClient }> {
  const cp = await startSageMakerControlPlane({
    trainingPhaseMs: 20,
    endpointCreatingMs: 60,
    endpointDeletingMs: 20,
    actors: new Map([['CALLER', 'tester']]),
    ...options,
  });
  open.push(cp);
  return { cp, sm: new SageMakerClient({ endpoint: cp.url, region: 'us-east-1', credentials, maxAttempts: 1 }) };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((cp) => cp.close()));
});

const tags = [
  { Key: 'impressions:app', Value: 'impressions' },
  { Key: 'impressions:run-id', Value: 'r1' },
];

async function host(sm: SageMakerClient, name: string, modelDataUrl = 's3://bucket/model.tar.gz'): Promise<void> {
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
      PrimaryContainer: { Image: 'image', ModelDataUrl: modelDataUrl },
      Tags: tags,
    }),
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 }],
      Tags: tags,
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name, Tags: tags }));
}

async function settle(sm: SageMakerClient, name: string): Promise<string | undefined> {
  for (let i = 0; i < 50; i += 1) {
    const status = (await sm.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus;
    if (status !== 'Creating') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'Creating';
}

describe('local SageMaker control plane', () => {
  test('an endpoint goes Creating → InService (ml.g5.2xlarge accepted), cannot be deleted while Creating, then Deleting → gone', async () => {
    const { cp, sm } = await plane();
    await host(sm, 'impressions-r1-pt');
    await expect(sm.send(new DeleteEndpointCommand({ EndpointName: 'impressions-r1-pt' }))).rejects.toThrow(/Cannot update in-progress endpoint/);
    expect(await settle(sm, 'impressions-r1-pt')).toBe('InService');
    expect(cp.endpointModel('impressions-r1-pt')).toEqual({ status: 'InService', modelDataUri: 's3://bucket/model.tar.gz' });
    await sm.send(new DeleteEndpointCommand({ EndpointName: 'impressions-r1-pt' }));
    await new Promise((r) => setTimeout(r, 60));
    await expect(sm.send(new DescribeEndpointCommand({ EndpointName: 'impressions-r1-pt' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/impressions-r1-pt".',
    });
    expect(cp.ledger.map((e) => `${e.action} ${e.kind} by ${e.by}`)).toEqual([
      'create model by tester',
      'create endpoint-config by tester',
      'create endpoint by tester',
      'delete endpoint by tester',
    ]);
  });

  test('an endpoint whose model data is missing ends Failed with a download FailureReason; a configured failure too', async () => {
    const { sm } = await plane({ s3Exists: async (uri) => uri !== 's3://bucket/missing/', endpointFailure: (n) => (n === 'bad' ? 'health check' : undefined) });
    await host(sm, 'nodata', 's3://bucket/missing/');
    await host(sm, 'bad');
    expect(await settle(sm, 'nodata')).toBe('Failed');
    expect((await sm.send(new DescribeEndpointCommand({ EndpointName: 'nodata' }))).FailureReason).toMatch(
      /^Failed to download model data .*s3:\/\/bucket\/missing\//,
    );
    expect(await settle(sm, 'bad')).toBe('Failed');
  });

  test('a training job runs its phases and writes artifacts; a job without input data fails as SageMaker fails it; StopTrainingJob stops', async () => {
    const written: string[] = [];
    const { sm } = await plane({
      s3Exists: async (uri) => uri.startsWith('s3://bucket/train_data/'),
      writeArtifacts: async ({ name, outputPath, compression }) => (written.push(`${name} ${compression}`), `${outputPath}${name}/output/model/`),
    });
    const job = (name: string, channel: string) =>
      new CreateTrainingJobCommand({
        TrainingJobName: name,
        RoleArn: 'arn:aws:iam::123456789012:role/r',
        AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
        InputDataConfig: [{ ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: channel } } }],
        OutputDataConfig: { S3OutputPath: 's3://bucket/runs/r1/model/', CompressionType: 'NONE' },
        ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        Tags: tags,
      });
    await sm.send(job('ok', 's3://bucket/train_data/'));
    await sm.send(job('nodata', 's3://bucket/elsewhere/'));
    await sm.send(job('stopme', 's3://bucket/train_data/'));
    await sm.send(new StopTrainingJobCommand({ TrainingJobName: 'stopme' }));
    await new Promise((r) => setTimeout(r, 200));
    const ok = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'ok' }));
    expect(ok.TrainingJobStatus).toBe('Completed');
    expect(ok.ModelArtifacts?.S3ModelArtifacts).toBe('s3://bucket/runs/r1/model/ok/output/model/');
    expect(ok.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    expect(written).toEqual(['ok NONE']);
    const nodata = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nodata' }));
    expect(nodata.TrainingJobStatus).toBe('Failed');
    expect(nodata.FailureReason).toMatch(/^ClientError: No S3 objects found under S3 URL "s3:\/\/bucket\/elsewhere\/"/);
    expect((await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'stopme' }))).TrainingJobStatus).toBe('Stopped');
    await expect(sm.send(new StopTrainingJobCommand({ TrainingJobName: 'ok' }))).rejects.toThrow(/training job is in status Completed/);
  });

  test('the tagging API lists resources by tag and type; Service Quotas lists the configured SageMaker quotas', async () => {
    const { cp, sm } = await plane({ quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-1', Value: 2 }] });
    await host(sm, 'impressions-r1-ft');
    await sm.send(new CreateModelCommand({ ModelName: 'other', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'i' } }));
    const tagging = new ResourceGroupsTaggingAPIClient({ endpoint: cp.url, region: 'us-east-1', credentials });
    const listed = await tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: 'impressions:run-id', Values: ['r1'] }], ResourceTypeFilters: ['sagemaker:endpoint', 'sagemaker:model'] }),
    );
    expect(listed.ResourceTagMappingList?.map((m) => m.ResourceARN).sort()).toEqual([
      'arn:aws:sagemaker:us-east-1:123456789012:endpoint/impressions-r1-ft',
      'arn:aws:sagemaker:us-east-1:123456789012:model/impressions-r1-ft',
    ]);
    const quotas = new ServiceQuotasClient({ endpoint: cp.url, region: 'us-east-1', credentials });
    expect((await quotas.send(new ListServiceQuotasCommand({ ServiceCode: 'sagemaker' }))).Quotas).toEqual([
      expect.objectContaining({ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-1', Value: 2 }),
    ]);
  });

  test('DescribeModel and DescribeEndpointConfig answer for what exists and "Could not find" (ValidationException) once deleted', async () => {
    const { sm } = await plane();
    await host(sm, 'impressions-r1-pt');
    expect(await sm.send(new DescribeModelCommand({ ModelName: 'impressions-r1-pt' }))).toMatchObject({
      ModelName: 'impressions-r1-pt',
      ModelArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/impressions-r1-pt',
      PrimaryContainer: { ModelDataUrl: 's3://bucket/model.tar.gz' },
    });
    expect(await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'impressions-r1-pt' }))).toMatchObject({
      EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/impressions-r1-pt',
      ProductionVariants: [expect.objectContaining({ ModelName: 'impressions-r1-pt' })],
    });
    await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'impressions-r1-pt' }));
    await sm.send(new DeleteModelCommand({ ModelName: 'impressions-r1-pt' }));
    await expect(sm.send(new DescribeModelCommand({ ModelName: 'impressions-r1-pt' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/impressions-r1-pt".',
    });
    await expect(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'impressions-r1-pt' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^Could not find endpoint configuration ".*endpoint-config\/impressions-r1-pt"\.$/),
    });
  });

  test('ListTags and AddTags answer for a resource that exists and refuse a deleted one (ValidationException); a re-created resource starts untagged', async () => {
    const { sm } = await plane();
    await host(sm, 'impressions-r1-ft');
    const model = 'arn:aws:sagemaker:us-east-1:123456789012:model/impressions-r1-ft';
    expect((await sm.send(new ListTagsCommand({ ResourceArn: model }))).Tags).toEqual(tags);
    const added = await sm.send(new AddTagsCommand({ ResourceArn: model, Tags: [{ Key: 'impressions:keep', Value: 'true' }] }));
    expect(added.Tags).toEqual([{ Key: 'impressions:keep', Value: 'true' }]);
    expect((await sm.send(new ListTagsCommand({ ResourceArn: model }))).Tags).toEqual([...tags, { Key: 'impressions:keep', Value: 'true' }]);
    await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'impressions-r1-ft' }));
    await sm.send(new DeleteModelCommand({ ModelName: 'impressions-r1-ft' }));
    await expect(sm.send(new ListTagsCommand({ ResourceArn: model }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(sm.send(new AddTagsCommand({ ResourceArn: model, Tags: tags }))).rejects.toMatchObject({ name: 'ValidationException' });
    await sm.send(
      new CreateModelCommand({ ModelName: 'impressions-r1-ft', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'i' } }),
    );
    expect((await sm.send(new ListTagsCommand({ ResourceArn: model }))).Tags).toEqual([]);
  });
});
