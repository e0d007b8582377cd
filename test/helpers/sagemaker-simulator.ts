/**
 * An in-memory SageMaker (control plane, tags and the Resource Groups Tagging API) for executing
 * the run, the janitor and the sweep locally. It keeps training jobs, models, endpoint configs and
 * endpoints with their tags, moves endpoints through Creating → InService/Failed and Deleting →
 * gone as they are described, and records who created and deleted what.
 *
 * Errors are raised once, as SageMaker raises them ({@link ServiceError}: code, message, HTTP
 * status, whether the API model declares the code), and presented the way each caller sees them:
 * - {@link presentToStepFunctions}: what a Task state's Catch receives, under an
 *   {@link ErrorNamingScheme}: the optimized integrations' SDK for Java v1 names
 *   (`SageMaker.AmazonSageMakerException`, v1 cause with the error code) or the AWS SDK
 *   integrations' SDK v2 names (`SageMaker.SageMakerException`, v2 cause with the status but no
 *   code). lib/core/run/sagemaker-errors.ts cites the sources of both forms;
 * - {@link presentToSdkV3}: the JavaScript SDK v3 error our Lambdas and CLI receive.
 *
 * Rules it enforces the way SageMaker does: unique names, a config needs its model, an endpoint its
 * config, no DeleteEndpoint while the endpoint is Creating/Updating/Deleting, "Could not find …"
 * for anything missing, StopTrainingJob only while InProgress. Orders SageMaker accepts but asks
 * you not to use (deleting an endpoint config or a model while an endpoint still uses it) are
 * carried out and recorded in {@link SageMakerSimulator.violations}.
 */
import { ResourceLimitExceeded, ResourceNotFound, SageMakerServiceException } from '@aws-sdk/client-sagemaker';

/** A SageMaker error as the service returns it. */
export class ServiceError extends Error {
  constructor(
    /** The error code (`ValidationException`, `ThrottlingException`, `ResourceNotFound`, …). */
    readonly code: string,
    message: string,
    readonly status: number = 400,
    /** Whether SageMaker's API model declares the code (the SDKs then have a class for it). */
    readonly modelled: boolean = false,
  ) {
    super(message);
    this.name = code;
  }
}

/** An error as a Step Functions Task state reports it (`name` is the Error, `message` the Cause). */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * How Step Functions names SageMaker errors: see the module comment. `code-names` is the plausible
 * variant where an integration derives every name from the error code (`SageMaker.ThrottlingException`,
 * `SageMaker.ValidationException`), as the developer guide's naming rule would read for any code.
 */
export type ErrorNamingScheme = 'sdk-v1' | 'sdk-v2' | 'code-names';

/** Every scheme, for suites that run every path under each. */
export const ERROR_NAMING_SCHEMES: readonly ErrorNamingScheme[] = ['sdk-v1', 'sdk-v2', 'code-names'];

let requestCounter = 0;
function requestId(): string {
  requestCounter += 1;
  return `0000000${requestCounter}`.slice(-8) + '-aaaa-4bbb-8ccc-123456789012';
}

/** The error a Task state's Catch receives for `error` under `scheme`. */
export function presentToStepFunctions(error: ServiceError, scheme: ErrorNamingScheme): TaskError {
  if (error.modelled || scheme === 'code-names')
    return new TaskError(`SageMaker.${error.code.endsWith('Exception') ? error.code : `${error.code}Exception`}`, v2OrV1Cause(error, scheme));
  return new TaskError(scheme === 'sdk-v1' ? 'SageMaker.AmazonSageMakerException' : 'SageMaker.SageMakerException', v2OrV1Cause(error, scheme));
}

function v2OrV1Cause(error: ServiceError, scheme: ErrorNamingScheme): string {
  return scheme === 'sdk-v1'
    ? `${error.message} (Service: AmazonSageMaker; Status Code: ${error.status}; Error Code: ${error.code}; Request ID: ${requestId()}; Proxy: null)`
    : `${error.message} (Service: SageMaker, Status Code: ${error.status}, Request ID: ${requestId()})`;
}

