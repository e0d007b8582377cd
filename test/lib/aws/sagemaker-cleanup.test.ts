/**
 * The clean-up pass against the SageMaker simulator (test/helpers/sagemaker-simulator.ts), through
 * JavaScript SDK v3 clients whose errors look as the SDK raises them: safe order across passes,
 * a lagging tagging index, kept endpoints, training jobs, and errors that must not be swallowed.
 */
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { cleanUpPass, findRunResources, findTaggedResources, isClean, type CleanupClients } from '../../../lib/aws/sagemaker-cleanup';
import { SageMakerSimulator } from '../../helpers/sagemaker-simulator';

const runTags = (runId: string) => ({ 'impressions:app': 'impressions', 'impressions:run-id': runId });
const clients = (sim: SageMakerSimulator): CleanupClients => ({
  sagemaker: sim.sdkClient<SageMakerClient>('janitor'),
  tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('janitor'),
});

describe('cleanUpPass', () => {
  test('endpoint, then (once it is gone) its config, then its model; nothing while an endpoint is Creating', async () => {
    const sim = new SageMakerSimulator({ creatingPollsOf: { 'impressions-r1-ft': 4 } });
    sim.seedHosting('impressions-r1-pt', runTags('r1'));
    sim.seedHosting('impressions-r1-ft', runTags('r1'), 'Creating');
    const c = clients(sim);
    const pass = async () => cleanUpPass(c, await findRunResources(c.tagging, 'impressions', 'r1'));

    const first = await pass();
    expect(first.deletedEndpoints).toEqual(['impressions-r1-pt']);
    expect(first.deletedEndpointConfigs).toEqual([]);
    expect(first.deletedModels).toEqual([]);
    expect([...first.remaining].sort()).toEqual([
      'endpoint impressions-r1-ft (Creating)',
      'endpoint impressions-r1-pt (Deleting)',
      'endpoint-config impressions-r1-ft (in use by endpoint impressions-r1-ft)',
      'endpoint-config impressions-r1-pt (in use by endpoint impressions-r1-pt)',
      'model impressions-r1-ft (in use by endpoint-config impressions-r1-ft)',
      'model impressions-r1-pt (in use by endpoint-config impressions-r1-pt)',
    ]);
    expect(first.settling).toBe(1);

    let passes = 1;
    let report = first;
    while (!isClean(report) && passes < 10) {
      report = await pass();
      passes += 1;
    }
    expect(isClean(report)).toBe(true);
    expect(sim.leftovers()).toEqual([]);
    expect(sim.violations).toEqual([]);
    for (const entry of Object.values(sim.lifecycle())) expect(entry).toEqual({ created: 1, deleted: 1, deletedBy: ['janitor'] });
    for (const name of ['impressions-r1-pt', 'impressions-r1-ft']) {
      expect(sim.log.filter((line) => line.startsWith('delete') && line.endsWith(name))).toEqual([
        `delete endpoint ${name}`,
        `delete endpointConfig ${name}`,
        `delete model ${name}`,
      ]);
    }
    // The pretrained hosting went first: the fine-tuned endpoint was still Creating.
    expect(sim.log.indexOf('delete model impressions-r1-pt')).toBeLessThan(sim.log.indexOf('delete endpoint impressions-r1-ft'));
  });

  test('a lagging tagging index: the run’s own endpoint name is described, so its config waits for it', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: 5 });
    sim.seed('model', 'impressions-r2-ft', runTags('r2'));
    sim.seed('endpointConfig', 'impressions-r2-ft', runTags('r2'));
    // Created, but not (yet) in the tagging index: no tags on it.
    sim.seed('endpoint', 'impressions-r2-ft', {}, { status: 'Creating' });
    const c = clients(sim);
    const report = await cleanUpPass(c, await findRunResources(c.tagging, 'impressions', 'r2'));
    expect(report.found).toBe(2);
    expect(report.remaining).toEqual([
      'endpoint impressions-r2-ft (Creating)',
      'endpoint-config impressions-r2-ft (in use by endpoint impressions-r2-ft)',
      'model impressions-r2-ft (in use by endpoint-config impressions-r2-ft)',
    ]);
    expect(sim.violations).toEqual([]);
    expect(sim.leftovers()).toHaveLength(3);
  });

  test('a kept endpoint, its config and its model are left alone, unless includeKept', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-r3-ft', { ...runTags('r3'), 'impressions:keep': 'true' });
    const c = clients(sim);
    const resources = await findTaggedResources(c.tagging, 'impressions', { runId: 'r3' });
    const report = await cleanUpPass(c, resources);
    expect(report.kept).toEqual(['endpoint impressions-r3-ft', 'endpoint-config impressions-r3-ft', 'model impressions-r3-ft']);
    expect(isClean(report)).toBe(true);
    expect(sim.leftovers()).toHaveLength(3);

    const removal = await cleanUpPass(c, resources, { includeKept: true });
    expect(removal.deletedEndpoints).toEqual(['impressions-r3-ft']);
  });

  test('a running training job is stopped (and reported until it has stopped); an ended one is left as it is', async () => {
    const sim = new SageMakerSimulator();
    sim.seed('trainingJob', 'impressions-r4-train', runTags('r4'));
    sim.seed('trainingJob', 'impressions-r5-train', runTags('r5'), { status: 'Completed' });
    const c = clients(sim);
    const report = await cleanUpPass(c, await findTaggedResources(c.tagging, 'impressions', 'app'));
    expect(report.stoppedTrainingJobs).toEqual(['impressions-r4-train']);
    expect(report.remaining).toEqual(['training-job impressions-r4-train (Stopping)']);
    expect(sim.runningTrainingJobs()).toEqual([]);
  });

  test('an error that is not "not found" propagates, so the caller tries again later', async () => {
    const sim = new SageMakerSimulator({ throttle: { deleteEndpoint: 5 } });
    sim.seedHosting('impressions-r6-pt', runTags('r6'));
    const c = clients(sim);
    await expect(cleanUpPass(c, await findRunResources(c.tagging, 'impressions', 'r6'))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(sim.leftovers()).toHaveLength(3);
  });
});
