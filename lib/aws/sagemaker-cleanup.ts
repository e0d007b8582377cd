/**
 * Finds the app's tagged SageMaker resources and removes them in SageMaker's safe order, one
 * non-waiting pass at a time: stop running training jobs (they cannot be deleted and stay listed
 * once ended), delete endpoints that have settled, and delete an endpoint config or a model only
 * once no endpoint that uses it exists any more (SageMaker asks not to delete them while an
 * endpoint is Creating, and the order endpoint → config → model is the one it documents).
 *
 * A pass never waits: it reports what is still there (`remaining`), and its caller decides when to
 * look again (the janitor's state machine every few minutes, the sweep's provider every minute, the
 * hourly orphan check, the CLI every few seconds). Every step tolerates a resource that is already
 * gone, so passes can be repeated and can overlap.
 *
 * Used by the janitor, orphan-check and sweep Lambdas and by `impressions endpoints delete`.
 */
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
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
  type CleanupKind,
  type CleanupScope,
  type TaggedResource,
} from '../core/run/cleanup-plan';
import { runResourceNames, sameSageMakerName } from '../core/run/naming';
import { TAG_APP, TAG_RUN_ID } from '../core/run/tags';

/** The clients a clean-up pass uses. */
export interface CleanupClients {
  readonly sagemaker: SageMakerClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/** Lists the app's tagged resources in `scope`, following every page, in deletion order. */
export async function findTaggedResources(tagging: ResourceGroupsTaggingAPIClient, prefix: string, scope: CleanupScope): Promise<TaggedResource[]> {
  const TagFilters = [{ Key: TAG_APP, Values: [prefix] }];
  if (typeof scope === 'object') TagFilters.push({ Key: TAG_RUN_ID, Values: [scope.runId] });
  const mappings = [];
  let PaginationToken: string | undefined;
  do {
    const page = await tagging.send(
      new GetResourcesCommand({ TagFilters, ResourceTypeFilters: CLEANUP_RESOURCE_TYPE_FILTERS, ResourcesPerPage: 100, PaginationToken }),
    );
    mappings.push(...(page.ResourceTagMappingList ?? []));
    PaginationToken = page.PaginationToken === '' ? undefined : page.PaginationToken;
  } while (PaginationToken !== undefined);
  return toTaggedResources(mappings, prefix, scope);
}

/**
 * The resources of one run: the tagged ones plus the run's own endpoint names even when the
 * tagging index does not list them yet (it is eventually consistent, and a config must never be
 * deleted while its just-created endpoint is Creating).
 */
export async function findRunResources(tagging: ResourceGroupsTaggingAPIClient, prefix: string, runId: string): Promise<TaggedResource[]> {
  const tagged = await findTaggedResources(tagging, prefix, { runId });
  let names;
  try {
    names = runResourceNames(prefix, runId);
  } catch {
    return tagged;
  }
  const extra: TaggedResource[] = [];
  for (const endpoint of [names.pretrained.endpoint, names.fineTuned.endpoint]) {
    if (!tagged.some((r) => r.kind === 'endpoint' && sameSageMakerName(r.name, endpoint))) {
      extra.push({ kind: 'endpoint', name: endpoint, arn: '', runId, kept: false, unlisted: true });
    }
  }
  return [...tagged, ...extra].sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind));
}

function kindOrder(kind: CleanupKind): number {
  return ['training-job', 'endpoint', 'endpoint-config', 'model'].indexOf(kind);
}

/** What one pass did and what is still there. Names only, never data. */
export interface CleanupReport {
  /** Resources looked at. */
  readonly found: number;
  readonly stoppedTrainingJobs: readonly string[];
  readonly deletedEndpoints: readonly string[];
  readonly deletedEndpointConfigs: readonly string[];
  readonly deletedModels: readonly string[];
  /** Kept on purpose (`impressions:keep`), with their configs and models; left alone unless `includeKept`. */
  readonly kept: readonly string[];
  /** Still there, each with why (`endpoint x (Creating)`, `endpoint-config y (in use by endpoint x)`). */
  readonly remaining: readonly string[];
  /** Endpoints still Creating/Updating: only time helps. */
  readonly settling: number;
}

/** Options of {@link cleanUpPass}. */
export interface CleanupPassOptions {
  /** Delete kept endpoints too (stack deletion, `impressions endpoints delete`). @default false */
  readonly includeKept?: boolean;
}

