/**
 * Executes the synthesized run state machine with aws-local-stepfunctions: SageMaker calls go to
 * an in-memory simulator, the Lambda tasks to local handlers (validate-input uses the real
 * planRun). Every path must delete each endpoint, endpoint config and model it created exactly once.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { buildApp } from '../../../lib/app';
import type { ResolvedModel } from '../../../lib/core/run/contracts';
import type { ValidateInputEvent } from '../../../lib/core/run/lambda-contracts';
import { planRun } from '../../../lib/core/run/run-input';
import { planShards, shardManifestKey, type PlanEvaluationEvent, type ShardItem } from '../../../lib/core/evaluation';
import { AslDefinition, allStates, polyfillPromiseWithResolvers, stateMachineDefinitions } from '../../helpers/asl';
import { testApp } from '../../helpers/cdk';
import { SageMakerSimulator, SimulatedAwsError, SimulatorOptions } from '../../helpers/sagemaker-simulator';

polyfillPromiseWithResolvers();

const EXECUTION_NAME = 'smoke-20260101-120000';
const RUN_ID = EXECUTION_NAME;
const PT = `impressions-${RUN_ID}-pt`;
const FT = `impressions-${RUN_ID}-ft`;

function runDefinition(): AslDefinition {
  const { pipeline } = buildApp(testApp());
  const definitions = stateMachineDefinitions(pipeline);
  const run = Object.entries(definitions).find(([id]) => id.startsWith('RunStateMachine'));
  if (run === undefined) throw new Error(`no run state machine among ${Object.keys(definitions).join(', ')}`);
  return run[1];
}
const DEFINITION = runDefinition();

function resolved(overrides: { volumeKmsSupported?: boolean } = {}): ResolvedModel {
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
      fineTunedModelDataType: 'prefix',
      // The state machine hosts the training job's own S3ModelArtifacts; this resolved value is not read.
      fineTunedModelData: { type: 'prefix', uri: 's3://unused/' },
      environment: { SM_NUM_GPUS: '1', ENDPOINT_SERVER_TIMEOUT: '3600' },
      enableNetworkIsolation: true,
      payloadContract: 'tgi',
      volumeKmsSupported: false,
    },
  };
}

interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: string;
  cause?: string;
  sim: SageMakerSimulator;
  lambdaCalls: string[];
  /** Shard items each evaluate task received, by state name. */
  shards: Record<string, ShardItem[]>;
  /** Parameters of the SDK/optimized calls, by state name (last call). */
  params: Record<string, Record<string, unknown>>;
}

interface Scenario {
  input?: Record<string, unknown>;
  sim?: SimulatorOptions;
  resolved?: ResolvedModel;
  /** Make these states (a Pass or a Lambda task) throw `EvaluationFailed`. */
  failingStates?: string[];
}

