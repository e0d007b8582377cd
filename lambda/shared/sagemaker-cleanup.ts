/**
 * Finds a run's (or the whole app's) tagged SageMaker resources and removes them: stops running
 * training jobs (they cannot be deleted, and stay listed once ended), deletes endpoints once they
 * have settled, then endpoint configs, then models. Every step tolerates a resource that is already
 * gone, so a pass can be repeated any number of times.
 */
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  CLEANUP_RESOURCE_TYPE_FILTERS,
  RUNNING_TRAINING_STATUSES,
  SETTLING_ENDPOINT_STATUSES,
  toTaggedResources,
  unlessGone,
  type TaggedResource,
} from '../../lib/core/run/cleanup-plan';
import { CLEANUP_ENV, type CleanupCounts } from '../../lib/core/run/run-lambda-contracts';
import { TAG_APP, TAG_RUN_ID } from '../../lib/core/run/tags';

/** The clients and clock a clean-up pass uses (injected for tests). */
export interface CleanupDeps {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** The real clients and clock, for a clean-up Lambda's module scope. */
export function defaultCleanupDeps(): CleanupDeps {
  return {
    sagemaker: new SageMakerClient({}),
    tagging: new ResourceGroupsTaggingAPIClient({}),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/** The app's resource prefix from the Lambda's environment; throws when it is unset or empty. */
export function resourcePrefixFromEnv(): string {
  const prefix = process.env[CLEANUP_ENV.resourcePrefix];
  if (prefix === undefined || prefix === '') throw new Error(`${CLEANUP_ENV.resourcePrefix} is not set`);
  return prefix;
}

/** How long a pass may wait for settling endpoints. */
export interface CleanupOptions {
  /** Epoch ms after which no more waiting starts; `0` never waits. */
  readonly deadline: number;
  /** Delay between DescribeEndpoint polls. */
  readonly pollMs: number;
}

/** Counts of a pass plus whether anything is still on its way out. */
export interface CleanupOutcome extends CleanupCounts {
  /** Endpoints deleting, endpoints still settling, or training jobs stopping: the sweep must poll again. */
  readonly inFlight: number;
}

/** Lists the tagged resources of the app (`runId` undefined) or of one run, following every page. */
export async function findTaggedResources(tagging: ResourceGroupsTaggingAPIClient, prefix: string, runId?: string): Promise<TaggedResource[]> {
  const TagFilters = [{ Key: TAG_APP, Values: [prefix] }];
  if (runId !== undefined) TagFilters.push({ Key: TAG_RUN_ID, Values: [runId] });
  const mappings = [];
  let PaginationToken: string | undefined;
  do {
    const page = await tagging.send(
      new GetResourcesCommand({
        TagFilters,
        ResourceTypeFilters: CLEANUP_RESOURCE_TYPE_FILTERS,
        ResourcesPerPage: 100,
        PaginationToken,
      }),
    );
    mappings.push(...(page.ResourceTagMappingList ?? []));
    PaginationToken = page.PaginationToken === '' ? undefined : page.PaginationToken;
  } while (PaginationToken !== undefined);
  return toTaggedResources(mappings, prefix, runId);
}

/** Runs one clean-up pass over `resources` (as {@link findTaggedResources} orders them). */
export async function cleanUp(deps: CleanupDeps, resources: readonly TaggedResource[], options: CleanupOptions): Promise<CleanupOutcome> {
  const counts = {
    found: resources.length,
    alreadyGone: 0,
    stoppedTrainingJobs: 0,
    deletedEndpoints: 0,
    deletedEndpointConfigs: 0,
    deletedModels: 0,
    pendingEndpoints: 0,
    inFlight: 0,
  };
  const { sagemaker } = deps;
  /** Whether `action` found the resource already gone. */
  const gone = async (action: () => Promise<unknown>): Promise<boolean> =>
    (await unlessGone(async () => {
      await action();
      return true;
    })) === undefined;
  for (const r of resources) {
    switch (r.kind) {
      case 'training-job': {
        const job = await unlessGone(() => sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: r.name })));
        const status = job?.TrainingJobStatus;
        if (job === undefined) {
          counts.alreadyGone += 1;
        } else if (status === 'InProgress') {
          if (!(await gone(() => sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: r.name }))))) counts.stoppedTrainingJobs += 1;
          counts.inFlight += 1;
        } else if (status !== undefined && RUNNING_TRAINING_STATUSES.has(status)) {
          counts.inFlight += 1;
        } else {
          counts.alreadyGone += 1;
        }
        break;
      }
      case 'endpoint': {
        const status = await settledEndpointStatus(deps, r.name, options);
        if (status === undefined) counts.alreadyGone += 1;
        else if (status === 'Deleting') counts.inFlight += 1;
        else if (SETTLING_ENDPOINT_STATUSES.has(status)) {
          counts.pendingEndpoints += 1;
          counts.inFlight += 1;
        } else if (await gone(() => sagemaker.send(new DeleteEndpointCommand({ EndpointName: r.name })))) {
          counts.alreadyGone += 1;
        } else {
          counts.deletedEndpoints += 1;
          counts.inFlight += 1;
        }
        break;
      }
      case 'endpoint-config':
        if (await gone(() => sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: r.name })))) counts.alreadyGone += 1;
        else counts.deletedEndpointConfigs += 1;
        break;
      case 'model':
        if (await gone(() => sagemaker.send(new DeleteModelCommand({ ModelName: r.name })))) counts.alreadyGone += 1;
        else counts.deletedModels += 1;
        break;
    }
  }
  return counts;
}

/** The endpoint's status once it has left Creating/Updating, or its settling status at the deadline; `undefined` if gone. */
async function settledEndpointStatus(deps: CleanupDeps, name: string, options: CleanupOptions): Promise<string | undefined> {
  for (;;) {
    const endpoint = await unlessGone(() => deps.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })));
    if (endpoint === undefined) return undefined;
    const status = endpoint.EndpointStatus;
    if (status === undefined || !SETTLING_ENDPOINT_STATUSES.has(status)) return status;
    if (deps.now() + options.pollMs >= options.deadline) return status;
    await deps.sleep(options.pollMs);
  }
}
