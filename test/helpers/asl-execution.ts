/**
 * Executes a synthesized Amazon States Language definition with aws-local-stepfunctions: SageMaker
 * SDK and `.sync` calls go to a SageMakerSimulator (its errors named as Step Functions names them,
 * under an {@link ErrorNamingScheme}), CloudWatch Logs SDK calls to a LogGroupsSimulator, Lambda
 * tasks to local functions, waits and retry intervals are zero. Shared by the run's execution test,
 * the fault-path suite and the tests of each stage (built alone with {@link fragmentDefinition}).
 */
import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Construct } from 'constructs';
import { AslDefinition, AslState, allStates, polyfillPromiseWithResolvers, stateMachineDefinitions } from './asl';
import { testApp } from './cdk';
import { LogGroupsSimulator } from './log-groups-simulator';
import { presentToStepFunctions, SageMakerSimulator, ServiceError, TaskError, type ErrorNamingScheme } from './sagemaker-simulator';

polyfillPromiseWithResolvers();

/** The time every state sees as `$$.State.EnteredTime` (the local interpreter has no clock in the context). */
export const ENTERED_TIME = '2026-01-01T12:30:00.000Z';

/**
 * The definition of a state machine made of the chain `build` returns (a stage under test), in a
 * stack of its own. `build` gets the stack, to create the stage and anything it needs in.
 */
export function fragmentDefinition(build: (scope: Construct) => sfn.IChainable): AslDefinition {
  const stack = new Stack(testApp(), 'FragmentTest');
  new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(build(stack)) });
  return Object.values(stateMachineDefinitions(stack))[0];
}

const validated = new WeakSet<AslDefinition>();

/**
 * Validates `definition` with aws-local-stepfunctions once: the interpreter validates a definition
 * each time it builds a machine, which costs more than the execution itself, so a definition
 * executed many times is validated here and then run without it ({@link machineOptions}).
 */
export function validatedOnce(definition: AslDefinition): AslDefinition {
  if (!validated.has(definition)) {
    new StateMachine(definition as never, { validationOptions: { checkArn: false } } as never);
    validated.add(definition);
  }
  return definition;
}

/** Options of an execution's StateMachine: no validation for a definition {@link validatedOnce} has seen. */
export function machineOptions(definition: AslDefinition): Record<string, unknown> {
  return { validationOptions: validated.has(definition) ? { noValidate: true } : { checkArn: false } };
}

/** What to execute. */
export interface AslExecution {
  readonly definition: AslDefinition;
  readonly input?: unknown;
  /** SageMaker (default: a fresh simulator with default behaviour). */
  readonly sim?: SageMakerSimulator;
  /** How Step Functions names SageMaker errors. @default 'sdk-v2' */
  readonly scheme?: ErrorNamingScheme;
  /** CloudWatch Logs, with the log groups that exist before the execution (default: none). */
  readonly logs?: LogGroupsSimulator;
  /** Local handlers of the Lambda tasks, by state name. */
  readonly lambdas?: Readonly<Record<string, (event: unknown) => unknown>>;
  /** These states (a Pass or a Lambda task) throw `EvaluationFailed`. */
  readonly failingStates?: readonly string[];
  /** Abort the execution (as StopExecution does) once this holds; checked after every SageMaker SDK call. */
  readonly abortWhen?: (sim: SageMakerSimulator) => boolean;
  /** Changes a state before the run (e.g. what the local interpreter cannot do). */
  readonly patch?: (name: string, state: AslState) => void;
  /** `$$.Execution.Name`. @default 'local-execution' */
  readonly executionName?: string;
}

/** How the execution ended. */
export interface AslOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** The execution output of a succeeded execution. */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly sim: SageMakerSimulator;
  /** The CloudWatch log groups the execution created or changed. */
  readonly logs: LogGroupsSimulator;
  /** Lambda tasks called, in order. */
  readonly lambdaCalls: string[];
  /** Parameters of the SDK and `.sync` calls and the Lambda payloads, by state name (last call). */
  readonly params: Record<string, Record<string, unknown>>;
}

