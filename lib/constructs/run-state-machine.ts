import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { PublishResultsEvent } from '../core/analytics/publish-contracts';
import { at, branchOutput, CONTEXT_PATHS, statePath, type JsonPath } from '../core/json-path';
import type {
  CaughtError,
  CaughtRunState,
  EndpointsLeftRunning,
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
import { TAG_APP } from '../core/run/tags';
import { RUN_KEY_PATTERNS } from '../core/run/run-keys';
import { AggregationStage } from './aggregation-stage';
import { CleanupStage } from './cleanup-stage';
import { DataPrefix, DataStore } from './data-store';
import { EndpointDeploymentStage } from './endpoint-deployment-stage';
import { EndpointKeepStage } from './endpoint-keep-stage';
import { EndpointTeardownStage } from './endpoint-teardown-stage';
import { EvaluationStage } from './evaluation-stage';
import { FailureNote, type FailureNoteProps } from './failure-note';
import { FineTuningStage } from './fine-tuning-stage';
import { acknowledgeGeneratedWildcards, acknowledgeGrantWildcards, acknowledgeStatementWildcards, acknowledgeWildcardResources } from './nag-acknowledgements';
import { endpointLogGroupsArn } from './sagemaker-log-groups';
import { SageMakerResourceType, sageMakerArn } from './sagemaker-tasks';
import { lambdaTaskRetry } from './lambda-tasks';
import { lambdaPayload, ref, stateFields } from './state-json';

/** Time between two endpoint status checks, unless the props say otherwise. */
export const DEFAULT_POLL_INTERVAL = Duration.minutes(1);

/** Most status checks while an endpoint is created (and, in a teardown, while it settles, and again while it is deleted). */
export const DEFAULT_MAX_POLLS = 90;

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
  /** Role training jobs run as (SageMakerExecutionRoles.training). */
  readonly trainingRole: iam.IRole;
  /** Role models run as (SageMakerExecutionRoles.hosting). */
  readonly hostingRole: iam.IRole;
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
   * Most status checks while an endpoint is created (and, in a teardown, while it settles, and again
   * while it is deleted).
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
 * Parallel [ fine-tune (or take the given model data) | deploy pretrained → EVALUATE → delete (or keep) ] →
 * deploy fine-tuned → EVALUATE → delete (or keep) → AGGREGATE → endpoints left running → PUBLISH
 * (when the analytics function is given) → succeed. `keepEndpoints` keeps both endpoints by tagging
 * them `impressions:keep` ({@link EndpointKeepStage}), which nothing but an explicit deletion undoes.
 *
 * Every stage from the Parallel on catches every error into a {@link FailureNote} (the step, its
 * resource, the error: `$.failure`) and then the {@link CleanupStage}, which deletes what exists in
 * the safe order and fails the run with the caught error and a cause that names the step and
 * resource (or with `CleanupIncomplete` when it could not finish: the janitor's cue). Inside the
 * Parallel, a branch describes its own failure and fails with it. Every SageMaker call is a
 * ResilientTask (sagemaker-call.ts). Nothing is created before the Parallel, so the first three states fail the
 * run directly with their own error (e.g. `InvalidRunInputError`).
 *
 * Execution input: the run input of DESIGN.md (every field optional). Output on success: the run
 * state, a `RunOutput` (lib/core/run/contracts.ts): `plan`, `preflight`, `resolved`, `settings`,
 * `stage1`, `fineTunedEndpoint`, `fineTunedEvaluation`, `fineTunedTeardown`, `aggregation`,
 * `endpointsLeftRunning`, `publication` — ids, names, URIs and counts only, never report text. Every JSONPath below is
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
    const pollInterval = props.pollInterval ?? DEFAULT_POLL_INTERVAL;
    const maxPolls = props.maxPolls ?? DEFAULT_MAX_POLLS;
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
    const caught = { resultPath: at(statePath<CaughtRunState>(), 'error') };
    const failure = at(statePath<FailedRunState>(), 'failure');
    /** A failure note that describes the error caught at `errorPath` (default `$.error`) and goes on to `next`. */
    const note = (
      id: string,
      stateName: string,
      where: FailureNoteProps['where'],
      next: sfn.IChainable,
      errorPath?: FailureNoteProps['errorPath'],
    ): FailureNote => {
      const n = new FailureNote(this, id, { stateName, where, errorPath });
      n.next(next);
      return n;
    };
    /** A Catch on `stage` into a failure note naming the step and its resource, then `next`. */
    const catchInto = (stage: sfn.Parallel, step: string, where: FailureNoteProps['where'], next: sfn.IChainable): void => {
      stage.addCatch(note(`${step}Failure`, `${step} failed`, where, next), caught);
    };
    const endpoint = (step: string, model: 'pretrained' | 'fineTuned'): FailureNoteProps['where'] => ({
      template: `${step} (endpoint {})`,
      args: [at(plan, `names.${model}.endpoint`)],
    });
    // Inside a branch of the first Parallel a failure is described there, then fails the branch with
    // that description; the Parallel's own Catch passes it on unchanged.
    const failBranch = (id: string, what: string): sfn.Fail =>
      new sfn.Fail(this, id, { stateName: `${what} failed`, errorPath: at(failure, 'error'), causePath: at(failure, 'cause') });

    const fineTuningBranch = statePath<FineTuningBranchState>();
    const pretrainedBranch = statePath<PretrainedBranchState>();
    const fineTuning = new FineTuningStage(this, 'FineTuning', {
      executionRole: props.trainingRole,
      key: dataStore.key,
      resourcePrefix,
      spot: model.spotTraining,
      resultPath: at(fineTuningBranch, 'training'),
    });
    fineTuning.failed.next(
      note(
        'FineTuneFailure',
        'Fine-tune failed',
        { template: 'Fine-tune (training job {})', args: [at(plan, 'names.trainingJob')] },
        failBranch('FineTuningBranchFailed', 'Fine-tuning branch'),
        at(statePath<{ readonly call: { readonly caught: CaughtError } }>(), 'call.caught'),
      ),
    );
    const deployPretrained = new EndpointDeploymentStage(this, 'DeployPretrained', {
      label: 'pretrained',
      namesPath: at(pretrainedBranch, 'plan.names.pretrained'),
      modelDataPath: at(pretrainedBranch, 'settings.inference.pretrainedModelData'),
      resultPath: at(pretrainedBranch, 'pretrainedEndpoint'),
      executionRole: props.hostingRole,
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
    const keepPretrained = new EndpointKeepStage(this, 'KeepPretrained', {
      label: 'pretrained',
      endpointPath: at(pretrainedBranch, 'pretrainedEndpoint'),
      resultPath: at(pretrainedBranch, 'pretrainedTeardown'),
      resourcePrefix,
    });
    const pretrainedFailed = failBranch('PretrainedBranchFailed', 'Pretrained branch');
    catchInto(deployPretrained.unit, 'Deploy pretrained', endpoint('Deploy pretrained', 'pretrained'), pretrainedFailed);
    catchInto(evaluatePretrained.unit, 'Evaluate pretrained', endpoint('Evaluate pretrained', 'pretrained'), pretrainedFailed);
    catchInto(deletePretrained.unit, 'Delete pretrained', endpoint('Delete pretrained', 'pretrained'), pretrainedFailed);
    catchInto(keepPretrained.unit, 'Keep pretrained', endpoint('Keep pretrained', 'pretrained'), pretrainedFailed);
    const keepEndpoints = sfn.Condition.booleanEquals(at(plan, 'keepEndpoints'), true);
    const stage1 = new sfn.Parallel(this, 'Train and evaluate pretrained', {
      comment: 'The pretrained evaluation overlaps training, so it costs no wall time.',
      // Branch 0 is the fine-tuning, branch 1 the pretrained model's deploy → evaluate → delete (or keep).
      resultSelector: stateFields<Stage1Result>({
        training: ref(at(branchOutput<FineTuningBranchState>(0), 'training')),
        pretrainedEvaluation: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedEvaluation')),
        pretrainedEndpoint: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedEndpoint')),
        pretrainedTeardown: ref(at(branchOutput<PretrainedBranchState>(1), 'pretrainedTeardown')),
      }),
      resultPath: at(run, 'stage1'),
    });
    stage1.branch(
      fineTuning,
      deployPretrained.next(evaluatePretrained).next(new sfn.Choice(this, 'Keep pretrained?').when(keepEndpoints, keepPretrained).otherwise(deletePretrained)),
    );
    // The branch already named the step and resource in the cause.
    catchInto(stage1, 'Train and evaluate pretrained', null, cleanup);

    const deployFineTuned = new EndpointDeploymentStage(this, 'DeployFineTuned', {
      label: 'fine-tuned',
      namesPath: at(plan, 'names.fineTuned'),
      modelDataPath: at(run, 'stage1.training.modelData'),
      resultPath: at(run, 'fineTunedEndpoint'),
      executionRole: props.hostingRole,
      key: dataStore.key,
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    catchInto(deployFineTuned.unit, 'Deploy fine-tuned', endpoint('Deploy fine-tuned', 'fineTuned'), cleanup);
    const evaluateFineTuned = new EvaluationStage(this, 'EvaluateFineTuned', {
      model: 'fine-tuned',
      endpointPath: at(run, 'fineTunedEndpoint'),
      resultPath: at(run, 'fineTunedEvaluation'),
      ...evaluationProps,
    });
    catchInto(evaluateFineTuned.unit, 'Evaluate fine-tuned', endpoint('Evaluate fine-tuned', 'fineTuned'), cleanup);
    const deleteFineTuned = new EndpointTeardownStage(this, 'DeleteFineTuned', {
      label: 'fine-tuned',
      namesPath: at(plan, 'names.fineTuned'),
      resultPath: at(run, 'fineTunedTeardown'),
      resourcePrefix,
      pollInterval,
      maxPolls,
    });
    catchInto(deleteFineTuned.unit, 'Delete fine-tuned', endpoint('Delete fine-tuned', 'fineTuned'), cleanup);
    const keepFineTuned = new EndpointKeepStage(this, 'KeepFineTuned', {
      label: 'fine-tuned',
      endpointPath: at(run, 'fineTunedEndpoint'),
      resultPath: at(run, 'fineTunedTeardown'),
      resourcePrefix,
    });
    catchInto(keepFineTuned.unit, 'Keep fine-tuned', endpoint('Keep fine-tuned', 'fineTuned'), cleanup);
    const aggregate = new AggregationStage(this, 'Aggregate', { resultPath: at(run, 'aggregation'), aggregateFunction: props.functions.aggregate });
    catchInto(aggregate.unit, 'Aggregate', { template: 'Aggregate (run {})', args: [at(plan, 'runId')] }, cleanup);
    const succeed = new sfn.Succeed(this, 'Run succeeded');

    const leftRunning = at(run, 'endpointsLeftRunning');
    const endpointsLeftRunning = new sfn.Choice(this, 'Endpoints left running?')
      .when(
        keepEndpoints,
        new sfn.Pass(this, 'Both endpoints kept', {
          parameters: {
            'names.$': `States.Array(${at(plan, 'names.pretrained.endpoint')}, ${at(plan, 'names.fineTuned.endpoint')})`,
            'note.$': `States.Format('Both endpoints are kept (keepEndpoints) and bill per instance-hour until deleted: npx impressions endpoints delete --run {}', ${at(plan, 'runId')})`,
          },
          resultPath: leftRunning,
        }),
      )
      .otherwise(
        new sfn.Pass(this, 'No endpoint left running', {
          parameters: stateFields<EndpointsLeftRunning>({ names: [], note: 'No endpoint is left running.' }),
          resultPath: leftRunning,
        }),
      )
      .afterwards();

    const definition = validate
      .next(preflight)
      .next(resolve)
      .next(settingDefaults)
      .next(settings)
      .next(stage1)
      .next(deployFineTuned)
      .next(evaluateFineTuned)
      .next(new sfn.Choice(this, 'Keep fine-tuned?').when(keepEndpoints, keepFineTuned).otherwise(deleteFineTuned).afterwards())
      .next(aggregate)
      .next(endpointsLeftRunning);
    if (props.functions.publishResults === undefined) {
      endpointsLeftRunning.next(succeed);
    } else {
      endpointsLeftRunning.next(this.publishStep(props.functions.publishResults, succeed));
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
    this.denyUnsafeSageMakerCalls(props);
    this.acknowledgeTaskGrants(props);
  }

  /**
   * What the Lambda tasks and the Distributed Maps bring with them: `LambdaInvoke` grants each
   * function and its versions (`<function ARN>:*`); the maps read the shard manifests (granted here,
   * through the data store, for `runs/<run id>/evaluation/<model>/shards.jsonl` only: the item
   * reader grants nothing itself, see ShardManifestReader) and start child executions of this
   * state machine (CDK's DistributedMapPolicy).
   */
  private acknowledgeTaskGrants(props: RunStateMachineProps): void {
    const role = this.stateMachine.role;
    const functions = Object.values(props.functions).filter((fn): fn is lambda.IFunction => fn !== undefined);
    acknowledgeWildcardResources(
      role,
      functions.map((fn) => `${fn.functionArn}:*`),
      'LambdaInvoke grants the function and its versions/aliases (":*"); nothing else.',
    );
    acknowledgeGrantWildcards(
      role,
      props.dataStore.grantRead(this.stateMachine, DataPrefix.RUNS, RUN_KEY_PATTERNS.shardManifests),
      "The Distributed Maps read a run's shard manifests, runs/<run id>/evaluation/<model>/shards.jsonl; the run id is known only at run time.",
    );
    const policy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (policy !== undefined) {
      const machineId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine);
      acknowledgeGeneratedWildcards(
        policy,
        (rendered) => rendered.includes(':execution:') && rendered.includes(`"Ref":"${machineId}"`),
        'Distributed Map child executions of this state machine only (names are generated by Step Functions).',
      );
      Validations.of(policy).acknowledge({
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: "CDK-generated Distributed Map policy scoped to this state machine's own executions; it lives and dies with the role.",
      });
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
    // Between the Catch and the Passes below, `publication` holds the caught error, whose Cause may be absent.
    const caught = statePath<{ readonly publication: CaughtError }>();
    const notPublished = (withCause: boolean): sfn.Pass =>
      new sfn.Pass(this, withCause ? 'Results not published' : 'Results not published (no cause)', {
        comment: 'The scores are in S3; only their registration for Athena/QuickSight failed. Recorded, alarmed, not fatal.',
        parameters: stateFields<PublicationResult>({
          status: 'failed',
          error: ref(at(caught, 'publication.Error')),
          cause: withCause ? ref(at(caught, 'publication.Cause') as JsonPath<string>) : 'no cause was given',
        }),
        resultPath: publication,
      });
    const withCause = notPublished(true);
    const withoutCause = notPublished(false);
    publish.addCatch(
      new sfn.Choice(this, 'Publish failure cause given?').when(sfn.Condition.isPresent(at(caught, 'publication.Cause')), withCause).otherwise(withoutCause),
      { resultPath: at(caught, 'publication') },
    );
    withCause.next(next);
    withoutCause.next(next);
    publish.next(next);
    return publish;
  }

  /** The permissions CustomState and the SDK calls do not add by themselves. */
  private grantSageMakerAccess(props: RunStateMachineProps, stack: Stack): void {
    const role = this.stateMachine.role;
    const arn = (type: SageMakerResourceType): string => sageMakerArn(this, type, props.resourcePrefix);
    const statements = [
      new iam.PolicyStatement({
        sid: 'RunTrainingJobs',
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        resources: [arn('training-job')],
      }),
      new iam.PolicyStatement({
        sid: 'TagRunResources',
        actions: ['sagemaker:AddTags'],
        resources: [arn('training-job'), arn('model'), arn('endpoint-config'), arn('endpoint')],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    acknowledgeStatementWildcards(role, statements, 'Runs create SageMaker resources named <prefix>-<run id>-…; the role may act on those names only.');
    // The SDK-integration tasks of the stages grant their own calls on the same name patterns.
    acknowledgeWildcardResources(
      role,
      (['model', 'endpoint-config', 'endpoint'] as const).map(arn),
      'Runs create models, endpoint configs and endpoints named <prefix>-<run id>-pt/-ft; the SageMaker tasks act on those names only.',
    );
    acknowledgeWildcardResources(
      role,
      [endpointLogGroupsArn(this, props.resourcePrefix)],
      'The deployment stage creates the log group of each endpoint, /aws/sagemaker/Endpoints/<prefix>-<run id>-pt/-ft, before the endpoint.',
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
        sid: 'PassSageMakerRoles',
        actions: ['iam:PassRole'],
        resources: [props.trainingRole.roleArn, props.hostingRole.roleArn],
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
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray (PutTraceSegments, GetSamplingRules…) and CloudWatch Logs delivery (CreateLogDelivery, …) support no resource-level permission.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Built from task grants and statements scoped to <prefix>-* SageMaker names, one rule, two roles and one key; it lives and dies with the role.',
      },
    );
  }

  /**
   * Deny statements that make SageMaker refuse an unsafe request from this role whatever the
   * definition sends: the state machine sets every one of these fields itself, so they hold by
   * construction, and these keep them holding if a later change (or an edited definition) drops
   * one. Condition keys per action from the Service Authorization Reference for SageMaker
   * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html):
   * CreateTrainingJob supports sagemaker:NetworkIsolation, InterContainerTrafficEncryption,
   * OutputKmsKey and VolumeKmsKey; CreateModel sagemaker:NetworkIsolation; CreateEndpointConfig
   * sagemaker:VolumeKmsKey; the four Create calls aws:RequestTag; the model, endpoint-config,
   * endpoint and training-job resource types aws:ResourceTag (which their Delete and Stop calls are
   * authorized against). Deny statements are never reported by cdk-nag and win over any Allow.
   *
   * - Containers run network-isolated, training traffic between instances is encrypted:
   *   `BoolIfExists … false` also denies a request that leaves the field out.
   * - Training output uses the data key (`ArnNotEqualsIfExists`: leaving it out is denied too).
   * - A volume key, where given, is the data key. Instance types with NVMe storage reject
   *   `VolumeKmsKeyId` (their storage is encrypted by the hardware), so leaving it out is allowed.
   * - Every created resource carries `impressions:app` = the prefix (the janitor and the sweep find
   *   resources by it; a negated operator denies a missing tag too).
   * - Delete and stop only what carries this app's tag, or nothing: a resource that exists under a
   *   `<prefix>-` name but is tagged for another deployment (say prefix `impressions-dev`, whose
   *   names also match `impressions-*`) is refused. The check applies when the tag exists
   *   (`Null … false`): a resource already gone has no tags, and a plain condition would turn
   *   SageMaker's "not found", which the clean-up relies on, into an access error.
   */
  private denyUnsafeSageMakerCalls(props: RunStateMachineProps): void {
    const role = this.stateMachine.role;
    const keyArn = props.dataStore.key.keyArn;
    const deny = (sid: string, actions: string[], conditions: Record<string, Record<string, unknown>>): void => {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions, resources: ['*'], conditions }));
    };
    deny('DenyContainersWithNetworkAccess', ['sagemaker:CreateTrainingJob', 'sagemaker:CreateModel'], {
      BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' },
    });
    deny('DenyUnencryptedTrainingTraffic', ['sagemaker:CreateTrainingJob'], {
      BoolIfExists: { 'sagemaker:InterContainerTrafficEncryption': 'false' },
    });
    deny('DenyTrainingOutputWithoutTheDataKey', ['sagemaker:CreateTrainingJob'], { ArnNotEqualsIfExists: { 'sagemaker:OutputKmsKey': keyArn } });
    deny('DenyVolumesWithAnotherKey', ['sagemaker:CreateTrainingJob', 'sagemaker:CreateEndpointConfig'], {
      Null: { 'sagemaker:VolumeKmsKey': 'false' },
      ArnNotEquals: { 'sagemaker:VolumeKmsKey': keyArn },
    });
    deny(
      'DenyResourcesWithoutTheAppTag',
      ['sagemaker:CreateTrainingJob', 'sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:CreateEndpoint'],
      {
        StringNotEquals: { [`aws:RequestTag/${TAG_APP}`]: props.resourcePrefix },
      },
    );
    deny(
      'DenyRemovingResourcesOfOtherApps',
      ['sagemaker:DeleteEndpoint', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel', 'sagemaker:StopTrainingJob'],
      { Null: { [`aws:ResourceTag/${TAG_APP}`]: 'false' }, StringNotEquals: { [`aws:ResourceTag/${TAG_APP}`]: props.resourcePrefix } },
    );
  }
}
