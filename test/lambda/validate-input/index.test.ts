import { handler, InvalidRunInputError } from '../../../lambda/validate-input/index';
import type { ValidateInputEvent } from '../../../lib/core/run/run-lambda-contracts';

const defaults: ValidateInputEvent['defaults'] = {
  bucketName: 'b',
  trainingData: 's3://b/train_data/',
  evalData: { dev1: 's3://b/eval_data/dev1.jsonl', dev2: 's3://b/eval_data/dev2.jsonl' },
  modelVersion: '2.*',
  resourcePrefix: 'impressions',
  hyperparameters: {},
  epochs: 3,
};

describe('validate-input', () => {
  test('returns the run plan', async () => {
    const plan = await handler({ input: { keepEndpoints: true }, executionName: 'e1', defaults });
    expect(plan).toMatchObject({ runId: 'e1', keepEndpoints: true, hyperparameters: { epochs: '3' } });
  });

  test('throws InvalidRunInputError with the name a Catch matches', async () => {
    const error = await handler({ input: { skipTraining: true }, executionName: 'e1', defaults }).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(InvalidRunInputError);
    expect(error.name).toBe('InvalidRunInputError');
    expect(error.message).toMatch(/modelData: required when skipTraining is true/);
  });
});
