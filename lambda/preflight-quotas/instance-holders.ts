/**
 * Finds the training jobs and endpoints of the account that hold SageMaker instances now, for the
 * quota check: running training jobs (`InProgress`, `Stopping`) and endpoints in a status that keeps
 * instances (every status but `OutOfService`, `Deleting` and `Failed`). Only the instance types
 * the run needs are kept. A resource deleted between the listing and its description is skipped.
 */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTrainingJobCommand,
  paginateListEndpoints,
  paginateListTrainingJobs,
  type SageMakerClient,
  type TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { mapPool } from '../../lib/core/evaluation/pool';
import { RUNNING_TRAINING_STATUSES, unlessGone } from '../../lib/core/run/cleanup-plan';
import type { InstanceHolder } from '../../lib/core/run/quotas';

/** Endpoint statuses whose instances are released or never held. */
const NO_INSTANCE_ENDPOINT_STATUSES: ReadonlySet<string> = new Set(['OutOfService', 'Deleting', 'Failed']);

/** Describe calls in flight at once (SageMaker's describe APIs are rate limited per account). */
const DESCRIBE_CONCURRENCY = 4;

async function trainingHolders(sagemaker: SageMakerClient, instanceTypes: ReadonlySet<string>): Promise<InstanceHolder[]> {
  const names: string[] = [];
  for (const status of RUNNING_TRAINING_STATUSES) {
    for await (const page of paginateListTrainingJobs({ client: sagemaker }, { StatusEquals: status as TrainingJobStatus, MaxResults: 100 })) {
      for (const job of page.TrainingJobSummaries ?? []) if (job.TrainingJobName !== undefined) names.push(job.TrainingJobName);
    }
  }
  const described = await mapPool(names, DESCRIBE_CONCURRENCY, (name) =>
    unlessGone(() => sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }))),
  );
  const holders: InstanceHolder[] = [];
  described.forEach((job, i) => {
    if (job === undefined || !RUNNING_TRAINING_STATUSES.has(job.TrainingJobStatus ?? '')) return;
    const spot = job.EnableManagedSpotTraining === true;
    const groups = job.ResourceConfig?.InstanceGroups ?? [];
    const shapes =
      groups.length > 0
        ? groups.map((g) => ({ type: g.InstanceType, count: g.InstanceCount }))
        : [{ type: job.ResourceConfig?.InstanceType, count: job.ResourceConfig?.InstanceCount }];
    for (const { type, count } of shapes) {
      if (type !== undefined && instanceTypes.has(type)) {
        holders.push({ kind: 'training job', name: names[i], instanceType: type, instances: count ?? 1, spot });
      }
    }
  });
  return holders;
}

async function endpointHolders(sagemaker: SageMakerClient, instanceTypes: ReadonlySet<string>): Promise<InstanceHolder[]> {
  const names: string[] = [];
  for await (const page of paginateListEndpoints({ client: sagemaker }, { MaxResults: 100 })) {
    for (const endpoint of page.Endpoints ?? []) {
      if (endpoint.EndpointName !== undefined && !NO_INSTANCE_ENDPOINT_STATUSES.has(endpoint.EndpointStatus ?? '')) names.push(endpoint.EndpointName);
    }
  }
  const perEndpoint = await mapPool(names, DESCRIBE_CONCURRENCY, async (name): Promise<InstanceHolder[]> => {
    const endpoint = await unlessGone(() => sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })));
    if (endpoint?.EndpointConfigName === undefined || NO_INSTANCE_ENDPOINT_STATUSES.has(endpoint.EndpointStatus ?? '')) return [];
    const config = await unlessGone(() => sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })));
    const holders: InstanceHolder[] = [];
    for (const variant of config?.ProductionVariants ?? []) {
      if (variant.InstanceType === undefined || !instanceTypes.has(variant.InstanceType)) continue;
      // Live counts when SageMaker reports them (scaled endpoints), else what the configuration asks for.
      const live = endpoint.ProductionVariants?.find((v) => v.VariantName === variant.VariantName);
      const instances = Math.max(live?.CurrentInstanceCount ?? 0, live?.DesiredInstanceCount ?? 0) || (variant.InitialInstanceCount ?? 1);
      holders.push({ kind: 'endpoint', name, instanceType: variant.InstanceType, instances });
    }
    return holders;
  });
  return perEndpoint.flat();
}

/** The instance types to look for: training job types and endpoint types (an empty set skips that listing). */
export interface HolderQuery {
  readonly trainingTypes: ReadonlySet<string>;
  readonly endpointTypes: ReadonlySet<string>;
}

/** Every running training job and live endpoint holding instances of the queried types. */
export async function findInstanceHolders(sagemaker: SageMakerClient, query: HolderQuery): Promise<InstanceHolder[]> {
  const [training, endpoints] = await Promise.all([
    query.trainingTypes.size > 0 ? trainingHolders(sagemaker, query.trainingTypes) : [],
    query.endpointTypes.size > 0 ? endpointHolders(sagemaker, query.endpointTypes) : [],
  ]);
  return [...training, ...endpoints];
}
