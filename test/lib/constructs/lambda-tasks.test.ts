import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { LAMBDA_TASK_RETRY_ERRORS, lambdaTaskRetry } from '../../../lib/constructs/lambda-tasks';
import { allStates } from '../../helpers/asl';
import { testApp } from '../../helpers/cdk';
import { defaultRunDefinition } from '../../helpers/run-execution';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  JitterStrategy?: string;
}

function retriersOf(retry: sfn.RetryProps): Retrier[] {
  const stack = new Stack(testApp(), 'S');
  const fn = lambda.Function.fromFunctionArn(stack, 'F', 'arn:aws:lambda:us-east-1:123456789012:function:f');
  const task = new tasks.LambdaInvoke(stack, 'T', { lambdaFunction: fn, payloadResponseOnly: true });
  task.addRetry(retry);
  return (stack.resolve(task.toStateJson()) as { Retry: Retrier[] }).Retry;
}

describe('the Lambda task retry', () => {
  test("adds Lambda.Unknown and throttling after CDK's own retrier of Lambda's service errors, naming none of them twice", () => {
    const [cdkDefault, ours, ...rest] = retriersOf(lambdaTaskRetry());
    expect(rest).toEqual([]);
    // What LambdaInvoke adds by default (retryOnServiceExceptions), as the Step Functions guide recommends.
    expect(cdkDefault).toEqual({
      ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
    });
    expect(ours).toEqual({ ErrorEquals: [...LAMBDA_TASK_RETRY_ERRORS], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' });
    expect(ours.ErrorEquals.filter((e) => cdkDefault.ErrorEquals.includes(e))).toEqual([]);
    expect(retriersOf(lambdaTaskRetry({ orTimeout: true }))[1].ErrorEquals).toEqual([...LAMBDA_TASK_RETRY_ERRORS, 'States.Timeout']);
  });

  test('no state of the run names an error in two of its retriers (the first match is the only one that applies)', () => {
    const lambdaTasks = allStates(defaultRunDefinition()).filter(([, state]) => (state.Resource ?? '').includes(':function:'));
    expect(lambdaTasks.length).toBe(9);
    for (const [name, state] of allStates(defaultRunDefinition())) {
      const errors = ((state.Retry ?? []) as Retrier[]).flatMap((r) => r.ErrorEquals);
      expect({ name, duplicates: errors.filter((e, i) => errors.indexOf(e) !== i) }).toEqual({ name, duplicates: [] });
    }
    const [, publish] = lambdaTasks.find(([name]) => name === 'Publish results')!;
    expect((publish.Retry as Retrier[]).map((r) => r.ErrorEquals[0])).toEqual(['Lambda.ClientExecutionTimeoutException', 'Lambda.Unknown']);
  });
});
