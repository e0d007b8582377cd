/**
 * Executes the synthesized run state machine with aws-local-stepfunctions: SageMaker calls go to
 * an in-memory simulator (sagemaker-simulator.ts), the Lambda tasks to local stand-ins. Every
 * stand-in first parses its event with the handler's own contract parser, so a payload the real
 * handler would reject fails the execution; validate-input is the real handler. The results the
 * stand-ins return are typed by the same contracts, so the run's output has the `RunOutput` shape.
 */
// Keep the real handler's structured logs out of the test output (must run before it loads).
import './quiet-logs';
import { handler as validateInput } from '../../lambda/validate-input/index';
import { buildApp } from '../../lib/app';
import { parsePublishResultsEvent, type PublishResultsOutput } from '../../lib/core/analytics/publish-contracts';
import {
  parseAggregateEvent,
  parseEvaluateEvent,
  parsePlanEvaluationEvent,
  planShards,
  shardManifestKey,
  summaryKey,
  runSummaryKey,
  type AggregateResult,
  type EvaluateResult,
  type PlanEvaluationResult,
  type ShardItem,
} from '../../lib/core/evaluation';
import { fineTunedModelLocation } from '../../lib/core/jumpstart/resolve';
import type { ResolvedModel, RunOutput, RunSettings, RunSetup, SettingDefaults } from '../../lib/core/run/contracts';
import { parsePreflightQuotasEvent, parseResolveModelEvent, type PreflightQuotasResult } from '../../lib/core/run/run-lambda-contracts';
import { AslDefinition, AslState, stateMachineDefinitions } from './asl';
import { samplePlan } from './jumpstart';
import { ENTERED_TIME, executeDefinition, validatedOnce, type AslOutcome } from './asl-execution';
import { testApp } from './cdk';
import type { LogGroupsSimulator } from './log-groups-simulator';
import { SageMakerSimulator, TaskError, type ErrorNamingScheme, type SimulatorOptions } from './sagemaker-simulator';

export { ENTERED_TIME };
export const EXECUTION_NAME = 'smoke-20260101-120000';
export const RUN_ID = EXECUTION_NAME;

/** The run state machine's definition as `cdk synth` renders it (tokens replaced by dummies). */
export function runDefinition(context: Record<string, unknown> = {}): AslDefinition {
  return pipelineDefinitions(context).run;
}

/** The run's and the janitor's definitions as `cdk synth` renders them (tokens replaced by dummies). */
export function pipelineDefinitions(context: Record<string, unknown> = {}): { run: AslDefinition; janitor: AslDefinition } {
  const { pipeline } = buildApp(testApp(context));
  const definitions = Object.entries(stateMachineDefinitions(pipeline));
  const find = (prefix: string): AslDefinition => {
    const found = definitions.find(([id]) => id.startsWith(prefix));
    if (found === undefined) throw new Error(`no ${prefix} among ${definitions.map(([id]) => id).join(', ')}`);
    return found[1];
  };
  return { run: find('RunStateMachine'), janitor: find('SafetyNetsJanitorWorkflowStateMachine') };
}

let cachedDefinitions: { run: AslDefinition; janitor: AslDefinition } | undefined;

/** The default app's definitions, built once per test file and validated by aws-local-stepfunctions once. */
export function defaultDefinitions(): { run: AslDefinition; janitor: AslDefinition } {
  if (cachedDefinitions === undefined) {
    const { run, janitor } = pipelineDefinitions();
    cachedDefinitions = { run: validatedOnce(run), janitor: validatedOnce(janitor) };
  }
  return cachedDefinitions;
}

/** The default app's run definition, built once per test file. */
export function defaultRunDefinition(): AslDefinition {
  return defaultDefinitions().run;
}

