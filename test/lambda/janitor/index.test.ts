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
import type { JanitorEvent } from '../../../lib/core/run/run-lambda-contracts';
import { createHandler, EndpointStillSettlingError } from '../../../lambda/janitor/index';
import { ARN, mockCleanupClients, notFound, tags } from '../../helpers/cleanup-mocks';

const { sm, tagging } = mockCleanupClients();

let clock = 0;
const sleeps: number[] = [];
const handler = createHandler(
  {
    sagemaker: new SageMakerClient({ region: 'us-east-1' }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' }),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
  },
  1000,
);
const event = (name: string, status = 'FAILED') => ({ detail: { name, status, executionArn: 'x', stateMachineArn: 'y' } }) as unknown as JanitorEvent;
const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

beforeEach(() => {
  clock = 0;
  sleeps.length = 0;
});

describe('janitor', () => {
  test('finds the run by both tags over every page, stops training, deletes endpoints, configs and models, and nothing else', async () => {
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [
          { ResourceARN: `${ARN}:training-job/impressions-run1-train`, Tags: tags('Run1') },
          { ResourceARN: `${ARN}:endpoint/impressions-run1-pt`, Tags: tags('Run1') },
          { ResourceARN: `${ARN}:endpoint/other-run1-pt`, Tags: tags('Run1', 'other') },
          { ResourceARN: `${ARN}:model/impressions-run2-pt`, Tags: tags('Run2') },
        ],
        PaginationToken: 'page2',
      })
      .resolvesOnce({
        ResourceTagMappingList: [
          { ResourceARN: `${ARN}:endpoint-config/impressions-run1-pt`, Tags: tags('Run1') },
          { ResourceARN: `${ARN}:model/impressions-run1-pt`, Tags: tags('Run1') },
        ],
        PaginationToken: '',
      });
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress' });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService' });

    const result = await handler(event('Run1'), context(60_000));

    expect(result).toEqual({
      runId: 'Run1',
      status: 'FAILED',
      skipped: false,
      found: 4,
      alreadyGone: 0,
      stoppedTrainingJobs: 1,
      deletedEndpoints: 1,
      deletedEndpointConfigs: 1,
      deletedModels: 1,
      pendingEndpoints: 0,
    });
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 2);
    expect(tagging).toHaveReceivedNthCommandWith(1, GetResourcesCommand, {
      TagFilters: [
        { Key: 'impressions:app', Values: ['impressions'] },
        { Key: 'impressions:run-id', Values: ['Run1'] },
      ],
      ResourceTypeFilters: ['sagemaker:training-job', 'sagemaker:endpoint', 'sagemaker:endpoint-config', 'sagemaker:model'],
    });
    expect(tagging).toHaveReceivedNthCommandWith(2, GetResourcesCommand, { PaginationToken: 'page2' });
    // ARNs carry lower-case names; the run's real names are used.
    expect(sm).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: 'impressions-Run1-train' });
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'impressions-Run1-pt' });
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointConfigCommand, { EndpointConfigName: 'impressions-Run1-pt' });
    expect(sm).toHaveReceivedCommandTimes(DeleteModelCommand, 1);
    expect(sm).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'impressions-Run1-pt' });
    expect(sm).toHaveReceivedCommandTimes(DeleteEndpointCommand, 1);
  });

  test('waits for a Creating endpoint to settle before deleting it', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [{ ResourceARN: `${ARN}:endpoint/impressions-r-ft`, Tags: tags('r') }],
    });
    sm.on(DescribeEndpointCommand)
      .resolvesOnce({ EndpointStatus: 'Creating' })
      .resolvesOnce({ EndpointStatus: 'Creating' })
      .resolves({ EndpointStatus: 'Failed' });

    const result = await handler(event('r', 'ABORTED'), context(60_000));

    expect(sleeps).toEqual([1000, 1000]);
    expect(result.deletedEndpoints).toBe(1);
    expect(sm).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: 'impressions-r-ft' });
  });

  test('an endpoint still Creating when time runs out is left for the retry, after the rest is deleted', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: `${ARN}:endpoint/impressions-r-ft`, Tags: tags('r') },
        { ResourceARN: `${ARN}:model/impressions-r-ft`, Tags: tags('r') },
      ],
    });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Creating' });

    await expect(handler(event('r', 'TIMED_OUT'), context(25_000))).rejects.toThrow(EndpointStillSettlingError);
    await expect(handler(event('r', 'TIMED_OUT'), context(25_000))).rejects.toThrow(
      expect.objectContaining({ name: 'EndpointStillSettlingError', message: expect.stringMatching(/run r: 1 endpoint\(s\) still creating/) }),
    );
    expect(sm).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(sm).toHaveReceivedCommandWith(DeleteModelCommand, { ModelName: 'impressions-r-ft' });
  });

  test('is idempotent: resources already gone or ended are counted, not errors', async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: `${ARN}:training-job/impressions-r-train`, Tags: tags('r') },
        { ResourceARN: `${ARN}:endpoint/impressions-r-pt`, Tags: tags('r') },
        { ResourceARN: `${ARN}:endpoint-config/impressions-r-pt`, Tags: tags('r') },
        { ResourceARN: `${ARN}:model/impressions-r-pt`, Tags: tags('r') },
      ],
    });
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Completed' });
    sm.on(DescribeEndpointCommand).rejects(notFound('endpoint "impressions-r-pt"'));
    sm.on(DeleteEndpointConfigCommand).rejects(notFound('endpoint configuration "impressions-r-pt"'));
    sm.on(DeleteModelCommand).rejects(notFound('model "impressions-r-pt"'));

    const result = await handler(event('r'), context(60_000));
    expect(result).toMatchObject({ found: 4, alreadyGone: 4, stoppedTrainingJobs: 0, deletedEndpoints: 0, deletedModels: 0 });
    expect(sm).not.toHaveReceivedCommand(StopTrainingJobCommand);
  });

  test('other errors propagate (so the async retry runs)', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: `${ARN}:model/impressions-r-pt`, Tags: tags('r') }] });
    sm.on(DeleteModelCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(event('r'), context(60_000))).rejects.toThrow('Rate exceeded');
  });

  test('derives the run id from a non-conforming execution name with the shared naming function', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const result = await handler(event('my_run.1'), context(60_000));
    expect(result.runId).toMatch(/^my-run-1-[0-9a-f]{8}$/);
    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [
        { Key: 'impressions:app', Values: ['impressions'] },
        { Key: 'impressions:run-id', Values: [result.runId] },
      ],
    });
  });

  test('a status that needs no clean-up is skipped without any call', async () => {
    const result = await handler(event('r', 'SUCCEEDED'), context(60_000));
    expect(result).toMatchObject({ skipped: true, status: 'SUCCEEDED', found: 0 });
    expect(tagging).not.toHaveReceivedAnyCommand();
  });

  test('refuses to run without its prefix', async () => {
    delete process.env.RESOURCE_PREFIX;
    await expect(handler(event('r'), context(60_000))).rejects.toThrow('RESOURCE_PREFIX is not set');
  });
});
