/**
 * The task integrations the local Step Functions uses, against the local SageMaker control plane:
 * the Step Functions error names of SageMaker errors (aws-sdk and optimized integrations) and the
 * `.sync` training task.
 */
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startSageMakerControlPlane, type ControlPlaneOptions, type SageMakerControlPlane } from '../../../lib/local/sagemaker-control-plane';
import { sageMakerTaskError, taskHandler } from '../../../lib/local/task-integrations';
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
    expect(() => taskHandler('Send mail', 'arn:aws:states:::sns:publish', { lambda: noLambda, sagemaker: {} as SageMakerClient, syncPollMs: 1 })).toThrow(
      /state "Send mail": resource arn:aws:states:::sns:publish has no local integration/,
    );
  });
});
