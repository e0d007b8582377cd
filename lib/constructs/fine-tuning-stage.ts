import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, statePath, type JsonPath } from '../core/json-path';
import type { FineTuningResult, RunSetup } from '../core/run/contracts';
import { ResilientTask, type CallScratch } from './sagemaker-call';
import { runTags } from './sagemaker-tasks';
import { ref, stateFields } from './state-json';

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
  /** Where the stage writes its result (in the state of its Parallel branch). */
  readonly resultPath: JsonPath<FineTuningResult>;
}

/** The stage's own fields beside the run state (inside its Parallel branch only). */
interface FineTuningScratch extends RunSetup {
  /** The training job's resources and stopping condition, chosen by instance type and spot. */
  readonly trainingResources: { readonly ResourceConfig: unknown; readonly StoppingCondition: unknown };
  /** The field of DescribeTrainingJob the stage keeps. */
  readonly trainingJob: { readonly TrainingJobName: string };
  /** The training call's attempts and caught error. */
  readonly call: CallScratch;
}

/**
 * Fine-tunes the resolved JumpStart model with `createTrainingJob.sync` (a CustomState: the CDK
 * task cannot express spot, checkpoints, inter-container encryption, output compression or a
 * conditional volume key), or, when `$.plan.skipTraining`, skips it. Either way the fine-tuned
 * weights are `$.settings.inference.fineTunedModelData`, which resolution computed from the plan
 * (the given `modelData`, or where SageMaker writes this job's output): the stage never derives a
 * location of its own.
 *
 * Input: the run state with `$.plan` (names.trainingJob, outputPath, checkpointPath, skipTraining,
 * modelData, runId) and `$.settings.training` (image, instanceType, hyperparameters,
 * metricDefinitions, inputDataConfig, outputCompression, volumeKmsSupported, volumeSizeGb, maxRuntimeSeconds) and
 * `$.settings.inference.fineTunedModelData`.
 * Output (at `resultPath`): a `FineTuningResult`, `{ "trainingJobName": string, "modelData": { "type": "tarball" | "prefix", "uri": "s3://…" } }`
 * (no `trainingJobName` when training was skipped).
 * Errors do not end the fragment: they leave through `failed`, with the caught error at
 * `$.call.caught`. The `.sync` integration reports a job that failed, was stopped or reached its
 * MaxRuntime as `States.TaskFailed` (cause: the DescribeTrainingJob output with its status,
 * secondary status and FailureReason); a refused CreateTrainingJob under SageMaker's names through
 * the optimized integration (SDK for Java v1: `SageMaker.ResourceLimitExceededException`, or
 * `SageMaker.AmazonSageMakerException` with the code in the cause), throttling being retried (see
 * {@link ResilientTask}).
 *
 * When the execution (or an enclosing Parallel) is stopped, Step Functions stops the job; the
 * clean-up stage stops it again in case it did not.
 */