async function execute(scenario: Scenario = {}): Promise<Outcome> {
  const definition = JSON.parse(JSON.stringify(DEFINITION)) as AslDefinition;
  const sim = new SageMakerSimulator(scenario.sim);
  const lambdaCalls: string[] = [];
  const params: Record<string, Record<string, unknown>> = {};
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const lambdas: Record<string, (event: Record<string, unknown>) => unknown> = {
    'Validate input': (event) => planRun(event as unknown as ValidateInputEvent, new Date('2026-01-01T12:00:00Z')),
    'Check quotas': () => ({ checked: [] }),
    'Resolve model': () => scenario.resolved ?? resolved(),
    'Publish results': (event) => (
      (params['Publish results'] = event),
      {
        runId: event.runId,
        partitions: { predictions: 10, summary: 1, created: 11, alreadyRegistered: 0 },
        ingestions: [],
        quicksight: 'not-configured',
      }
    ),
    'Aggregate results': (event) => (
      (params['Aggregate results'] = event),
      {
        runId: event.runId,
        summaryKey: `prediction_data/summary/run_id=${String(event.runId)}/summary.jsonl`,
        runSummaryKey: `runs/${String(event.runId)}/run-summary.json`,
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
      }
    ),
  };
  const shards: Record<string, ShardItem[]> = {};
  for (const model of ['pretrained', 'fine-tuned'] as const) {
    // The real shard planning, for 4 records per dataset in shards of 2; the manifest is handed inline (no ItemReader locally).
    lambdas[`${model}: plan shards`] = (event) => {
      const e = event as unknown as PlanEvaluationEvent;
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
    lambdas[`${model}: evaluate shard`] = (event) => {
      const item = event as unknown as ShardItem;
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
        return lambda(event as Record<string, unknown>);
      };
    } else {
      throw new Error(`no local handler for task ${name} (${resource})`);
    }
  }

  const input = scenario.input ?? {};
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } } as never);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    // The local interpreter has no clock in the context object: every state sees this EnteredTime.
    context: { Execution: { Name: EXECUTION_NAME, Input: input }, State: { EnteredTime: ENTERED_TIME } } as never,
  });
  try {
    const output = (await execution.result) as Record<string, unknown>;
    return { status: 'SUCCEEDED', output, sim, lambdaCalls, shards, params };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { status: 'FAILED', error: cause.name, cause: cause.message, sim, lambdaCalls, shards, params };
  }
}

/** Every endpoint, config and model created was deleted exactly once; nothing is left. */
function expectNoLeak(outcome: Outcome): void {
  for (const [resource, counts] of Object.entries(outcome.sim.lifecycle())) {
    expect({ resource, ...counts }).toEqual({ resource, created: 1, deleted: 1 });
  }
  expect(outcome.sim.leftovers()).toEqual([]);
}

const ENTERED_TIME = '2026-01-01T12:30:00.000Z';

const HOSTING = (name: string): string[] => [`model ${name}`, `endpointConfig ${name}`, `endpoint ${name}`];

