/**
 * janitor: on an ABORTED, TIMED_OUT or FAILED run, deletes whatever SageMaker resources the run left
 * (found by the `impressions:app` and `impressions:run-id` tags). Invoked asynchronously by an
 * EventBridge rule: when an endpoint is still Creating at the end of the Lambda's time it throws
 * `EndpointStillSettlingError`, and the async retry runs the (idempotent) pass again later.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { parseJanitorEvent, RUN_ERROR_NAMES, type JanitorResult } from '../../lib/core/run/run-lambda-contracts';
import { JANITOR_STATUSES } from '../../lib/core/run/cleanup-plan';
import { runIdFromExecutionName } from '../../lib/core/run/naming';
import { cleanUp, defaultCleanupDeps, findTaggedResources, resourcePrefixFromEnv, type CleanupDeps } from '../shared/sagemaker-cleanup';

/** An endpoint of the run is still Creating/Updating; retry later. */
export class EndpointStillSettlingError extends Error {
  constructor(runId: string, pending: number) {
    super(`run ${runId}: ${pending} endpoint(s) still creating or updating; the clean-up will run again`);
    this.name = RUN_ERROR_NAMES.endpointStillSettling;
  }
}

const CLEANUP_STATUSES: ReadonlySet<string> = new Set(JANITOR_STATUSES);
/** Time kept back from the Lambda's remaining time for the last calls and the log line. */
const SAFETY_MS = 20_000;
const POLL_MS = 15_000;

const logger = new Logger();

/** Builds the handler around its clients (tests pass mocks and a fake clock). */
export function createHandler(deps: CleanupDeps, pollMs: number = POLL_MS) {
  return async (raw: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<JanitorResult> => {
    const event = parseJanitorEvent(raw);
    const prefix = resourcePrefixFromEnv();
    const runId = runIdFromExecutionName(event.detail.name);
    const status = event.detail.status;
    if (!CLEANUP_STATUSES.has(status)) {
      logger.info('execution status needs no clean-up', { runId, status });
      return {
        runId,
        status,
        skipped: true,
        found: 0,
        alreadyGone: 0,
        stoppedTrainingJobs: 0,
        deletedEndpoints: 0,
        deletedEndpointConfigs: 0,
        deletedModels: 0,
        pendingEndpoints: 0,
      };
    }
    const resources = await findTaggedResources(deps.tagging, prefix, runId);
    const { inFlight: _inFlight, ...counts } = await cleanUp(deps, resources, {
      deadline: deps.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
      pollMs,
    });
    logger.info('janitor pass', { runId, status, ...counts });
    if (counts.pendingEndpoints > 0) throw new EndpointStillSettlingError(runId, counts.pendingEndpoints);
    return { runId, status, skipped: false, ...counts };
  };
}

/** The Lambda entry point. */
export const handler = createHandler(defaultCleanupDeps());
