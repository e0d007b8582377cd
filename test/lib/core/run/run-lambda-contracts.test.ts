import {
  parseJanitorPassEvent,
  parsePreflightQuotasEvent,
  parseResolveModelEvent,
  parseSweepRequest,
  parseValidateInputEvent,
} from '../../../../lib/core/run/run-lambda-contracts';
import { samplePlan } from '../../../helpers/jumpstart';

const defaults = {
  bucketName: 'b',
  trainingData: 's3://b/train_data/',
  evalData: { dev1: 's3://b/eval_data/dev1.jsonl', dev2: 's3://b/eval_data/dev2.jsonl' },
  modelVersion: '2.*',
  resourcePrefix: 'impressions',
  hyperparameters: { learning_rate: '0.0001' },
  epochs: 3,
};

describe('run Lambda event parsers', () => {
  test('validate-input: the run input is passed on untouched, the deployment defaults are checked', () => {
    const input = { anything: ['goes', 1] };
    expect(parseValidateInputEvent({ input, executionName: 'e1', defaults })).toEqual({ input, executionName: 'e1', defaults });
    expect(() => parseValidateInputEvent({ executionName: 'e1', defaults: { ...defaults, epochs: 0, evalData: { dev1: 's3://b/x.jsonl' } } })).toThrow(
      'invalid validate-input event (2 problems): defaults.evalData.dev2: expected a string, got nothing; defaults.epochs: expected a whole number ≥ 1, got 0',
    );
  });

  test('resolve-model: reads the plan fields resolution uses, the rest of the plan is not required', () => {
    const plan = samplePlan();
    const event = {
      run: plan,
      modelId: 'm',
      trainingInstanceType: 'ml.p3.16xlarge',
      inferenceInstanceType: 'ml.g5.2xlarge',
      trainingVolumeGb: 300,
      maxTrainingHours: 100,
    };
    const parsed = parseResolveModelEvent(event);
    expect(parsed.run).toEqual({
      runId: plan.runId,
      modelVersion: plan.modelVersion,
      trainingData: plan.trainingData,
      skipTraining: false,
      modelData: null,
      outputPath: plan.outputPath,
      hyperparameters: plan.hyperparameters,
      names: { trainingJob: plan.names.trainingJob },
    });
    expect(parsed).not.toHaveProperty('region');
    expect(parseResolveModelEvent({ ...event, region: 'eu-west-1' }).region).toBe('eu-west-1');
    expect(() => parseResolveModelEvent({ ...event, run: { ...plan, names: {} }, trainingVolumeGb: '300' })).toThrow(
      'invalid resolve-model event (2 problems): run.names.trainingJob: expected a string, got nothing; trainingVolumeGb: expected a whole number ≥ 1, got "300"',
    );
  });

  test('preflight-quotas: four fields', () => {
    const event = { trainingInstanceType: 'a', inferenceInstanceType: 'b', skipTraining: false, spotTraining: true };
    expect(parsePreflightQuotasEvent(event)).toEqual(event);
    // The state machine once sent skipTraining through stringAt; a string is refused, not taken as truthy.
    expect(() => parsePreflightQuotasEvent({ ...event, skipTraining: 'false' })).toThrow('skipTraining: expected true or false, got "false"');
  });

  test('janitor: the execution (ARN, name, a known status) and the pass number', () => {
    const event = { execution: { arn: 'arn:aws:states:eu-west-1:123456789012:execution:m:run-1', name: 'run-1', status: 'FAILED' }, pass: 3 };
    expect(parseJanitorPassEvent(event)).toEqual(event);
    expect(() => parseJanitorPassEvent({ execution: { arn: 'a', name: 'run-1', status: 'BROKEN' }, pass: 0 })).toThrow(
      'execution.status: expected one of ABORTED, TIMED_OUT, FAILED, RUNNING, SUCCEEDED, PENDING_REDRIVE, got "BROKEN"',
    );
    expect(() => parseJanitorPassEvent({ execution: { arn: 'a', name: 'run-1', status: 'FAILED' }, pass: -1 })).toThrow(/pass/);
  });

  test('sweep: Update and Delete carry the physical id, Create does not', () => {
    expect(parseSweepRequest({ RequestType: 'Create', ResourceProperties: {} })).toEqual({ RequestType: 'Create' });
    expect(parseSweepRequest({ RequestType: 'Delete', PhysicalResourceId: 'p' })).toEqual({ RequestType: 'Delete', PhysicalResourceId: 'p' });
    expect(() => parseSweepRequest({ RequestType: 'Delete' })).toThrow('invalid sweep event (1 problem): PhysicalResourceId: expected a string, got nothing');
  });
});
