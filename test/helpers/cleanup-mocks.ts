/**
 * Shared set-up of the janitor and sweep tests: mocked SageMaker and tagging clients (reset before
 * each test, with StopTrainingJob and every Delete succeeding unless the test says otherwise), the
 * app prefix in the environment, and builders of tagged ARNs and of SageMaker's "not found" error.
 */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { DeleteEndpointCommand, DeleteEndpointConfigCommand, DeleteModelCommand, SageMakerClient, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

/** ARN prefix of the test account's SageMaker resources. */
export const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';

/** The tags a run puts on its resources (`app` = the resource prefix). */
export const tags = (runId: string, app = 'impressions') => [
  { Key: 'impressions:app', Value: app },
  { Key: 'impressions:run-id', Value: runId },
];

/** SageMaker's error for a resource that does not exist. */
export const notFound = (what = 'endpoint') => Object.assign(new Error(`Could not find ${what}`), { name: 'ValidationException' });

/** Mocks both clients and registers the `beforeEach` that resets them and sets `RESOURCE_PREFIX=impressions`. */
export function mockCleanupClients() {
  const sm = mockClient(SageMakerClient);
  const tagging = mockClient(ResourceGroupsTaggingAPIClient);
  beforeEach(() => {
    sm.reset();
    tagging.reset();
    process.env.RESOURCE_PREFIX = 'impressions';
    sm.on(DeleteEndpointCommand).resolves({});
    sm.on(DeleteEndpointConfigCommand).resolves({});
    sm.on(DeleteModelCommand).resolves({});
    sm.on(StopTrainingJobCommand).resolves({});
  });
  return { sm, tagging };
}
