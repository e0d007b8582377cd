/**
 * janitor: one clean-up pass over the SageMaker resources a run left, called by the janitor state
 * machine (lib/constructs/janitor-workflow.ts), which repeats it every few minutes until nothing is
 * left or its time is up. It never waits itself.
 *
 * Which runs: ABORTED and TIMED_OUT executions never reached their own clean-up; a FAILED run did,
 * and the janitor acts on it only when its error says the clean-up could not finish
 * (`CleanupIncomplete`) or never ran (`States.Runtime`, `States.DataLimitExceeded`: no Catch
 * handles them); it reads the error with DescribeExecution (the status-change event carries none).
 * Every other FAILED run deleted its own resources, and the janitor leaves it alone.
 *
 * What: the resources tagged with the app prefix and the run id (plus the run's own endpoint names,
 * as the tagging index lags), in the safe order (lib/aws/sagemaker-cleanup.ts). Endpoints kept on
 * purpose (`impressions:keep`) are left alone. Logs one line per pass with the resource names and
 * counts, and emits the `JanitorActions` and `JanitorRemaining` metrics (embedded metric format).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { cleanUpPass, findRunResources, isClean, reportCounts, type CleanupClients } from '../../lib/aws/sagemaker-cleanup';
import {
  JANITOR_FAILED_RUN_ERRORS,
  parseJanitorPassEvent,
  SAFETY_NET_METRICS,
  type JanitorExecution,
  type JanitorPassResult,
} from '../../lib/core/run/run-lambda-contracts';
import { runIdFromExecutionName } from '../../lib/core/run/naming';
import { resourcePrefixFromEnv } from '../common/env';

/** The clients the janitor uses (tests pass the simulator's). */
export interface JanitorDeps extends CleanupClients {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

const logger = new Logger();

/** Why the janitor should leave this execution alone, or `undefined` when it should clean up. */
async function reasonToSkip(deps: JanitorDeps, execution: JanitorExecution): Promise<string | undefined> {
  if (execution.status === 'ABORTED' || execution.status === 'TIMED_OUT') return undefined;
  if (execution.status !== 'FAILED') return `status ${execution.status} needs no clean-up`;
  const described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: execution.arn }));
  if (described.error !== undefined && JANITOR_FAILED_RUN_ERRORS.includes(described.error)) return undefined;
  return `the run failed with ${described.error ?? '(no error)'} and cleaned up after itself`;
}

/** Builds the handler around its clients. */
export function createHandler(deps: JanitorDeps) {
  return async (raw: unknown): Promise<JanitorPassResult> => {
    const { execution, pass } = parseJanitorPassEvent(raw);
    const prefix = resourcePrefixFromEnv();
    const runId = runIdFromExecutionName(execution.name);
    const skip = pass === 0 ? await reasonToSkip(deps, execution) : undefined;
    if (skip !== undefined) {
      logger.info('janitor: nothing to do', { runId, status: execution.status, reason: skip });
      return { runId, action: 'skipped', reason: skip, done: true, remaining: [], actions: [], kept: [] };
    }
    const report = await cleanUpPass(deps, await findRunResources(deps.tagging, prefix, runId));
    const actions = [
      ...report.stoppedTrainingJobs.map((n) => `stopped training-job ${n}`),
      ...report.deletedEndpoints.map((n) => `deleted endpoint ${n}`),
      ...report.deletedEndpointConfigs.map((n) => `deleted endpoint-config ${n}`),
      ...report.deletedModels.map((n) => `deleted model ${n}`),
    ];
    const done = isClean(report);
    logger.info('janitor pass', {
      runId,
      status: execution.status,
      pass,
      done,
      actions,
      remaining: report.remaining,
      kept: report.kept,
      ...reportCounts(report),
    });
    deps.metrics.addMetric(SAFETY_NET_METRICS.janitorActions, MetricUnit.Count, actions.length);
    deps.metrics.addMetric(SAFETY_NET_METRICS.janitorRemaining, MetricUnit.Count, report.remaining.length);
    deps.metrics.publishStoredMetrics();
    const reason = done ? 'nothing is left' : `${report.remaining.length} resource(s) still there (${report.settling} endpoint(s) settling)`;
    return { runId, action: 'cleaning', reason, done, remaining: report.remaining, actions, kept: report.kept };
  };
}

/** The Lambda entry point. */
export const handler = createHandler({
  sagemaker: new SageMakerClient({}),
  tagging: new ResourceGroupsTaggingAPIClient({}),
  sfn: new SFNClient({}),
  metrics: new Metrics({ serviceName: 'impressions-janitor' }),
});