/** The error the JavaScript SDK v3 raises for `error` (modelled codes as their classes, others as the service base class). */
export function presentToSdkV3(error: ServiceError): Error {
  const $metadata = { httpStatusCode: error.status, requestId: requestId(), attempts: 1, totalRetryDelay: 0 };
  if (error.code === 'ResourceNotFound') return new ResourceNotFound({ message: error.message, $metadata });
  if (error.code === 'ResourceLimitExceeded') return new ResourceLimitExceeded({ message: error.message, $metadata });
  return new SageMakerServiceException({ name: error.code, $fault: error.status >= 500 ? 'server' : 'client', message: error.message, $metadata });
}

/** Who made a call (the state machine, a safety net, the CLI). */
export type Actor = 'run' | 'janitor' | 'sweep' | 'orphan-check' | 'cli' | 'setup';

/** One successful create, delete, stop or tag, in order. */
export interface SimEvent {
  readonly verb: 'create' | 'delete' | 'stop' | 'tag';
  readonly kind: Kind;
  readonly name: string;
  readonly actor: Actor;
}

/** How the training job of a `.sync` task ends. */
export interface TrainingBehaviour {
  /** @default 'Completed' */
  readonly outcome?: 'Completed' | 'Failed' | 'Stopped' | 'MaxRuntimeExceeded';
  /** FailureReason of a Failed job. */
  readonly reason?: string;
  /**
   * `at-once`: the job ends as soon as it is created. `after-pretrained`: it runs until the
   * pretrained model is done with (its model deleted or its endpoint kept), as a real job outlasts
   * the pretrained evaluation. `{ afterCall }`: it ends once that SageMaker action has been called
   * (e.g. `createEndpoint`: the pretrained endpoint is then Creating). A stopped job ends at once.
   * @default 'after-pretrained'
   */
  readonly ends?: 'at-once' | 'after-pretrained' | { readonly afterCall: string };
  /** An error CreateTrainingJob itself raises (e.g. ResourceLimitExceeded). */
  readonly refuse?: ServiceError;
}

/** Behaviour to inject. */
export interface SimulatorOptions {
  /** DescribeEndpoint calls an endpoint answers `Creating` before it settles (`Infinity`: never). @default 1 */
  readonly creatingPolls?: number;
  /** Per endpoint name, overrides `creatingPolls`. */
  readonly creatingPollsOf?: Readonly<Record<string, number>>;
  /** DescribeEndpoint calls an endpoint answers `Deleting` after DeleteEndpoint. @default 1 */
  readonly deletingPolls?: number;
  /** Endpoint names that end `Failed`, with their FailureReason (`null`: Failed without one). */
  readonly failingEndpoints?: Readonly<Record<string, string | null>>;
  readonly training?: TrainingBehaviour;
  /** Per action, how many of its first calls are throttled. */
  readonly throttle?: Readonly<Record<string, number>>;
  /** Per action, how many of its first calls fail with an internal error (HTTP 500). */
  readonly internalErrors?: Readonly<Record<string, number>>;
  /** Per action, an error every call raises (e.g. ResourceLimitExceeded on createEndpoint). */
  readonly refuse?: Readonly<Record<string, ServiceError>>;
  /** Per action, how many of its first calls fail with AccessDenied-like errors that are not transient. */
  readonly denied?: Readonly<Record<string, number>>;
  /** GetResources page size. @default 100 */
  readonly tagPageSize?: number;
}

interface Endpoint {
  status: string;
  configName: string;
  describes: number;
  deletingDescribes: number;
  failureReason?: string;
}

type Kind = 'model' | 'endpointConfig' | 'endpoint' | 'trainingJob';

const ARN_PREFIX = 'arn:aws:sagemaker:us-east-1:123456789012';
const ARN_TYPE: Record<Kind, string> = { model: 'model', endpointConfig: 'endpoint-config', endpoint: 'endpoint', trainingJob: 'training-job' };
const WORDS: Record<Kind, string> = { model: 'model', endpointConfig: 'endpoint configuration', endpoint: 'endpoint', trainingJob: 'training job' };

