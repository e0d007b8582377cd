/**
 * The service integrations of the run's Task states, done locally the way Step Functions does them,
 * with the real AWS SDK clients against the local endpoints:
 * - a Lambda function ARN (payload response only) and `arn:aws:states:::lambda:invoke`: the
 *   function's bundle through {@link LambdaRuntime}. A function error becomes the task error
 *   `errorType` with the cause `{"errorMessage","errorType","trace"}` as JSON, as Step Functions reports
 *   it (https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-handling-error-conditions.html);
 * - `arn:aws:states:::aws-sdk:sagemaker:<action>`: the SageMaker API call with the state's
 *   (PascalCase) parameters. Errors are named `SageMaker.<Error>` with an `Exception` suffix
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html); an error
 *   the service's API model does not declare (SageMaker's generic ValidationException, e.g. "Could
 *   not find endpoint") is `SageMaker.SageMakerException`, the SDK's base exception; the cause is
 *   `<message> (Service: SageMaker, Status Code: <n>, Request ID: <id>)`;
 * - `arn:aws:states:::sagemaker:createTrainingJob.sync`: CreateTrainingJob, then DescribeTrainingJob
 *   until the job ends. Completed returns the description; Failed or Stopped fails the task with
 *   `States.TaskFailed` and the description as cause. Undeclared API errors of this optimized
 *   integration are `SageMaker.AmazonSageMakerException`. When the execution is stopped, the job is
 *   stopped (StopTrainingJob), as Step Functions does for a running `.sync` task.
 * Any other resource is refused before the run starts, naming the state.
 */
import * as sagemakerSdk from '@aws-sdk/client-sagemaker';
import { SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { LambdaFunctionError, type LambdaRuntime } from './lambda-runtime';

/** An error as a Task state reports it (its `name` is the ASL error name, its message the cause). */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** What the integrations need. */
export interface TaskIntegrationDeps {
  readonly lambda: LambdaRuntime;
  readonly sagemaker: SageMakerClient;
  /** Delay between two DescribeTrainingJob calls of a `.sync` task. */
  readonly syncPollMs: number;
}

/** A local handler of one Task state. */
export type TaskHandler = (input: unknown, signal: AbortSignal) => Promise<unknown>;

/** JSON as Step Functions passes it on: no SDK metadata, timestamps as ISO-8601 text. */
export function toStateJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toStateJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => k !== '$metadata' && v !== undefined)
        .map(([k, v]) => [k, toStateJson(v)]),
    );
  }
  return value;
}

function lambdaTaskError(error: unknown): Error {
  if (error instanceof LambdaFunctionError) return new TaskError(error.payload.errorType, JSON.stringify(error.payload));
  return error as Error;
}

/** The Step Functions error of a failed SageMaker SDK call; `unmodeled` names errors the API model does not declare. */
export function sageMakerTaskError(error: unknown, unmodeled: string): Error {
  if (!(error instanceof SageMakerServiceException)) return error as Error;
  const modeled = Object.getPrototypeOf(error) !== SageMakerServiceException.prototype;
  const name = modeled ? `SageMaker.${error.name.endsWith('Exception') ? error.name : `${error.name}Exception`}` : unmodeled;
  const meta = error.$metadata;
  return new TaskError(name, `${error.message} (Service: SageMaker, Status Code: ${meta.httpStatusCode ?? 400}, Request ID: ${meta.requestId ?? 'local'})`);
}

async function sageMakerCall(client: SageMakerClient, action: string, input: unknown): Promise<unknown> {
  const commandName = `${action[0].toUpperCase()}${action.slice(1)}Command`;
  const Command = (sagemakerSdk as unknown as Record<string, new (input: unknown) => Parameters<SageMakerClient['send']>[0]>)[commandName];
  if (Command === undefined) throw new TaskError('States.Runtime', `the AWS SDK has no SageMaker action ${action}`);
  return client.send(new Command(input));
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function trainSync(deps: TaskIntegrationDeps, input: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  const name = String(input.TrainingJobName);
  try {
    await deps.sagemaker.send(new sagemakerSdk.CreateTrainingJobCommand(input as never));
  } catch (error) {
    throw sageMakerTaskError(error, 'SageMaker.AmazonSageMakerException');
  }
  for (;;) {
    await sleep(deps.syncPollMs, signal);
    if (signal.aborted) {
      // The execution was stopped: Step Functions stops the job of a running .sync task.
      await deps.sagemaker.send(new sagemakerSdk.StopTrainingJobCommand({ TrainingJobName: name })).catch(() => undefined);
      throw new TaskError('States.Aborted', `execution stopped while training job ${name} ran`);
    }
    const job = await deps.sagemaker.send(new sagemakerSdk.DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (job.TrainingJobStatus === 'Completed') return toStateJson(job);
    if (job.TrainingJobStatus === 'Failed' || job.TrainingJobStatus === 'Stopped') throw new TaskError('States.TaskFailed', JSON.stringify(toStateJson(job)));
  }
}

/** The local handler of a Task state, or an error naming the state when the resource has no local integration. */
export function taskHandler(stateName: string, resource: string, deps: TaskIntegrationDeps): TaskHandler {
  if (/^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:/.test(resource)) {
    return (input) => deps.lambda.invoke(resource, input).catch((e: unknown) => Promise.reject(lambdaTaskError(e)));
  }
  if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) {
    return async (input) => {
      const { FunctionName, Payload } = input as { FunctionName: string; Payload?: unknown };
      try {
        const result = await deps.lambda.invoke(FunctionName, Payload ?? {});
        return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
      } catch (error) {
        throw lambdaTaskError(error);
      }
    };
  }
  const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:sagemaker:(\w+)$/.exec(resource);
  if (sdk !== null) {
    return async (input) => {
      try {
        return toStateJson(await sageMakerCall(deps.sagemaker, sdk[1], input));
      } catch (error) {
        throw sageMakerTaskError(error, 'SageMaker.SageMakerException');
      }
    };
  }
  if (/^arn:aws[a-z-]*:states:::sagemaker:createTrainingJob\.sync$/.test(resource)) {
    return (input, signal) => trainSync(deps, input as Record<string, unknown>, signal);
  }
  throw new Error(`state "${stateName}": resource ${resource} has no local integration in the rehearsal (lib/local/task-integrations.ts)`);
}
