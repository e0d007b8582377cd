/**
 * Exact event and result shapes of the run's Lambdas (validate-input, resolve-model,
 * preflight-quotas, janitor, sweep), the parser of each event, the error names a state machine
 * `Catch` can match, and the environment variables each handler reads. The state machine builds
 * each task's payload as the event type (the compiler rejects a field the event lacks); the
 * handlers in `lambda/` parse their event with the parser here. Change both together.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseEvent, type EventReader } from '../event-reader';
import type { ResolvedModel } from './contracts';
import type { RunResourceNames } from './naming';

/** `Error.name` of every error a run Lambda throws on purpose (for `Catch`/`Retry` `ErrorEquals`). */
export const RUN_ERROR_NAMES = {
  /** validate-input: the run input is invalid; the message lists every bad field. Do not retry. */
  invalidRunInput: 'InvalidRunInputError',
  /** resolve-model: the JumpStart manifest or spec lacks what the run needs. Do not retry. */
  modelResolution: 'ModelResolutionError',
  /** preflight-quotas: an account quota is below what the run needs. Do not retry. */
  quotaTooLow: 'QuotaTooLowError',
  /**
   * The run's final error when its own clean-up could not delete everything (its Cause names the
   * original error): the janitor cleans up after FAILED runs with this error only.
   */
  cleanupIncomplete: 'CleanupIncomplete',
} as const;

/**
 * Errors of a FAILED run that mean its own clean-up did not finish (`CleanupIncomplete`) or never
 * ran: `States.Runtime` and `States.DataLimitExceeded` are the errors no Catch handles (Step
 * Functions developer guide, "Handling errors in Step Functions workflows"). The janitor cleans up
 * after a FAILED run with one of these only; every other failed run cleaned up after itself.
 */
export const JANITOR_FAILED_RUN_ERRORS: readonly string[] = [RUN_ERROR_NAMES.cleanupIncomplete, 'States.Runtime', 'States.DataLimitExceeded'];