/** The ARN SageMaker gives a resource (names lower-cased). */
export function arnOf(kind: Kind, name: string): string {
  return `${ARN_PREFIX}:${ARN_TYPE[kind]}/${name.toLowerCase()}`;
}

export const THROTTLED = (): ServiceError => new ServiceError('ThrottlingException', 'Rate exceeded');
export const INTERNAL = (): ServiceError => new ServiceError('InternalFailure', 'We encountered an internal error. Please try again.', 500);
export const LIMIT_EXCEEDED = (): ServiceError =>
  new ServiceError(
    'ResourceLimitExceeded',
    "The account-level service limit 'ml.g5.2xlarge for endpoint usage' is 1 Instances, with current utilization of 1 Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request an increase for this quota.",
    400,
    true,
  );
const DENIED = (action: string): ServiceError =>
  new ServiceError('AccessDeniedException', `User is not authorized to perform: sagemaker:${action[0].toUpperCase()}${action.slice(1)}`);

/** The simulated service. */
export class SageMakerSimulator {
  readonly models = new Map<string, Record<string, unknown>>();
  readonly endpointConfigs = new Map<string, Record<string, unknown>>();
  readonly endpoints = new Map<string, Endpoint>();
  readonly trainingJobs = new Map<string, Record<string, unknown>>();
  /** Tags by ARN. */
  readonly tags = new Map<string, Map<string, string>>();
  /** Successful creates, deletes, stops and tags, as `create model x` / `delete endpoint y` (no actor). */
  readonly log: string[] = [];
  /** The same, with the actor. */
  readonly events: SimEvent[] = [];
  /** Deletions SageMaker carried out but asks you to avoid (a config or model still in use). */
  readonly violations: string[] = [];
  /** Number of calls per action, failed ones included. */
  readonly calls: Record<string, number> = {};
  /** DeleteEndpoint calls SageMaker refused because the endpoint was in progress (Creating, Updating, Deleting…). */
  readonly refusals: string[] = [];
  private shutDown = false;

  constructor(private readonly options: SimulatorOptions = {}) {}