describe('run state machine, executed locally', () => {
  test('happy path: trains, hosts and evaluates both models, deletes both, succeeds', async () => {
    const outcome = await execute();
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.lambdaCalls.filter((c) => !c.endsWith('evaluate shard'))).toEqual([
      'Validate input',
      'Check quotas',
      'Resolve model',
      'pretrained: plan shards',
      'fine-tuned: plan shards',
      'Aggregate results',
      'Publish results',
    ]);
    // The analytics publish step gets the run id and its output is kept.
    expect(outcome.params['Publish results']).toEqual({ runId: RUN_ID });
    expect(outcome.output!.publication).toMatchObject({ runId: RUN_ID, quicksight: 'not-configured' });
    expect(Object.keys(outcome.sim.lifecycle()).sort()).toEqual([...HOSTING(FT), ...HOSTING(PT)].sort());
    expectNoLeak(outcome);
    expect([...outcome.sim.trainingJobs.keys()]).toEqual([`impressions-${RUN_ID}-train`]);
    // Creation order per model: model, config, endpoint; deletion in reverse.
    const ptLog = outcome.sim.log.filter((line) => line.endsWith(PT));
    expect(ptLog).toEqual([
      `create model ${PT}`,
      `create endpointConfig ${PT}`,
      `create endpoint ${PT}`,
      `delete endpoint ${PT}`,
      `delete endpointConfig ${PT}`,
      `delete model ${PT}`,
    ]);
    // The fine-tuned model is hosted from the training output.
    expect(outcome.params['fine-tuned: create model'].PrimaryContainer).toEqual(
      expect.objectContaining({
        ModelDataSource: {
          S3DataSource: {
            S3Uri: expect.stringMatching(new RegExp(`/runs/${RUN_ID}/model/impressions-${RUN_ID}-train/output/model\\.tar\\.gz$`)),
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
          },
        },
      }),
    );
    // Both endpoints' measured InService-to-deleted times reach the cost estimate.
    expect((outcome.params['Aggregate results'] as { usage: unknown }).usage).toEqual({
      endpoints: [
        { model: 'pretrained', instanceType: 'ml.g5.2xlarge', inServiceAt: ENTERED_TIME, deletedAt: ENTERED_TIME, kept: false },
        { model: 'fine-tuned', instanceType: 'ml.g5.2xlarge', inServiceAt: ENTERED_TIME, deletedAt: ENTERED_TIME, kept: false },
      ],
    });
    const output = outcome.output!;
    expect(output.aggregation).toEqual({
      runId: RUN_ID,
      summaryKey: `prediction_data/summary/run_id=${RUN_ID}/summary.jsonl`,
      runSummaryKey: `runs/${RUN_ID}/run-summary.json`,
      partFiles: 24,
      rows: 28,
      errors: 0,
      errorReport: {
        maxErrorRate: 0.01,
        byDatasetAndModel: [{ dataset: 'dev1', model: 'fine-tuned', rows: 4, errors: 0, errorRate: 0, trustworthy: true }],
        trustworthy: true,
      },
      metricsPublished: 80,
      costUsd: 1.5,
    });
    expect(output.fineTunedEvaluation).toEqual({
      model: 'fine-tuned',
      status: 'evaluated',
      endpointName: FT,
      manifestKey: `runs/${RUN_ID}/evaluation/fine-tuned/shards.jsonl`,
      shardCount: 4,
      recordCount: 8,
    });
    expect((output.stage1 as Record<string, unknown>).pretrainedEvaluation).toEqual({
      model: 'pretrained',
      status: 'evaluated',
      endpointName: PT,
      manifestKey: `runs/${RUN_ID}/evaluation/pretrained/shards.jsonl`,
      shardCount: 16,
      recordCount: 8,
    });
  });

  test('EVALUATE: a Distributed Map over the S3 manifest sends every shard to the evaluate Lambda; baselines once, with the pretrained model', async () => {
    const states = Object.fromEntries(allStates(DEFINITION));
    for (const model of ['pretrained', 'fine-tuned']) {
      const map = states[`${model}: evaluate shards`];
      expect(map).toMatchObject({
        Type: 'Map',
        MaxConcurrency: 2,
        ResultPath: null,
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { 'Key.$': '$.shards.manifestKey' } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      });
      // Tolerated failure 0: CDK omits ToleratedFailurePercentage 0, which is the service default (any failed item fails the map).
      expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
      expect(map.ToleratedFailureCount).toBeUndefined();
      const evaluate = states[`${model}: evaluate shard`];
      expect(JSON.stringify(evaluate.Retry)).toContain('EndpointUnavailableError');
    }
    const outcome = await execute();
    const ft = outcome.shards['fine-tuned: evaluate shard'];
    expect(ft.map((i) => `${i.dataset}/${i.model}/${i.shardIndex}`).sort()).toEqual([
      'dev1/fine-tuned/0',
      'dev1/fine-tuned/1',
      'dev2/fine-tuned/0',
      'dev2/fine-tuned/1',
    ]);
    expect(ft[0]).toMatchObject({ runId: RUN_ID, endpointName: FT, contract: 'tgi', modelVersion: '2.2.3' });
    const pt = outcome.shards['pretrained: evaluate shard'];
    expect(pt).toHaveLength(16);
    expect(new Set(pt.map((i) => i.model))).toEqual(new Set(['pretrained', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']));
  });

  test('training job parameters: KMS on output and (where supported) volume, tags, isolation, encryption, compression', async () => {
    const outcome = await execute();
    const train = outcome.params['training: fine-tune'];
    expect(train).toEqual(
      expect.objectContaining({
        TrainingJobName: `impressions-${RUN_ID}-train`,
        HyperParameters: { epochs: '3', learning_rate: '0.0001' },
        EnableNetworkIsolation: true,
        EnableInterContainerTrafficEncryption: true,
        OutputDataConfig: expect.objectContaining({
          CompressionType: 'NONE',
          S3OutputPath: expect.stringMatching(new RegExp(`/runs/${RUN_ID}/model/$`)),
          KmsKeyId: expect.any(String),
        }),
        ResourceConfig: expect.objectContaining({ InstanceType: 'ml.p3.16xlarge', VolumeSizeInGB: 300, VolumeKmsKeyId: expect.any(String) }),
        StoppingCondition: { MaxRuntimeInSeconds: 360000 },
        Tags: [
          { Key: 'impressions:app', Value: 'impressions' },
          { Key: 'impressions:run-id', Value: RUN_ID },
        ],
      }),
    );
    expect(train).not.toHaveProperty('EnableManagedSpotTraining');
    // g5 has NVMe storage: no KmsKeyId on the endpoint config, resolved timeouts defaulted.
    const config = outcome.params['pretrained: create endpoint config'];
    expect(config).not.toHaveProperty('KmsKeyId');
    expect(config.ProductionVariants).toEqual([
      expect.objectContaining({
        InstanceType: 'ml.g5.2xlarge',
        ModelDataDownloadTimeoutInSeconds: 3600,
        ContainerStartupHealthCheckTimeoutInSeconds: 3600,
      }),
    ]);
    expect(outcome.params['pretrained: create model']).toEqual(expect.objectContaining({ EnableNetworkIsolation: true }));
  });

  test('instance storage without KMS support: no VolumeKmsKeyId on the training job', async () => {
    const outcome = await execute({ resolved: resolved({ volumeKmsSupported: false }) });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.params['training: fine-tune'].ResourceConfig).not.toHaveProperty('VolumeKmsKeyId');
  });

  test('training failure: the pretrained hosting is deleted, nothing fine-tuned is created, the run fails with the training error', async () => {
    const outcome = await execute({ sim: { trainingFailure: 'AlgorithmError: CUDA out of memory' } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('States.TaskFailed');
    expect(outcome.cause).toContain('CUDA out of memory');
    expectNoLeak(outcome);
    expect(outcome.sim.calls.createModel ?? 0).toBeLessThanOrEqual(1);
    expect(outcome.sim.log.some((line) => line.endsWith(FT))).toBe(false);
  });

  test('fine-tuned endpoint Failed: the run fails with the FailureReason, both hostings deleted', async () => {
    const reason = 'The primary container for production variant AllTraffic did not pass the ping health check.';
    const outcome = await execute({ sim: { failingEndpoints: { [FT]: reason } } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EndpointFailed');
    expect(outcome.cause).toBe(reason);
    expect(Object.keys(outcome.sim.lifecycle()).sort()).toEqual([...HOSTING(FT), ...HOSTING(PT)].sort());
    expectNoLeak(outcome);
  });

  test('pretrained endpoint Failed: the run fails; the clean-up deletes it and stops nothing still running', async () => {
    const outcome = await execute({ sim: { failingEndpoints: { [PT]: 'capacity error' } } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EndpointFailed');
    expect(outcome.cause).toBe('capacity error');
    expectNoLeak(outcome);
  });

  test('a failure while the endpoint is still Creating: the clean-up waits for it to settle, then deletes it', async () => {
    const outcome = await execute({
      sim: { creatingPolls: 4, failOnce: { describeEndpoint: 'We encountered an internal error. Please try again.' } },
    });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('SageMaker.InternalFailureException');
    // The first describe (pretrained, still Creating) failed; the clean-up waited and then deleted it.
    expectNoLeak(outcome);
    expect(outcome.sim.log).toContain(`delete endpoint ${PT}`);
    expect(outcome.sim.calls.describeEndpoint).toBeGreaterThanOrEqual(4);
  });

  test('an evaluation failure: caught, both hostings deleted, the run fails with the evaluation error', async () => {
    const outcome = await execute({ failingStates: ['fine-tuned: evaluate shard'] });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EvaluationFailed');
    expect(outcome.cause).toBe('shard 3 of dev1 could not be scored');
    expect(Object.keys(outcome.sim.lifecycle()).sort()).toEqual([...HOSTING(FT), ...HOSTING(PT)].sort());
    expectNoLeak(outcome);
  });

  test('a pretrained evaluation failure inside the parallel stage is caught too', async () => {
    const outcome = await execute({ failingStates: ['pretrained: evaluate shard'] });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('EvaluationFailed');
    expectNoLeak(outcome);
  });

  test('a throttled SageMaker call is retried and the run succeeds', async () => {
    const outcome = await execute({ sim: { throttleOnce: ['createEndpoint', 'deleteModel'] } });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.sim.calls.createEndpoint).toBe(3);
    expect(outcome.sim.calls.deleteModel).toBe(3);
    expectNoLeak(outcome);
  });

  test('skipTraining with a tarball: no training job, the given model data is hosted as the fine-tuned model', async () => {
    const outcome = await execute({ input: await skipInput('model.tar.gz') });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.sim.trainingJobs.size).toBe(0);
    expect(outcome.sim.calls.stopTrainingJob).toBeUndefined();
    expect(outcome.params['fine-tuned: create model'].PrimaryContainer).toEqual(
      expect.objectContaining({ ModelDataUrl: expect.stringMatching(/\/runs\/earlier\/model\/model\.tar\.gz$/) }),
    );
    expectNoLeak(outcome);
  });

  test('skipTraining with a prefix: hosted through ModelDataSource', async () => {
    const outcome = await execute({ input: await skipInput('') });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.params['fine-tuned: create model'].PrimaryContainer).toEqual(
      expect.objectContaining({
        ModelDataSource: { S3DataSource: { S3Uri: expect.stringMatching(/\/runs\/earlier\/model\/$/), S3DataType: 'S3Prefix', CompressionType: 'None' } },
      }),
    );
    expectNoLeak(outcome);
  });

  test('keepEndpoints: the fine-tuned hosting stays, the pretrained one is deleted', async () => {
    const outcome = await execute({ input: { keepEndpoints: true } });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.sim.leftovers()).toEqual(HOSTING(FT).sort());
    for (const resource of HOSTING(PT)) expect(outcome.sim.lifecycle()[resource]).toEqual({ created: 1, deleted: 1 });
    // The kept endpoint is costed up to aggregation and marked as still running.
    expect((outcome.params['Aggregate results'] as { usage: { endpoints: unknown[] } }).usage.endpoints[1]).toEqual({
      model: 'fine-tuned',
      instanceType: 'ml.g5.2xlarge',
      inServiceAt: ENTERED_TIME,
      deletedAt: ENTERED_TIME,
      kept: true,
    });
  });

  test('a failing publish step does not fail the run: the scores are in S3, the failure is recorded', async () => {
    const outcome = await execute({ failingStates: ['Publish results'] });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output!.publication).toEqual({ status: 'failed', error: 'EvaluationFailed', cause: expect.any(String) });
    expect(outcome.output!.aggregation).toMatchObject({ runId: RUN_ID });
    expectNoLeak(outcome);
  });

  test('keepEndpoints does not apply to a failed run: everything is deleted', async () => {
    const outcome = await execute({ input: { keepEndpoints: true }, failingStates: ['Aggregate results'] });
    expect(outcome.status).toBe('FAILED');
    expectNoLeak(outcome);
  });

  test('invalid input: fails with InvalidRunInputError before anything is created', async () => {
    const outcome = await execute({ input: { skipTraining: 'yes', colour: 'blue' } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidRunInputError');
    expect(outcome.cause).toMatch(/skipTraining/);
    expect(outcome.cause).toMatch(/colour/);
    expect(outcome.sim.log).toEqual([]);
    expect(outcome.lambdaCalls).toEqual(['Validate input']);
  });
});

/** A skipTraining input whose model data lies under the deployment's bucket (the name is a synth token). */
async function skipInput(file: string): Promise<Record<string, unknown>> {
  const bucket = bucketOfDefinition();
  return { skipTraining: true, modelData: `s3://${bucket}/runs/earlier/model/${file}` };
}

function bucketOfDefinition(): string {
  const validate = DEFINITION.States['Validate input'] as unknown as { Parameters: { defaults: { bucketName: string } } };
  return validate.Parameters.defaults.bucketName;
}
