/**
 * Executes the synthesized run state machine with aws-local-stepfunctions (test/helpers/run-execution.ts):
 * SageMaker calls go to an in-memory simulator, the Lambda tasks to local stand-ins that parse their
 * events with the handlers' own contract parsers. Every path must delete each endpoint, endpoint
 * config and model it created exactly once.
 */
import { keysOf } from '../../../lib/core/json-path';
import type { RunOutput } from '../../../lib/core/run/contracts';
import { allStates } from '../../helpers/asl';
import {
  bucketOfDefinition,
  defaultRunDefinition,
  ENTERED_TIME,
  executeRun as execute,
  RUN_ID,
  sampleResolvedModel as resolved,
  type RunOutcome as Outcome,
} from '../../helpers/run-execution';

const DEFINITION = defaultRunDefinition();
const PT = `impressions-${RUN_ID}-pt`;
const FT = `impressions-${RUN_ID}-ft`;

/** Every endpoint, config and model created was deleted exactly once; nothing is left. */
function expectNoLeak(outcome: Outcome): void {
  for (const [resource, counts] of Object.entries(outcome.sim.lifecycle())) {
    expect({ resource, ...counts }).toEqual({ resource, created: 1, deleted: 1 });
  }
  expect(outcome.sim.leftovers()).toEqual([]);
}

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
    // The fine-tuned model is hosted from the training output: the uncompressed prefix, ending with '/'.
    expect(outcome.params['fine-tuned: create model'].PrimaryContainer).toEqual(
      expect.objectContaining({
        ModelDataSource: {
          S3DataSource: {
            S3Uri: expect.stringMatching(new RegExp(`/runs/${RUN_ID}/model/impressions-${RUN_ID}-train/output/model/$`)),
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
          },
        },
      }),
    );
    expect(outcome.output!.stage1.training.modelData).toEqual(outcome.output!.resolved.inference.fineTunedModelData);
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
    expect(output.stage1.pretrainedEvaluation).toEqual({
      model: 'pretrained',
      status: 'evaluated',
      endpointName: PT,
      manifestKey: `runs/${RUN_ID}/evaluation/pretrained/shards.jsonl`,
      shardCount: 16,
      recordCount: 8,
    });
  });

  test("the output of a succeeded run has exactly the fields of RunOutput, each payload passed its handler's parser", async () => {
    const outcome = await execute();
    const fields = keysOf<RunOutput>({
      plan: true,
      preflight: true,
      resolved: true,
      settingDefaults: true,
      settings: true,
      stage1: true,
      fineTunedEndpoint: true,
      fineTunedEvaluation: true,
      fineTunedTeardown: true,
      aggregation: true,
      publication: true,
    });
    expect(Object.keys(outcome.output!).sort()).toEqual([...fields].sort());
    expect(Object.keys(outcome.output!.stage1).sort()).toEqual(['pretrainedEndpoint', 'pretrainedEvaluation', 'pretrainedTeardown', 'training']);
    expect(outcome.output!.stage1.training).toEqual({
      trainingJobName: `impressions-${RUN_ID}-train`,
      modelData: { type: 'prefix', uri: expect.stringMatching(/^s3:\/\//) },
    });
    expect(outcome.output!.settings.training.volumeSizeGb).toBe(300);
    expect(outcome.output!.settings.inference.modelDataDownloadTimeoutSeconds).toBe(3600);
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
  return { skipTraining: true, modelData: `s3://${bucketOfDefinition()}/runs/earlier/model/${file}` };
}