/** Executes `execution.definition` once. */
export async function executeDefinition(execution: AslExecution): Promise<AslOutcome> {
  const options = machineOptions(execution.definition);
  const definition = JSON.parse(JSON.stringify(execution.definition)) as AslDefinition;
  const sim = execution.sim ?? new SageMakerSimulator();
  const scheme = execution.scheme ?? 'sdk-v2';
  const logs = execution.logs ?? new LogGroupsSimulator();
  const control: { abort?: () => void; aborted: boolean } = { aborted: false };
  const checkAbort = (): void => {
    if (!control.aborted && control.abort !== undefined && execution.abortWhen?.(sim) === true) {
      control.aborted = true;
      control.abort();
    }
  };
  const lambdaCalls: string[] = [];
  const params: Record<string, Record<string, unknown>> = {};
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};

  for (const [name, state] of allStates(definition)) {
    execution.patch?.(name, state);
    if (state.Retry !== undefined) retries[name] = 0;
    if (state.Type === 'Wait') waits[name] = 0;
    if (execution.failingStates?.includes(name)) {
      const isLambdaTask = state.Type === 'Task' && (state.Resource ?? '').includes(':function:');
      if (state.Type !== 'Pass' && !isLambdaTask) throw new Error(`${name} is a ${state.Type}, not a Pass or Lambda task`);
      state.Type = 'Task';
      state.Resource = 'arn:aws:states:::lambda:invoke';
      handlers[name] = async () => {
        throw new TaskError('EvaluationFailed', 'shard 3 of dev1 could not be scored');
      };
      continue;
    }
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const sdk = /:::aws-sdk:sagemaker:(\w+)$/.exec(resource);
    const logsSdk = /:::aws-sdk:cloudwatchlogs:(\w+)$/.exec(resource);
    if (logsSdk !== null) {
      handlers[name] = async (p) => {
        params[name] = p as Record<string, unknown>;
        return logs.call(logsSdk[1], p as Record<string, unknown>);
      };
    } else if (sdk !== null) {
      handlers[name] = async (p) => {
        params[name] = p as Record<string, unknown>;
        try {
          return sim.call(sdk[1], p as Record<string, unknown>, 'run');
        } catch (error) {
          throw error instanceof ServiceError ? presentToStepFunctions(error, scheme) : error;
        } finally {
          checkAbort();
        }
      };
    } else if (resource.endsWith(':::sagemaker:createTrainingJob.sync')) {
      handlers[name] = async (p) => {
        params[name] = p as Record<string, unknown>;
        return sim.train(p as Record<string, unknown>, scheme);
      };
    } else if (resource.includes(':function:')) {
      const lambda = execution.lambdas?.[name];
      if (lambda === undefined) throw new Error(`no local handler for Lambda task ${name}`);
      handlers[name] = async (event) => {
        lambdaCalls.push(name);
        params[name] = event as Record<string, unknown>;
        return lambda(event);
      };
    } else {
      throw new Error(`no local handler for task ${name} (${resource})`);
    }
  }

  const input = execution.input ?? {};
  const machine = new StateMachine(definition as never, options as never);
  const run = machine.run(
    input as never,
    {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
      context: { Execution: { Name: execution.executionName ?? 'local-execution', Input: input }, State: { EnteredTime: ENTERED_TIME } } as never,
      noThrowOnAbort: true,
    } as never,
  );
  control.abort = run.abort;
  if (process.env.SFN_TRACE !== undefined) {
    void (async () => {
      for await (const event of run.eventLogs as AsyncIterable<Record<string, unknown>>) console.log(JSON.stringify(event).slice(0, 400));
    })();
  }
  try {
    const output: unknown = await run.result;
    if (control.aborted) return { status: 'ABORTED', sim, logs, lambdaCalls, params };
    return { status: 'SUCCEEDED', output, sim, logs, lambdaCalls, params };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { status: 'FAILED', error: cause.name, cause: cause.message, sim, logs, lambdaCalls, params };
  } finally {
    // A .sync training task still waiting for its job (its branch was cancelled) must not outlive the execution.
    sim.shutdown();
  }
}
