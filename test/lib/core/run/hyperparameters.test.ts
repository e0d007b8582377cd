import { hyperparameterNameProblem, hyperparameterText, hyperparameterValue } from '../../../../lib/core/run/hyperparameters';

describe('hyperparameter rules (config and run input alike)', () => {
  test('names: lower-case JumpStart names; no upper case, no sagemaker_* entries', () => {
    for (const name of ['epochs', 'learning_rate', '_private', 'lora_r', 'x'.repeat(256)]) expect(hyperparameterNameProblem(name)).toBeUndefined();
    for (const name of ['Epochs', 'learning-rate', '1st', '', 'x'.repeat(257)]) expect(hyperparameterNameProblem(name)).toMatch(/lower-case letters/);
    expect(hyperparameterNameProblem('sagemaker_program')).toMatch(/set by the pipeline/);
  });

  test('values: strings as given, numbers as printed, booleans as True/False; others refused', () => {
    expect([hyperparameterText('lora'), hyperparameterText(0.0002), hyperparameterText(true), hyperparameterText(false)]).toEqual([
      'lora',
      '0.0002',
      'True',
      'False',
    ]);
    for (const value of [null, undefined, [1], { a: 1 }, Number.NaN, Infinity]) expect(hyperparameterText(value)).toBeUndefined();
    expect(hyperparameterValue(3)).toEqual({ text: '3' });
    expect(hyperparameterValue([3])).toEqual({ problem: 'expected a string, a finite number or a boolean' });
    expect(hyperparameterValue('v'.repeat(2501))).toEqual({ problem: 'longer than 2500 characters' });
    expect(hyperparameterValue('v'.repeat(2500))).toEqual({ text: 'v'.repeat(2500) });
  });
});
