import '../../helpers/quiet-logs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createHandler, type JanitorDeps } from '../../../lambda/janitor/index';
import type { JanitorPassEvent } from '../../../lib/core/run/run-lambda-contracts';
import { SageMakerSimulator } from '../../helpers/sagemaker-simulator';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:RunStateMachine:';
const runTags = (runId: string) => ({ 'impressions:app': 'impressions', 'impressions:run-id': runId });

/** Deps around a simulator; DescribeExecution answers `error` for every execution. */
function deps(sim: SageMakerSimulator, error?: string) {
  const metrics: [string, number][] = [];
  const described: string[] = [];
  const d: JanitorDeps = {
    sagemaker: sim.sdkClient<SageMakerClient>('janitor'),
    tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('janitor'),
    sfn: {
      send: (async (command: { input: { executionArn: string } }) => {
        described.push(command.input.executionArn);
        return { status: 'FAILED', ...(error === undefined ? {} : { error }) };
      }) as never,
    },
    metrics: { addMetric: (name: string, _unit: unknown, value: number) => void metrics.push([name, value]), publishStoredMetrics: () => undefined } as never,
  };
  return { d, metrics, described };
}
const event = (name: string, status: string, pass = 0): JanitorPassEvent => ({ execution: { arn: `${ARN}${name}`, name, status } as never, pass });

beforeEach(() => {
  process.env.RESOURCE_PREFIX = 'impressions';
});

describe('janitor', () => {
  test('an ABORTED run: stops its training, deletes its hosting in the safe order over passes, reports names and counts', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: 3 });
    sim.seed('trainingJob', 'impressions-Run1-train', runTags('Run1'));
    sim.seedHosting('impressions-Run1-pt', runTags('Run1'));
    sim.seedHosting('impressions-Run1-ft', runTags('Run1'), 'Creating');
    sim.seedHosting('impressions-Run2-pt', runTags('Run2'));
    const { d, metrics, described } = deps(sim);
    const handler = createHandler(d);

    const first = await handler(event('Run1', 'ABORTED'));
    expect(first).toMatchObject({ runId: 'Run1', action: 'cleaning', done: false });
    expect(first.actions).toEqual(['stopped training-job impressions-Run1-train', 'deleted endpoint impressions-Run1-pt']);
    expect(first.remaining).toContain('endpoint impressions-Run1-ft (Creating)');
    expect(described).toEqual([]);
    expect(metrics).toEqual([
      ['JanitorActions', 2],
      ['JanitorRemaining', first.remaining.length],
    ]);

    let result = first;
    for (let pass = 1; pass < 10 && !result.done; pass++) result = await handler(event('Run1', 'ABORTED', pass));
    expect(result).toMatchObject({ done: true, remaining: [] });
    expect(sim.leftovers()).toEqual(['endpoint impressions-Run2-pt', 'endpointConfig impressions-Run2-pt', 'model impressions-Run2-pt']);
    expect(sim.violations).toEqual([]);
  });

  test('a FAILED run is its own to clean up: the janitor describes it and leaves it alone unless the error says its clean-up did not finish or never ran', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-r-pt', runTags('r'));
    const own = deps(sim, 'EndpointFailed');
    const skipped = await createHandler(own.d)(event('r', 'FAILED'));
    expect(skipped).toEqual({
      runId: 'r',
      action: 'skipped',
      reason: 'the run failed with EndpointFailed and cleaned up after itself',
      done: true,
      remaining: [],
      actions: [],
      kept: [],
    });
    expect(own.described).toEqual([`${ARN}r`]);
    expect(sim.leftovers()).toHaveLength(3);

    const incomplete = deps(sim, 'CleanupIncomplete');
    const cleaning = await createHandler(incomplete.d)(event('r', 'FAILED'));
    expect(cleaning.action).toBe('cleaning');
    expect(cleaning.actions).toEqual(['deleted endpoint impressions-r-pt']);
    // Errors no Catch handles: the run's clean-up never ran.
    for (const error of ['States.Runtime', 'States.DataLimitExceeded']) {
      expect(await createHandler(deps(sim, error).d)(event('r', 'FAILED'))).toMatchObject({ action: 'cleaning' });
    }
  });

  test('TIMED_OUT needs no description; a kept endpoint is left alone and does not keep the janitor waiting', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-k-ft', { ...runTags('k'), 'impressions:keep': 'true' });
    sim.seedHosting('impressions-k-pt', runTags('k'));
    const { d, described } = deps(sim);
    let result = await createHandler(d)(event('k', 'TIMED_OUT'));
    for (let pass = 1; pass < 5 && !result.done; pass++) result = await createHandler(d)(event('k', 'TIMED_OUT', pass));
    expect(result.done).toBe(true);
    expect(result.kept).toEqual(['endpoint impressions-k-ft', 'endpoint-config impressions-k-ft', 'model impressions-k-ft']);
    expect(sim.leftovers()).toEqual(['endpoint impressions-k-ft', 'endpointConfig impressions-k-ft', 'model impressions-k-ft']);
    expect(described).toEqual([]);
  });

  test('derives the run id from a non-conforming execution name with the shared naming function', async () => {
    const { d } = deps(new SageMakerSimulator());
    const result = await createHandler(d)(event('my_run.1', 'ABORTED'));
    expect(result.runId).toMatch(/^my-run-1-[0-9a-f]{8}$/);
    expect(result.done).toBe(true);
  });

  test('a status that needs no clean-up is skipped without any SageMaker call', async () => {
    const sim = new SageMakerSimulator();
    const { d } = deps(sim);
    expect(await createHandler(d)(event('r', 'SUCCEEDED'))).toMatchObject({ action: 'skipped', done: true });
    expect(sim.calls).toEqual({});
  });

  test('refuses to run without its prefix', async () => {
    delete process.env.RESOURCE_PREFIX;
    await expect(createHandler(deps(new SageMakerSimulator()).d)(event('r', 'ABORTED'))).rejects.toThrow('RESOURCE_PREFIX is not set');
  });
});
