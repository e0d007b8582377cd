import { PassThrough } from 'node:stream';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { deleteRunEndpoints, endpointLines, listEndpoints, type EndpointsDeps } from '../../../../lib/cli/commands/endpoints';
import { SageMakerSimulator } from '../../../helpers/sagemaker-simulator';

const tags = (runId: string, kept = false) => ({
  'impressions:app': 'impressions',
  'impressions:run-id': runId,
  ...(kept ? { 'impressions:keep': 'true' } : {}),
});

function setUp(sim: SageMakerSimulator): { deps: EndpointsDeps; text: () => string; sleeps: number[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const sleeps: number[] = [];
  return {
    deps: {
      sagemaker: sim.sdkClient<SageMakerClient>('cli'),
      tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('cli'),
      resourcePrefix: 'impressions',
      hourlyPrices: { 'ml.g5.2xlarge': 1.515 },
      out,
      sleep: async (ms) => void sleeps.push(ms),
      intervalMs: 10,
    },
    text: () => text,
    sleeps,
  };
}

describe('impressions endpoints', () => {
  test('lists the endpoints of the app that exist, with status, kept mark and hourly cost', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-r1-ft', tags('r1', true));
    sim.seedHosting('impressions-r2-pt', tags('r2'));
    sim.seedHosting('untagged', {});
    for (const config of sim.endpointConfigs.values()) (config.ProductionVariants as Record<string, unknown>[])[0].InstanceType = 'ml.g5.2xlarge';
    const { deps } = setUp(sim);
    const listings = await listEndpoints(deps);
    expect(listings).toEqual([
      { name: 'impressions-r1-ft', runId: 'r1', status: 'InService', kept: true, instanceType: 'ml.g5.2xlarge', instances: 1, usdPerHour: 1.515 },
      { name: 'impressions-r2-pt', runId: 'r2', status: 'InService', kept: false, instanceType: 'ml.g5.2xlarge', instances: 1, usdPerHour: 1.515 },
    ]);
    expect(endpointLines(listings)).toEqual([
      'impressions-r1-ft  run r1  InService  1 × ml.g5.2xlarge  about 1.51 USD/h  kept (keepEndpoints)',
      'impressions-r2-pt  run r2  InService  1 × ml.g5.2xlarge  about 1.51 USD/h',
      '2 endpoint(s), about 3.03 USD per hour until deleted: npx impressions endpoints delete --run <run id>',
    ]);
    expect(endpointLines([])).toEqual(['No endpoint of this app exists: nothing is billing for hosting.']);
  });

  test('delete --run: the run’s kept hosting goes in the safe order, waiting until the endpoint is gone; other runs are untouched', async () => {
    const sim = new SageMakerSimulator({ deletingPolls: 2 });
    sim.seedHosting('impressions-r1-pt', tags('r1', true));
    sim.seedHosting('impressions-r1-ft', tags('r1', true));
    sim.seedHosting('impressions-r2-ft', tags('r2', true));
    const { deps, text, sleeps } = setUp(sim);
    expect(await deleteRunEndpoints('r1', { wait: true }, deps)).toEqual([]);
    expect(sim.leftovers()).toEqual(['endpoint impressions-r2-ft', 'endpointConfig impressions-r2-ft', 'model impressions-r2-ft']);
    expect(sim.violations).toEqual([]);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(text()).toContain('deleting endpoint impressions-r1-pt\n');
    expect(text()).toContain('waiting for: endpoint impressions-r1-pt (Deleting)');
    expect(text()).toContain('deleted model impressions-r1-ft\n');
    expect(text()).toMatch(/run r1: nothing is left\n$/);
  });

  test('--no-wait: one pass, and what is left is listed', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-r1-ft', tags('r1'));
    const { deps } = setUp(sim);
    const left = await deleteRunEndpoints('r1', { wait: false }, deps);
    expect(left).toEqual([
      'endpoint impressions-r1-ft (Deleting)',
      'endpoint-config impressions-r1-ft (in use by endpoint impressions-r1-ft)',
      'model impressions-r1-ft (in use by endpoint-config impressions-r1-ft)',
    ]);
  });

  test('an endpoint that never settles makes it give up with a clear error naming what is left', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: Infinity });
    sim.seedHosting('impressions-r1-ft', tags('r1'), 'Creating');
    const { deps } = setUp(sim);
    await expect(deleteRunEndpoints('r1', { wait: true, timeoutMs: 50 }, deps)).rejects.toThrow(
      'run r1: gave up waiting; still there: endpoint impressions-r1-ft (Creating); endpoint-config impressions-r1-ft (in use by endpoint impressions-r1-ft)',
    );
  });

  test('a run with nothing tagged says so', async () => {
    const { deps, text } = setUp(new SageMakerSimulator());
    await deleteRunEndpoints('r9', { wait: true }, deps);
    expect(text()).toBe('run r9: no resource tagged with this run; nothing to delete\nrun r9: nothing is left\n');
  });
});
