import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { PublishResultsEvent } from '../core/analytics/publish-contracts';
import { at, branchOutput, CONTEXT_PATHS, statePath } from '../core/json-path';
import type {
  CaughtError,
  EndpointTeardown,
  FailedRunState,
  FineTuningBranchState,
  PretrainedBranchState,
  PublicationResult,
  RunSettings,
  RunState,
  SettingDefaults,
  Stage1Result,
} from '../core/run/contracts';
import type { PreflightQuotasEvent, ResolveModelEvent, RunDefaults, RunPlan, ValidateInputEvent } from '../core/run/run-lambda-contracts';
import { AggregationStage } from './aggregation-stage';
import { acknowledgeReferenceWildcards } from './nag-acknowledgements';
import { CleanupStage } from './cleanup-stage';
import { DataPrefix, DataStore } from './data-store';
import { EndpointDeploymentStage } from './endpoint-deployment-stage';
import { EndpointTeardownStage } from './endpoint-teardown-stage';
import { EvaluationStage } from './evaluation-stage';
import { FineTuningStage } from './fine-tuning-stage';
import { acknowledgeGrantActionWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';
import { SageMakerResourceType, sageMakerArn } from './sagemaker-tasks';
import { lambdaTaskRetry } from './lambda-tasks';
import { lambdaPayload, ref, stateFields } from './state-json';

/** Name of the EventBridge rule that Step Functions manages for `createTrainingJob.sync`. */
export const SAGEMAKER_SYNC_RULE = 'StepFunctionsGetEventsForSageMakerTrainingJobsRule';

/** The Lambda functions the run calls. */
export interface RunStateMachineFunctions {
  /** validate-input: raw input → RunPlan. */
  readonly validateInput: lambda.IFunction;
  /** preflight-quotas: fails early when a quota is too low. */
  readonly preflightQuotas: lambda.IFunction;
  /** resolve-model: RunPlan → ResolvedModel. */
  readonly resolveModel: lambda.IFunction;
  /** plan-evaluation: writes a model's shard manifest. */
  readonly planEvaluation: lambda.IFunction;
  /** evaluate: scores one shard. */
  readonly evaluate: lambda.IFunction;
  /** aggregate: summary rows, run summary, metrics. */
  readonly aggregate: lambda.IFunction;
  /**
   * publish-results (AnalyticsStack): registers the run's Glue partitions and refreshes the
   * QuickSight data sets, event `{ runId }`.
   * @default - the run ends after aggregation; results are in S3 but not registered for Athena
   */
  readonly publishResults?: lambda.IFunction;
}

/** What the run trains and hosts (from config). */
export interface RunModelSettings {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly trainingInstanceType: string;
  readonly inferenceInstanceType: string;
  readonly trainingVolumeGb: number;
  readonly maxTrainingHours: number;
  readonly epochs: number;
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly spotTraining: boolean;
}

/** Properties of {@link RunStateMachine}. */
export interface RunStateMachineProps {
  readonly dataStore: DataStore;
  /** Role of training jobs and models. */
  readonly sageMakerRole: iam.IRole;
  readonly functions: RunStateMachineFunctions;
  /** Prefix of every SageMaker name; the state machine may touch nothing else. */
  readonly resourcePrefix: string;
  readonly model: RunModelSettings;
  /** Evaluate Lambdas at once per endpoint (the Distributed Map's maxConcurrency). */
  readonly evaluationMaxConcurrency: number;
  /**
   * Time between two endpoint status checks.
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;
  /**
   * Most status checks while an endpoint is created (and, in the clean-up, while it settles).
   * @default 90
   */
  readonly maxPolls?: number;
  /**
   * Longest run.
   * @default - the training limit plus 24 hours for deployment and evaluation
   */
  readonly timeout?: Duration;
}

/**
 * The run (DESIGN.md "The run"): a Standard, JSONPath state machine.
 *
 * Validate input → check quotas → resolve the JumpStart model → apply setting defaults →
 * Parallel [ fine-tune (or take the given model data) | deploy pretrained → EVALUATE → delete ] →
 * deploy fine-tuned → EVALUATE → delete unless `keepEndpoints` → AGGREGATE → PUBLISH (when the analytics function is given) → succeed.
 * Every state from the Parallel on catches every error into the {@link CleanupStage}, which deletes
 * what exists and fails the run with the caught error. Nothing is created before the Parallel, so
 * the first three states fail the run directly with their own error (e.g. `InvalidRunInputError`).
 *
 * Execution input: the run input of DESIGN.md (every field optional). Output on success: the run
 * state, a `RunOutput` (lib/core/run/contracts.ts): `plan`, `preflight`, `resolved`, `settings`,
 * `stage1`, `fineTunedEndpoint`, `fineTunedEvaluation`, `fineTunedTeardown`, `aggregation`,
 * `publication` — ids, names, URIs and counts only, never report text. Every JSONPath below is
 * derived from `RunState` and each Lambda payload is checked against the handler's event type.
 *
 * Logs: level ALL without execution data (the state holds ids, keys and counts, never report text,
 * yet the log is kept free of data by construction); X-Ray on.
 */
export class RunStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** The KMS-encrypted log group of the state machine. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RunStateMachineProps) {
    super(scope, id);
    const { dataStore, resourcePrefix, model } = props;
    const pollInterval = props.pollInterval ?? Duration.minutes(1);
    const maxPolls = props.maxPolls ?? 90;
    const stack = Stack.of(this);

