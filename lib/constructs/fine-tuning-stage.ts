import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SAGEMAKER_RETRY, runTags } from './sagemaker-tasks';

/** Properties of {@link FineTuningStage}. */
export interface FineTuningStageProps {
  /** Role the training job runs as. */
  readonly executionRole: iam.IRole;
  /** Key encrypting the training output and, where the instance type allows it, the volume. */
  readonly key: kms.IKey;
  /** Prefix of every SageMaker name (tags). */
  readonly resourcePrefix: string;
  /** Use managed spot training, with checkpoints under `$.plan.checkpointPath`. */
  readonly spot: boolean;
  /**
   * How much longer than the run-time limit a spot job may wait for capacity.
   * @default Duration.hours(12)
   */
  readonly spotWaitAllowance?: Duration;
  /** JSONPath at which the stage writes its result. */
  readonly resultPath: string;
}

/**
 * Fine-tunes the resolved JumpStart model with `createTrainingJob.sync` (a CustomState: the CDK
 * task cannot express spot, checkpoints, inter-container encryption, output compression or a
 * conditional volume key), or, when `$.plan.skipTraining`, takes `$.plan.modelData` as the
 * fine-tuned weights (a key ending in `.tar.gz` is a tarball, anything else a prefix).
 *
 * Input: the run state with `$.plan` (names.trainingJob, outputPath, checkpointPath, skipTraining,
 * modelData, runId) and `$.settings.training` (image, instanceType, hyperparameters,
 * metricDefinitions, inputDataConfig, enableNetworkIsolation, enableInterContainerTrafficEncryption,
 * outputCompression, volumeKmsSupported, volumeSizeGb, maxRuntimeSeconds) and
 * `$.settings.inference.fineTunedModelDataType`.
 * Output (at `resultPath`): `{ "trainingJobName": string | null, "modelData": { "type": "tarball" | "prefix", "uri": "s3://…" } }`.
 * Errors: `SageMaker.AmazonSageMakerException` and the .sync integration's `States.TaskFailed`
 * when the job fails or stops (cause: the DescribeTrainingJob output with FailureReason).
 *
 * When the execution (or an enclosing Parallel) is stopped, Step Functions stops the job; the
 * clean-up stage stops it again in case it did not.
 */
export class FineTuningStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** The training task (retries and metrics). */
  public readonly trainingTask: sfn.CustomState;

  constructor(scope: Construct, id: string, props: FineTuningStageProps) {
    super(scope, id);
    const training = '$.settings.training';
    const waitAllowance = (props.spotWaitAllowance ?? Duration.hours(12)).toSeconds();

    const stopping: Record<string, string> = props.spot
      ? {
          'MaxRuntimeInSeconds.$': `${training}.maxRuntimeSeconds`,
          'MaxWaitTimeInSeconds.$': `States.MathAdd(${training}.maxRuntimeSeconds, ${waitAllowance})`,
        }
      : { 'MaxRuntimeInSeconds.$': `${training}.maxRuntimeSeconds` };
    const resources = (withKey: boolean): sfn.Pass =>
      new sfn.Pass(this, withKey ? 'ResourcesWithKey' : 'Resources', {
        stateName: withKey ? 'training: resources (encrypted volume)' : 'training: resources (instance storage)',
        comment: withKey ? undefined : 'NVMe instance storage rejects VolumeKmsKeyId; it is encrypted by the hardware.',
        parameters: {
          ResourceConfig: {
            InstanceCount: 1,
            'InstanceType.$': `${training}.instanceType`,
            'VolumeSizeInGB.$': `${training}.volumeSizeGb`,
            ...(withKey ? { VolumeKmsKeyId: props.key.keyArn } : {}),
          },
          StoppingCondition: stopping,
        },
        resultPath: '$.trainingResources',
      });
    const withKey = resources(true);
    const withoutKey = resources(false);

    const spotSettings = props.spot ? { EnableManagedSpotTraining: true, CheckpointConfig: { 'S3Uri.$': '$.plan.checkpointPath' } } : {};
    this.trainingTask = new sfn.CustomState(this, 'training: fine-tune', {
      stateJson: {
        Type: 'Task',
        Comment: 'Fine-tune; .sync waits for the job and returns DescribeTrainingJob.',
        Resource: `arn:${Stack.of(this).partition}:states:::sagemaker:createTrainingJob.sync`,
        Parameters: {
          'TrainingJobName.$': '$.plan.names.trainingJob',
          RoleArn: props.executionRole.roleArn,
          AlgorithmSpecification: {
            'TrainingImage.$': `${training}.image`,
            TrainingInputMode: 'File',
            'MetricDefinitions.$': `${training}.metricDefinitions`,
          },
          'HyperParameters.$': `${training}.hyperparameters`,
          'InputDataConfig.$': `${training}.inputDataConfig`,
          OutputDataConfig: {
            'S3OutputPath.$': '$.plan.outputPath',
            KmsKeyId: props.key.keyArn,
            'CompressionType.$': `${training}.outputCompression`,
          },
          'ResourceConfig.$': '$.trainingResources.ResourceConfig',
          'StoppingCondition.$': '$.trainingResources.StoppingCondition',
          'EnableNetworkIsolation.$': `${training}.enableNetworkIsolation`,
          'EnableInterContainerTrafficEncryption.$': `${training}.enableInterContainerTrafficEncryption`,
          ...spotSettings,
          Tags: runTags(props.resourcePrefix),
        },
        ResultSelector: {
          'TrainingJobName.$': '$.TrainingJobName',
          'S3ModelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts',
        },
        ResultPath: '$.trainingJob',
      },
    });
    this.trainingTask.addRetry(SAGEMAKER_RETRY);

    const trained = new sfn.Pass(this, 'Trained', {
      stateName: 'training: fine-tuned model data',
      parameters: {
        'trainingJobName.$': '$.trainingJob.TrainingJobName',
        modelData: { 'type.$': '$.settings.inference.fineTunedModelDataType', 'uri.$': '$.trainingJob.S3ModelArtifacts' },
      },
      resultPath: props.resultPath,
    });
    const givenTarball = new sfn.Pass(this, 'GivenTarball', {
      stateName: 'training: skipped (tarball given)',
      parameters: { trainingJobName: null, modelData: { type: 'tarball', 'uri.$': '$.plan.modelData' } },
      resultPath: props.resultPath,
    });
    const givenPrefix = new sfn.Pass(this, 'GivenPrefix', {
      stateName: 'training: skipped (prefix given)',
      parameters: { trainingJobName: null, modelData: { type: 'prefix', 'uri.$': '$.plan.modelData' } },
      resultPath: props.resultPath,
    });

    const skip = new sfn.Choice(this, 'Skip', { stateName: 'training: skip?' })
      .when(
        sfn.Condition.booleanEquals('$.plan.skipTraining', true),
        new sfn.Choice(this, 'GivenType', { stateName: 'training: given model data type' })
          .when(sfn.Condition.stringMatches('$.plan.modelData', '*.tar.gz'), givenTarball)
          .otherwise(givenPrefix),
      )
      .otherwise(
        new sfn.Choice(this, 'VolumeKey', { stateName: 'training: encrypt volume?' })
          .when(sfn.Condition.booleanEquals(`${training}.volumeKmsSupported`, true), withKey)
          .otherwise(withoutKey),
      );
    withKey.next(this.trainingTask);
    withoutKey.next(this.trainingTask);
    this.trainingTask.next(trained);

    this.startState = skip;
    this.endStates = [trained, givenTarball, givenPrefix];
  }
}
