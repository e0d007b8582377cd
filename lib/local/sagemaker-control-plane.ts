/**
 * A local SageMaker control plane for the rehearsal, where moto 5.2.1 falls short (its endpoint
 * configs reject `ml.g5.2xlarge`, it has no StopTrainingJob, its training jobs complete at once with
 * no artifacts, its tagging API fails once an endpoint config exists, and it has no SageMaker
 * quotas). It speaks the SageMaker JSON protocol (`X-Amz-Target: SageMaker.*`) and, on the same
 * server, the Resource Groups Tagging API's `GetResources` and Service Quotas' list calls, so the
 * real SDK clients of the state machine's tasks, the Lambdas and the CLI talk to it unchanged.
 *
 * What it models (scaled down in time):
 * - training jobs: InProgress (Starting → Downloading → Training → Uploading) → Completed, Failed or
 *   Stopped; the input channels must exist in S3 (else `ClientError: No S3 objects found`, as SageMaker
 *   fails the job); on completion it writes the model artifacts under `<S3OutputPath>/<job>/output/`;
 * - endpoints: Creating → InService (or Failed with a FailureReason), Deleting → gone; an endpoint
 *   that is Creating cannot be deleted; the model data must exist in S3, else the endpoint fails;
 * - names unique per kind, "Could not find …" for a missing model, config or endpoint, tags on every
 *   create, AddTags/ListTags/DeleteTags (refused with a ValidationException for an ARN whose resource does
 *   not exist or was deleted, as SageMaker refuses them: aws/amazon-sagemaker-feedback issue #108; the
 *   message wording is this stand-in's), and a ledger of every create, stop and delete with who made the call
 *   (each local caller signs with its own access key id).
 * What it does not model: IAM, KMS grants, VPC, instance capacity, real durations.
 *
 * Messages as SageMaker gives them: `Cannot create already existing endpoint "<arn>".` and
 * `Could not find endpoint configuration "<arn>".` (ValidationException, both seen in
 * hashicorp/terraform-provider-aws issues #40080 and #40048); an endpoint stuck Creating cannot be
 * deleted until it settles (aws/amazon-sagemaker-examples issue #3432), which is why the run's
 * clean-up, the janitor and the sweep wait for it; the wording of that refusal is this stand-in's.
 */
import { AwsServiceError, startJsonProtocolServer, type CallContext, type JsonProtocolServer } from './json-protocol-server';

/** Region and account of every ARN. */
const ARN_PREFIX = 'arn:aws:sagemaker:us-east-1:123456789012';

/** Kinds of resources in the ledger. */
export type ResourceKind = 'training-job' | 'model' | 'endpoint-config' | 'endpoint';

/** One line of the ledger. */
export interface LedgerEntry {
  readonly at: Date;
  readonly action: 'create' | 'delete' | 'stop';
  readonly kind: ResourceKind;
  readonly name: string;
  /** Who called (see {@link ControlPlaneOptions.actors}). */
  readonly by: string;
}

/** A quota as Service Quotas lists it. */
export interface LocalQuota {
  readonly QuotaName: string;
  readonly QuotaCode: string;
  readonly Value: number;
}

/** Behaviour of the control plane. */
export interface ControlPlaneOptions {
  /** Milliseconds each of the four training phases lasts. @default 400 */
  readonly trainingPhaseMs?: number;
  /** Milliseconds an endpoint stays Creating. @default 600 */
  readonly endpointCreatingMs?: number;
  /** Milliseconds an endpoint stays Deleting. @default 200 */
  readonly endpointDeletingMs?: number;
  /** Make every training job fail in its Training phase with this reason. */
  readonly trainingFailure?: string;
  /** FailureReason of an endpoint that ends Failed (by endpoint name), or undefined for InService. */
  readonly endpointFailure?: (endpointName: string) => string | undefined;
  /** The SageMaker quotas Service Quotas lists. */
  readonly quotas?: readonly LocalQuota[];
  /** Whether an S3 URI (object, or prefix ending in `/`) exists; checked for channels and model data. */
  readonly s3Exists?: (uri: string) => Promise<boolean>;
  /** Writes a completed job's artifacts; returns the `S3ModelArtifacts` URI. */
  readonly writeArtifacts?: (job: { name: string; outputPath: string; compression: string }) => Promise<string>;
  /** Access key id → who it is (e.g. `state machine`, `janitor`), for the ledger. */
  readonly actors?: ReadonlyMap<string, string>;
}