  /** Runs an API action (`createModel`, `describeEndpoint`, `getResources`, …) as `actor`; throws a {@link ServiceError}. */
  call(action: string, params: Record<string, unknown>, actor: Actor = 'run'): Record<string, unknown> {
    const count = (this.calls[action] = (this.calls[action] ?? 0) + 1);
    if (count <= (this.options.throttle?.[action] ?? 0)) throw THROTTLED();
    if (count <= (this.options.throttle?.[action] ?? 0) + (this.options.internalErrors?.[action] ?? 0)) throw INTERNAL();
    if (count <= (this.options.denied?.[action] ?? 0)) throw DENIED(action);
    const refusal = this.options.refuse?.[action];
    if (refusal !== undefined) throw refusal;
    switch (action) {
      case 'createModel':
        return this.create('model', this.models, str(params.ModelName), params, actor, params.Tags);
      case 'createEndpointConfig': {
        for (const variant of params.ProductionVariants as { ModelName: string }[]) {
          if (!this.models.has(variant.ModelName)) throw notFound('model', variant.ModelName);
        }
        return this.create('endpointConfig', this.endpointConfigs, str(params.EndpointConfigName), params, actor, params.Tags);
      }
      case 'createEndpoint': {
        const configName = str(params.EndpointConfigName);
        if (!this.endpointConfigs.has(configName)) throw notFound('endpointConfig', configName);
        return this.create(
          'endpoint',
          this.endpoints,
          str(params.EndpointName),
          { status: 'Creating', configName, describes: 0, deletingDescribes: 0 },
          actor,
          params.Tags,
        );
      }
      case 'describeEndpoint':
        return this.describeEndpoint(str(params.EndpointName));
      case 'describeEndpointConfig': {
        const name = str(params.EndpointConfigName);
        const config = this.endpointConfigs.get(name);
        if (config === undefined) throw notFound('endpointConfig', name);
        return { EndpointConfigName: name, EndpointConfigArn: arnOf('endpointConfig', name), ProductionVariants: config.ProductionVariants };
      }
      case 'describeModel': {
        const name = str(params.ModelName);
        if (!this.models.has(name)) throw notFound('model', name);
        return { ModelName: name, ModelArn: arnOf('model', name) };
      }
      case 'deleteEndpoint': {
        const name = str(params.EndpointName);
        const endpoint = this.endpoints.get(name);
        if (endpoint === undefined) throw notFound('endpoint', name);
        if (['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'].includes(endpoint.status)) {
          this.refusals.push(`${actor} tried to delete endpoint ${name} while ${endpoint.status}`);
          throw new ServiceError('ValidationException', `Cannot update in-progress endpoint "${arnOf('endpoint', name)}".`);
        }
        endpoint.status = 'Deleting';
        endpoint.deletingDescribes = 0;
        this.record('delete', 'endpoint', name, actor);
        return {};
      }
      case 'deleteEndpointConfig': {
        const name = str(params.EndpointConfigName);
        if (!this.endpointConfigs.has(name)) throw notFound('endpointConfig', name);
        for (const [endpointName, endpoint] of this.endpoints) {
          if (endpoint.configName === name)
            this.violations.push(`${actor} deleted endpointConfig ${name} while endpoint ${endpointName} was ${endpoint.status}`);
        }
        this.endpointConfigs.delete(name);
        this.tags.delete(arnOf('endpointConfig', name));
        this.record('delete', 'endpointConfig', name, actor);
        return {};
      }
      case 'deleteModel': {
        const name = str(params.ModelName);
        if (!this.models.has(name)) throw notFound('model', name);
        for (const [configName, config] of this.endpointConfigs) {
          if ((config.ProductionVariants as { ModelName: string }[]).some((v) => v.ModelName === name)) {
            this.violations.push(`${actor} deleted model ${name} while endpointConfig ${configName} still used it`);
          }
        }
        this.models.delete(name);
        this.tags.delete(arnOf('model', name));
        this.record('delete', 'model', name, actor);
        return {};
      }
      case 'describeTrainingJob': {
        const name = str(params.TrainingJobName);
        const job = this.trainingJobs.get(name);
        if (job === undefined) throw new ServiceError('ResourceNotFound', 'Requested resource not found.', 400, true);
        const answer = {
          TrainingJobName: name,
          TrainingJobArn: arnOf('trainingJob', name),
          TrainingJobStatus: job.TrainingJobStatus,
          SecondaryStatus: job.SecondaryStatus,
        };
        // A stopping job has stopped by the next time anyone looks.
        if (job.TrainingJobStatus === 'Stopping') job.TrainingJobStatus = job.SecondaryStatus = 'Stopped';
        return answer;
      }
      case 'stopTrainingJob': {
        const name = str(params.TrainingJobName);
        const job = this.trainingJobs.get(name);
        if (job === undefined) throw new ServiceError('ResourceNotFound', 'Requested resource not found.', 400, true);
        if (job.TrainingJobStatus !== 'InProgress') {
          throw new ServiceError('ValidationException', `The request was rejected because the training job is in status ${String(job.TrainingJobStatus)}.`);
        }
        job.TrainingJobStatus = 'Stopping';
        this.record('stop', 'trainingJob', name, actor);
        return {};
      }
      case 'addTags': {
        const arn = str(params.ResourceArn);
        if (!this.exists(arn)) throw new ServiceError('ValidationException', `Resource ${arn} does not exist.`);
        const tags = this.tags.get(arn) ?? new Map<string, string>();
        for (const tag of params.Tags as { Key: string; Value: string }[]) tags.set(tag.Key, tag.Value);
        this.tags.set(arn, tags);
        const [kind, name] = this.kindAndName(arn);
        this.record('tag', kind, name, actor);
        return { Tags: params.Tags };
      }
      case 'listTags': {
        const arn = str(params.ResourceArn);
        if (!this.exists(arn)) throw new ServiceError('ValidationException', `Resource ${arn} does not exist.`);
        return { Tags: [...(this.tags.get(arn) ?? new Map<string, string>())].map(([Key, Value]) => ({ Key, Value })) };
      }
      case 'getResources':
        return this.getResources(params);
      default:
        throw new Error(`simulator: unknown action ${action}`);
    }
  }

