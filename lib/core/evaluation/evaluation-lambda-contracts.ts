/**
 * Event and result shapes of the evaluation Lambdas (plan-evaluation, evaluate, aggregate), the
 * parser of each event, and the environment variables each reads. The evaluation and aggregation
 * stages build each task's payload as the event type (the compiler rejects a field the event
 * lacks); the handlers in `lambda/` parse their event with the parser here. Change both together.
 */
import { parseEvent, type EventReader } from '../event-reader';
import type { HostedModel, ModelName, PayloadContract } from '../run/contracts';
import { BASELINE_MODELS } from './baselines';
import { isValidRunId } from './keys';
import { PAYLOAD_CONTRACTS } from './payload';
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
 * The metrics aggregate emits, one data point per summary row with a figure: `MeanF` for the ROUGE
 * means, `AgreementF1` for the clinical agreement rows; unit `None`.
 */
export const RUN_METRIC_NAMES = { meanF: 'MeanF', agreementF1: 'AgreementF1' } as const;

/** The dimensions of every run metric, in this order (a CloudWatch metric is its name and its whole dimension set). */
export const RUN_METRIC_DIMENSIONS = ['Run', 'Dataset', 'Model', 'Metric'] as const;

/**
 * Event of plan-evaluation: the EvaluationStage branch input (only the fields read are typed).
 * `includeBaselines` defaults to true for the pretrained model, so baselines run once per run.
 */
export interface PlanEvaluationEvent {
  readonly plan: { readonly runId: string; readonly evalData: Readonly<Record<string, string>> };
  readonly resolved: { readonly version: string; readonly inference: { readonly payloadContract: PayloadContract } };
  readonly endpointName: string;
  readonly model: HostedModel;
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
  readonly model: HostedModel;
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
  /** The FineTuningStage output; the job's billable seconds are read when `usage.training` is absent (no `trainingJobName`: training skipped). */
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

// ---------------------------------------------------------------------------------------------
// Parsers of the events above (each throws InvalidEventError naming every bad field)

const HOSTED_MODELS = ['pretrained', 'fine-tuned'] as const satisfies readonly HostedModel[];
const MODEL_NAMES = [...HOSTED_MODELS, ...BASELINE_MODELS] as const satisfies readonly ModelName[];
/** SageMaker's endpoint name pattern. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const RUN_ID_EXPECTED = 'a run id (1-80 of A-Z a-z 0-9 . _ -, starting with a letter or digit)';

/** Parses the event of plan-evaluation (whether each evaluation set lies in the data bucket is the handler's check). */
export function parsePlanEvaluationEvent(event: unknown): PlanEvaluationEvent {
  return parseEvent('plan-evaluation', event, (r) => {
    const plan = r.object('plan', (p) => {
      const evalData = p.stringRecord('evalData');
      if (p.has('evalData') && Object.keys(evalData).length === 0) p.problem('evalData', 'expected at least one dataset');
      return { runId: p.string('runId', isValidRunId, RUN_ID_EXPECTED), evalData };
    });
    const resolved = r.object('resolved', (v) => ({
      version: v.string('version'),
      inference: v.object('inference', (i) => ({ payloadContract: i.oneOf('payloadContract', PAYLOAD_CONTRACTS) })),
    }));
    return {
      plan,
      resolved,
      endpointName: r.string('endpointName', ENDPOINT_NAME, 'a SageMaker endpoint name'),
      model: r.oneOf('model', HOSTED_MODELS),
      ...(r.has('includeBaselines') ? { includeBaselines: r.boolean('includeBaselines') } : {}),
    };
  });
}

/** Parses the event of evaluate (one manifest line); an endpoint shard must name its endpoint and contract. */
export function parseEvaluateEvent(event: unknown): EvaluateEvent {
  return parseEvent('evaluate', event, (r) => {
    const kind = r.oneOf('kind', ['endpoint', 'baseline'] as const);
    const start = r.number('start', { integer: true, min: 0 });
    const end = r.number('end', { integer: true, min: 0 });
    if (end < start) r.problem('end', `expected ≥ start (${start}), got ${end}`);
    const endpoint =
      kind === 'endpoint' || r.has('endpointName')
        ? { endpointName: r.string('endpointName', ENDPOINT_NAME, 'a SageMaker endpoint name'), contract: r.oneOf('contract', PAYLOAD_CONTRACTS) }
        : {};
    return {
      runId: r.string('runId', isValidRunId, RUN_ID_EXPECTED),
      dataset: r.string('dataset'),
      dataSource: r.string('dataSource'),
      model: r.oneOf('model', MODEL_NAMES),
      modelVersion: r.string('modelVersion'),
      kind,
      shardIndex: r.number('shardIndex', { integer: true, min: 0 }),
      start,
      end,
      evalDataUri: r.string('evalDataUri'),
      ...endpoint,
      partKey: r.string('partKey'),
    };
  });
}

/** Parses the event of aggregate. */
export function parseAggregateEvent(event: unknown): AggregateEvent {
  return parseEvent('aggregate', event, (r) => ({
    runId: r.string('runId', isValidRunId, RUN_ID_EXPECTED),
    ...(r.has('training')
      ? { training: r.nullableObject('training', (t) => (t.has('trainingJobName') ? { trainingJobName: t.nullableString('trainingJobName') } : {})) }
      : {}),
    ...(r.has('usage') ? { usage: r.object('usage', readUsage) } : {}),
  }));
}

function readUsage(u: EventReader): AggregateUsage {
  return {
    ...(u.has('training')
      ? {
          training: u.nullableObject('training', (t) => ({
            instanceType: t.string('instanceType'),
            billableSeconds: t.number('billableSeconds', { min: 0 }),
            ...(t.has('instanceCount') ? { instanceCount: t.number('instanceCount', { integer: true, min: 1 }) } : {}),
          })),
        }
      : {}),
    ...(u.has('endpoints')
      ? {
          endpoints: u.objects('endpoints', (e) => ({
            model: e.string('model'),
            instanceType: e.string('instanceType'),
            inServiceAt: e.string('inServiceAt'),
            deletedAt: e.string('deletedAt'),
            ...(e.has('kept') ? { kept: e.boolean('kept') } : {}),
          })),
        }
      : {}),
  };
}
