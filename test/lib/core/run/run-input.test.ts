import { InvalidRunInputError, planRun } from '../../../../lib/core/run/run-input';
import type { ValidateInputEvent } from '../../../../lib/core/run/run-lambda-contracts';

const defaults: ValidateInputEvent['defaults'] = {
  bucketName: 'data-bucket',
  trainingData: 's3://data-bucket/train_data/',
  evalData: { dev1: 's3://data-bucket/eval_data/dev1.jsonl', dev2: 's3://data-bucket/eval_data/dev2.jsonl' },
  modelVersion: '2.*',
  resourcePrefix: 'impressions',
  hyperparameters: { batch_size: '16', epochs: '9' },
  epochs: 3,
};
const NOW = new Date('2024-05-06T07:08:09Z');
const plan = (input: unknown, executionName = 'exec-1') => planRun({ input, executionName, defaults }, NOW);

describe('planRun', () => {
  test('an empty input gives the deployment defaults', () => {
    expect(plan({})).toEqual({
      runId: 'exec-1',
      runName: 'exec-1',
      modelVersion: '2.*',
      trainingData: 's3://data-bucket/train_data/',
      evalData: { dev1: 's3://data-bucket/eval_data/dev1.jsonl', dev2: 's3://data-bucket/eval_data/dev2.jsonl' },
      skipTraining: false,
      modelData: null,
      keepEndpoints: false,
      hyperparameters: { batch_size: '16', epochs: '3' },
      names: {
        trainingJob: 'impressions-exec-1-train',
        pretrained: { model: 'impressions-exec-1-pt', endpointConfig: 'impressions-exec-1-pt', endpoint: 'impressions-exec-1-pt' },
        fineTuned: { model: 'impressions-exec-1-ft', endpointConfig: 'impressions-exec-1-ft', endpoint: 'impressions-exec-1-ft' },
      },
      outputPath: 's3://data-bucket/runs/exec-1/model/',
      checkpointPath: 's3://data-bucket/runs/exec-1/checkpoints/',
      startedAt: '2024-05-06T07:08:09.000Z',
    });
    expect(plan(undefined).runId).toBe('exec-1');
  });

  test('every field applied', () => {
    const p = plan(
      {
        runName: 'Trial 2.b',
        modelVersion: '1.*',
        trainingData: 's3://data-bucket/train_data/v2/',
        evalData: { dev1: 's3://data-bucket/eval_data/small/dev1.jsonl', iu_test: 's3://data-bucket/eval_data/iu.jsonl' },
        skipTraining: true,
        modelData: 's3://data-bucket/runs/old/model/old-train/output/model.tar.gz',
        keepEndpoints: true,
        hyperparameters: { epochs: 1, learning_rate: 0.0002, pad_to_max_length: false, peft_type: 'lora' },
      },
      'a_b',
    );
    expect(p.runName).toBe('Trial 2.b');
    expect(p.runId).toMatch(/^a-b-[0-9a-f]{8}$/);
    expect(p.modelVersion).toBe('1.*');
    // The version rule is resolution's (lib/core/jumpstart/manifest.ts): `*` is the newest version.
    expect(plan({ modelVersion: '*' }).modelVersion).toBe('*');
    expect(p.trainingData).toBe('s3://data-bucket/train_data/v2/');
    expect(p.evalData).toEqual({
      dev1: 's3://data-bucket/eval_data/small/dev1.jsonl',
      dev2: 's3://data-bucket/eval_data/dev2.jsonl',
      iu_test: 's3://data-bucket/eval_data/iu.jsonl',
    });
    expect(p.skipTraining).toBe(true);
    expect(p.modelData).toBe('s3://data-bucket/runs/old/model/old-train/output/model.tar.gz');
    expect(p.keepEndpoints).toBe(true);
    expect(p.hyperparameters).toEqual({ batch_size: '16', epochs: '1', learning_rate: '0.0002', pad_to_max_length: 'False', peft_type: 'lora' });
  });

  test.each(['s3://data-bucket/runs/earlier/model/', 's3://data-bucket/runs/earlier/model/job/output/model/', 's3://data-bucket/runs/e/model/m.tar.gz'])(
    'given model data in a run model folder (what the hosting role may read) is accepted: %s',
    (modelData) => {
      expect(plan({ skipTraining: true, modelData }).modelData).toBe(modelData);
    },
  );

  test.each([
    [{ colour: 'red' }, /colour: unknown field \(allowed: runName, modelVersion/],
    [{ runName: '' }, /runName: "": expected 1-80 letters/],
    [{ runName: 'x'.repeat(81) }, /runName: .*expected 1-80/],
    [{ modelVersion: 'latest' }, /modelVersion: "latest": expected an exact version such as 2\.2\.3, a major wildcard such as 2\.\*, or \* \(the newest\)/],
    [{ modelVersion: '2.2' }, /modelVersion: "2\.2"/],
    [
      { trainingData: 's3://other-bucket/train_data/' },
      /trainingData: "s3:\/\/other-bucket\/train_data\/": expected a prefix ending with \/ under s3:\/\/data-bucket\/train_data\//,
    ],
    [{ trainingData: 's3://data-bucket/train_data/train.jsonl' }, /trainingData: .*expected a prefix ending with \//],
    [{ trainingData: 's3://data-bucket/eval_data/' }, /trainingData:/],
    [{ trainingData: 's3://data-bucket/train_data/../runs/' }, /trainingData:/],
    [{ evalData: { dev1: 's3://data-bucket/train_data/x.jsonl' } }, /evalData\.dev1: .*expected a \.jsonl object under s3:\/\/data-bucket\/eval_data\//],
    [{ evalData: { dev1: 's3://data-bucket/eval_data/dev1.json' } }, /evalData\.dev1:/],
    [{ evalData: { 'Dev 3': 's3://data-bucket/eval_data/x.jsonl' } }, /evalData\.Dev 3: dataset names are 1-32 lower-case/],
    [{ evalData: ['s3://data-bucket/eval_data/x.jsonl'] }, /evalData: .*expected an object/],
    [{ skipTraining: 'yes' }, /skipTraining: "yes": expected true or false/],
    [{ keepEndpoints: 1 }, /keepEndpoints: 1: expected true or false/],
    [{ skipTraining: true }, /modelData: required when skipTraining is true/],
    [{ modelData: 's3://data-bucket/runs/r/model/' }, /modelData: only allowed with skipTraining: true/],
    [
      { skipTraining: true, modelData: 's3://data-bucket/train_data/model.tar.gz' },
      /modelData: .*expected a \.tar\.gz or a prefix ending with \/ under s3:\/\/data-bucket\/runs\/<run id>\/model\//,
    ],
    [{ skipTraining: true, modelData: 's3://data-bucket/runs/r/model.zip' }, /modelData:/],
    // The hosting role reads runs/<run id>/model/ only: a model elsewhere under runs/ could never be hosted.
    [{ skipTraining: true, modelData: 's3://data-bucket/runs/r/checkpoints/model.tar.gz' }, /modelData: .*under s3:\/\/data-bucket\/runs\/<run id>\/model\//],
    [{ skipTraining: true, modelData: 's3://data-bucket/runs/model.tar.gz' }, /modelData:/],
    [{ skipTraining: true, modelData: 's3://data-bucket/runs/r/model' }, /modelData:/],
    [{ hyperparameters: { sagemaker_program: 'x.py' } }, /hyperparameters\.sagemaker_program: sagemaker_\* entries are set by the pipeline/],
    [{ hyperparameters: { 'Bad-Name': 1 } }, /hyperparameters\.Bad-Name: names are lower-case/],
    [{ hyperparameters: { epochs: null } }, /hyperparameters\.epochs: null: expected a string, a finite number or a boolean/],
    [{ hyperparameters: { epochs: Number.NaN } }, /hyperparameters\.epochs:/],
    [{ hyperparameters: { x: 'y'.repeat(2501) } }, /hyperparameters\.x: "y+\.\.\.: longer than 2500 characters/],
    [{ hyperparameters: 'epochs=3' }, /hyperparameters: "epochs=3": expected an object/],
  ])('rejects %j', (input, message) => {
    expect(() => plan(input)).toThrow(InvalidRunInputError);
    expect(() => plan(input)).toThrow(message);
  });

  test('lists every bad field at once, with the error name a Catch matches', () => {
    let error: unknown;
    try {
      plan({ runName: 7, skipTraining: 'no', extra: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRunInputError);
    expect((error as Error).name).toBe('InvalidRunInputError');
    expect((error as InvalidRunInputError).problems.map((p) => p.field)).toEqual(['extra', 'runName', 'skipTraining']);
    expect((error as Error).message).toMatch(/^Invalid run input \(3 problems\): extra: unknown field/);
  });

  test('a non-object input', () => {
    expect(() => plan([1])).toThrow('Invalid run input (1 problem): (input): expected a JSON object');
    expect(() => plan('run')).toThrow(/expected a JSON object/);
  });
});