/** Environment variables of the janitor, orphan-check and sweep functions. */
export const CLEANUP_ENV = {
  /** The app's resource prefix; only resources tagged `impressions:app`=<this> are touched. */
  resourcePrefix: 'RESOURCE_PREFIX',
  /** CloudWatch namespace of the safety nets' metrics (`RadiologyImpressions/<prefix>`). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** Metric names of the safety nets (namespace `RadiologyImpressions/<prefix>`, no dimensions). */
export const SAFETY_NET_METRICS = {
  /** Resources the janitor stopped or deleted in a pass. */
  janitorActions: 'JanitorActions',
  /** Resources still there after a janitor pass. */
  janitorRemaining: 'JanitorRemaining',
  /** Resources the hourly orphan check found with no running or recently ended run (alarm at 1). */
  orphanedResources: 'OrphanedResources',
} as const;

// ---------------------------------------------------------------------------------------------
// validate-input

/** Deployment defaults, passed by the state machine as static `Parameters` built from config. */
export interface RunDefaults {
  /** Data bucket name (no `s3://`). */
  readonly bucketName: string;
  /** `s3://<bucket>/train_data/` (a prefix, ending with `/`). */
  readonly trainingData: string;
  /** `s3://<bucket>/eval_data/dev1.jsonl` and `…/dev2.jsonl`. */
  readonly evalData: { readonly dev1: string; readonly dev2: string };
  /** Config `modelVersion`: exact (`2.2.3`) or `N.*`. */
  readonly modelVersion: string;
  /** Config `resourcePrefix`. */
  readonly resourcePrefix: string;
  /** Config `hyperparameters` (strings). */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** Config `epochs`. */
  readonly epochs: number;
}

/**
 * The run input a user passes to StartExecution (DESIGN.md "The run"); every field optional, no
 * other field allowed.
 */
export interface RawRunInput {
  /** Free label for the run (1-80 chars, letters, digits, space, `._-`); defaults to the execution name. */
  readonly runName?: string;
  /** Exact version (`2.2.3`) or `N.*`; overrides config. */
  readonly modelVersion?: string;
  /** An `s3://<bucket>/train_data/…/` prefix (ending with `/`). */
  readonly trainingData?: string;
  /** Dataset name (`^[a-z0-9][a-z0-9_]{0,31}$`) → `s3://<bucket>/eval_data/….jsonl`; merged over the defaults. */
  readonly evalData?: Readonly<Record<string, string>>;
  /** Skip fine-tuning and host `modelData` as the fine-tuned model. Requires `modelData`. */
  readonly skipTraining?: boolean;
  /** Fine-tuned weights under `s3://<bucket>/runs/<run id>/model/`: a `….tar.gz` or a prefix ending with `/`. Only with `skipTraining`. */
  readonly modelData?: string;
  /** Leave both endpoints running at the end (they are still tagged, so the sweep deletes them with the stack). */
  readonly keepEndpoints?: boolean;
  /** Hyperparameter overrides (strings, finite numbers or booleans; sent as strings). */
  readonly hyperparameters?: Readonly<Record<string, string | number | boolean>>;
}

/** Event of the validate-input Lambda. */
export interface ValidateInputEvent {
  /** The execution input as received (`$$.Execution.Input`); validated, never trusted. */
  readonly input: unknown;
  /** `$$.Execution.Name`. */
  readonly executionName: string;
  readonly defaults: RunDefaults;
}

/** Result of validate-input: everything later states need, with defaults applied. */
export interface RunPlan {
  /** From the execution name (`runIdFromExecutionName`); also the `impressions:run-id` tag value. */
  readonly runId: string;
  /** `input.runName`, else the execution name. A label only: never used in a physical name. */
  readonly runName: string;
  /** Requested version (exact or `N.*`); the resolved one is `ResolvedModel.version`. */
  readonly modelVersion: string;
  /** Training channel prefix, `s3://<bucket>/train_data/…/`. */
  readonly trainingData: string;
  /** Dataset name → `s3://<bucket>/eval_data/….jsonl`; always has `dev1` and `dev2`. */
  readonly evalData: Readonly<Record<string, string>>;
  readonly skipTraining: boolean;
  /** Set exactly when `skipTraining` is true. */
  readonly modelData: string | null;
  readonly keepEndpoints: boolean;
  /** Config hyperparameters, then `epochs`, then run overrides (later wins); all strings. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly names: RunResourceNames;
  /** Training `OutputDataConfig.S3OutputPath`: `s3://<bucket>/runs/<runId>/model/`. */
  readonly outputPath: string;
  /** Spot `CheckpointConfig.S3Uri`: `s3://<bucket>/runs/<runId>/checkpoints/`. */
  readonly checkpointPath: string;
  /** ISO-8601 UTC time at which the input was validated. */
  readonly startedAt: string;
}

// ---------------------------------------------------------------------------------------------
// resolve-model

/** The fields of the {@link RunPlan} that resolution reads (the state machine passes the whole plan). */
export type ResolveModelRun = Pick<RunPlan, 'runId' | 'modelVersion' | 'trainingData' | 'skipTraining' | 'modelData' | 'outputPath' | 'hyperparameters'> & {
  readonly names: Pick<RunResourceNames, 'trainingJob'>;
};

/** Event of the resolve-model Lambda. */
export interface ResolveModelEvent {
  readonly run: ResolveModelRun;
  /** JumpStart model id (config `modelId`). */
  readonly modelId: string;
  readonly trainingInstanceType: string;
  readonly inferenceInstanceType: string;
  /** Config `trainingVolumeGb`, raised to the spec's `training_volume_size`; used only where the instance type honours it. */
  readonly trainingVolumeGb: number;
  /** Config `maxTrainingHours`; `MaxRuntimeInSeconds` is the smaller of this and the spec's `max_run`. */
  readonly maxTrainingHours: number;
  /** Region whose JumpStart bucket and images to use; defaults to the Lambda's `AWS_REGION`. */
  readonly region?: string;
}

/** Result of resolve-model (see `ResolvedModel` for each field). */
export type ResolveModelResult = ResolvedModel;

// ---------------------------------------------------------------------------------------------
// preflight-quotas

/** Event of the preflight-quotas Lambda. */
export interface PreflightQuotasEvent {
  readonly trainingInstanceType: string;
  readonly inferenceInstanceType: string;
  /** When true the training quota is not checked. */
  readonly skipTraining: boolean;
  /** Managed spot training: the spot training quota is checked instead of the on-demand one. */
  readonly spotTraining: boolean;
}

/** One quota that was checked and is high enough. */
export interface QuotaCheck {
  /** e.g. `ml.g5.2xlarge for endpoint usage`. */
  readonly quotaName: string;
  /** Service Quotas code, e.g. `L-…`. */
  readonly quotaCode: string;
  /** The account's applied value (instances). */
  readonly value: number;
  /** Instances of this quota already held by running training jobs or live endpoints of the account. */
  readonly inUse: number;
  /** Instances the run needs at once. */
  readonly needed: number;
}

/** Result of preflight-quotas. */
export interface PreflightQuotasResult {
  readonly checked: readonly QuotaCheck[];
}

// ---------------------------------------------------------------------------------------------
// Parsers of the events above (each throws InvalidEventError naming every bad field)

/** Parses the event of validate-input (`input` is left as it came: planRun validates it). */
export function parseValidateInputEvent(event: unknown): ValidateInputEvent {
  return parseEvent('validate-input', event, (r) => ({
    input: (event as { input?: unknown }).input,
    executionName: r.string('executionName'),
    defaults: r.object('defaults', readRunDefaults),
  }));
}

function readRunDefaults(r: EventReader): RunDefaults {
  return {
    bucketName: r.string('bucketName'),
    trainingData: r.string('trainingData'),
    evalData: r.object('evalData', (e) => ({ dev1: e.string('dev1'), dev2: e.string('dev2') })),
    modelVersion: r.string('modelVersion'),
    resourcePrefix: r.string('resourcePrefix'),
    hyperparameters: r.stringRecord('hyperparameters'),
    epochs: r.number('epochs', { integer: true, min: 1 }),
  };
}

/** Parses the event of resolve-model. */
export function parseResolveModelEvent(event: unknown): ResolveModelEvent {
  return parseEvent('resolve-model', event, (r) => ({
    run: r.object('run', (p) => ({
      runId: p.string('runId'),
      modelVersion: p.string('modelVersion'),
      trainingData: p.string('trainingData'),
      skipTraining: p.boolean('skipTraining'),
      modelData: p.nullableString('modelData'),
      outputPath: p.string('outputPath'),
      hyperparameters: p.stringRecord('hyperparameters'),
      names: p.object('names', (n) => ({ trainingJob: n.string('trainingJob') })),
    })),
    modelId: r.string('modelId'),
    trainingInstanceType: r.string('trainingInstanceType'),
    inferenceInstanceType: r.string('inferenceInstanceType'),
    trainingVolumeGb: r.number('trainingVolumeGb', { integer: true, min: 1 }),
    maxTrainingHours: r.number('maxTrainingHours', { min: 0 }),
    ...(r.has('region') ? { region: r.string('region') } : {}),
  }));
}

/** Parses the event of preflight-quotas. */
export function parsePreflightQuotasEvent(event: unknown): PreflightQuotasEvent {
  return parseEvent('preflight-quotas', event, (r) => ({
    trainingInstanceType: r.string('trainingInstanceType'),
    inferenceInstanceType: r.string('inferenceInstanceType'),
    skipTraining: r.boolean('skipTraining'),
    spotTraining: r.boolean('spotTraining'),
  }));
}

// ---------------------------------------------------------------------------------------------
// janitor (one pass, called by the janitor state machine for each ABORTED / TIMED_OUT / FAILED execution)

/** Statuses of a "Step Functions Execution Status Change" event. */
export const EXECUTION_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED', 'RUNNING', 'SUCCEEDED', 'PENDING_REDRIVE'] as const;

/** `detail` of a "Step Functions Execution Status Change" event (the fields the janitor's rule passes on). */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The execution name; the run id is derived from it. */
  readonly name: string;
  readonly status: (typeof EXECUTION_STATUSES)[number];
}

