/**
 * Exact event and result shapes of the run's Lambdas (validate-input, resolve-model,
 * preflight-quotas, janitor, sweep), the parser of each event, the error names a state machine
 * `Catch` can match, and the environment variables each handler reads. The state machine builds
 * each task's payload as the event type (the compiler rejects a field the event lacks); the
 * handlers in `lambda/` parse their event with the parser here. Change both together.
 */
import type { CloudFormationCustomResourceEvent, EventBridgeEvent } from 'aws-lambda';
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
  /** janitor: an endpoint is still Creating/Updating; the async invocation retry runs it again later. */
  endpointStillSettling: 'EndpointStillSettlingError',
} as const;

/** Environment variables of the janitor and sweep functions. */
export const CLEANUP_ENV = {
  /** The app's resource prefix; only resources tagged `impressions:app`=<this> are touched. */
  resourcePrefix: 'RESOURCE_PREFIX',
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
  /** Fine-tuned weights under `s3://<bucket>/runs/`: a `….tar.gz` or a prefix ending with `/`. Only with `skipTraining`. */
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
// janitor (EventBridge rule on the state machine's ABORTED / TIMED_OUT / FAILED executions)

/** Statuses of a "Step Functions Execution Status Change" event. */
export const EXECUTION_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED', 'RUNNING', 'SUCCEEDED', 'PENDING_REDRIVE'] as const;

/** `detail` of a "Step Functions Execution Status Change" event. */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The execution name; the run id is derived from it. */
  readonly name: string;
  readonly status: (typeof EXECUTION_STATUSES)[number];
}

/** Event of the janitor Lambda. */
export type JanitorEvent = EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChangeDetail>;

/** The fields of a {@link JanitorEvent} the janitor reads. */
export interface JanitorEventFields {
  readonly detail: Pick<ExecutionStatusChangeDetail, 'name' | 'status'>;
}

/** Parses the event of the janitor (the fields it reads). */
export function parseJanitorEvent(event: unknown): JanitorEventFields {
  return parseEvent('janitor', event, (r) => ({
    detail: r.object('detail', (d) => ({ name: d.string('name'), status: d.oneOf('status', EXECUTION_STATUSES) })),
  }));
}

/** Counts of what one clean-up pass did. A second pass over the same run counts its resources under `alreadyGone`. */
export interface CleanupCounts {
  /** Tagged resources found. */
  readonly found: number;
  /** Found (the tagging index lags) but already deleted, or training jobs already ended. */
  readonly alreadyGone: number;
  readonly stoppedTrainingJobs: number;
  readonly deletedEndpoints: number;
  readonly deletedEndpointConfigs: number;
  readonly deletedModels: number;
  /** Endpoints still Creating/Updating (not deleted yet). */
  readonly pendingEndpoints: number;
}

/** Result of the janitor Lambda. */
export interface JanitorResult extends CleanupCounts {
  readonly runId: string;
  /** The execution status that triggered the clean-up; `skipped` when the status is not ABORTED/TIMED_OUT/FAILED. */
  readonly status: string;
  readonly skipped: boolean;
}

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
