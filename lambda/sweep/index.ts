/**
 * sweep: custom resource (aws-cdk-lib `custom_resources.Provider`, onEvent + isComplete) that, when
 * the pipeline stack is deleted, removes every SageMaker resource tagged `impressions:app`=<prefix>,
 * with or without a run id, kept endpoints included (the stack that created them is going), and
 * never an untagged one: stops running training jobs, deletes endpoints once they have settled,
 * then endpoint configs and models once no endpoint uses them. Create and Update do nothing. Each
 * call is one non-waiting pass (lib/aws/sagemaker-cleanup.ts); the provider's polling (its
 * `queryInterval` and `totalTimeout`) does the waiting, and `isComplete` is true once nothing is left.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { cleanUpPass, findTaggedResources, isClean, reportCounts, type CleanupClients, type CleanupReport } from '../../lib/aws/sagemaker-cleanup';
import { parseSweepRequest, type SweepIsCompleteResponse, type SweepOnEventResponse } from '../../lib/core/run/run-lambda-contracts';
import { resourcePrefixFromEnv } from '../common/env';

const logger = new Logger();

async function pass(clients: CleanupClients, prefix: string): Promise<CleanupReport> {
  return cleanUpPass(clients, await findTaggedResources(clients.tagging, prefix, 'app'), { includeKept: true });
}

/** Builds both handlers around their clients (tests pass the simulator's). */
export function createHandlers(clients: CleanupClients) {
  return {
    /** Provider `onEvent` (event: `SweepOnEventRequest`). */
    onEvent: async (raw: unknown): Promise<SweepOnEventResponse> => {
      const event = parseSweepRequest(raw);
      const prefix = resourcePrefixFromEnv();
      if (event.RequestType === 'Create') return { PhysicalResourceId: `${prefix}-sagemaker-sweep` };
      if (event.RequestType === 'Update') return { PhysicalResourceId: event.PhysicalResourceId };
      const report = await pass(clients, prefix);
      logger.info('sweep started', { prefix, remaining: report.remaining, ...reportCounts(report) });
      return { PhysicalResourceId: event.PhysicalResourceId };
    },
    /** Provider `isComplete` (event: `SweepIsCompleteRequest`). */
    isComplete: async (raw: unknown): Promise<SweepIsCompleteResponse> => {
      const event = parseSweepRequest(raw);
      if (event.RequestType !== 'Delete') return { IsComplete: true };
      const prefix = resourcePrefixFromEnv();
      const report = await pass(clients, prefix);
      logger.info('sweep pass', { prefix, remaining: report.remaining, ...reportCounts(report) });
      return { IsComplete: isClean(report) };
    },
  };
}

const handlers = createHandlers({ sagemaker: new SageMakerClient({}), tagging: new ResourceGroupsTaggingAPIClient({}) });
/** Provider `onEventHandler` entry point. */
export const onEvent = handlers.onEvent;
/** Provider `isCompleteHandler` entry point. */
export const isComplete = handlers.isComplete;
