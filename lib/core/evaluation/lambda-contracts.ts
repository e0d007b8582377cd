/**
 * Event and result shapes of the evaluation Lambdas (plan-evaluation, evaluate, aggregate) and the
 * environment variables each reads. The evaluation fan-out construct builds its state `Parameters`
 * from these; the handlers in `lambda/` implement them. Change both together.
 */
import type { ModelName, PayloadContract } from '../run/contracts';
import type { ShardItem } from './shards';
import type { ErrorReport } from './trust';

/** `Error.name` of errors the evaluation Lambdas throw on purpose (for `Catch`/`Retry`). */
export const EVALUATION_ERROR_NAMES = {
  /** The event is invalid (bad URI, unknown model, missing field). Do not retry. */
  invalidEvaluationInput: 'InvalidEvaluationInputError',
  /** Every endpoint call of a shard failed with a transient error after all attempts: retry the shard later. */
  endpointUnavailable: 'EndpointUnavailableError',
} as const;

/** Environment variables of the evaluation Lambdas. */
export const EVALUATION_ENV = {
  /** All three: the data bucket name. */
  dataBucket: 'DATA_BUCKET',
  /** plan-evaluation: records per shard (config `evalShardSize`). */
  shardSize: 'EVAL_SHARD_SIZE',
  /** evaluate: the prompt template (config `promptTemplate`). */
  promptTemplate: 'PROMPT_TEMPLATE',
  /** evaluate: config `maxNewTokens`. */
  maxNewTokens: 'MAX_NEW_TOKENS',
  /** evaluate: config `numBeams`. */
  numBeams: 'NUM_BEAMS',
  /** evaluate: requests in flight per Lambda. */
  requestsPerLambda: 'REQUESTS_PER_LAMBDA',
  /** evaluate: attempts per endpoint call. */
  retryMaxAttempts: 'RETRY_MAX_ATTEMPTS',
  /** evaluate: first back-off in ms. */
  retryBaseDelayMs: 'RETRY_BASE_DELAY_MS',
  /** evaluate: longest back-off in ms. */
  retryMaxDelayMs: 'RETRY_MAX_DELAY_MS',
  /** aggregate: config `hourlyPrices` as JSON. */
  hourlyPrices: 'HOURLY_PRICES',
  /** aggregate: CloudWatch namespace. */
  metricNamespace: 'METRIC_NAMESPACE',
} as const;

/** CloudWatch namespace of the run's mean scores. */
export const METRIC_NAMESPACE = 'RadiologyImpressions';

/**
 * Event of plan-evaluation: the EvaluationStage branch input (only the fields read are typed).
 * `includeBaselines` defaults to true for the pretrained model, so baselines run once per run.
 */
export interface PlanEvaluationEvent {
  readonly plan: { readonly runId: string; readonly evalData: Readonly<Record<string, string>> };
  readonly resolved: { readonly version: string; readonly inference: { readonly payloadContract: PayloadContract } };
  readonly endpointName: string;
  readonly model: ModelName;
  readonly includeBaselines?: boolean;
}

/** Per-dataset counts of a plan. */
export interface PlannedDatasetCounts {
  readonly dataset: string;
  readonly records: number;
  /** Records with a bad field: they get rows with their error, they are not dropped. */
  readonly invalidRecords: number;
}

/** Result of plan-evaluation. */
export interface PlanEvaluationResult {
  readonly runId: string;
  readonly model: ModelName;
  /** Key of the shard manifest (JSONL of {@link ShardItem}) in the data bucket. */
  readonly manifestKey: string;
  readonly shardCount: number;
  readonly recordCount: number;
  readonly datasets: readonly PlannedDatasetCounts[];
  readonly includeBaselines: boolean;
}

/** Event of evaluate: one manifest line. */
export type EvaluateEvent = ShardItem;

/** Result of evaluate (counts and the key only). */
export interface EvaluateResult {
  readonly partKey: string;
  readonly rows: number;
  readonly scored: number;
  readonly errors: number;
  readonly retries: number;
}

/** Measured usage for the cost estimate, passed by the state machine. */
export interface AggregateUsage {
  /** From DescribeTrainingJob (`createTrainingJob.sync` output): `BillableTimeInSeconds`, `ResourceConfig`. */
  readonly training?: { readonly instanceType: string; readonly billableSeconds: number; readonly instanceCount?: number } | null;
  /**
   * Each endpoint's InService and deletion times (ISO-8601, from `$$.State.EnteredTime`). A kept
   * endpoint (`keepEndpoints`) has `kept: true` and `deletedAt` = when aggregation started: it goes
   * on costing until someone deletes it.
   */
  readonly endpoints?: readonly {
    readonly model: string;
    readonly instanceType: string;
    readonly inServiceAt: string;
    readonly deletedAt: string;
    readonly kept?: boolean;
  }[];
}

/** Event of aggregate. */
export interface AggregateEvent {
  readonly runId: string;
  /** The FineTuningStage output; the job's billable seconds are read when `usage.training` is absent (`trainingJobName` null: training skipped). */
  readonly training?: { readonly trainingJobName?: string | null } | null;
  readonly usage?: AggregateUsage;
}

/** Result of aggregate. */
export interface AggregateResult {
  readonly runId: string;
  readonly summaryKey: string;
  readonly runSummaryKey: string;
  readonly partFiles: number;
  readonly rows: number;
  readonly errors: number;
  /** Rows with an error per data set × model, and whether the results are trustworthy (./trust.ts). */
  readonly errorReport: ErrorReport;
  readonly metricsPublished: number;
  readonly costUsd: number;
}
