/**
 * The local Step Functions API as the CLI and the SDK's retries meet it: StartExecution is idempotent
 * for the same name and input while the execution is open, and ExecutionAlreadyExists otherwise, as
 * the Step Functions API reference documents for STANDARD state machines; a state machine with a Task
 * the rehearsal cannot run is refused when the service starts, before any execution exists.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { LambdaRuntime } from '../../../lib/local/lambda-runtime';
import { startLocalStepFunctions, type LocalStepFunctions } from '../../../lib/local/step-functions';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:local-test';
const tasks = { lambda: {} as LambdaRuntime, sagemaker: {} as SageMakerClient };

function client(url: string): SFNClient {
  return new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
}

describe('local Step Functions: StartExecution', () => {
  let sfn: LocalStepFunctions;
  beforeAll(async () => {
    sfn = await startLocalStepFunctions({
      // A Wait keeps the execution open long enough to start it again.
      stateMachines: [{ arn: ARN, name: 'local-test', definition: { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 60, End: true } } } }],
      tasks,
      getObjectText: async () => undefined,
      secondsToMs: (s) => s * 5,
    });
  });
  afterAll(() => sfn.close());

  test('the same name and input while the execution is open answers with that execution (an SDK retry of a lost answer succeeds)', async () => {
    const sf = client(sfn.url);
    const first = await sf.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-1', input: '{"runName":"a"}' }));
    const again = await sf.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-1', input: '{"runName":"a"}' }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect([...sfn.executions.values()].filter((e) => e.name === 'run-1')).toHaveLength(1);
  });

  test('another input for an open execution, or any start of a closed one, is ExecutionAlreadyExists', async () => {
    const sf = client(sfn.url);
    const { executionArn } = await sf.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-2', input: '{"runName":"a"}' }));
    await expect(sf.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-2', input: '{"runName":"b"}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await sfn.executions.get(executionArn!)!.done;
    expect((await sf.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    await expect(sf.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-2', input: '{"runName":"a"}' }))).rejects.toThrow(
      /Execution Already Exists: '.*:execution:local-test:run-2'/,
    );
  });
});

describe('local Step Functions: Task resources', () => {
  test('a Task without a local integration stops the service from starting, naming the state', async () => {
    const definition = { StartAt: 'Notify', States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } } };
    await expect(
      startLocalStepFunctions({
        stateMachines: [{ arn: ARN, name: 'local-test', definition }],
        tasks,
        getObjectText: async () => undefined,
        secondsToMs: (s) => s,
      }),
    ).rejects.toThrow(/state "Notify": resource arn:aws:states:::dynamodb:putItem has no local integration/);
  });
});
