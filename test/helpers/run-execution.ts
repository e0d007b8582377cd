/**
 * Executes the synthesized run state machine with aws-local-stepfunctions: SageMaker calls go to
 * an in-memory simulator (sagemaker-simulator.ts), the Lambda tasks to local stand-ins. Every
 * stand-in first parses its event with the handler's own contract parser, so a payload the real
 * handler would reject fails the execution; validate-input is the real handler. The results the
 * stand-ins return are typed by the same contracts, so the run's output has the `RunOutput` shape.
 */
// Keep the real handler's structured logs out of the test output (must run before it loads).
import './quiet-logs';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
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
import type { ResolvedModel, RunOutput } from '../../lib/core/run/contracts';
import { parsePreflightQuotasEvent, parseResolveModelEvent, type PreflightQuotasResult } from '../../lib/core/run/run-lambda-contracts';
import { AslDefinition, allStates, polyfillPromiseWithResolvers, stateMachineDefinitions } from './asl';
import { testApp } from './cdk';
import { SageMakerSimulator, SimulatedAwsError, SimulatorOptions } from './sagemaker-simulator';

polyfillPromiseWithResolvers();

export const EXECUTION_NAME = 'smoke-20260101-120000';
export const RUN_ID = EXECUTION_NAME;
/** The local interpreter has no clock in the context object: every state sees this EnteredTime. */
export const ENTERED_TIME = '2026-01-01T12:30:00.000Z';

/** The run state machine's definition as `cdk synth` renders it (tokens replaced by dummies). */
export function runDefinition(context: Record<string, unknown> = {}): AslDefinition {
  const { pipeline } = buildApp(testApp(context));
  const definitions = stateMachineDefinitions(pipeline);
  const run = Object.entries(definitions).find(([id]) => id.startsWith('RunStateMachine'));
  if (run === undefined) throw new Error(`no run state machine among ${Object.keys(definitions).join(', ')}`);
  return run[1];
}

let defaultDefinition: AslDefinition | undefined;

/** The default app's run definition, built once per test file. */
export function defaultRunDefinition(): AslDefinition {
  return (defaultDefinition ??= runDefinition());
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
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
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
      enableNetworkIsolation: true,
      payloadContract: 'tgi',
      volumeKmsSupported: false,
    },
  };
}

/** How one execution ended. */
export interface RunOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  /** The execution output of a succeeded run. */
  output?: RunOutput;
  error?: string;
  cause?: string;
  sim: SageMakerSimulator;
  /** Lambda tasks called, in order. */
  lambdaCalls: string[];
  /** Shard items each evaluate task received, by state name. */
  shards: Record<string, ShardItem[]>;
  /** Parameters of the SDK/optimized calls and Lambda payloads, by state name (last call). */
  params: Record<string, Record<string, unknown>>;
}

/** What to execute. */
export interface RunScenario {
  input?: Record<string, unknown>;
  sim?: SimulatorOptions;
  resolved?: ResolvedModel;
  /** Make these states (a Pass or a Lambda task) throw `EvaluationFailed`. */
  failingStates?: string[];
  /** Another definition (e.g. synthesized with other context). */
  definition?: AslDefinition;
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
    metricsPublished: 80,
    costUsd: 1.5,
  };
}

/** Executes the run once. */
export async function executeRun(scenario: RunScenario = {}): Promise<RunOutcome> {
  const definition = JSON.parse(JSON.stringify(scenario.definition ?? defaultRunDefinition())) as AslDefinition;
  const sim = new SageMakerSimulator(scenario.sim);
  const lambdaCalls: string[] = [];
  const params: Record<string, Record<string, unknown>> = {};
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
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
    // The real shard planning, for 4 records per dataset in shards of 2; the manifest is handed inline (no ItemReader locally).
    lambdas[`${model}: plan shards`] = (event): PlanEvaluationResult & { items: ShardItem[] } => {
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
    };
    lambdas[`${model}: evaluate shard`] = (event): EvaluateResult => {
      const item = parseEvaluateEvent(event);
      (shards[`${model}: evaluate shard`] ??= []).push(item);
      return { partKey: item.partKey, rows: item.end - item.start, scored: item.end - item.start, errors: 0, retries: 0 };
    };
  }

  for (const [name, state] of allStates(definition)) {
    if (state.Retry !== undefined) retries[name] = 0;
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Type === 'Map' && state.ItemReader !== undefined) {
      // aws-local-stepfunctions has no ItemReader: read the items inline from the plan's result instead.
      delete state.ItemReader;
      state.ItemsPath = '$.shards.items';
    }
    if (name.endsWith(': plan shards')) (state.ResultSelector as Record<string, string>)['items.$'] = '$.items';
    if (scenario.failingStates?.includes(name)) {
      const isLambdaTask = state.Type === 'Task' && (state.Resource ?? '').includes(':function:');
      if (state.Type !== 'Pass' && !isLambdaTask) throw new Error(`${name} is a ${state.Type}, not a Pass or Lambda task`);
      state.Type = 'Task';
      state.Resource = 'arn:aws:states:::lambda:invoke';
      handlers[name] = async () => {
        throw new SimulatedAwsError('EvaluationFailed', 'shard 3 of dev1 could not be scored');
      };
      continue;
    }
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const sdk = /:::aws-sdk:sagemaker:(\w+)$/.exec(resource);
    if (sdk !== null) {
      handlers[name] = async (p) => {
        params[name] = p as Record<string, unknown>;
        return sim.call(sdk[1], p as Record<string, unknown>);
      };
    } else if (resource.endsWith(':::sagemaker:createTrainingJob.sync')) {
      handlers[name] = async (p) => {
        params[name] = p as Record<string, unknown>;
        return sim.train(p as Record<string, unknown>);
      };
    } else if (resource.includes(':function:')) {
      const lambda = lambdas[name];
      if (lambda === undefined) throw new Error(`no local handler for Lambda task ${name}`);
      handlers[name] = async (event) => {
        lambdaCalls.push(name);
        params[name] = event as Record<string, unknown>;
        return lambda(event);
      };
    } else {
      throw new Error(`no local handler for task ${name} (${resource})`);
    }
  }

  const input = scenario.input ?? {};
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } } as never);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: { Execution: { Name: EXECUTION_NAME, Input: input }, State: { EnteredTime: ENTERED_TIME } } as never,
  });
  try {
    const output = (await execution.result) as unknown as RunOutput;
    return { status: 'SUCCEEDED', output, sim, lambdaCalls, shards, params };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { status: 'FAILED', error: cause.name, cause: cause.message, sim, lambdaCalls, shards, params };
  }
}

/** The data bucket of a definition (a synth token replaced by a dummy), as validate-input's defaults carry it. */
export function bucketOfDefinition(definition: AslDefinition = defaultRunDefinition()): string {
  const validate = definition.States['Validate input'] as unknown as { Parameters: { defaults: { bucketName: string } } };
  return validate.Parameters.defaults.bucketName;
}
