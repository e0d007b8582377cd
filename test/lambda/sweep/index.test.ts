import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { SweepIsCompleteRequest, SweepOnEventRequest } from '../../../lib/core/run/run-lambda-contracts';
import { createHandlers, isComplete, onEvent } from '../../../lambda/sweep/index';
import { ARN, mockCleanupClients, notFound, tags } from '../../helpers/cleanup-mocks';

const { sm, tagging } = mockCleanupClients();
const handlers = createHandlers({
  sagemaker: new SageMakerClient({ region: 'us-east-1' }),
  tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' }),
  sleep: async () => {
    throw new Error('the sweep never sleeps');
  },
  now: () => 0,
});
const request = (RequestType: string, PhysicalResourceId = 'impressions-sagemaker-sweep') =>
  ({ RequestType, PhysicalResourceId, ResourceProperties: {} }) as unknown as SweepOnEventRequest & SweepIsCompleteRequest;

describe('sweep', () => {
  test('exports both Provider handlers', () => {
    expect(typeof onEvent).toBe('function');
    expect(typeof isComplete).toBe('function');
  });

  test('Create and Update do nothing', async () => {
    expect(await handlers.onEvent(request('Create'))).toEqual({ PhysicalResourceId: 'impressions-sagemaker-sweep' });
    expect(await handlers.onEvent(request('Update', 'kept-id'))).toEqual({ PhysicalResourceId: 'kept-id' });
    expect(await handlers.isComplete(request('Create'))).toEqual({ IsComplete: true });
    expect(tagging).not.toHaveReceivedAnyCommand();
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  test("Delete removes every resource of this app (all runs, every page) and no other app's", async () => {
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [
          { ResourceARN: `${ARN}:training-job/impressions-a-train`, Tags: tags('a') },
          { ResourceARN: `${ARN}:endpoint/impressions-a-ft`, Tags: tags('a') },
          { ResourceARN: `${ARN}:endpoint/someone-else-ft`, Tags: tags('a', 'someone') },
        ],
        PaginationToken: 't',
      })
      .resolvesOnce({
        ResourceTagMappingList: [
          { ResourceARN: `${ARN}:endpoint-config/impressions-b-pt`, Tags: tags('b') },
          { ResourceARN: `${ARN}:model/impressions-b-pt`, Tags: tags('b') },
          { ResourceARN: `${ARN}:model/untagged-model`, Tags: [] },
        ],
      });
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress' });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService' });

    expect(await handlers.onEvent(request('Delete'))).toEqual({ PhysicalResourceId: 'impressions-sagemaker-sweep' });
    expect(tagging).toHaveReceivedNthCommandWith(1, GetResourcesCommand, { TagFilters: [{ Key: 'impressions:app', Values: ['impressions'] }] });
    expect(sm).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: 'impressions-a-train' });
    expect(sm).toHaveReceivedCommandTimes(DeleteEndpointCommand, 1);
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'impressions-a-ft' });
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointConfigCommand, { EndpointConfigName: 'impressions-b-pt' });
    expect(sm).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    expect(sm).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'impressions-b-pt' });
  });

  test('isComplete: false while an endpoint is Creating or Deleting or a job is Stopping; a Creating endpoint is deleted once it settles', async () => {
    const mappings = {
      ResourceTagMappingList: [
        { ResourceARN: `${ARN}:training-job/impressions-a-train`, Tags: tags('a') },
        { ResourceARN: `${ARN}:endpoint/impressions-a-pt`, Tags: tags('a') },
      ],
    };
    tagging.on(GetResourcesCommand).resolves(mappings);
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Stopping' });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Creating' });
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: false });
    expect(sm).not.toHaveReceivedCommand(DeleteEndpointCommand);

    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Stopped' });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService' });
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: false });
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'impressions-a-pt' });

    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Deleting' });
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: false });

    sm.on(DescribeEndpointCommand).rejects(notFound());
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: true });
  });

  test('refuses to run without its prefix', async () => {
    delete process.env.RESOURCE_PREFIX;
    await expect(handlers.onEvent(request('Delete'))).rejects.toThrow('RESOURCE_PREFIX is not set');
    await expect(handlers.isComplete(request('Delete'))).rejects.toThrow('RESOURCE_PREFIX is not set');
    expect(tagging).not.toHaveReceivedAnyCommand();
  });

  test('isComplete is true when nothing is tagged', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: true });
  });
});
