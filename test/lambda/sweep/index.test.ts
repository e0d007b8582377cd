import '../../helpers/quiet-logs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createHandlers, isComplete, onEvent } from '../../../lambda/sweep/index';
import type { SweepIsCompleteRequest, SweepOnEventRequest } from '../../../lib/core/run/run-lambda-contracts';
import { SageMakerSimulator } from '../../helpers/sagemaker-simulator';

const request = (RequestType: string, PhysicalResourceId = 'impressions-sagemaker-sweep') =>
  ({ RequestType, PhysicalResourceId, ResourceProperties: {} }) as unknown as SweepOnEventRequest & SweepIsCompleteRequest;
const app = (runId?: string) => ({ 'impressions:app': 'impressions', ...(runId === undefined ? {} : { 'impressions:run-id': runId }) });
const handlersOf = (sim: SageMakerSimulator) =>
  createHandlers({ sagemaker: sim.sdkClient<SageMakerClient>('sweep'), tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('sweep') });

beforeEach(() => {
  process.env.RESOURCE_PREFIX = 'impressions';
});

describe('sweep', () => {
  test('exports both Provider handlers', () => {
    expect(typeof onEvent).toBe('function');
    expect(typeof isComplete).toBe('function');
  });

  test('Create and Update do nothing', async () => {
    const sim = new SageMakerSimulator();
    const handlers = handlersOf(sim);
    expect(await handlers.onEvent(request('Create'))).toEqual({ PhysicalResourceId: 'impressions-sagemaker-sweep' });
    expect(await handlers.onEvent(request('Update', 'kept-id'))).toEqual({ PhysicalResourceId: 'kept-id' });
    expect(await handlers.isComplete(request('Create'))).toEqual({ IsComplete: true });
    expect(sim.calls).toEqual({});
  });

  test('Delete: every resource tagged with the app (two runs, a kept endpoint, one without a run id, every page), in the safe order; never an untagged one or another app’s', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: 3, tagPageSize: 2 });
    sim.seed('trainingJob', 'impressions-a-train', app('a'));
    sim.seedHosting('impressions-a-pt', app('a'));
    sim.seedHosting('impressions-a-ft', app('a'), 'Creating');
    sim.seedHosting('impressions-b-ft', { ...app('b'), 'impressions:keep': 'true' });
    sim.seedHosting('handmade', app());
    sim.seedHosting('untagged-endpoint', {});
    sim.seedHosting('someone-else', { 'impressions:app': 'someone', 'impressions:run-id': 'a' });
    const handlers = handlersOf(sim);

    expect(await handlers.onEvent(request('Delete'))).toEqual({ PhysicalResourceId: 'impressions-sagemaker-sweep' });
    let polls = 0;
    let complete = false;
    while (!complete && polls < 20) {
      complete = (await handlers.isComplete(request('Delete'))).IsComplete;
      polls += 1;
    }
    expect(complete).toBe(true);
    expect(sim.leftovers()).toEqual([
      'endpoint someone-else',
      'endpoint untagged-endpoint',
      'endpointConfig someone-else',
      'endpointConfig untagged-endpoint',
      'model someone-else',
      'model untagged-endpoint',
    ]);
    expect(sim.violations).toEqual([]);
    expect(sim.runningTrainingJobs()).toEqual([]);
    for (const name of ['impressions-a-pt', 'impressions-a-ft', 'impressions-b-ft', 'handmade']) {
      expect(sim.events.filter((e) => e.verb === 'delete' && e.name === name).map((e) => `${e.kind} by ${e.actor}`)).toEqual([
        'endpoint by sweep',
        'endpointConfig by sweep',
        'model by sweep',
      ]);
    }
  });

  test('isComplete is false while an endpoint is Creating or Deleting or a job is stopping, true once all is gone', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: 2 });
    sim.seed('trainingJob', 'impressions-a-train', app('a'));
    sim.seedHosting('impressions-a-pt', app('a'), 'Creating');
    const handlers = handlersOf(sim);
    expect(await handlers.isComplete(request('Delete'))).toEqual({ IsComplete: false });
    expect(sim.log).not.toContain('delete endpoint impressions-a-pt');
    const answers: boolean[] = [];
    for (let i = 0; i < 6; i++) answers.push((await handlers.isComplete(request('Delete'))).IsComplete);
    expect(answers[0]).toBe(false);
    expect(answers[answers.length - 1]).toBe(true);
  });

  test('refuses to run without its prefix', async () => {
    delete process.env.RESOURCE_PREFIX;
    const sim = new SageMakerSimulator();
    const handlers = handlersOf(sim);
    await expect(handlers.onEvent(request('Delete'))).rejects.toThrow('RESOURCE_PREFIX is not set');
    await expect(handlers.isComplete(request('Delete'))).rejects.toThrow('RESOURCE_PREFIX is not set');
    expect(sim.calls).toEqual({});
  });

  test('isComplete is true when nothing is tagged', async () => {
    expect(await handlersOf(new SageMakerSimulator()).isComplete(request('Delete'))).toEqual({ IsComplete: true });
  });
});
