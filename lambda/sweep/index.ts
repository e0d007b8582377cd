/**
 * sweep: custom resource (aws-cdk-lib `custom_resources.Provider`, onEvent + isComplete) that, when
 * the pipeline stack is deleted, removes every SageMaker resource tagged `impressions:app`=<prefix>:
 * stops running training jobs, deletes endpoints (those still Creating once they settle), endpoint
 * configs and models. Create and Update do nothing. Each call is one non-waiting pass; the
 * provider's polling (its `queryInterval` and `totalTimeout`) does the waiting.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { parseSweepRequest, type SweepIsCompleteResponse, type SweepOnEventResponse } from '../../lib/core/run/run-lambda-contracts';
import { cleanUp, defaultCleanupDeps, findTaggedResources, resourcePrefixFromEnv, type CleanupDeps, type CleanupOutcome } from '../shared/sagemaker-cleanup';

const logger = new Logger();
async function pass(deps: CleanupDeps, prefix: string): Promise<CleanupOutcome> {
  const resources = await findTaggedResources(deps.tagging, prefix);
  return cleanUp(deps, resources, { deadline: 0, pollMs: 0 });
}

/** Builds both handlers around their clients (tests pass mocks). */
export function createHandlers(deps: CleanupDeps) {
  return {
    /** Provider `onEvent` (event: `SweepOnEventRequest`). */
    onEvent: async (raw: unknown): Promise<SweepOnEventResponse> => {
      const event = parseSweepRequest(raw);
      const prefix = resourcePrefixFromEnv();
      if (event.RequestType === 'Create') return { PhysicalResourceId: `${prefix}-sagemaker-sweep` };
      if (event.RequestType === 'Update') return { PhysicalResourceId: event.PhysicalResourceId };
      const outcome = await pass(deps, prefix);
      logger.info('sweep started', { prefix, ...outcome });
      return { PhysicalResourceId: event.PhysicalResourceId };
    },
    /** Provider `isComplete` (event: `SweepIsCompleteRequest`). */
    isComplete: async (raw: unknown): Promise<SweepIsCompleteResponse> => {
      const event = parseSweepRequest(raw);
      if (event.RequestType !== 'Delete') return { IsComplete: true };
      const prefix = resourcePrefixFromEnv();
      const outcome = await pass(deps, prefix);
      logger.info('sweep pass', { prefix, ...outcome });
      return { IsComplete: outcome.inFlight === 0 };
    },
  };
}

const handlers = createHandlers(defaultCleanupDeps());
/** Provider `onEventHandler` entry point. */
export const onEvent = handlers.onEvent;
/** Provider `isCompleteHandler` entry point. */
export const isComplete = handlers.isComplete;
