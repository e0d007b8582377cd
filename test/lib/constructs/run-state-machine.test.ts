/**
 * Executes the synthesized run state machine with aws-local-stepfunctions (test/helpers/run-execution.ts):
 * SageMaker calls go to an in-memory simulator, the Lambda tasks to local stand-ins that parse their
 * events with the handlers' own contract parsers. What the run sends and returns on its main paths;
 * its failure paths and their clean-up are in fault-paths.test.ts.
 */
import { keysOf } from '../../../lib/core/json-path';
import type { RunOutput } from '../../../lib/core/run/contracts';
import { allStates } from '../../helpers/asl';
import { LogGroupsSimulator } from '../../helpers/log-groups-simulator';
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
    expect({ resource, ...counts }).toEqual({ resource, created: 1, deleted: 1, deletedBy: ['run'] });
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
      endpointsLeftRunning: true,
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

  test('a failing publish step does not fail the run: the scores are in S3, the failure is recorded', async () => {
    const outcome = await execute({ failingStates: ['Publish results'] });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output!.publication).toEqual({ status: 'failed', error: 'EvaluationFailed', cause: expect.any(String) });
    expect(outcome.output!.aggregation).toMatchObject({ runId: RUN_ID });
    expectNoLeak(outcome);
  });

  test("each endpoint's log group is created under the data key with a 90-day retention; an existing one is encrypted again, not duplicated", async () => {
    const existing = new LogGroupsSimulator();
    existing.groups.set(`/aws/sagemaker/Endpoints/${PT}`, { tags: {} });
    const outcome = await execute({ logs: existing });
    expect(outcome.status).toBe('SUCCEEDED');
    const key = (outcome.params['fine-tuned: create log group'] as { KmsKeyId: string }).KmsKeyId;
    expect(key).toMatch(/^dummy-|Arn/);
    expect(Object.fromEntries(outcome.logs.groups)).toEqual({
      [`/aws/sagemaker/Endpoints/${PT}`]: { kmsKeyId: key, retentionInDays: 90, tags: {} },
      [`/aws/sagemaker/Endpoints/${FT}`]: { kmsKeyId: key, retentionInDays: 90, tags: { 'impressions:app': 'impressions', 'impressions:run-id': RUN_ID } },
    });
    expect(outcome.logs.log.filter((l) => l.endsWith(PT))).toEqual([
      `createLogGroup /aws/sagemaker/Endpoints/${PT}`,
      `associateKmsKey /aws/sagemaker/Endpoints/${PT}`,
      `putRetentionPolicy /aws/sagemaker/Endpoints/${PT}`,
    ]);
    expectNoLeak(outcome);
  });

  test('a log group that cannot be created fails the deployment before any SageMaker resource exists', async () => {
    const failing = new LogGroupsSimulator();
    failing.call = () => {
      throw Object.assign(new Error('User is not authorized to perform: logs:CreateLogGroup'), { name: 'CloudWatchLogs.AccessDeniedException' });
    };
    const outcome = await execute({ logs: failing, input: { skipTraining: true, modelData: `s3://${bucketOfDefinition()}/runs/earlier/model/m.tar.gz` } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('CloudWatchLogs.AccessDeniedException');
    expect(outcome.sim.log.filter((l) => l.startsWith('create'))).toEqual([]);
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
