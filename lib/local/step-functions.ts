/**
 * A local Step Functions for the rehearsal: the synthesized definition, executed by
 * aws-local-stepfunctions, behind the Step Functions JSON API (`X-Amz-Target: AWSStepFunctions.*`:
 * StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
 * DescribeStateMachine), so `impressions run`, `impressions status` and the AWS CLI work unchanged.
 *
 * Each execution runs the definition as synthesized, with:
 * - every Task state's integration done locally ({@link taskHandler}), the Distributed Maps
 *   rewritten by {@link rewriteDistributedMaps} (the only rewrite);
 * - Wait states and retry intervals scaled down (`secondsToMs`);
 * - a context object with the execution's id, name, input and start time, and `$$.State.EnteredTime`
 *   read from the clock when the state evaluates it;
 * - a history of events (state entered/exited with timestamps, failures, retries, catches), and an
 *   "Execution Status Change" event for EventBridge when it ends.
 * StartExecution behaves as Step Functions documents it for a STANDARD state machine
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html, and the
 * API model's `ExecutionAlreadyExists`: "Executions with the same name and input are considered
 * idempotent"): the same name and input while that execution is open answers with the open execution,
 * so an SDK retry of a start whose answer was lost does not fail; another input, or a closed execution
 * of that name, is `ExecutionAlreadyExists`. A start either registers a running execution or leaves no
 * trace. Every Task state's resource is checked when the service starts: one without a local
 * integration stops the rehearsal there, naming the state, before any execution exists.
 * Not modelled: the 25,000-event history limit, payload size limits, execution time-outs, IAM.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ExecutionAbortedError, ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { AwsServiceError, startJsonProtocolServer, type JsonProtocolServer } from './json-protocol-server';
import { allStates, rewriteDistributedMaps, type AslDefinition, type DistributedMapDeps } from './distributed-map';
import { taskHandler, type TaskIntegrationDeps, type TaskHandler } from './task-integrations';

/** Makes `Promise.withResolvers` (Node 22) available on Node 20, which aws-local-stepfunctions uses. */
export function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (P.withResolvers !== undefined) return;
  P.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}

/** A state machine the local service knows. */
export interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly definition: AslDefinition;
}

/** One event of an execution's history (the fields the rehearsal and `status` read). */
export interface HistoryEvent {
  readonly id: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly stateName?: string;
  /** Child execution (Distributed Map item) or branch the event comes from, e.g. `pretrained: evaluate shards #3`. */
  readonly scope?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** An execution of the local service. */
export interface LocalExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly startDate: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  /** Settles when the execution ends. */
  readonly done: Promise<void>;
}

/** The event Step Functions sends to EventBridge when an execution's status changes. */
export interface ExecutionStatusChangeEvent {
  readonly source: 'aws.states';
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly time: string;
  readonly region: string;
  readonly account: string;
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: string;
    readonly startDate: number;
    readonly stopDate: number | null;
    readonly input: string;
    readonly output: string | null;
    readonly error: string | null;
    readonly cause: string | null;
  };
}

/** Options of the local service. */
export interface LocalStepFunctionsOptions {
  readonly stateMachines: readonly LocalStateMachine[];
  readonly tasks: Omit<TaskIntegrationDeps, 'syncPollMs'>;
  /** Reads an S3 object's text (ItemReader), undefined when it does not exist. */
  readonly getObjectText: DistributedMapDeps['getObjectText'];
  /** Milliseconds the rehearsal waits for `seconds` of a Wait state or retry interval. */
  readonly secondsToMs: (seconds: number) => number;
  /** Receives each execution's end (for the local EventBridge rules). */
  readonly onStatusChange?: (event: ExecutionStatusChangeEvent) => void;
  /** Receives each history event as it happens (progress display). */
  readonly onEvent?: (execution: LocalExecution, event: HistoryEvent) => void;
}

/** The running service. */
export interface LocalStepFunctions {
  readonly url: string;
  readonly executions: ReadonlyMap<string, LocalExecution>;
  /** Starts an execution directly (the API does the same). */
  start(stateMachineArn: string, name: string, input: unknown): LocalExecution;
  close(): Promise<void>;
}

interface EngineEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string };
  index?: number;
  parentState?: { name: string };
  Error?: string;
  Cause?: unknown;
}

const EVENT_TYPES: Record<string, string> = {
  StateEntered: 'StateEntered',
  StateExited: 'StateExited',
  StateFailed: 'StateFailed',
  StateRetried: 'StateRetried',
  StateCaught: 'StateCaught',
};

