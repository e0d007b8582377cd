import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { at, statePath } from '../../../lib/core/json-path';
import type { RunState } from '../../../lib/core/run/contracts';
import type { PreflightQuotasEvent } from '../../../lib/core/run/run-lambda-contracts';
import { lambdaPayload, ref, stateFields } from '../../../lib/constructs/state-json';
import { testApp } from '../../helpers/cdk';

const run = statePath<RunState>();

/** What CDK renders for a Pass state's Parameters. */
function rendered(parameters: Record<string, unknown>): unknown {
  const stack = new Stack(testApp(), 'S');
  const pass = new sfn.Pass(stack, 'P', { parameters });
  return stack.resolve((pass.toStateJson() as { Parameters: unknown }).Parameters);
}

describe('typed state input objects', () => {
  test('a reference renders as "key.$": "<path>", exactly as a hand-written entry', () => {
    const payload = stateFields<PreflightQuotasEvent>({
      trainingInstanceType: 'ml.p3.16xlarge',
      inferenceInstanceType: 'ml.g5.2xlarge',
      skipTraining: ref(at(run, 'plan.skipTraining')),
      spotTraining: false,
    });
    expect(rendered(payload)).toEqual({
      trainingInstanceType: 'ml.p3.16xlarge',
      inferenceInstanceType: 'ml.g5.2xlarge',
      'skipTraining.$': '$.plan.skipTraining',
      spotTraining: false,
    });
    expect(Object.keys(rendered(payload) as object)).toEqual(['trainingInstanceType', 'inferenceInstanceType', 'skipTraining.$', 'spotTraining']);
  });

  test('nested objects and arrays of objects keep their references', () => {
    expect(
      rendered({ usage: { endpoints: ref(at(run, 'stage1.pretrainedEndpoint')) }, list: [{ kept: ref(at(run, 'fineTunedTeardown.kept')), model: 'x' }] }),
    ).toEqual({ usage: { 'endpoints.$': '$.stage1.pretrainedEndpoint' }, list: [{ 'kept.$': '$.fineTunedTeardown.kept', model: 'x' }] });
  });

  test('the compiler rejects a payload field the event lacks, a missing one and one of the wrong type (checked by tsc in npm test)', () => {
    const base = { trainingInstanceType: 'a', inferenceInstanceType: 'b', spotTraining: false };
    // @ts-expect-error `extra` is not a field of PreflightQuotasEvent
    lambdaPayload<PreflightQuotasEvent>({ ...base, skipTraining: true, extra: 1 });
    // @ts-expect-error `skipTraining` is missing
    lambdaPayload<PreflightQuotasEvent>({ trainingInstanceType: 'a', inferenceInstanceType: 'b', spotTraining: false });
    // @ts-expect-error a string where the event has a boolean
    lambdaPayload<PreflightQuotasEvent>({ ...base, skipTraining: ref(at(run, 'plan.runId')) });
    expect(lambdaPayload<PreflightQuotasEvent>({ ...base, skipTraining: ref(at(run, 'plan.skipTraining')) })).toBeInstanceOf(sfn.TaskInput);
  });
});
