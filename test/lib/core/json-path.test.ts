import { at, branchOutput, CONTEXT_PATHS, keysOf, statePath, type JsonPath } from '../../../lib/core/json-path';
import type { EndpointDeployment, FineTuningResult, RunState } from '../../../lib/core/run/contracts';
import type { HostingNames } from '../../../lib/core/run/naming';

const run = statePath<RunState>();

describe('typed JSONPaths', () => {
  test('a path is the dotted field path below its base', () => {
    expect(run).toBe('$');
    expect(at(run, 'plan.names.pretrained')).toBe('$.plan.names.pretrained');
    const names: JsonPath<HostingNames> = at(run, 'plan.names.fineTuned');
    expect(at(names, 'endpoint')).toBe('$.plan.names.fineTuned.endpoint');
    // Index signatures allow any key (dataset names, hyperparameters).
    expect(at(run, 'plan.evalData.dev3')).toBe('$.plan.evalData.dev3');
    expect(at(branchOutput<{ training: FineTuningResult }>(1), 'training.modelData.uri')).toBe('$[1].training.modelData.uri');
    expect(CONTEXT_PATHS.stateEnteredTime).toBe('$$.State.EnteredTime');
  });

  test('a branch index is a whole number', () => {
    expect(() => branchOutput(-1)).toThrow(/branch index must be a whole number ≥ 0, got -1/);
    expect(() => branchOutput(0.5)).toThrow(/got 0.5/);
  });

  test('keysOf lists every key in the order written', () => {
    expect(
      keysOf<EndpointDeployment>({ endpointName: true, endpointArn: true, endpointConfigName: true, modelName: true, status: true, inServiceAt: true }),
    ).toEqual(['endpointName', 'endpointArn', 'endpointConfigName', 'modelName', 'status', 'inServiceAt']);
  });

  test('the compiler rejects a path that does not exist, a path of the wrong type and a plain string (checked by tsc in npm test)', () => {
    // Each line below must fail to compile; `@ts-expect-error` fails the type check when it does not.
    // @ts-expect-error a misspelt field
    at(run, 'plan.nmes');
    // @ts-expect-error a field of the wrong stage
    at(run, 'stage1.fineTunedEndpoint');
    // @ts-expect-error a path to a string where a FineTuningResult is expected
    const wrongType: JsonPath<FineTuningResult> = at(run, 'plan.runId');
    // @ts-expect-error a plain string is not a typed path
    const plain: JsonPath<FineTuningResult> = '$.training';
    // @ts-expect-error a key missing from keysOf
    keysOf<EndpointDeployment>({ endpointName: true, endpointArn: true, endpointConfigName: true, modelName: true, status: true });
    keysOf<EndpointDeployment>({
      endpointName: true,
      endpointArn: true,
      endpointConfigName: true,
      modelName: true,
      status: true,
      inServiceAt: true,
      // @ts-expect-error a key keysOf's type does not have
      extra: true,
    });
    expect([wrongType, plain]).toEqual(['$.plan.runId', '$.training']);
  });
});