interface Tag {
  Key: string;
  Value: string;
}

interface TrainingJob {
  name: string;
  arn: string;
  request: Record<string, unknown>;
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  secondary: string;
  transitions: { Status: string; StartTime: Date; EndTime?: Date; StatusMessage: string }[];
  created: Date;
  started?: Date;
  ended?: Date;
  failureReason?: string;
  artifacts?: string;
  timers: NodeJS.Timeout[];
}

interface Endpoint {
  name: string;
  arn: string;
  configName: string;
  status: 'Creating' | 'InService' | 'Failed' | 'Deleting';
  created: Date;
  modified: Date;
  failureReason?: string;
  timer?: NodeJS.Timeout;
}

/** The running control plane. */
export interface SageMakerControlPlane {
  readonly url: string;
  readonly ledger: readonly LedgerEntry[];
  /** Calls per operation (failed ones included). */
  readonly calls: Readonly<Record<string, number>>;
  /** What an endpoint hosts, for the runtime stand-in: its status and the model data URI of its model. */
  endpointModel(endpointName: string): { status: string; modelDataUri?: string } | undefined;
  /** Names that exist now, by kind (training jobs: those still InProgress or Stopping). */
  live(): { kind: ResourceKind; name: string; status: string }[];
  close(): Promise<void>;
}

const TRAINING_PHASES = [
  ['Starting', 'Preparing the instances for training'],
  ['Downloading', 'Downloading input data'],
  ['Training', 'Training image download completed. Training in progress.'],
  ['Uploading', 'Uploading generated training model'],
] as const;

function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '')
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function arnOf(kind: ResourceKind, name: string): string {
  return `${ARN_PREFIX}:${kind}/${name.toLowerCase()}`;
}

function notFound(kind: string, name: string): AwsServiceError {
  const arnKind = kind === 'endpoint configuration' ? 'endpoint-config' : kind;
  return new AwsServiceError('ValidationException', `Could not find ${kind} "${ARN_PREFIX}:${arnKind}/${name.toLowerCase()}".`);
}

/** The model data URI of a CreateModel request (ModelDataUrl or ModelDataSource.S3DataSource.S3Uri). */
function modelDataUri(request: Record<string, unknown>): string | undefined {
  const container = (request.PrimaryContainer ?? (request.Containers as unknown[] | undefined)?.[0]) as Record<string, unknown> | undefined;
  if (typeof container?.ModelDataUrl === 'string') return container.ModelDataUrl;
  const source = (container?.ModelDataSource as { S3DataSource?: { S3Uri?: string } } | undefined)?.S3DataSource?.S3Uri;
  return source;
}

