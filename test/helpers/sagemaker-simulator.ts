/**
 * An in-memory SageMaker for executing the run state machine locally: it keeps models, endpoint
 * configs, endpoints and training jobs, enforces the rules the clean-up depends on (no duplicate
 * names, no deleting an endpoint while it is Creating, "Could not find" for missing resources) and
 * records every successful create and delete.
 */

/** An error as the AWS SDK integration of Step Functions reports it. */
export class SimulatedAwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Behaviour to inject. */
export interface SimulatorOptions {
  /** DescribeEndpoint calls an endpoint answers `Creating` before it settles. @default 1 */
  readonly creatingPolls?: number;
  /** Endpoint names that end `Failed`, with their FailureReason. */
  readonly failingEndpoints?: Readonly<Record<string, string>>;
  /** Make the training job fail with this reason. */
  readonly trainingFailure?: string;
  /** Actions that are throttled once (the first call). */
  readonly throttleOnce?: readonly string[];
  /** Actions that fail once with an internal error (not retried by the state machine). */
  readonly failOnce?: Readonly<Record<string, string>>;
}

interface Endpoint {
  status: string;
  describes: number;
  failureReason?: string;
}

type Kind = 'model' | 'endpointConfig' | 'endpoint' | 'trainingJob';

/** The simulated service. */
export class SageMakerSimulator {
  readonly models = new Map<string, Record<string, unknown>>();
  readonly endpointConfigs = new Map<string, Record<string, unknown>>();
  readonly endpoints = new Map<string, Endpoint>();
  readonly trainingJobs = new Map<string, Record<string, unknown>>();
  /** Successful creates and deletes, in order, as `create model x` / `delete endpoint y`. */
  readonly log: string[] = [];
  /** Number of calls per action, failed ones included. */
  readonly calls: Record<string, number> = {};
  private readonly throttled = new Set<string>();
  private readonly failed = new Set<string>();

  constructor(private readonly options: SimulatorOptions = {}) {}

  /** Runs an SDK action (`createModel`, `describeEndpoint`, …) with its parameters. */
  call(action: string, params: Record<string, unknown>): Record<string, unknown> {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
    if (this.options.throttleOnce?.includes(action) && !this.throttled.has(action)) {
      this.throttled.add(action);
      throw new SimulatedAwsError('SageMaker.ThrottlingException', 'Rate exceeded');
    }
    const failure = this.options.failOnce?.[action];
    if (failure !== undefined && !this.failed.has(action)) {
      this.failed.add(action);
      throw new SimulatedAwsError('SageMaker.InternalFailureException', failure);
    }
    switch (action) {
      case 'createModel':
        return this.create('model', this.models, params.ModelName as string, params);
      case 'createEndpointConfig': {
        for (const variant of params.ProductionVariants as { ModelName: string }[]) {
          if (!this.models.has(variant.ModelName)) throw notFound('model', variant.ModelName);
        }
        return this.create('endpointConfig', this.endpointConfigs, params.EndpointConfigName as string, params);
      }
      case 'createEndpoint': {
        if (!this.endpointConfigs.has(params.EndpointConfigName as string)) throw notFound('endpoint configuration', params.EndpointConfigName as string);
        return this.create('endpoint', this.endpoints, params.EndpointName as string, { status: 'Creating', describes: 0 });
      }
      case 'describeEndpoint':
        return this.describeEndpoint(params.EndpointName as string);
      case 'deleteEndpoint': {
        const name = params.EndpointName as string;
        const endpoint = this.endpoints.get(name);
        if (endpoint === undefined) throw notFound('endpoint', name);
        if (['Creating', 'Updating'].includes(endpoint.status)) {
          throw new SimulatedAwsError('SageMaker.SageMakerException', `Cannot update in-progress endpoint "${name}".`);
        }
        return this.remove('endpoint', this.endpoints, name);
      }
      case 'deleteEndpointConfig':
        return this.remove('endpointConfig', this.endpointConfigs, params.EndpointConfigName as string);
      case 'deleteModel':
        return this.remove('model', this.models, params.ModelName as string);
      case 'stopTrainingJob': {
        const job = this.trainingJobs.get(params.TrainingJobName as string);
        if (job === undefined) throw new SimulatedAwsError('SageMaker.ResourceNotFoundException', 'Requested resource not found.');
        if (job.TrainingJobStatus !== 'InProgress') {
          throw new SimulatedAwsError(
            'SageMaker.SageMakerException',
            `The request was rejected because the training job is in status ${String(job.TrainingJobStatus)}.`,
          );
        }
        job.TrainingJobStatus = 'Stopping';
        this.log.push(`stop trainingJob ${String(params.TrainingJobName)}`);
        return {};
      }
      default:
        throw new Error(`simulator: unknown action ${action}`);
    }
  }

