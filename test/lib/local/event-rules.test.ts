/** EventBridge pattern matching of exact values, target input (InputTransformer) and state machine targets, as the janitor's rule uses them. */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudAssembly } from '../../../lib/local/cloud-assembly';
import { LocalEventRules, matchesPattern, targetInput } from '../../../lib/local/event-rules';
import type { LambdaRuntime } from '../../../lib/local/lambda-runtime';
import { startLocalStepFunctions, type LocalStepFunctions } from '../../../lib/local/step-functions';

const event = {
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { stateMachineArn: 'arn:sm', status: 'ABORTED', name: 'r1' },
};

describe('matchesPattern', () => {
  test('every key must be present and one of its values; nested objects recurse', () => {
    const rule = {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: ['arn:sm'], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    };
    expect(matchesPattern(rule, event)).toBe(true);
    expect(matchesPattern(rule, { ...event, detail: { ...event.detail, status: 'SUCCEEDED' } })).toBe(false);
    expect(matchesPattern(rule, { ...event, detail: { ...event.detail, stateMachineArn: 'arn:other' } })).toBe(false);
    expect(matchesPattern({ ...rule, account: ['1'] }, event)).toBe(false);
  });

  test('content filters are refused rather than mis-matched', () => {
    expect(() => matchesPattern({ detail: { status: [{ prefix: 'A' }] } }, event)).toThrow(/content filter/);
  });
});

/** The janitor rule's target as synthesized (lib/constructs/safety-nets.ts): the run's execution, reshaped. */
const JANITOR_TARGET = {
  Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:janitor',
  Id: 'Target0',
  InputTransformer: {
    InputPathsMap: { 'detail-executionArn': '$.detail.executionArn', 'detail-name': '$.detail.name', 'detail-status': '$.detail.status' },
    InputTemplate: '{"execution":{"arn":<detail-executionArn>,"name":<detail-name>,"status":<detail-status>}}',
  },
};
const statusChange = {
  ...event,
  detail: { ...event.detail, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:run:r1' },
};

describe('target input', () => {
  test('a placeholder outside quotes gets the value as JSON (a string with its quotes): the janitor workflow input', () => {
    expect(targetInput(JANITOR_TARGET, statusChange)).toEqual({
      execution: { arn: 'arn:aws:states:us-east-1:123456789012:execution:run:r1', name: 'r1', status: 'ABORTED' },
    });
  });

  test('inside a JSON string a placeholder gets the text; a missing path is null; a text template stays text', () => {
    const transformer = { InputPathsMap: { name: '$.detail.name', nothing: '$.detail.missing', status: '$.detail.status' }, InputTemplate: '' };
    expect(targetInput({ Arn: 'a', InputTransformer: { ...transformer, InputTemplate: '{"m":"run <name> is \\"<status>\\"","n":<nothing>}' } }, event)).toEqual(
      {
        m: 'run r1 is "ABORTED"',
        n: null,
      },
    );
    expect(targetInput({ Arn: 'a', InputTransformer: { ...transformer, InputTemplate: '<name> is in state <status>' } }, event)).toBe('r1 is in state ABORTED');
    expect(() => targetInput({ Arn: 'a', InputTransformer: { InputTemplate: '{"x":<unknown>}' } }, event)).toThrow(/<unknown> is not in InputPathsMap/);
  });

  test('Input is the constant, InputPath the value at the path, neither the whole event', () => {
    expect(targetInput({ Arn: 'a', Input: '{"k":1}' }, event)).toEqual({ k: 1 });
    expect(targetInput({ Arn: 'a', InputPath: '$.detail' }, event)).toEqual(event.detail);
    expect(targetInput({ Arn: 'a' }, event)).toBe(event);
  });
});

describe('a state machine target', () => {
  const rule = {
    stack: 'pipeline',
    logicalId: 'RunEnded',
    resource: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: { source: ['aws.states'], detail: { stateMachineArn: ['arn:sm'], status: ['ABORTED', 'FAILED'] } },
        Targets: [JANITOR_TARGET],
      },
    },
  };
  const assembly = { resourcesOfType: () => [rule], resolve: (_stack: string, value: unknown) => value } as unknown as CloudAssembly;
  const noLambda = { find: () => undefined } as unknown as LambdaRuntime;
  let sfn: LocalStepFunctions;
  beforeAll(async () => {
    sfn = await startLocalStepFunctions({
      stateMachines: [{ arn: JANITOR_TARGET.Arn, name: 'janitor', definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } }],
      tasks: { lambda: noLambda, sagemaker: {} as SageMakerClient },
      getObjectText: async () => undefined,
      secondsToMs: (s) => s,
    });
  });
  afterAll(() => sfn.close());

  test('gets a StartExecution with a generated name and the transformed input; the delivery ends with the execution', async () => {
    const rules = new LocalEventRules(assembly, noLambda, { retryAttempts: 2, retryDelayMs: 1, startExecution: sfn.start });
    rules.put(statusChange);
    rules.put({ ...statusChange, detail: { ...statusChange.detail, status: 'SUCCEEDED' } });
    const [delivery, ...others] = await rules.settled();
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({ kind: 'state-machine', target: 'janitor', ok: true, execution: { status: 'SUCCEEDED' } });
    expect(delivery.execution!.name).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery.result).toEqual({ execution: { arn: statusChange.detail.executionArn, name: 'r1', status: 'ABORTED' } });
    expect(sfn.executions.get(delivery.execution!.arn)?.input).toEqual(delivery.result);
  });

  test('is refused when the rules are loaded without a way to start executions, naming the rule and the target', () => {
    expect(() => new LocalEventRules(assembly, noLambda, { retryAttempts: 2, retryDelayMs: 1 })).toThrow(
      /rule pipeline\/RunEnded: target Target0 .* is neither a local function nor a local state machine/,
    );
  });
});