    const run = statePath<RunState>();
    const plan = at(run, 'plan');
    const bucket = dataStore.bucket.bucketName;
    const defaults: RunDefaults = {
      bucketName: bucket,
      trainingData: `s3://${bucket}/${DataPrefix.TRAIN_DATA}`,
      evalData: { dev1: `s3://${bucket}/${DataPrefix.EVAL_DATA}dev1.jsonl`, dev2: `s3://${bucket}/${DataPrefix.EVAL_DATA}dev2.jsonl` },
      modelVersion: model.modelVersion,
      resourcePrefix,
      hyperparameters: model.hyperparameters,
      epochs: model.epochs,
    };
    const validate = new tasks.LambdaInvoke(this, 'Validate input', {
      lambdaFunction: props.functions.validateInput,
      payloadResponseOnly: true,
      payload: lambdaPayload<ValidateInputEvent>({
        input: ref(CONTEXT_PATHS.executionInput),
        executionName: ref(CONTEXT_PATHS.executionName),
        defaults,
      }),
      // The result replaces the state (default ResultPath): the raw input stays in $$.Execution.Input.
      resultSelector: stateFields<Pick<RunState, 'plan'>>({ plan: ref(statePath<RunPlan>()) }),
    });
    const preflight = new tasks.LambdaInvoke(this, 'Check quotas', {
      lambdaFunction: props.functions.preflightQuotas,
      payloadResponseOnly: true,
      payload: lambdaPayload<PreflightQuotasEvent>({
        trainingInstanceType: model.trainingInstanceType,
        inferenceInstanceType: model.inferenceInstanceType,
        skipTraining: ref(at(plan, 'skipTraining')),
        spotTraining: model.spotTraining,
      }),
      resultPath: at(run, 'preflight'),
    });
    const resolve = new tasks.LambdaInvoke(this, 'Resolve model', {
      lambdaFunction: props.functions.resolveModel,
      payloadResponseOnly: true,
      payload: lambdaPayload<ResolveModelEvent>({
        run: ref(plan),
        modelId: model.modelId,
        trainingInstanceType: model.trainingInstanceType,
        inferenceInstanceType: model.inferenceInstanceType,
        trainingVolumeGb: model.trainingVolumeGb,
        maxTrainingHours: model.maxTrainingHours,
      }),
      resultPath: at(run, 'resolved'),
    });
    const settingDefaults = new sfn.Pass(this, 'Setting defaults', {
      comment: 'Values SageMaker requires where resolution may leave them out (instance types that ignore volume size; specs without deploy timeouts).',
      result: sfn.Result.fromObject({
        training: { volumeSizeGb: 30 },
        inference: { modelDataDownloadTimeoutSeconds: 3600, containerStartupHealthCheckTimeoutSeconds: 3600 },
      } satisfies SettingDefaults),
      resultPath: at(run, 'settingDefaults'),
    });
    // A shallow merge in which the resolved value wins: a default only fills a field resolution left out.
    const merged = <K extends keyof RunSettings>(part: K): string =>
      `States.JsonMerge(${at(run, `settingDefaults.${part}`)}, ${at(run, `resolved.${part}`)}, false)`;
    const settings = new sfn.Pass(this, 'Apply settings', {
      parameters: { 'training.$': merged('training'), 'inference.$': merged('inference') },
      resultPath: at(run, 'settings'),
    });