  /** `createTrainingJob.sync`: the job runs to its end before the call returns. */
  train(params: Record<string, unknown>): Record<string, unknown> {
    this.calls.createTrainingJob = (this.calls.createTrainingJob ?? 0) + 1;
    if (this.options.throttleOnce?.includes('createTrainingJob') && !this.throttled.has('createTrainingJob')) {
      this.throttled.add('createTrainingJob');
      // The optimized .sync integration reports SageMaker's own error name, without the service prefix.
      throw new SimulatedAwsError('ThrottlingException', 'Rate exceeded');
    }
    const name = params.TrainingJobName as string;
    this.create('trainingJob', this.trainingJobs, name, { ...params, TrainingJobStatus: 'InProgress' });
    const job = this.trainingJobs.get(name)!;
    if (this.options.trainingFailure !== undefined) {
      job.TrainingJobStatus = 'Failed';
      throw new SimulatedAwsError(
        'States.TaskFailed',
        JSON.stringify({ TrainingJobName: name, TrainingJobStatus: 'Failed', FailureReason: this.options.trainingFailure }),
      );
    }
    job.TrainingJobStatus = 'Completed';
    const output = (params.OutputDataConfig as { S3OutputPath: string }).S3OutputPath;
    return { TrainingJobName: name, TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: `${output}${name}/output/model.tar.gz` } };
  }

  /** Names created and never deleted, by kind (training jobs excluded: they end by themselves). */
  leftovers(): string[] {
    return [
      ...[...this.models.keys()].map((n) => `model ${n}`),
      ...[...this.endpointConfigs.keys()].map((n) => `endpointConfig ${n}`),
      ...[...this.endpoints.keys()].map((n) => `endpoint ${n}`),
    ].sort();
  }

  /** How many times each resource was created and deleted (successful calls only). */
  lifecycle(): Record<string, { created: number; deleted: number }> {
    const result: Record<string, { created: number; deleted: number }> = {};
    for (const line of this.log) {
      const [verb, kind, name] = line.split(' ');
      if (kind === 'trainingJob') continue;
      const entry = (result[`${kind} ${name}`] ??= { created: 0, deleted: 0 });
      if (verb === 'create') entry.created += 1;
      if (verb === 'delete') entry.deleted += 1;
    }
    return result;
  }

  private create<T>(kind: Kind, map: Map<string, T>, name: string, value: T): Record<string, unknown> {
    if (map.has(name)) throw new SimulatedAwsError('SageMaker.SageMakerException', `Cannot create already existing ${kind} "${name}".`);
    map.set(name, value);
    this.log.push(`create ${kind} ${name}`);
    return kind === 'endpoint' ? { EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name.toLowerCase()}` } : {};
  }

  private remove<T>(kind: Kind, map: Map<string, T>, name: string): Record<string, unknown> {
    if (!map.has(name)) throw notFound(kind === 'endpointConfig' ? 'endpoint configuration' : kind, name);
    map.delete(name);
    this.log.push(`delete ${kind} ${name}`);
    return {};
  }

  private describeEndpoint(name: string): Record<string, unknown> {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) throw notFound('endpoint', name);
    endpoint.describes += 1;
    if (endpoint.status === 'Creating' && endpoint.describes >= (this.options.creatingPolls ?? 1)) {
      const reason = this.options.failingEndpoints?.[name];
      endpoint.status = reason === undefined ? 'InService' : 'Failed';
      endpoint.failureReason = reason;
    }
    return {
      EndpointName: name,
      EndpointStatus: endpoint.status,
      ...(endpoint.failureReason !== undefined ? { FailureReason: endpoint.failureReason } : {}),
    };
  }
}

function notFound(kind: string, name: string): SimulatedAwsError {
  return new SimulatedAwsError(
    'SageMaker.SageMakerException',
    `Could not find ${kind} "arn:aws:sagemaker:us-east-1:123456789012:${kind.replace(' ', '-')}/${name.toLowerCase()}".`,
  );
}