/** A resolved FLAN-T5 XL 2.2.3 (TGI, uncompressed output, g5 with NVMe storage). */
export function sampleResolvedModel(overrides: { volumeKmsSupported?: boolean } = {}): ResolvedModel {
  return {
    modelId: 'huggingface-text2text-flan-t5-xl',
    version: '2.2.3',
    region: 'us-east-1',
    specUri: 's3://jumpstart-cache-prod-us-east-1/community_models_specs/huggingface-text2text-flan-t5-xl/specs_v2.2.3.json',
    training: {
      image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04',
      instanceType: 'ml.p3.16xlarge',
      hyperparameters: { epochs: '3', learning_rate: '0.0001' },
      metricDefinitions: [{ Name: 'huggingface-textgeneration:train-loss', Regex: "'loss': ([0-9]+\\.[0-9]+)" }],
      inputDataConfig: [],
      outputCompression: 'NONE',
      volumeKmsSupported: overrides.volumeKmsSupported ?? true,
      volumeSizeGb: 300,
      maxRuntimeSeconds: 360000,
    },
    inference: {
      image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.0.1-tgi0.9.3-gpu-py39-cu118-ubuntu20.04',
      instanceType: 'ml.g5.2xlarge',
      pretrainedModelData: { type: 'prefix', uri: 's3://jumpstart-cache-prod-us-east-1/huggingface-text2text/flan-t5-xl/artifacts/inference-prepack/v2.0.0/' },
      // The Resolve model stand-in replaces it with the location of the run's own output (or given model data).
      fineTunedModelData: { type: 'prefix', uri: 's3://placeholder/' },
      environment: { SM_NUM_GPUS: '1', ENDPOINT_SERVER_TIMEOUT: '3600' },
      payloadContract: 'tgi',
      volumeKmsSupported: false,
    },
  };
}

/**
 * The run state as the first Parallel receives it, for tests of a stage alone: the plan of
 * `input` (data bucket `data-bucket`), the resolved model (its fine-tuned weights where resolution
 * puts them) and the settings as "Apply settings" merges them (`States.JsonMerge`: a JSON merge in
 * which the resolved values win and absent ones are filled from the defaults).
 */
export function sampleRunSetup(options: { input?: Record<string, unknown>; resolved?: ResolvedModel; executionName?: string } = {}): RunSetup {
  const plan = samplePlan(options.input ?? {}, options.executionName ?? 'run-7');
  const base = options.resolved ?? sampleResolvedModel();
  const resolved: ResolvedModel = {
    ...base,
    inference: { ...base.inference, fineTunedModelData: fineTunedModelLocation(plan, base.training.outputCompression) },
  };
  const settingDefaults: SettingDefaults = {
    training: { volumeSizeGb: 30 },
    inference: { modelDataDownloadTimeoutSeconds: 3600, containerStartupHealthCheckTimeoutSeconds: 3600 },
  };
  const merge = <A, B>(defaults: A, values: B): A & B => JSON.parse(JSON.stringify({ ...defaults, ...JSON.parse(JSON.stringify(values)) })) as A & B;
  const settings: RunSettings = {
    training: merge(settingDefaults.training, resolved.training),
    inference: merge(settingDefaults.inference, resolved.inference),
  };
  return { plan, preflight: { checked: [] }, resolved, settingDefaults, settings };
}

/** How one execution of the run ended. */
export interface RunOutcome extends AslOutcome {
  /** The execution output of a succeeded run. */
  readonly output?: RunOutput;
  /** Shard items each evaluate task received, by state name. */
  readonly shards: Record<string, ShardItem[]>;
}

/** What to execute. */
export interface RunScenario {
  input?: Record<string, unknown>;
  sim?: SimulatorOptions;
  /** A simulator to use (e.g. one shared with a janitor run afterwards); `sim` is then ignored. */
  simulator?: SageMakerSimulator;
  /** How Step Functions names SageMaker errors. @default 'sdk-v2' */
  scheme?: ErrorNamingScheme;
  resolved?: ResolvedModel;
  /** Make these states (a Pass or a Lambda task) throw `EvaluationFailed`. */
  failingStates?: string[];
  /** Make the evaluate tasks throw `EvaluationFailed` for the shards this picks. */
  failingShards?: (item: ShardItem) => boolean;
  /** Abort the execution (as StopExecution does) once this holds; checked after every SageMaker call. */
  abortWhen?: (sim: SageMakerSimulator) => boolean;
  /** Another definition (e.g. synthesized with other context). */
  definition?: AslDefinition;
  /** Log groups that exist before the run (the simulator is shared with the caller). */
  logs?: LogGroupsSimulator;
}

/** The aggregate stand-in's result for a run (the fields the real Lambda returns, made-up counts). */
export function sampleAggregateResult(runId: string): AggregateResult {
  return {
    runId,
    summaryKey: summaryKey(runId),
    runSummaryKey: runSummaryKey(runId),
    partFiles: 24,
    rows: 4 * 2 * 2 + 3 * 2 * 2,
    errors: 0,
    errorReport: {
      maxErrorRate: 0.01,
      byDatasetAndModel: [{ dataset: 'dev1', model: 'fine-tuned', rows: 4, errors: 0, errorRate: 0, trustworthy: true }],
      trustworthy: true,
    },
    metricsPublished: 80,
    costUsd: 1.5,
  };
}