/** One non-waiting pass over `resources` (as {@link findTaggedResources} orders them). */
export async function cleanUpPass(clients: CleanupClients, resources: readonly TaggedResource[], options: CleanupPassOptions = {}): Promise<CleanupReport> {
  const { sagemaker } = clients;
  const report = {
    found: resources.filter((r) => r.unlisted !== true).length,
    stoppedTrainingJobs: [] as string[],
    deletedEndpoints: [] as string[],
    deletedEndpointConfigs: [] as string[],
    deletedModels: [] as string[],
    kept: [] as string[],
    remaining: [] as string[],
    settling: 0,
  };
  /** Endpoint configs an endpoint that still exists uses, with the endpoint's name and why it is still there. */
  const configsInUse = new Map<string, string>();
  /** Models a config that stays uses. */
  const modelsInUse = new Map<string, string>();
  const keptConfigs = new Set<string>();
  const key = (name: string): string => name.toLowerCase();

  for (const r of resources.filter((x) => x.kind === 'training-job')) {
    const job = await unlessGone(() => sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: r.name })));
    const status = job?.TrainingJobStatus;
    if (status === 'InProgress') {
      await unlessGone(() => sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: r.name })));
      report.stoppedTrainingJobs.push(r.name);
      report.remaining.push(`training-job ${r.name} (Stopping)`);
    } else if (status !== undefined && RUNNING_TRAINING_STATUSES.has(status)) {
      report.remaining.push(`training-job ${r.name} (${status})`);
    }
  }

  for (const r of resources.filter((x) => x.kind === 'endpoint')) {
    const endpoint = await unlessGone(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: r.name })));
    if (endpoint === undefined) continue;
    const status = endpoint.EndpointStatus ?? 'Unknown';
    const config = endpoint.EndpointConfigName ?? r.name;
    if (r.kept && options.includeKept !== true) {
      report.kept.push(`endpoint ${r.name}`);
      keptConfigs.add(key(config));
      configsInUse.set(key(config), `kept endpoint ${r.name}`);
      continue;
    }
    if (SETTLING_ENDPOINT_STATUSES.has(status)) {
      report.settling += 1;
      report.remaining.push(`endpoint ${r.name} (${status})`);
    } else if (status === 'Deleting') {
      report.remaining.push(`endpoint ${r.name} (Deleting)`);
    } else {
      const outcome = await deleteUnlessBusy(() => sagemaker.send(new DeleteEndpointCommand({ EndpointName: r.name })));
      if (outcome === 'gone') continue;
      if (outcome === 'deleted') report.deletedEndpoints.push(r.name);
      report.remaining.push(`endpoint ${r.name} (${outcome === 'deleted' ? 'Deleting' : 'busy'})`);
    }
    configsInUse.set(key(config), `endpoint ${r.name}`);
  }

  for (const r of resources.filter((x) => x.kind === 'endpoint-config')) {
    const described = await unlessGone(() => sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: r.name })));
    if (described === undefined) continue;
    const models = (described.ProductionVariants ?? []).map((v) => v.ModelName ?? '').filter((m) => m !== '');
    let user = configsInUse.get(key(r.name));
    // An endpoint of the same name that the listing missed (the tagging index lags) still uses it.
    if (user === undefined && !resources.some((x) => x.kind === 'endpoint' && sameSageMakerName(x.name, r.name))) {
      const sameName = await unlessGone(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: r.name })));
      if (sameName !== undefined && (sameName.EndpointConfigName ?? r.name).toLowerCase() === key(r.name)) user = `endpoint ${r.name}`;
    }
    if (user !== undefined) {
      if (keptConfigs.has(key(r.name))) report.kept.push(`endpoint-config ${r.name}`);
      else report.remaining.push(`endpoint-config ${r.name} (in use by ${user})`);
      for (const model of models) modelsInUse.set(key(model), keptConfigs.has(key(r.name)) ? 'kept' : `endpoint-config ${r.name}`);
      continue;
    }
    if (await deleted(() => sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: r.name })))) report.deletedEndpointConfigs.push(r.name);
  }

  for (const r of resources.filter((x) => x.kind === 'model')) {
    const user = modelsInUse.get(key(r.name));
    if (user === 'kept') {
      report.kept.push(`model ${r.name}`);
      continue;
    }
    if (user !== undefined) {
      report.remaining.push(`model ${r.name} (in use by ${user})`);
      continue;
    }
    // A config of the same name that the listing missed still uses it.
    if (!resources.some((x) => x.kind === 'endpoint-config' && sameSageMakerName(x.name, r.name))) {
      const sameName = await unlessGone(() => sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: r.name })));
      if (sameName !== undefined) {
        report.remaining.push(`model ${r.name} (in use by endpoint-config ${r.name})`);
        continue;
      }
    }
    if (await deleted(() => sagemaker.send(new DeleteModelCommand({ ModelName: r.name })))) report.deletedModels.push(r.name);
  }
  return report;
}

/** Whether `remove` deleted the resource (false: it was already gone). Other errors propagate. */
async function deleted(remove: () => Promise<unknown>): Promise<boolean> {
  return (await unlessGone(async () => (await remove(), true))) === true;
}

/**
 * DeleteEndpoint's outcome: `deleted`, `gone` (not found), or `busy` (SageMaker refused because the
 * endpoint is in progress: it changed state since it was described). Other errors propagate.
 */
async function deleteUnlessBusy(remove: () => Promise<unknown>): Promise<'deleted' | 'gone' | 'busy'> {
  try {
    return (await deleted(remove)) ? 'deleted' : 'gone';
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationException' && /in-progress|in progress/i.test(e.message ?? '')) return 'busy';
    throw error;
  }
}

/** Whether a report says the pass left nothing behind that it was meant to remove. */
export function isClean(report: CleanupReport): boolean {
  return report.remaining.length === 0;
}

/** Counts of a report, for a log line or a metric. */
export function reportCounts(report: CleanupReport): Record<string, number> {
  return {
    found: report.found,
    stoppedTrainingJobs: report.stoppedTrainingJobs.length,
    deletedEndpoints: report.deletedEndpoints.length,
    deletedEndpointConfigs: report.deletedEndpointConfigs.length,
    deletedModels: report.deletedModels.length,
    kept: report.kept.length,
    remaining: report.remaining.length,
    settling: report.settling,
  };
}
