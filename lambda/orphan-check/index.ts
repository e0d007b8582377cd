/**
 * orphan-check: the last line of defence, run every hour by an EventBridge schedule. It finds the
 * app's tagged SageMaker resources that belong to no running execution and to none that ended
 * within the grace period (the janitor's time; `GRACE_SECONDS`), and that are not kept on purpose
 * (`impressions:keep`): resources of a run whose janitor gave up, whose clean-up failed without the
 * janitor hearing of it, or tagged with the app but no run id. It removes them with the same safe,
 * non-waiting pass as the janitor (an endpoint still Creating is deleted at a later hour, once it
 * has settled), logs their names, and emits `OrphanedResources` (the number it found), on which an
 * alarm fires: finding anything means an earlier net failed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { cleanUpPass, findTaggedResources, reportCounts, type CleanupClients } from '../../lib/aws/sagemaker-cleanup';
import type { TaggedResource } from '../../lib/core/run/cleanup-plan';
import { ORPHAN_CHECK_ENV, SAFETY_NET_METRICS, type OrphanCheckResult } from '../../lib/core/run/run-lambda-contracts';
import { runIdFromExecutionName } from '../../lib/core/run/naming';
import { requiredEnv, resourcePrefixFromEnv } from '../common/env';

/** The clients and clock the check uses (tests pass the simulator's). */
export interface OrphanCheckDeps extends CleanupClients {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  readonly now: () => number;
}

const logger = new Logger();

/**
 * Run ids of the executions that still own their resources: running ones (or waiting for a
 * redrive), and those that stopped less than `graceMs` ago. Reads every page of ListExecutions (a
 * state machine keeps the executions of the last 90 days; a run a day is a few pages).
 */
async function ownedRunIds(deps: OrphanCheckDeps, stateMachineArn: string, graceMs: number): Promise<Set<string>> {
  const owned = new Set<string>();
  let nextToken: string | undefined;
  const now = deps.now();
  do {
    const page = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 100 }));
    for (const execution of page.executions ?? []) {
      const stopped = execution.stopDate?.getTime();
      if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE' || (stopped !== undefined && now - stopped < graceMs)) {
        owned.add(runIdFromExecutionName(execution.name ?? ''));
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return owned;
}

/** The runs (or `(no run id)`) of the orphans a report names. */
function runsNamed(orphans: readonly TaggedResource[], lines: readonly string[]): string[] {
  const named = orphans.filter((r) => lines.some((line) => line.includes(` ${r.name}`)));
  return [...new Set(named.map((r) => r.runId ?? '(no run id)'))];
}

/** Builds the handler around its clients. */
export function createHandler(deps: OrphanCheckDeps) {
  return async (): Promise<OrphanCheckResult> => {
    const prefix = resourcePrefixFromEnv();
    const stateMachineArn = requiredEnv(ORPHAN_CHECK_ENV.runStateMachineArn);
    const graceSeconds = Number(requiredEnv(ORPHAN_CHECK_ENV.graceSeconds));
    if (!Number.isFinite(graceSeconds) || graceSeconds < 0) throw new Error(`${ORPHAN_CHECK_ENV.graceSeconds} must be a number of seconds ≥ 0`);
    const [tagged, owned] = await Promise.all([findTaggedResources(deps.tagging, prefix, 'app'), ownedRunIds(deps, stateMachineArn, graceSeconds * 1000)]);
    const orphans = tagged.filter((r) => r.runId === undefined || !owned.has(r.runId));
    const report = await cleanUpPass(deps, orphans);
    const actions = [
      ...report.stoppedTrainingJobs.map((n) => `stopped training-job ${n}`),
      ...report.deletedEndpoints.map((n) => `deleted endpoint ${n}`),
      ...report.deletedEndpointConfigs.map((n) => `deleted endpoint-config ${n}`),
      ...report.deletedModels.map((n) => `deleted model ${n}`),
    ];
    // What was found to remove: what this pass removed plus what it must come back for.
    const orphanedResources = actions.length + report.remaining.length;
    const orphanedRuns = runsNamed(orphans, [...actions, ...report.remaining]);
    logger.info('orphan check', { orphanedRuns, actions, remaining: report.remaining, kept: report.kept, ...reportCounts(report) });
    deps.metrics.addMetric(SAFETY_NET_METRICS.orphanedResources, MetricUnit.Count, orphanedResources);
    deps.metrics.publishStoredMetrics();
    return { orphanedRuns, orphanedResources, actions, remaining: report.remaining, kept: report.kept };
  };
}

/** The Lambda entry point. */
export const handler = createHandler({
  sagemaker: new SageMakerClient({}),
  tagging: new ResourceGroupsTaggingAPIClient({}),
  sfn: new SFNClient({}),
  metrics: new Metrics({ serviceName: 'impressions-orphan-check' }),
  now: () => Date.now(),
});