/** Starts the control plane on 127.0.0.1 and a free port. */
export async function startSageMakerControlPlane(options: ControlPlaneOptions = {}): Promise<SageMakerControlPlane> {
  const phaseMs = options.trainingPhaseMs ?? 400;
  const creatingMs = options.endpointCreatingMs ?? 600;
  const deletingMs = options.endpointDeletingMs ?? 200;
  const models = new Map<string, { arn: string; request: Record<string, unknown>; created: Date }>();
  const configs = new Map<string, { arn: string; request: Record<string, unknown>; created: Date }>();
  const endpoints = new Map<string, Endpoint>();
  const jobs = new Map<string, TrainingJob>();
  const tags = new Map<string, Tag[]>();
  const ledger: LedgerEntry[] = [];
  const calls: Record<string, number> = {};
  const who = (context: CallContext): string => options.actors?.get(context.accessKeyId) ?? (context.accessKeyId || 'unknown');
  const record = (action: LedgerEntry['action'], kind: ResourceKind, name: string, context: CallContext): void => {
    ledger.push({ at: new Date(), action, kind, name, by: who(context) });
  };
  const setTags = (arn: string, list: unknown): void => {
    const current = tags.get(arn) ?? [];
    for (const tag of (list as Tag[] | undefined) ?? []) {
      const i = current.findIndex((t) => t.Key === tag.Key);
      if (i >= 0) current[i] = tag;
      else current.push({ Key: tag.Key, Value: tag.Value ?? '' });
    }
    tags.set(arn, current);
  };
  const exists = async (uri: string): Promise<boolean> => (options.s3Exists === undefined ? true : options.s3Exists(uri));

  const transition = (job: TrainingJob, status: string, message: string): void => {
    const now = new Date();
    const last = job.transitions[job.transitions.length - 1];
    if (last !== undefined && last.EndTime === undefined) last.EndTime = now;
    job.secondary = status;
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
  };
  const finish = (job: TrainingJob, status: 'Completed' | 'Failed' | 'Stopped', secondary: string, message: string): void => {
    for (const t of job.timers) clearTimeout(t);
    job.timers = [];
    transition(job, secondary, message);
    job.transitions[job.transitions.length - 1].EndTime = new Date();
    job.status = status;
    job.ended = new Date();
  };

  /** Waits `ms` unless the job leaves InProgress meanwhile (its timers are cleared then); true when still running. */
  const phaseWait = (job: TrainingJob, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      job.timers.push(setTimeout(() => resolve(job.status === 'InProgress'), ms));
    });

  // One phase after the other, so a failure decided in a phase always comes before the next one.
  const runTraining = (job: TrainingJob): void => {
    const channels = ((job.request.InputDataConfig as { ChannelName?: string; DataSource?: { S3DataSource?: { S3Uri?: string } } }[] | undefined) ?? [])
      .map((c) => ({ channel: c.ChannelName ?? '?', uri: c.DataSource?.S3DataSource?.S3Uri }))
      .filter((c): c is { channel: string; uri: string } => typeof c.uri === 'string');
    void (async () => {
      job.started = new Date();
      for (const [phase, message] of TRAINING_PHASES) {
        transition(job, phase, message);
        if (phase === 'Downloading') {
          for (const { channel, uri } of channels) {
            if (!(await exists(uri))) {
              if (job.status !== 'InProgress') return;
              job.failureReason = `ClientError: No S3 objects found under S3 URL "${uri}" given in input data source (channel ${channel}). Please ensure that the bucket exists in the selected region (us-east-1), that objects exist under that S3 prefix, and that the role has permission to read the objects.`;
              finish(job, 'Failed', 'Failed', job.failureReason);
              return;
            }
          }
        }
        if (phase === 'Training' && options.trainingFailure !== undefined) {
          if (!(await phaseWait(job, phaseMs / 2))) return;
          job.failureReason = options.trainingFailure;
          finish(job, 'Failed', 'Failed', `Training job failed: ${options.trainingFailure}`);
          return;
        }
        if (!(await phaseWait(job, phaseMs))) return;
      }
      const output = job.request.OutputDataConfig as { S3OutputPath?: string; CompressionType?: string } | undefined;
      const outputPath = output?.S3OutputPath ?? '';
      const compression = output?.CompressionType ?? 'GZIP';
      try {
        const artifacts =
          options.writeArtifacts !== undefined
            ? await options.writeArtifacts({ name: job.name, outputPath, compression })
            : `${outputPath.replace(/\/?$/, '/')}${job.name}/output/${compression === 'NONE' ? 'model/' : 'model.tar.gz'}`;
        if (job.status !== 'InProgress') return;
        job.artifacts = artifacts;
        finish(job, 'Completed', 'Completed', 'Training job completed');
      } catch (error) {
        if (job.status !== 'InProgress') return;
        job.failureReason = `ClientError: could not write the model artifacts to ${outputPath}: ${(error as Error).message}`;
        finish(job, 'Failed', 'Failed', job.failureReason);
      }
    })();
  };

  const settleEndpoint = (endpoint: Endpoint): void => {
    endpoint.timer = setTimeout(() => {
      void (async () => {
        if (endpoint.status !== 'Creating') return;
        const config = configs.get(endpoint.configName);
        const variant = (config?.request.ProductionVariants as { ModelName?: string }[] | undefined)?.[0];
        const model = variant?.ModelName === undefined ? undefined : models.get(variant.ModelName);
        const dataUri = model === undefined ? undefined : modelDataUri(model.request);
        let reason = options.endpointFailure?.(endpoint.name);
        if (reason === undefined && model === undefined) reason = `Could not find model "${variant?.ModelName ?? '?'}" of production variant AllTraffic.`;
        if (reason === undefined && dataUri !== undefined && !(await exists(dataUri))) {
          reason = `Failed to download model data for container "container_1" from URL: "${dataUri}". Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the object.`;
        }
        if (endpoints.get(endpoint.name) !== endpoint || endpoint.status !== 'Creating') return;
        endpoint.status = reason === undefined ? 'InService' : 'Failed';
        endpoint.failureReason = reason;
        endpoint.modified = new Date();
      })();
    }, creatingMs);
  };

  const describeJob = (job: TrainingJob): Record<string, unknown> => {
    const seconds = job.started === undefined ? undefined : Math.max(1, Math.round(((job.ended ?? new Date()).getTime() - job.started.getTime()) / 1000));
    return {
      ...job.request,
      Tags: undefined,
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondary,
      SecondaryStatusTransitions: job.transitions,
      FailureReason: job.failureReason,
      ModelArtifacts: job.artifacts === undefined ? undefined : { S3ModelArtifacts: job.artifacts },
      CreationTime: job.created,
      LastModifiedTime: job.ended ?? job.created,
      TrainingStartTime: job.started,
      TrainingEndTime: job.ended,
      TrainingTimeInSeconds: job.ended === undefined ? undefined : seconds,
      BillableTimeInSeconds: job.ended === undefined ? undefined : seconds,
    };
  };

  const count = (op: string): void => {
    calls[op] = (calls[op] ?? 0) + 1;
  };
  const op =
    (name: string, fn: (input: Record<string, unknown>, context: CallContext) => unknown | Promise<unknown>) =>
    (input: Record<string, unknown>, context: CallContext) => {
      count(name);
      return fn(input, context);
    };

  const sagemaker: Record<string, (input: Record<string, unknown>, context: CallContext) => unknown> = {
    CreateModel: (input, context) => {
      const name = requireString(input, 'ModelName');
      if (models.has(name)) throw new AwsServiceError('ValidationException', `Cannot create already existing model "${arnOf('model', name)}".`);
      const arn = arnOf('model', name);
      models.set(name, { arn, request: input, created: new Date() });
      setTags(arn, input.Tags);
      record('create', 'model', name, context);
      return { ModelArn: arn };
    },
    DescribeModel: (input) => {
      const name = requireString(input, 'ModelName');
      const model = models.get(name);
      if (model === undefined) throw notFound('model', name);
      return { ...model.request, Tags: undefined, ModelArn: model.arn, CreationTime: model.created };
    },
    DeleteModel: (input, context) => {
      const name = requireString(input, 'ModelName');
      if (!models.delete(name)) throw notFound('model', name);
      tags.delete(arnOf('model', name));
      record('delete', 'model', name, context);
      return {};
    },
    CreateEndpointConfig: (input, context) => {
      const name = requireString(input, 'EndpointConfigName');
      if (configs.has(name))
        throw new AwsServiceError('ValidationException', `Cannot create already existing endpoint configuration "${arnOf('endpoint-config', name)}".`);
      for (const variant of (input.ProductionVariants as { ModelName?: string; InstanceType?: string }[] | undefined) ?? []) {
        if (variant.ModelName === undefined || !models.has(variant.ModelName)) throw notFound('model', variant.ModelName ?? '');
        if (variant.InstanceType !== undefined && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(variant.InstanceType)) {
          throw new AwsServiceError(
            'ValidationException',
            `Value '${variant.InstanceType}' at 'productionVariants.1.member.instanceType' failed to satisfy constraint`,
          );
        }
      }
      const arn = arnOf('endpoint-config', name);
      configs.set(name, { arn, request: input, created: new Date() });
      setTags(arn, input.Tags);
      record('create', 'endpoint-config', name, context);
      return { EndpointConfigArn: arn };
    },
    DescribeEndpointConfig: (input) => {
      const name = requireString(input, 'EndpointConfigName');
      const config = configs.get(name);
      if (config === undefined) throw notFound('endpoint configuration', name);
      return { ...config.request, Tags: undefined, EndpointConfigArn: config.arn, CreationTime: config.created };
    },
    DeleteEndpointConfig: (input, context) => {
      const name = requireString(input, 'EndpointConfigName');
      if (!configs.delete(name)) throw notFound('endpoint configuration', name);
      tags.delete(arnOf('endpoint-config', name));
      record('delete', 'endpoint-config', name, context);
      return {};
    },
    CreateEndpoint: (input, context) => {
      const name = requireString(input, 'EndpointName');
      const configName = requireString(input, 'EndpointConfigName');
      if (endpoints.has(name)) throw new AwsServiceError('ValidationException', `Cannot create already existing endpoint "${arnOf('endpoint', name)}".`);
      if (!configs.has(configName)) throw notFound('endpoint configuration', configName);
      const endpoint: Endpoint = { name, arn: arnOf('endpoint', name), configName, status: 'Creating', created: new Date(), modified: new Date() };
      endpoints.set(name, endpoint);
      setTags(endpoint.arn, input.Tags);
      record('create', 'endpoint', name, context);
      settleEndpoint(endpoint);
      return { EndpointArn: endpoint.arn };
    },
    DescribeEndpoint: (input) => {
      const name = requireString(input, 'EndpointName');
      const endpoint = endpoints.get(name);
      if (endpoint === undefined) throw notFound('endpoint', name);
      const config = configs.get(endpoint.configName);
      const variants = ((config?.request.ProductionVariants as { VariantName?: string; InitialInstanceCount?: number }[] | undefined) ?? []).map((v) => ({
        VariantName: v.VariantName,
        CurrentInstanceCount: endpoint.status === 'InService' ? (v.InitialInstanceCount ?? 1) : 0,
        DesiredInstanceCount: v.InitialInstanceCount ?? 1,
      }));
      return {
        EndpointName: name,
        EndpointArn: endpoint.arn,
        EndpointConfigName: endpoint.configName,
        EndpointStatus: endpoint.status,
        FailureReason: endpoint.failureReason,
        ProductionVariants: variants,
        CreationTime: endpoint.created,
        LastModifiedTime: endpoint.modified,
      };
    },
    DeleteEndpoint: (input, context) => {
      const name = requireString(input, 'EndpointName');
      const endpoint = endpoints.get(name);
      if (endpoint === undefined) throw notFound('endpoint', name);
      if (endpoint.status === 'Creating') throw new AwsServiceError('ValidationException', `Cannot update in-progress endpoint "${endpoint.arn}".`);
      if (endpoint.status === 'Deleting') return {};
      clearTimeout(endpoint.timer);
      endpoint.status = 'Deleting';
      endpoint.modified = new Date();
      record('delete', 'endpoint', name, context);
      endpoint.timer = setTimeout(() => {
        if (endpoints.get(name) !== endpoint) return;
        endpoints.delete(name);
        tags.delete(endpoint.arn);
      }, deletingMs);
      return {};
    },
    ListEndpoints: (input) => {
      const status = input.StatusEquals as string | undefined;
      const list = [...endpoints.values()].filter((e) => status === undefined || e.status === status);
      return {
        Endpoints: list.map((e) => ({
          EndpointName: e.name,
          EndpointArn: e.arn,
          EndpointStatus: e.status,
          CreationTime: e.created,
          LastModifiedTime: e.modified,
        })),
      };
    },
    CreateTrainingJob: (input, context) => {
      const name = requireString(input, 'TrainingJobName');
      if (jobs.has(name)) {
        throw new AwsServiceError(
          'ResourceInUse',
          `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arnOf('training-job', name)})`,
        );
      }
      const job: TrainingJob = {
        name,
        arn: arnOf('training-job', name),
        request: input,
        status: 'InProgress',
        secondary: 'Starting',
        transitions: [],
        created: new Date(),
        timers: [],
      };
      jobs.set(name, job);
      setTags(job.arn, input.Tags);
      record('create', 'training-job', name, context);
      runTraining(job);
      return { TrainingJobArn: job.arn };
    },
    DescribeTrainingJob: (input) => {
      const name = requireString(input, 'TrainingJobName');
      const job = jobs.get(name);
      if (job === undefined) throw new AwsServiceError('ResourceNotFound', 'Requested resource not found.');
      return describeJob(job);
    },
    StopTrainingJob: (input, context) => {
      const name = requireString(input, 'TrainingJobName');
      const job = jobs.get(name);
      if (job === undefined) throw new AwsServiceError('ResourceNotFound', 'Requested resource not found.');
      if (job.status !== 'InProgress')
        throw new AwsServiceError('ValidationException', `The request was rejected because the training job is in status ${job.status}.`);
      job.status = 'Stopping';
      record('stop', 'training-job', name, context);
      for (const t of job.timers) clearTimeout(t);
      job.timers = [setTimeout(() => finish(job, 'Stopped', 'Stopped', 'Training job stopped by the user'), Math.min(phaseMs, 300))];
      return {};
    },
    ListTrainingJobs: (input) => {
      const status = input.StatusEquals as string | undefined;
      const list = [...jobs.values()].filter((j) => status === undefined || j.status === status);
      return {
        TrainingJobSummaries: list.map((j) => ({
          TrainingJobName: j.name,
          TrainingJobArn: j.arn,
          TrainingJobStatus: j.status,
          CreationTime: j.created,
          LastModifiedTime: j.ended ?? j.created,
        })),
      };
    },
    AddTags: (input) => {
      const arn = existingArn(input);
      setTags(arn, input.Tags);
      // AddTags answers with the tags it added.
      return { Tags: input.Tags ?? [] };
    },
    ListTags: (input) => ({ Tags: tags.get(existingArn(input)) ?? [] }),
    DeleteTags: (input) => {
      const arn = existingArn(input);
      const keys = new Set((input.TagKeys as string[] | undefined) ?? []);
      tags.set(
        arn,
        (tags.get(arn) ?? []).filter((t) => !keys.has(t.Key)),
      );
      return {};
    },
  };

  /** The `ResourceArn` of a tagging call, when its resource exists (a deleted one does not). */
  const existingArn = (input: Record<string, unknown>): string => {
    const arn = requireString(input, 'ResourceArn');
    if (!taggable().some((r) => r.arn === arn)) throw new AwsServiceError('ValidationException', `Resource ${arn} does not exist.`);
    return arn;
  };

  /** Resources the tagging API can list now: every training job (they are never deleted), live others. */
  const taggable = (): { arn: string; type: string }[] => [
    ...[...jobs.values()].map((j) => ({ arn: j.arn, type: 'sagemaker:training-job' })),
    ...[...models.values()].map((m) => ({ arn: m.arn, type: 'sagemaker:model' })),
    ...[...configs.values()].map((c) => ({ arn: c.arn, type: 'sagemaker:endpoint-config' })),
    ...[...endpoints.values()].map((e) => ({ arn: e.arn, type: 'sagemaker:endpoint' })),
  ];

  const operations: Record<string, (input: Record<string, unknown>, context: CallContext) => unknown> = {};
  for (const [name, fn] of Object.entries(sagemaker)) operations[`SageMaker.${name}`] = op(name, fn);
  operations['ResourceGroupsTaggingAPI_20170126.GetResources'] = op('GetResources', (input) => {
    const filters = (input.TagFilters as { Key: string; Values?: string[] }[] | undefined) ?? [];
    const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
    const list = taggable()
      .filter((r) => types.length === 0 || types.includes(r.type) || types.includes(r.type.split(':')[0]))
      .map((r) => ({ ResourceARN: r.arn, Tags: tags.get(r.arn) ?? [] }))
      .filter((r) =>
        filters.every((f) => r.Tags.some((t) => t.Key === f.Key && (f.Values === undefined || f.Values.length === 0 || f.Values.includes(t.Value)))),
      );
    return { ResourceTagMappingList: list, PaginationToken: '' };
  });
  const listQuotas = (input: Record<string, unknown>): unknown => {
    if (input.ServiceCode !== 'sagemaker') return { Quotas: [] };
    return {
      Quotas: (options.quotas ?? []).map((q) => ({ ...q, ServiceCode: 'sagemaker', ServiceName: 'Amazon SageMaker', Adjustable: true, GlobalQuota: false })),
    };
  };
  operations['ServiceQuotasV20190624.ListServiceQuotas'] = op('ListServiceQuotas', listQuotas);
  operations['ServiceQuotasV20190624.ListAWSDefaultServiceQuotas'] = op('ListAWSDefaultServiceQuotas', listQuotas);

  const server: JsonProtocolServer = await startJsonProtocolServer('application/x-amz-json-1.1', operations);
  return {
    url: server.url,
    ledger,
    calls,
    endpointModel(endpointName) {
      const endpoint = endpoints.get(endpointName);
      if (endpoint === undefined) return undefined;
      const variant = (configs.get(endpoint.configName)?.request.ProductionVariants as { ModelName?: string }[] | undefined)?.[0];
      const model = variant?.ModelName === undefined ? undefined : models.get(variant.ModelName);
      return { status: endpoint.status, modelDataUri: model === undefined ? undefined : modelDataUri(model.request) };
    },
    live() {
      return [
        ...[...jobs.values()]
          .filter((j) => j.status === 'InProgress' || j.status === 'Stopping')
          .map((j) => ({ kind: 'training-job' as const, name: j.name, status: j.status })),
        ...[...endpoints.values()].map((e) => ({ kind: 'endpoint' as const, name: e.name, status: e.status })),
        ...[...configs.keys()].map((name) => ({ kind: 'endpoint-config' as const, name, status: 'exists' })),
        ...[...models.keys()].map((name) => ({ kind: 'model' as const, name, status: 'exists' })),
      ];
    },
    async close() {
      for (const job of jobs.values()) for (const t of job.timers) clearTimeout(t);
      for (const endpoint of endpoints.values()) clearTimeout(endpoint.timer);
      await server.close();
    },
  };
}