/** Starts the service on 127.0.0.1 and a free port. */
export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  polyfillPromiseWithResolvers();
  const executions = new Map<string, LocalExecution>();
  /** Each execution's input as JSON text, for StartExecution's idempotency. */
  const inputs = new Map<string, string>();
  const aborts = new Map<string, () => void>();
  const machines = new Map(options.stateMachines.map((m) => [m.arn, m]));
  const ms = options.secondsToMs;
  // Every Task state's integration, checked before any execution: an unsupported resource throws here, naming the state.
  const integrations: TaskIntegrationDeps = { ...options.tasks, syncPollMs: ms(30) };
  const taskHandlers = new Map<string, Record<string, TaskHandler>>();
  for (const machine of options.stateMachines) {
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, state] of allStates(machine.definition)) {
      if (state.Type === 'Task') handlers[stateName] = taskHandler(stateName, String(state.Resource), integrations);
    }
    taskHandlers.set(machine.arn, handlers);
  }

  const overridesFor = (definition: AslDefinition, handlers: Record<string, (input: unknown) => Promise<unknown>>) => {
    const waits: Record<string, number> = {};
    const retries: Record<string, number[]> = {};
    for (const [name, state] of allStates(definition)) {
      if (state.Type === 'Wait') waits[name] = ms(Number(state.Seconds ?? 1));
      if (Array.isArray(state.Retry)) retries[name] = (state.Retry as { IntervalSeconds?: number }[]).map((r) => ms(r.IntervalSeconds ?? 1));
    }
    return { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries as never };
  };

  const start = (stateMachineArn: string, name: string, input: unknown): LocalExecution => {
    const machine = machines.get(stateMachineArn);
    if (machine === undefined) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const inputText = JSON.stringify(input ?? {});
    const existing = executions.get(arn);
    if (existing !== undefined) {
      // Idempotent for the same name and input while the execution is open (see the module comment).
      if (existing.status === 'RUNNING' && inputs.get(arn) === inputText) return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const controller = new AbortController();
    // One listener per running child execution and .sync task.
    setMaxListeners(0, controller.signal);
    const history: HistoryEvent[] = [];
    let resolveDone!: () => void;
    const execution: LocalExecution = {
      arn,
      name,
      stateMachineArn,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      history,
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
    };
    const push = (event: Omit<HistoryEvent, 'id'>): void => {
      const full = { ...event, id: history.length + 1 };
      history.push(full);
      options.onEvent?.(execution, full);
    };
    const record = (e: EngineEvent, scope?: string): void => {
      const type = EVENT_TYPES[e.type];
      if (type === undefined || e.state === undefined) return;
      const inMap = e.index !== undefined && scope === undefined ? `#${e.index}` : undefined;
      push({
        timestamp: new Date(e.timestamp),
        // Step Functions names them after the state's type: TaskStateEntered, PassStateExited, …
        type: type === 'StateEntered' || type === 'StateExited' ? `${distributedMaps.has(e.state.name) ? 'Map' : e.state.type}${type}` : type,
        stateName: e.state.name,
        scope: scope ?? inMap,
        error: e.Error,
        cause: e.Cause === undefined ? undefined : String(e.Cause),
      });
    };
    // The Distributed Maps run as local tasks; their history events keep the Map type.
    const distributedMaps = new Set<string>();
    const follow = async (logs: AsyncGenerator<unknown>, scope?: string): Promise<void> => {
      for await (const e of logs) record(e as EngineEvent, scope);
    };

    // Task handlers of every state (Distributed Map processors included), bound to this execution, then the one rewrite.
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, handler] of Object.entries(taskHandlers.get(stateMachineArn) ?? {})) {
      handlers[stateName] = (taskInput) => handler(taskInput, controller.signal);
    }
    const context = (executionArn: string, executionName: string, executionInput: unknown) => ({
      Execution: { Id: executionArn, Name: executionName, Input: executionInput, RoleArn: 'arn:aws:iam::123456789012:role/local-state-machine' },
      StateMachine: { Id: stateMachineArn, Name: machine.name },
      // Read when a state evaluates it: the time the state runs (the engine has no clock of its own).
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
    });
    const rewritten = rewriteDistributedMaps(machine.definition, {
      getObjectText: options.getObjectText,
      startChild: (mapState, processor, item, index) => {
        const childName = `${name}-${mapState.replace(/[^A-Za-z0-9-]+/g, '-')}-${index}-${randomUUID().slice(0, 8)}`;
        const child = new StateMachine(processor as never, { validationOptions: { noValidate: true } }).run(item as never, {
          overrides: overridesFor(processor, handlers),
          context: context(`${arn}/${childName}`, childName, item) as never,
        });
        void follow(child.eventLogs as AsyncGenerator<unknown>, `${mapState} #${index}`);
        controller.signal.addEventListener('abort', () => child.abort(), { once: true });
        return { result: child.result, abort: child.abort };
      },
    });
    Object.assign(handlers, rewritten.handlers);
    for (const mapState of Object.keys(rewritten.handlers)) distributedMaps.add(mapState);
    const engine = new StateMachine(rewritten.definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
    // Registered only now that nothing can fail: a start that throws leaves no execution behind.
    executions.set(arn, execution);
    inputs.set(arn, inputText);
    push({ timestamp: execution.startDate, type: 'ExecutionStarted' });
    const run = engine.run(input as never, { overrides: overridesFor(rewritten.definition, handlers), context: context(arn, name, input) as never });
    aborts.set(arn, () => {
      controller.abort();
      run.abort();
    });
    const followed = follow(run.eventLogs as AsyncGenerator<unknown>);
    void (async () => {
      try {
        execution.output = await run.result;
        execution.status = 'SUCCEEDED';
      } catch (error) {
        if (error instanceof ExecutionAbortedError || controller.signal.aborted) {
          execution.status = 'ABORTED';
        } else {
          const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
          execution.status = 'FAILED';
          execution.error = cause.name;
          execution.cause = cause.message;
        }
      }
      controller.abort();
      execution.stopDate = new Date();
      await Promise.race([followed, new Promise((r) => setTimeout(r, 50))]);
      push({
        timestamp: execution.stopDate,
        type: `Execution${{ SUCCEEDED: 'Succeeded', FAILED: 'Failed', ABORTED: 'Aborted', TIMED_OUT: 'TimedOut', RUNNING: 'Running' }[execution.status]}`,
        error: execution.error,
        cause: execution.cause,
      });
      options.onStatusChange?.({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        time: execution.stopDate.toISOString(),
        region: 'us-east-1',
        account: '123456789012',
        detail: {
          executionArn: arn,
          stateMachineArn,
          name,
          status: execution.status,
          startDate: execution.startDate.getTime(),
          stopDate: execution.stopDate.getTime(),
          input: JSON.stringify(input),
          output: execution.output === undefined ? null : JSON.stringify(execution.output),
          error: execution.error ?? null,
          cause: execution.cause ?? null,
        },
      });
      resolveDone();
    })();
    return execution;
  };

  const describe = (execution: LocalExecution) => ({
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    stopDate: execution.stopDate,
    input: JSON.stringify(execution.input),
    output: execution.output === undefined ? undefined : JSON.stringify(execution.output),
    error: execution.error,
    cause: execution.cause,
  });
  const find = (executionArn: unknown): LocalExecution => {
    const execution = executions.get(String(executionArn));
    if (execution === undefined) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(executionArn)}'`);
    return execution;
  };
  const server: JsonProtocolServer = await startJsonProtocolServer('application/x-amz-json-1.0', {
    'AWSStepFunctions.StartExecution': (input) => {
      const name = typeof input.name === 'string' ? input.name : randomUUID();
      const execution = start(String(input.stateMachineArn), name, JSON.parse(typeof input.input === 'string' ? input.input : '{}'));
      return { executionArn: execution.arn, startDate: execution.startDate };
    },
    'AWSStepFunctions.DescribeExecution': (input) => describe(find(input.executionArn)),
    'AWSStepFunctions.StopExecution': (input) => {
      const execution = find(input.executionArn);
      if (execution.status === 'RUNNING') {
        execution.error = typeof input.error === 'string' ? input.error : undefined;
        execution.cause = typeof input.cause === 'string' ? input.cause : undefined;
        aborts.get(execution.arn)?.();
      }
      return { stopDate: new Date() };
    },
    'AWSStepFunctions.ListExecutions': (input) => {
      const list = [...executions.values()]
        .filter((e) => e.stateMachineArn === input.stateMachineArn && (input.statusFilter === undefined || e.status === input.statusFilter))
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
        .slice(0, Number(input.maxResults ?? 100) || 100);
      return {
        executions: list.map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          stopDate: e.stopDate,
        })),
      };
    },
    'AWSStepFunctions.GetExecutionHistory': (input) => {
      const execution = find(input.executionArn);
      const events = execution.history.filter((e) => e.scope === undefined);
      const ordered = input.reverseOrder === true ? [...events].reverse() : events;
      return {
        events: ordered.slice(0, Number(input.maxResults ?? 1000) || 1000).map((e) => ({
          id: e.id,
          timestamp: e.timestamp,
          type: e.type,
          ...(e.type.endsWith('StateEntered') ? { stateEnteredEventDetails: { name: e.stateName } } : {}),
          ...(e.type.endsWith('StateExited') ? { stateExitedEventDetails: { name: e.stateName } } : {}),
          ...(e.type === 'ExecutionFailed' ? { executionFailedEventDetails: { error: e.error, cause: e.cause } } : {}),
        })),
      };
    },
    'AWSStepFunctions.DescribeStateMachine': (input) => {
      const machine = machines.get(String(input.stateMachineArn));
      if (machine === undefined) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.definition),
        roleArn: 'arn:aws:iam::123456789012:role/local',
        type: 'STANDARD',
        creationDate: new Date(0),
      };
    },
  });
  return {
    url: server.url,
    executions,
    start,
    async close() {
      for (const abort of aborts.values()) abort();
      await server.close();
    },
  };
}
