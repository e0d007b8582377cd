/** FineTuningStage alone, executed locally (test/helpers/asl-execution.ts) from the run state the first Parallel gives it. */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FineTuningStage, FineTuningStageProps } from '../../../lib/constructs/fine-tuning-stage';
import { at, statePath } from '../../../lib/core/json-path';
import type { FineTuningBranchState, RunSetup } from '../../../lib/core/run/contracts';
import { executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleResolvedModel, sampleRunSetup } from '../../helpers/run-execution';
import { SageMakerSimulator } from '../../helpers/sagemaker-simulator';

function definition(props: Partial<FineTuningStageProps> = {}) {
  return fragmentDefinition((scope) => {
    const stage = new FineTuningStage(scope, 'FineTuning', {
      executionRole: new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }),
      key: new kms.Key(scope, 'Key'),
      resourcePrefix: 'impressions',
      spot: false,
      resultPath: at(statePath<FineTuningBranchState>(), 'training'),
      ...props,
    });
    // As the run does (through its failure note): a training error leaves through `failed`, caught at $.call.caught.
    stage.failed.next(new sfn.Fail(scope, 'Caught', { errorPath: '$.call.caught.Error', causePath: '$.call.caught.Cause' }));
    return stage;
  });
}
const ON_DEMAND = definition();

async function run(setup: RunSetup, options: { definition?: ReturnType<typeof definition>; sim?: SageMakerSimulator } = {}) {
  // Alone, the job ends as soon as it is created (in a run it outlasts the pretrained evaluation).
  const sim = options.sim ?? new SageMakerSimulator({ training: { ends: 'at-once' } });
  const outcome = await executeDefinition({ definition: options.definition ?? ON_DEMAND, input: setup, sim });
  return { ...outcome, output: outcome.output as FineTuningBranchState | undefined, job: outcome.params['training: fine-tune'] };
}

describe('FineTuningStage', () => {
  test('trains with the resolved settings and hands on the weights where resolution put them', async () => {
    const setup = sampleRunSetup();
    const { status, output, job, sim } = await run(setup);
    expect(status).toBe('SUCCEEDED');
    expect(output!.training).toEqual({ trainingJobName: setup.plan.names.trainingJob, modelData: setup.settings.inference.fineTunedModelData });
    expect(output!.training.modelData).toEqual({ type: 'prefix', uri: `${setup.plan.outputPath}${setup.plan.names.trainingJob}/output/model/` });
    expect([...sim.trainingJobs.keys()]).toEqual([setup.plan.names.trainingJob]);
    expect(job).toEqual(
      expect.objectContaining({
        TrainingJobName: setup.plan.names.trainingJob,
        AlgorithmSpecification: {
          TrainingImage: setup.settings.training.image,
          TrainingInputMode: 'File',
          MetricDefinitions: setup.settings.training.metricDefinitions,
        },
        HyperParameters: setup.settings.training.hyperparameters,
        OutputDataConfig: { S3OutputPath: setup.plan.outputPath, KmsKeyId: expect.any(String), CompressionType: 'NONE' },
        ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.p3.16xlarge', VolumeSizeInGB: 300, VolumeKmsKeyId: expect.any(String) },
        StoppingCondition: { MaxRuntimeInSeconds: 360000 },
        EnableNetworkIsolation: true,
        EnableInterContainerTrafficEncryption: true,
        Tags: [
          { Key: 'impressions:app', Value: 'impressions' },
          { Key: 'impressions:run-id', Value: setup.plan.runId },
        ],
      }),
    );
    expect(job).not.toHaveProperty('EnableManagedSpotTraining');
    expect(job).not.toHaveProperty('CheckpointConfig');
  });

  test('an instance type with NVMe storage gets no VolumeKmsKeyId', async () => {
    const { job } = await run(sampleRunSetup({ resolved: sampleResolvedModel({ volumeKmsSupported: false }) }));
    expect(job.ResourceConfig).toEqual({ InstanceCount: 1, InstanceType: 'ml.p3.16xlarge', VolumeSizeInGB: 300 });
  });

  test('spot: managed spot training with checkpoints under the run, waiting the allowance beyond the run-time limit', async () => {
    const setup = sampleRunSetup();
    const { job } = await run(setup, { definition: definition({ spot: true }) });
    expect(job).toMatchObject({
      EnableManagedSpotTraining: true,
      CheckpointConfig: { S3Uri: setup.plan.checkpointPath },
      StoppingCondition: { MaxRuntimeInSeconds: 360000, MaxWaitTimeInSeconds: 360000 + 12 * 3600 },
    });
    const shorter = await run(setup, { definition: definition({ spot: true, spotWaitAllowance: Duration.hours(1) }) });
    expect(shorter.job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 360000, MaxWaitTimeInSeconds: 360000 + 3600 });
  });

  test('skipTraining: no job; the given model data, as resolution read it, is the fine-tuned model', async () => {
    const setup = sampleRunSetup({ input: { skipTraining: true, modelData: 's3://data-bucket/runs/earlier/model/model.tar.gz' } });
    const { status, output, sim } = await run(setup);
    expect(status).toBe('SUCCEEDED');
    expect(sim.trainingJobs.size).toBe(0);
    expect(output!.training).toEqual({ modelData: { type: 'tarball', uri: 's3://data-bucket/runs/earlier/model/model.tar.gz' } });
  });

  test('a failed job fails the stage with the .sync error and its cause', async () => {
    const { status, error, cause } = await run(sampleRunSetup(), {
      sim: new SageMakerSimulator({ training: { outcome: 'Failed', reason: 'AlgorithmError: CUDA out of memory', ends: 'at-once' } }),
    });
    expect(status).toBe('FAILED');
    expect(error).toBe('States.TaskFailed');
    expect(cause).toContain('CUDA out of memory');
  });

  test('a throttled CreateTrainingJob is retried, and the job created once', async () => {
    const { status, sim } = await run(sampleRunSetup(), { sim: new SageMakerSimulator({ throttle: { createTrainingJob: 1 }, training: { ends: 'at-once' } }) });
    expect(status).toBe('SUCCEEDED');
    expect(sim.calls.createTrainingJob).toBe(2);
    expect(sim.trainingJobs.size).toBe(1);
  });
});
