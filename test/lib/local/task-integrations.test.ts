/**
 * The task integrations the local Step Functions uses, against the local SageMaker control plane:
 * the Step Functions error names of SageMaker errors (aws-sdk and optimized integrations) and the
 * `.sync` training task; and, against moto server, the CloudWatch Logs calls of the run's log-group
 * states and the janitor's SNS notification.
 */
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startSageMakerControlPlane, type ControlPlaneOptions, type SageMakerControlPlane } from '../../../lib/local/sagemaker-control-plane';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { startMoto, type MotoServer } from '../../../lib/local/moto-server';
import { sageMakerTaskError, taskHandler, type TaskIntegrationDeps } from '../../../lib/local/task-integrations';
import type { LambdaRuntime } from '../../../lib/local/lambda-runtime';

const open: SageMakerControlPlane[] = [];

async function plane(options: ControlPlaneOptions = {}): Promise<{ cp: SageMakerControlPlane; sm: SageMakerClient }> {
  const cp = await startSageMakerControlPlane({ trainingPhaseMs: 20, endpointCreatingMs: 60, ...options });
  open.push(cp);
  return { cp, sm: new SageMakerClient({ endpoint: cp.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 }) };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((cp) => cp.close()));
});

describe('task integrations: Step Functions error names of SageMaker errors', () => {
  const noLambda = {} as LambdaRuntime;

  test('aws-sdk integration: an undeclared error (ValidationException "Could not find") is SageMaker.SageMakerException with the service cause', async () => {
    const { sm } = await plane();
    const describe = taskHandler('describe', 'arn:aws:states:::aws-sdk:sagemaker:describeEndpoint', { lambda: noLambda, sagemaker: sm, syncPollMs: 10 });
    await expect(describe({ EndpointName: 'gone' }, new AbortController().signal)).rejects.toMatchObject({
      name: 'SageMaker.SageMakerException',
      message: expect.stringMatching(/^Could not find endpoint ".*endpoint\/gone"\. \(Service: SageMaker, Status Code: 400, Request ID: /),
    });
  });

  test('a declared error gets the service prefix and the Exception suffix (ResourceInUse → SageMaker.ResourceInUseException)', async () => {
    const { sm } = await plane();
    const input = {
      TrainingJobName: 'dup',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      AlgorithmSpecification: { TrainingImage: 'i', TrainingInputMode: 'File' as const },
      OutputDataConfig: { S3OutputPath: 's3://b/' },
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge' as const, InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 60 },
    };
    await sm.send(new CreateTrainingJobCommand(input));
    const error = await sm.send(new CreateTrainingJobCommand(input)).catch((e: unknown) => e);
    expect(sageMakerTaskError(error, 'SageMaker.SageMakerException')).toMatchObject({ name: 'SageMaker.ResourceInUseException' });
  });

  test('createTrainingJob.sync returns the description when the job completes and fails with States.TaskFailed when it fails', async () => {
    const { sm } = await plane({ trainingFailure: 'AlgorithmError: boom' });
    const sync = taskHandler('train', 'arn:aws:states:::sagemaker:createTrainingJob.sync', { lambda: noLambda, sagemaker: sm, syncPollMs: 20 });
    const input = {
      TrainingJobName: 'fails',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      AlgorithmSpecification: { TrainingImage: 'i', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://b/' },
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 60 },
    };
    const error = (await sync(input, new AbortController().signal).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('States.TaskFailed');
    expect(JSON.parse(error.message)).toMatchObject({ TrainingJobName: 'fails', TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: boom' });
  });

  test('a resource without a local integration is refused before the run, naming the state', () => {
    const deps = { lambda: noLambda, sagemaker: {} as SageMakerClient, syncPollMs: 1 };
    expect(() => taskHandler('Put item', 'arn:aws:states:::dynamodb:putItem', deps)).toThrow(
      /state "Put item": resource arn:aws:states:::dynamodb:putItem has no local integration/,
    );
    expect(() => taskHandler('Describe', 'arn:aws:states:::aws-sdk:ec2:describeInstances', deps)).toThrow(/state "Describe": .* no local integration/);
    expect(() => taskHandler('Logs', 'arn:aws:states:::aws-sdk:cloudwatchlogs:noSuchAction', deps)).toThrow(/no local integration/);
    // Supported, but the rehearsal must hand over the client.
    expect(() => taskHandler('Notify', 'arn:aws:states:::sns:publish', deps)).toThrow(/state "Notify": .* no SNS client/);
    expect(() => taskHandler('Log group', 'arn:aws:states:::aws-sdk:cloudwatchlogs:createLogGroup', deps)).toThrow(/no CloudWatchLogs client/);
  });
});

describe('task integrations against moto: CloudWatch Logs (aws-sdk) and SNS (optimized)', () => {
  let moto: MotoServer;
  let logs: CloudWatchLogsClient;
  let sns: SNSClient;
  const deps = (): TaskIntegrationDeps => ({ lambda: {} as LambdaRuntime, sagemaker: {} as SageMakerClient, logs, sns, syncPollMs: 1 });
  const signal = new AbortController().signal;

  beforeAll(async () => {
    moto = await startMoto();
    const config = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 };
    logs = new CloudWatchLogsClient(config);
    sns = new SNSClient(config);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  test('createLogGroup takes the PascalCase parameters (Tags keep their keys); a second create is CloudWatchLogs.ResourceAlreadyExistsException', async () => {
    const create = taskHandler('pretrained: create log group', 'arn:aws:states:::aws-sdk:cloudwatchlogs:createLogGroup', deps());
    const input = { LogGroupName: '/aws/sagemaker/Endpoints/impressions-r1-pt', Tags: { application: 'radiology-impressions', 'run-id': 'r1' } };
    await expect(create(input, signal)).resolves.toEqual({});
    const retention = taskHandler('set log retention', 'arn:aws:states:::aws-sdk:cloudwatchlogs:putRetentionPolicy', deps());
    await retention({ LogGroupName: input.LogGroupName, RetentionInDays: 90 }, signal);
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: input.LogGroupName }));
    expect(groups.logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[input.LogGroupName, 90]]);
    const tags = await logs.send(new ListTagsLogGroupCommand({ logGroupName: input.LogGroupName }));
    expect(tags.tags).toEqual(input.Tags);
    // The name the run's Catch matches (`*.ResourceAlreadyExistsException`), with the service cause.
    await expect(create(input, signal)).rejects.toMatchObject({
      name: 'CloudWatchLogs.ResourceAlreadyExistsException',
      message: expect.stringMatching(/already exists \(Service: CloudWatchLogs, Status Code: 400, Request ID: /),
    });
  });

  test('the output comes back with PascalCase member names', async () => {
    const describe = taskHandler('describe', 'arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups', deps());
    const output = (await describe({ LogGroupNamePrefix: '/aws/sagemaker/' }, signal)) as { LogGroups: unknown[] };
    expect(output.LogGroups.length).toBeGreaterThan(0);
  });

  test('sns:publish publishes to the topic and returns its MessageId; a missing topic is SNS.NotFoundException', async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));
    const publish = taskHandler('Janitor: notify (gave up)', 'arn:aws:states:::sns:publish', deps());
    await expect(publish({ TopicArn: topic.TopicArn, Subject: 'the janitor gave up', Message: 'run r1: 1 resource left' }, signal)).resolves.toEqual({
      MessageId: expect.any(String),
    });
    await expect(publish({ TopicArn: `${topic.TopicArn}-missing`, Message: 'm' }, signal)).rejects.toMatchObject({ name: 'SNS.NotFoundException' });
  });
});