/** Executes the run once. */
export async function executeRun(scenario: RunScenario = {}): Promise<RunOutcome> {
  const shards: Record<string, ShardItem[]> = {};
  const lambdas: Record<string, (event: unknown) => unknown> = {
    'Validate input': (event) => validateInput(event),
    'Check quotas': (event): PreflightQuotasResult => (parsePreflightQuotasEvent(event), { checked: [] }),
    'Resolve model': (event): ResolvedModel => {
      const { run } = parseResolveModelEvent(event);
      const resolved = scenario.resolved ?? sampleResolvedModel();
      // As resolution does: the one rule for where the fine-tuned weights are.
      return { ...resolved, inference: { ...resolved.inference, fineTunedModelData: fineTunedModelLocation(run, resolved.training.outputCompression) } };
    },
    'Aggregate results': (event): AggregateResult => sampleAggregateResult(parseAggregateEvent(event).runId),
    'Publish results': (event): PublishResultsOutput => ({
      runId: parsePublishResultsEvent(event).runId,
      partitions: { predictions: 10, summary: 1, created: 11, alreadyRegistered: 0 },
      ingestions: [],
      quicksight: 'not-configured',
    }),
  };
  for (const model of ['pretrained', 'fine-tuned'] as const) {
    lambdas[`${model}: plan shards`] = planShardsStandIn;
    lambdas[`${model}: evaluate shard`] = (event): EvaluateResult => {
      const item = parseEvaluateEvent(event);
      (shards[`${model}: evaluate shard`] ??= []).push(item);
      if (scenario.failingShards?.(item) === true) throw new TaskError('EvaluationFailed', `shard ${item.shardIndex} of ${item.dataset} could not be scored`);
      return { partKey: item.partKey, rows: item.end - item.start, scored: item.end - item.start, errors: 0, retries: 0 };
    };
  }
  const outcome = await executeDefinition({
    definition: scenario.definition ?? defaultRunDefinition(),
    input: scenario.input ?? {},
    sim: scenario.simulator ?? new SageMakerSimulator(scenario.sim),
    scheme: scenario.scheme,
    logs: scenario.logs,
    lambdas,
    failingStates: scenario.failingStates,
    abortWhen: scenario.abortWhen,
    patch: inlineShardManifest,
    executionName: EXECUTION_NAME,
  });
  return { ...outcome, output: outcome.output as RunOutput | undefined, shards };
}

/**
 * The plan-evaluation stand-in: the real shard planning, for 4 records per dataset in shards of 2;
 * it also returns the manifest's items, which {@link inlineShardManifest} hands to the map.
 */
export function planShardsStandIn(event: unknown): PlanEvaluationResult & { items: ShardItem[] } {
  const e = parsePlanEvaluationEvent(event);
  const items = planShards({
    runId: e.plan.runId,
    model: e.model,
    modelVersion: e.resolved.version,
    endpointName: e.endpointName,
    contract: e.resolved.inference.payloadContract,
    datasets: Object.entries(e.plan.evalData).map(([dataset, uri]) => ({ dataset, evalDataUri: uri, recordCount: 4 })),
    shardSize: 2,
    includeBaselines: e.model === 'pretrained',
  });
  return {
    runId: e.plan.runId,
    model: e.model,
    manifestKey: shardManifestKey(e.plan.runId, e.model),
    shardCount: items.length,
    recordCount: 8,
    datasets: [],
    includeBaselines: e.model === 'pretrained',
    items,
  };
}

/** aws-local-stepfunctions has no ItemReader: the evaluation map reads the items the plan stand-in returned instead of the S3 manifest. */
export function inlineShardManifest(name: string, state: AslState): void {
  if (state.Type === 'Map' && state.ItemReader !== undefined) {
    delete state.ItemReader;
    state.ItemsPath = '$.shards.items';
  }
  if (name.endsWith(': plan shards')) (state.ResultSelector as Record<string, string>)['items.$'] = '$.items';
}

/** The data bucket of a definition (a synth token replaced by a dummy), as validate-input's defaults carry it. */
export function bucketOfDefinition(definition: AslDefinition = defaultRunDefinition()): string {
  const validate = definition.States['Validate input'] as unknown as { Parameters: { defaults: { bucketName: string } } };
  return validate.Parameters.defaults.bucketName;
}
