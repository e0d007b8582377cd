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
 * - `arn:aws:states:::aws-sdk:cloudwatchlogs:<action>`: the CloudWatch Logs call, the same way
 *   (`CloudWatchLogs.<Error>Exception`, undeclared ones `CloudWatchLogs.CloudWatchLogsException`). Step
 *   Functions takes PascalCase parameters whatever the API's casing
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html, "API naming
 *   conventions"); CloudWatch Logs' members are camelCase, so the top-level member names are
 *   converted both ways (map values such as `Tags` keep their keys);
 * - `arn:aws:states:::sns:publish`: SNS Publish (TopicArn, Subject, Message), returning its
 *   MessageId; errors `SNS.<Error>Exception`, undeclared ones `SNS.AmazonSNSException` (an optimized
 *   integration, SDK for Java v1 names, like `createTrainingJob.sync` below);
 * - `arn:aws:states:::sagemaker:createTrainingJob.sync`: CreateTrainingJob, then DescribeTrainingJob
 *   until the job ends. Completed returns the description; Failed or Stopped fails the task with
 *   `States.TaskFailed` and the description as cause. Undeclared API errors of this optimized
 *   integration are `SageMaker.AmazonSageMakerException`. When the execution is stopped, the job is
 *   stopped (StopTrainingJob), as Step Functions does for a running `.sync` task.
 * Any other resource is refused before the run starts, naming the state.
 */
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsServiceException, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import * as sagemakerSdk from '@aws-sdk/client-sagemaker';
import { SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSServiceException, type SNSClient } from '@aws-sdk/client-sns';
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
  /** CloudWatch Logs (`aws-sdk:cloudwatchlogs:*` states); a state that needs it is refused without it. */
  readonly logs?: CloudWatchLogsClient;
  /** SNS (`sns:publish` states); a state that needs it is refused without it. */
  readonly sns?: SNSClient;
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

/**
 * The Step Functions error of a failed AWS SDK call: `<prefix>.<Error>` with an `Exception` suffix for
 * an error the service's API model declares (the SDK has a class for it); `unmodeled` for any other.
 * The cause is `<message> (Service: <prefix>, Status Code: <n>, Request ID: <id>)`.
 */
export function sdkTaskError(error: unknown, base: abstract new (...args: never[]) => Error, prefix: string, unmodeled: string): Error {
  if (!(error instanceof base)) return error as Error;
  const modeled = Object.getPrototypeOf(error) !== base.prototype;
  const name = modeled ? `${prefix}.${error.name.endsWith('Exception') ? error.name : `${error.name}Exception`}` : unmodeled;
  const meta = (error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata ?? {};
  return new TaskError(name, `${error.message} (Service: ${prefix}, Status Code: ${meta.httpStatusCode ?? 400}, Request ID: ${meta.requestId ?? 'local'})`);
}

/** The Step Functions error of a failed SageMaker SDK call; `unmodeled` names errors the API model does not declare. */
export function sageMakerTaskError(error: unknown, unmodeled: string): Error {
  return sdkTaskError(error, SageMakerServiceException, 'SageMaker', unmodeled);
}

type SdkCommand = new (input: unknown) => object;

/** A service of the `aws-sdk:<service>:<action>` integrations the rehearsal runs. */
interface SdkService {
  /** Step Functions' PascalCase service name, the prefix of its error names. */
  readonly prefix: string;
  readonly commands: Record<string, unknown>;
  readonly base: abstract new (...args: never[]) => Error;
  readonly client: (deps: TaskIntegrationDeps) => { send(command: never): Promise<unknown> } | undefined;
  /** The API's member names are camelCase (Step Functions still takes and gives PascalCase). */
  readonly camelCase: boolean;
}

const SDK_SERVICES: Record<string, SdkService> = {
  sagemaker: { prefix: 'SageMaker', commands: sagemakerSdk, base: SageMakerServiceException, client: (d) => d.sagemaker, camelCase: false },
  cloudwatchlogs: { prefix: 'CloudWatchLogs', commands: logsSdk, base: CloudWatchLogsServiceException, client: (d) => d.logs, camelCase: true },
};

/** Top-level member names with their first letter changed by `change` (nested values untouched: a Tags map keeps its keys). */
function renameMembers(value: unknown, change: (first: string) => string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [`${change(k[0])}${k.slice(1)}`, v]));
}

function sdkIntegration(stateName: string, service: string, action: string, deps: TaskIntegrationDeps): TaskHandler {
  const spec = SDK_SERVICES[service];
  const Command = spec?.commands[`${action[0].toUpperCase()}${action.slice(1)}Command`] as SdkCommand | undefined;
  if (spec === undefined || Command === undefined) {
    throw new Error(
      `state "${stateName}": resource arn:aws:states:::aws-sdk:${service}:${action} has no local integration in the rehearsal (lib/local/task-integrations.ts)`,
    );
  }
  const client = spec.client(deps);
  if (client === undefined) throw new Error(`state "${stateName}": the rehearsal gave the local Step Functions no ${spec.prefix} client`);
  return async (input) => {
    const request = spec.camelCase ? renameMembers(input, (c) => c.toLowerCase()) : input;
    try {
      const output = toStateJson(await client.send(new Command(request) as never));
      return spec.camelCase ? renameMembers(output, (c) => c.toUpperCase()) : output;
    } catch (error) {
      throw sdkTaskError(error, spec.base, spec.prefix, `${spec.prefix}.${spec.prefix}Exception`);
    }
  };
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
  const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):(\w+)$/.exec(resource);
  if (sdk !== null) return sdkIntegration(stateName, sdk[1], sdk[2], deps);
  if (/^arn:aws[a-z-]*:states:::sns:publish$/.test(resource)) {
    const sns = deps.sns;
    if (sns === undefined) throw new Error(`state "${stateName}": the rehearsal gave the local Step Functions no SNS client`);
    return async (input) => {
      try {
        const { MessageId } = await sns.send(new PublishCommand(input as never));
        return { MessageId };
      } catch (error) {
        throw sdkTaskError(error, SNSServiceException, 'SNS', 'SNS.AmazonSNSException');
      }
    };
  }
  if (/^arn:aws[a-z-]*:states:::sagemaker:createTrainingJob\.sync$/.test(resource)) {
    return (input, signal) => trainSync(deps, input as Record<string, unknown>, signal);
  }
  throw new Error(`state "${stateName}": resource ${resource} has no local integration in the rehearsal (lib/local/task-integrations.ts)`);
}