  /**
   * `createTrainingJob.sync` as Step Functions runs it: CreateTrainingJob, then the job's end. A
   * Failed or Stopped job fails the task with `States.TaskFailed` and its description as cause.
   */
  async train(params: Record<string, unknown>, scheme: ErrorNamingScheme): Promise<Record<string, unknown>> {
    const behaviour = this.options.training ?? {};
    try {
      this.calls.createTrainingJob = (this.calls.createTrainingJob ?? 0) + 1;
      const count = this.calls.createTrainingJob;
      if (count <= (this.options.throttle?.createTrainingJob ?? 0)) throw THROTTLED();
      if (behaviour.refuse !== undefined) throw behaviour.refuse;
      const name = str(params.TrainingJobName);
      this.create('trainingJob', this.trainingJobs, name, { ...params, TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' }, 'run', params.Tags);
    } catch (error) {
      throw error instanceof ServiceError ? presentToStepFunctions(error, scheme) : error;
    }
    const name = str(params.TrainingJobName);
    const job = this.trainingJobs.get(name)!;
    const ends = behaviour.ends ?? 'after-pretrained';
    if (ends !== 'at-once') {
      const over = (): boolean => (ends === 'after-pretrained' ? this.pretrainedDone() : (this.calls[ends.afterCall] ?? 0) > 0);
      while (job.TrainingJobStatus === 'InProgress' && !over()) {
        if (this.shutDown) throw new TaskError('States.TaskFailed', 'the simulator was shut down while the job ran');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const outcome = job.TrainingJobStatus === 'Stopping' || job.TrainingJobStatus === 'Stopped' ? 'Stopped' : (behaviour.outcome ?? 'Completed');
    if (outcome === 'Completed') {
      job.TrainingJobStatus = 'Completed';
      job.SecondaryStatus = 'Completed';
      const output = (params.OutputDataConfig as { S3OutputPath: string }).S3OutputPath;
      return { TrainingJobName: name, TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: `${output}${name}/output/model/` } };
    }
    job.TrainingJobStatus = outcome === 'Failed' ? 'Failed' : 'Stopped';
    job.SecondaryStatus = outcome === 'MaxRuntimeExceeded' ? 'MaxRuntimeExceeded' : job.TrainingJobStatus;
    throw new TaskError(
      'States.TaskFailed',
      JSON.stringify({
        TrainingJobName: name,
        TrainingJobStatus: job.TrainingJobStatus,
        SecondaryStatus: job.SecondaryStatus,
        ...(outcome === 'Failed' ? { FailureReason: behaviour.reason ?? 'AlgorithmError: see the job logs' } : {}),
      }),
    );
  }

  /**
   * A JavaScript SDK v3 client (SageMaker, or the Resource Groups Tagging API) whose `send` runs the
   * command here as `actor` and raises errors as the SDK does ({@link presentToSdkV3}).
   */
  sdkClient<C>(actor: Actor): C {
    const send = async (command: { input: Record<string, unknown>; constructor: { name: string } }): Promise<unknown> => {
      const commandName = command.constructor.name.replace(/Command$/, '');
      const action = `${commandName[0].toLowerCase()}${commandName.slice(1)}`;
      try {
        return { ...this.call(action, command.input, actor), $metadata: { httpStatusCode: 200 } };
      } catch (error) {
        throw error instanceof ServiceError ? presentToSdkV3(error) : error;
      }
    };
    return { send } as unknown as C;
  }

  /** Ends every pending `.sync` training task (call when an execution is over). */
  shutdown(): void {
    this.shutDown = true;
  }

  /** Creates a resource directly, as the setup of a scenario (tags as `{ key: value }`). */
  seed(kind: Kind, name: string, tags: Readonly<Record<string, string>> = {}, extra: Record<string, unknown> = {}): void {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (kind === 'model') this.create('model', this.models, name, {}, 'setup', Tags);
    if (kind === 'endpointConfig')
      this.create('endpointConfig', this.endpointConfigs, name, { ProductionVariants: [{ ModelName: extra.model ?? name }] }, 'setup', Tags);
    if (kind === 'endpoint')
      this.create(
        'endpoint',
        this.endpoints,
        name,
        { status: String(extra.status ?? 'InService'), configName: String(extra.config ?? name), describes: 0, deletingDescribes: 0 },
        'setup',
        Tags,
      );
    if (kind === 'trainingJob') this.create('trainingJob', this.trainingJobs, name, { TrainingJobStatus: extra.status ?? 'InProgress' }, 'setup', Tags);
  }

  /** A model, config and endpoint of one name, as a run leaves them. */
  seedHosting(name: string, tags: Readonly<Record<string, string>>, endpointStatus = 'InService'): void {
    this.seed('model', name, tags);
    this.seed('endpointConfig', name, tags);
    this.seed('endpoint', name, tags, { status: endpointStatus });
  }

  /** Makes a Creating endpoint settle now (`InService` or `Failed`). */
  settle(name: string, status: 'InService' | 'Failed' = 'InService'): void {
    const endpoint = this.endpoints.get(name);
    if (endpoint !== undefined) endpoint.status = status;
  }

  /** Names created and never deleted (training jobs excluded: they cannot be deleted). */
  leftovers(): string[] {
    return [
      ...[...this.models.keys()].map((n) => `model ${n}`),
      ...[...this.endpointConfigs.keys()].map((n) => `endpointConfig ${n}`),
      ...[...this.endpoints.keys()].map((n) => `endpoint ${n}`),
    ].sort();
  }

  /** How many times each resource was created and deleted, and by whom it was deleted (successful calls only). */
  lifecycle(): Record<string, { created: number; deleted: number; deletedBy: Actor[] }> {
    const result: Record<string, { created: number; deleted: number; deletedBy: Actor[] }> = {};
    for (const event of this.events) {
      if (event.kind === 'trainingJob' || (event.verb !== 'create' && event.verb !== 'delete')) continue;
      const entry = (result[`${event.kind} ${event.name}`] ??= { created: 0, deleted: 0, deletedBy: [] });
      if (event.verb === 'create') entry.created += 1;
      else {
        entry.deleted += 1;
        entry.deletedBy.push(event.actor);
      }
    }
    return result;
  }

  /** Training jobs still holding instances. */
  runningTrainingJobs(): string[] {
    return [...this.trainingJobs].filter(([, job]) => job.TrainingJobStatus === 'InProgress').map(([name]) => name);
  }

  private pretrainedDone(): boolean {
    return this.events.some((e) => e.name.endsWith('-pt') && ((e.verb === 'delete' && e.kind === 'model') || (e.verb === 'tag' && e.kind === 'endpoint')));
  }

  private exists(arn: string): boolean {
    const [kind, name] = this.kindAndName(arn);
    const maps: Record<Kind, Map<string, unknown>> = {
      model: this.models,
      endpointConfig: this.endpointConfigs,
      endpoint: this.endpoints,
      trainingJob: this.trainingJobs,
    };
    return [...maps[kind].keys()].some((n) => n.toLowerCase() === name.toLowerCase());
  }

  private kindAndName(arn: string): [Kind, string] {
    const match = /:(model|endpoint-config|endpoint|training-job)\/(.+)$/.exec(arn);
    if (match === null) throw new ServiceError('ValidationException', `Invalid ARN ${arn}`);
    const kind = (Object.entries(ARN_TYPE).find(([, type]) => type === match[1])![0] as Kind) ?? 'model';
    const maps: Record<Kind, Map<string, unknown>> = {
      model: this.models,
      endpointConfig: this.endpointConfigs,
      endpoint: this.endpoints,
      trainingJob: this.trainingJobs,
    };
    const name = [...maps[kind].keys()].find((n) => n.toLowerCase() === match[2]) ?? match[2];
    return [kind, name];
  }

  private getResources(params: Record<string, unknown>): Record<string, unknown> {
    const filters = (params.TagFilters ?? []) as { Key: string; Values?: string[] }[];
    const types = ((params.ResourceTypeFilters ?? []) as string[]).map((t) => t.replace(/^sagemaker:/, ''));
    const all: { ResourceARN: string; Tags: { Key: string; Value: string }[] }[] = [];
    const sources: [Kind, Map<string, unknown>][] = [
      ['trainingJob', this.trainingJobs],
      ['endpoint', this.endpoints],
      ['endpointConfig', this.endpointConfigs],
      ['model', this.models],
    ];
    for (const [kind, map] of sources) {
      if (types.length > 0 && !types.includes(ARN_TYPE[kind])) continue;
      for (const name of map.keys()) {
        const arn = arnOf(kind, name);
        const tags = this.tags.get(arn) ?? new Map<string, string>();
        if (!filters.every((f) => tags.has(f.Key) && (f.Values === undefined || f.Values.length === 0 || f.Values.includes(tags.get(f.Key)!)))) continue;
        if (filters.length === 0 && tags.size === 0) continue;
        all.push({ ResourceARN: arn, Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) });
      }
    }
    const size = this.options.tagPageSize ?? 100;
    const start = params.PaginationToken === undefined || params.PaginationToken === '' ? 0 : Number(params.PaginationToken);
    const end = start + size;
    return { ResourceTagMappingList: all.slice(start, end), PaginationToken: end < all.length ? String(end) : '' };
  }

  private create<T>(kind: Kind, map: Map<string, T>, name: string, value: T, actor: Actor, tags: unknown): Record<string, unknown> {
    if (map.has(name)) throw new ServiceError('ValidationException', `Cannot create already existing ${WORDS[kind]} "${arnOf(kind, name)}".`);
    map.set(name, value);
    const tagList = (Array.isArray(tags) ? tags : []) as { Key: string; Value: string }[];
    if (tagList.length > 0) this.tags.set(arnOf(kind, name), new Map(tagList.map((t) => [t.Key, t.Value])));
    this.record('create', kind, name, actor);
    const arnField = { model: 'ModelArn', endpointConfig: 'EndpointConfigArn', endpoint: 'EndpointArn', trainingJob: 'TrainingJobArn' }[kind];
    return { [arnField]: arnOf(kind, name) };
  }

  private record(verb: SimEvent['verb'], kind: Kind, name: string, actor: Actor): void {
    this.log.push(`${verb} ${kind} ${name}`);
    this.events.push({ verb, kind, name, actor });
  }

  private describeEndpoint(name: string): Record<string, unknown> {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) throw notFound('endpoint', name);
    endpoint.describes += 1;
    if (endpoint.status === 'Deleting') {
      endpoint.deletingDescribes += 1;
      if (endpoint.deletingDescribes > (this.options.deletingPolls ?? 1)) {
        this.endpoints.delete(name);
        this.tags.delete(arnOf('endpoint', name));
        throw notFound('endpoint', name);
      }
    }
    const creatingPolls = this.options.creatingPollsOf?.[name] ?? this.options.creatingPolls ?? 1;
    if (endpoint.status === 'Creating' && endpoint.describes >= creatingPolls) {
      const failing = this.options.failingEndpoints ?? {};
      if (name in failing) {
        endpoint.status = 'Failed';
        endpoint.failureReason = failing[name] ?? undefined;
      } else {
        endpoint.status = 'InService';
      }
    }
    return {
      EndpointName: name,
      EndpointArn: arnOf('endpoint', name),
      EndpointConfigName: endpoint.configName,
      EndpointStatus: endpoint.status,
      ...(endpoint.failureReason !== undefined ? { FailureReason: endpoint.failureReason } : {}),
    };
  }
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new ServiceError('ValidationException', `1 validation error detected: a required name is ${JSON.stringify(value)}`);
  return value;
}

function notFound(kind: Kind, name: string): ServiceError {
  return new ServiceError('ValidationException', `Could not find ${WORDS[kind]} "${arnOf(kind, name)}".`);
}