export class FineTuningStage extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];
  /** The training task (retries and metrics). */
  public readonly trainingTask: sfn.CustomState;
  /** Where a training error goes (the caught error at `$.call.caught`, Error and Cause present). */
  public readonly failed: sfn.Pass;

  constructor(scope: Construct, id: string, props: FineTuningStageProps) {
    super(scope, id);
    const state = statePath<FineTuningScratch>();
    const training = at(state, 'settings.training');
    const plan = at(state, 'plan');
    const waitAllowance = (props.spotWaitAllowance ?? Duration.hours(12)).toSeconds();
    const maxRuntime = at(training, 'maxRuntimeSeconds');

    const stopping: Record<string, string> = props.spot
      ? { 'MaxRuntimeInSeconds.$': maxRuntime, 'MaxWaitTimeInSeconds.$': `States.MathAdd(${maxRuntime}, ${waitAllowance})` }
      : { 'MaxRuntimeInSeconds.$': maxRuntime };
    const resources = (withKey: boolean): sfn.Pass =>
      new sfn.Pass(this, withKey ? 'ResourcesWithKey' : 'Resources', {
        stateName: withKey ? 'training: resources (encrypted volume)' : 'training: resources (instance storage)',
        comment: withKey ? undefined : 'NVMe instance storage rejects VolumeKmsKeyId; it is encrypted by the hardware.',
        parameters: {
          ResourceConfig: {
            InstanceCount: 1,
            'InstanceType.$': at(training, 'instanceType'),
            'VolumeSizeInGB.$': at(training, 'volumeSizeGb'),
            ...(withKey ? { VolumeKmsKeyId: props.key.keyArn } : {}),
          },
          StoppingCondition: stopping,
        },
        resultPath: at(state, 'trainingResources'),
      });
    const withKey = resources(true);
    const withoutKey = resources(false);

    const spotSettings = props.spot ? { EnableManagedSpotTraining: true, CheckpointConfig: { 'S3Uri.$': at(plan, 'checkpointPath') } } : {};
    this.trainingTask = new sfn.CustomState(this, 'training: fine-tune', {
      stateJson: {
        Type: 'Task',
        Comment: 'Fine-tune; .sync waits for the job and returns DescribeTrainingJob.',
        Resource: `arn:${Stack.of(this).partition}:states:::sagemaker:createTrainingJob.sync`,
        Parameters: {
          'TrainingJobName.$': at(plan, 'names.trainingJob'),
          RoleArn: props.executionRole.roleArn,
          AlgorithmSpecification: {
            'TrainingImage.$': at(training, 'image'),
            TrainingInputMode: 'File',
            'MetricDefinitions.$': at(training, 'metricDefinitions'),
          },
          'HyperParameters.$': at(training, 'hyperparameters'),
          'InputDataConfig.$': at(training, 'inputDataConfig'),
          OutputDataConfig: {
            'S3OutputPath.$': at(plan, 'outputPath'),
            KmsKeyId: props.key.keyArn,
            'CompressionType.$': at(training, 'outputCompression'),
          },
          'ResourceConfig.$': at(state, 'trainingResources.ResourceConfig'),
          'StoppingCondition.$': at(state, 'trainingResources.StoppingCondition'),
          // Never taken from the spec: data, weights and script arrive as channels, so the container needs no network.
          EnableNetworkIsolation: true,
          EnableInterContainerTrafficEncryption: true,
          ...spotSettings,
          Tags: runTags(props.resourcePrefix),
        },
        ResultSelector: { 'TrainingJobName.$': '$.TrainingJobName' },
        ResultPath: at(state, 'trainingJob'),
      },
    });
    const resilientTraining = new ResilientTask(this, 'Resilience', {
      task: this.trainingTask,
      label: 'training: fine-tune',
      scratch: at(state, 'call'),
      handlesFailure: true,
    });
    this.failed = resilientTraining.failed!;

    const modelData = ref(at(state, 'settings.inference.fineTunedModelData'));
    const trained = new sfn.Pass(this, 'Trained', {
      stateName: 'training: fine-tuned model data',
      parameters: stateFields<FineTuningResult>({ trainingJobName: ref(at(state, 'trainingJob.TrainingJobName')), modelData }),
      resultPath: props.resultPath,
    });
    // The run input's modelData, as resolution turned it into a location.
    const given = new sfn.Pass(this, 'Given', {
      stateName: 'training: skipped (model data given)',
      parameters: stateFields<FineTuningResult>({ modelData }),
      resultPath: props.resultPath,
    });

    const skip = new sfn.Choice(this, 'Skip', { stateName: 'training: skip?' })
      .when(sfn.Condition.booleanEquals(at(plan, 'skipTraining'), true), given)
      .otherwise(
        new sfn.Choice(this, 'VolumeKey', { stateName: 'training: encrypt volume?' })
          .when(sfn.Condition.booleanEquals(at(training, 'volumeKmsSupported'), true), withKey)
          .otherwise(withoutKey),
      );
    withKey.next(resilientTraining);
    withoutKey.next(resilientTraining);
    resilientTraining.next(trained);

    this.startState = skip;
    this.endStates = [trained, given];
  }
}