    const cleanup = new CleanupStage(this, 'Cleanup', { resourcePrefix, pollInterval, maxPolls });
    const onError = { resultPath: at(statePath<FailedRunState>(), 'error') };

    const fineTuningBranch = statePath<FineTuningBranchState>();
    const pretrainedBranch = statePath<PretrainedBranchState>();
    const fineTuning = new FineTuningStage(this, 'FineTuning', {
      executionRole: props.sageMakerRole,
      key: dataStore.key,
      resourcePrefix,
      spot: model.spotTraining,
      resultPath: at(fineTuningBranch, 'training'),
    });
    const deployPretrained = new EndpointDeploymentStage(this, 'DeployPretrained', {
      label: 'pretrained',
      namesPath: at(pretrainedBranch, 'plan.names.pretrained'),
      modelDataPath: at(pretrainedBranch, 'settings.inference.pretrainedModelData'),
      resultPath: at(pretrainedBranch, 'pretrainedEndpoint'),
      executionRole: props.sageMakerRole,
      key: dataStore.key,
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    const evaluationProps = {
      planFunction: props.functions.planEvaluation,
      evaluateFunction: props.functions.evaluate,
      bucket: dataStore.bucket,
      maxConcurrency: props.evaluationMaxConcurrency,
    };
    const evaluatePretrained = new EvaluationStage(this, 'EvaluatePretrained', {
      model: 'pretrained',
      endpointPath: at(pretrainedBranch, 'pretrainedEndpoint'),
      resultPath: at(pretrainedBranch, 'pretrainedEvaluation'),
      ...evaluationProps,
    });
    const deletePretrained = new EndpointTeardownStage(this, 'DeletePretrained', {
      label: 'pretrained',
      namesPath: at(pretrainedBranch, 'plan.names.pretrained'),
      resultPath: at(pretrainedBranch, 'pretrainedTeardown'),
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    const stage1 = new sfn.Parallel(this, 'Train and evaluate pretrained', {
      comment: 'The pretrained evaluation overlaps training, so it costs no wall time.',
      // Branch 0 is the fine-tuning, branch 1 the pretrained model's deploy → evaluate → delete.
      resultSelector: stateFields<Stage1Result>({
        training: ref(at(branchOutput<FineTuningBranchState>(0), 'training')),
        pretrainedEvaluation: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedEvaluation')),
        pretrainedEndpoint: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedEndpoint')),
        pretrainedTeardown: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedTeardown')),
      }),
      resultPath: at(run, 'stage1'),
    });
    stage1.branch(fineTuning, deployPretrained.next(evaluatePretrained).next(deletePretrained));
    stage1.addCatch(cleanup, onError);

    const deployFineTuned = new EndpointDeploymentStage(this, 'DeployFineTuned', {
      label: 'fine-tuned',
      namesPath: at(plan, 'names.fineTuned'),
      modelDataPath: at(run, 'stage1.training.modelData'),
      resultPath: at(run, 'fineTunedEndpoint'),
      executionRole: props.sageMakerRole,
      key: dataStore.key,
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    deployFineTuned.unit.addCatch(cleanup, onError);
    const evaluateFineTuned = new EvaluationStage(this, 'EvaluateFineTuned', {
      model: 'fine-tuned',
      endpointPath: at(run, 'fineTunedEndpoint'),
      resultPath: at(run, 'fineTunedEvaluation'),
      ...evaluationProps,
    });
    evaluateFineTuned.unit.addCatch(cleanup, onError);
    const deleteFineTuned = new EndpointTeardownStage(this, 'DeleteFineTuned', {
      label: 'fine-tuned',
      namesPath: at(plan, 'names.fineTuned'),
      resultPath: at(run, 'fineTunedTeardown'),
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    deleteFineTuned.unit.addCatch(cleanup, onError);
    const aggregate = new AggregationStage(this, 'Aggregate', { resultPath: at(run, 'aggregation'), aggregateFunction: props.functions.aggregate });
    aggregate.unit.addCatch(cleanup, onError);
    const succeed = new sfn.Succeed(this, 'Run succeeded');

    const definition = validate
      .next(preflight)
      .next(resolve)
      .next(settingDefaults)
      .next(settings)
      .next(stage1)
      .next(deployFineTuned)
      .next(evaluateFineTuned)
      .next(
        new sfn.Choice(this, 'Keep endpoints?')
          .when(
            sfn.Condition.booleanEquals(at(plan, 'keepEndpoints'), true),
            new sfn.Pass(this, 'Endpoint kept', {
              comment: 'The fine-tuned endpoint stays up (keepEndpoints): its cost is counted until now and goes on until it is deleted.',
              parameters: stateFields<EndpointTeardown>({ deleted: false, kept: true, deletedAt: ref(CONTEXT_PATHS.stateEnteredTime) }),
              resultPath: at(run, 'fineTunedTeardown'),
            }).next(aggregate),
          )
          .otherwise(deleteFineTuned.next(aggregate)),
      );
    if (props.functions.publishResults === undefined) {
      aggregate.next(succeed);
    } else {
      aggregate.next(this.publishStep(props.functions.publishResults, succeed));
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: dataStore.key,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'radiology-impressions run: fine-tune FLAN-T5, host and evaluate both models, clean up on every path.',
      timeout: props.timeout ?? Duration.hours(model.maxTrainingHours + 24),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.grantSageMakerAccess(props, stack);
    if (props.functions.publishResults !== undefined) {
      acknowledgeReferenceWildcards(this.stateMachine.role, props.functions.publishResults, [
        { suffix: ':*', reason: 'LambdaInvoke grants the publish function (AnalyticsStack) and its versions/aliases (":*"); nothing else.' },
      ]);
    }
    // The Distributed Map reads the shard manifests (SSE-KMS) under runs/.
    dataStore.grantRead(this.stateMachine, DataPrefix.RUNS);
    this.acknowledgeDistributedMap(stack, props.dataStore.bucket);
  }

  /** The grants the two evaluation Distributed Maps bring with them, acknowledged narrowly. */
  private acknowledgeDistributedMap(stack: Stack, bucket: s3.IBucket): void {
    const role = this.stateMachine.role;
    acknowledgeGrantActionWildcards(role, 'read of runs/ for the shard manifests');
    // '/*' covers the item reader's own s3:GetObject on <bucket>/* (CDK adds it; the key is a JSONPath) and the runs/* grant.
    acknowledgeWildcardResources(
      role,
      bucket,
      ['/*'],
      'The Distributed Map item reader reads the shard manifest runs/<run id>/evaluation/<model>/shards.jsonl, whose key is known only at run time.',
    );
    const machineId = stack.getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}`;
    const policy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::${execution}:*]`,
          reason: 'Distributed Map child executions of this state machine only (names are generated by Step Functions).',
        },
        {
          id: `AwsSolutions-IAM5[Resource::${execution}/*:*]`,
          reason: 'Distributed Map child executions of this state machine only (names are generated by Step Functions).',
        },
        {
          id: 'HIPAA.Security-IAMNoInlinePolicy',
          reason: "CDK-generated Distributed Map policy scoped to this state machine's own executions; it lives and dies with the role.",
        },
      );
    }
  }

  /**
   * PUBLISH: makes the run's rows queryable (Glue partitions) and starts the QuickSight refresh.
   * The scores are already in S3 by then, so a failure here does not fail the run: it is recorded
   * at `$.publication` (`{ "status": "failed", "error", "cause" }`) and raised by the publish
   * function's error alarm; an ingestion failure is reported by the function itself (its
   * `quicksight: "failed"` output and the AnalyticsRefreshFailed metric).
   */
  private publishStep(publishFunction: lambda.IFunction, next: sfn.IChainable): sfn.IChainable {
    const run = statePath<RunState>();
    const publication = at(run, 'publication');
    const publish = new tasks.LambdaInvoke(this, 'Publish results', {
      lambdaFunction: publishFunction,
      payloadResponseOnly: true,
      payload: lambdaPayload<PublishResultsEvent>({ runId: ref(at(run, 'plan.runId')) }),
      resultPath: publication,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
    });
    publish.addRetry(lambdaTaskRetry());
    // Between the Catch and the Pass below, `publication` holds the caught error.
    const caught = statePath<{ readonly publication: CaughtError }>();
    const notPublished = new sfn.Pass(this, 'Results not published', {
      comment: 'The scores are in S3; only their registration for Athena/QuickSight failed. Recorded, alarmed, not fatal.',
      parameters: stateFields<PublicationResult>({
        status: 'failed',
        error: ref(at(caught, 'publication.Error')),
        cause: ref(at(caught, 'publication.Cause')),
      }),
      resultPath: publication,
    });
    publish.addCatch(notPublished, { resultPath: at(caught, 'publication') });
    publish.next(next);
    notPublished.next(next);
    return publish;
  }

  /** The permissions CustomState and the SDK calls do not add by themselves. */
  private grantSageMakerAccess(props: RunStateMachineProps, stack: Stack): void {
    const role = this.stateMachine.role;
    const arn = (type: SageMakerResourceType): string => sageMakerArn(this, type, props.resourcePrefix);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunTrainingJobs',
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        resources: [arn('training-job')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TagRunResources',
        actions: ['sagemaker:AddTags'],
        resources: [arn('training-job'), arn('model'), arn('endpoint-config'), arn('endpoint')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TrainingJobSyncRule',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: SAGEMAKER_SYNC_RULE })],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassSageMakerRole',
        actions: ['iam:PassRole'],
        resources: [props.sageMakerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptSageMakerVolumes',
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: [props.dataStore.key.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );

    const prefixed = (['training-job', 'model', 'endpoint-config', 'endpoint'] as const).map((type) => ({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${type}/${props.resourcePrefix}-*]`,
      reason: `Runs create ${type}s named <prefix>-<run id>-…; the role may act on those names only.`,
    }));
    Validations.of(role).acknowledge(
      ...prefixed,
      ...[
        props.functions.validateInput,
        props.functions.preflightQuotas,
        props.functions.resolveModel,
        props.functions.planEvaluation,
        props.functions.evaluate,
        props.functions.aggregate,
      ].map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'LambdaInvoke grants the function and its versions/aliases (":*"); nothing else.',
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray (PutTraceSegments, GetSamplingRules…) and CloudWatch Logs delivery (CreateLogDelivery, …) support no resource-level permission.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Built from task grants and statements scoped to <prefix>-* SageMaker names, one rule, one role and one key; it lives and dies with the role.',
      },
    );
  }
}
