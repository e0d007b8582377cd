/**
 * Executes the synthesized janitor state machine (lib/constructs/janitor-workflow.ts) with
 * aws-local-stepfunctions: its Lambda task is the real janitor handler, whose SageMaker and
 * tagging clients go to the same SageMaker simulator a run used; DescribeExecution answers with
 * the run's recorded error; SNS publishes are recorded. Waits take no time.
 */
import './quiet-logs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { createHandler } from '../../lambda/janitor/index';
import type { JanitorPassResult, JanitorWorkflowInput } from '../../lib/core/run/run-lambda-contracts';
import { allStates, polyfillPromiseWithResolvers, type AslDefinition } from './asl';
import { machineOptions } from './asl-execution';
import { defaultDefinitions } from './run-execution';
import { TaskError, type SageMakerSimulator } from './sagemaker-simulator';

polyfillPromiseWithResolvers();

/** How one janitor execution ended. */
export interface JanitorOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  /** Every pass's result, in order. */
  readonly passes: JanitorPassResult[];
  /** Messages published to the alarm topic. */
  readonly notifications: string[];
}

/** Runs the janitor for the execution `name` that ended with `status` (and, when FAILED, `error`). */
export async function executeJanitor(
  sim: SageMakerSimulator,
  execution: { name: string; status: 'ABORTED' | 'TIMED_OUT' | 'FAILED'; error?: string },
  definition: AslDefinition = defaultDefinitions().janitor,
): Promise<JanitorOutcome> {
  process.env.RESOURCE_PREFIX = 'impressions';
  const handler = createHandler({
    sagemaker: sim.sdkClient<SageMakerClient>('janitor'),
    tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('janitor'),
    sfn: { send: (async () => ({ status: execution.status, error: execution.error })) as never },
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined } as never,
  });
  const passes: JanitorPassResult[] = [];
  const notifications: string[] = [];
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry !== undefined) retries[name] = 0;
    if (state.Type !== 'Task') continue;
    if ((state.Resource ?? '').includes(':function:')) {
      handlers[name] = async (event) => {
        try {
          const result = await handler(event);
          passes.push(result);
          return result;
        } catch (error) {
          const e = error as Error;
          throw new TaskError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message }));
        }
      };
    } else if ((state.Resource ?? '').endsWith(':::sns:publish')) {
      handlers[name] = async (params) => {
        notifications.push((params as { Message: string }).Message);
        return { MessageId: `m-${notifications.length}` };
      };
    } else {
      throw new Error(`no local handler for janitor task ${name} (${state.Resource})`);
    }
  }
  const input: JanitorWorkflowInput = {
    execution: { arn: `arn:aws:states:us-east-1:123456789012:execution:RunStateMachine:${execution.name}`, name: execution.name, status: execution.status },
  };
  const machine = new StateMachine(definition as never, machineOptions(definition) as never);
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
  });
  try {
    await run.result;
    return { status: 'SUCCEEDED', passes, notifications };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { status: 'FAILED', error: cause.name, cause: cause.message, passes, notifications };
  }
}