/** The execution the janitor cleans up after, as its rule's input transformer hands it on. */
export interface JanitorExecution {
  readonly arn: string;
  readonly name: string;
  readonly status: (typeof EXECUTION_STATUSES)[number];
}

/** Input of the janitor state machine (built by the EventBridge rule from the event's `detail`). */
export interface JanitorWorkflowInput {
  readonly execution: JanitorExecution;
}

/** Event of the janitor Lambda: one pass. */
export interface JanitorPassEvent {
  readonly execution: JanitorExecution;
  /** 0 for the first pass. */
  readonly pass: number;
}

/** Parses the event of the janitor. */
export function parseJanitorPassEvent(event: unknown): JanitorPassEvent {
  return parseEvent('janitor', event, (r) => ({
    execution: r.object('execution', (e) => ({ arn: e.string('arn'), name: e.string('name'), status: e.oneOf('status', EXECUTION_STATUSES) })),
    pass: r.number('pass', { integer: true, min: 0 }),
  }));
}

/** Result of one janitor pass. Names and counts only. */
export interface JanitorPassResult {
  readonly runId: string;
  /** `skipped`: nothing for the janitor to do (e.g. the run cleaned up after itself); `cleaning`: a pass ran. */
  readonly action: 'skipped' | 'cleaning';
  /** Why the janitor skipped, or what the pass found. */
  readonly reason: string;
  /** Nothing is left to remove (kept endpoints aside). */
  readonly done: boolean;
  /** What is still there and why, e.g. `endpoint impressions-r1-ft (Creating)`. */
  readonly remaining: readonly string[];
  /** What this pass stopped or deleted, e.g. `deleted endpoint impressions-r1-ft`. */
  readonly actions: readonly string[];
  /** Left alone on purpose (`impressions:keep`). */
  readonly kept: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// orphan-check (hourly EventBridge schedule)

/** Result of the orphan check. */
export interface OrphanCheckResult {
  /** Run ids (or `(no run id)`) whose resources belong to no running or recently ended execution. */
  readonly orphanedRuns: readonly string[];
  /** Resources found that needed removing (kept ones and ended training jobs aside). */
  readonly orphanedResources: number;
  readonly actions: readonly string[];
  readonly remaining: readonly string[];
  readonly kept: readonly string[];
}

/** Environment variables of the orphan check. */
export const ORPHAN_CHECK_ENV = {
  /** The run state machine: its running and recently ended executions own their resources. */
  runStateMachineArn: 'RUN_STATE_MACHINE_ARN',
  /** Seconds after an execution ended during which its resources are the janitor's, not orphans. */
  graceSeconds: 'GRACE_SECONDS',
} as const;

// ---------------------------------------------------------------------------------------------
// sweep (custom resource, aws-cdk-lib custom_resources.Provider with onEvent + isComplete)

/** Event of the sweep's `onEvent` handler. */
export type SweepOnEventRequest = CloudFormationCustomResourceEvent;

/** Result of the sweep's `onEvent` handler. */
export interface SweepOnEventResponse {
  readonly PhysicalResourceId: string;
}

/** Event of the sweep's `isComplete` handler: the `onEvent` request plus its response. */
export type SweepIsCompleteRequest = CloudFormationCustomResourceEvent & SweepOnEventResponse;

/** Result of the sweep's `isComplete` handler. */
export interface SweepIsCompleteResponse {
  readonly IsComplete: boolean;
}

/** The fields of a sweep request (either handler) the sweep reads; Update and Delete carry the physical id. */
export type SweepRequestFields = { readonly RequestType: 'Create' } | { readonly RequestType: 'Update' | 'Delete'; readonly PhysicalResourceId: string };

/** Parses a sweep request (the fields the handlers read). */
export function parseSweepRequest(event: unknown): SweepRequestFields {
  return parseEvent('sweep', event, (r): SweepRequestFields => {
    const RequestType = r.oneOf('RequestType', ['Create', 'Update', 'Delete'] as const);
    return RequestType === 'Create' ? { RequestType } : { RequestType, PhysicalResourceId: r.string('PhysicalResourceId') };
  });
}
