import '../../helpers/quiet-logs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { createHandler, type OrphanCheckDeps } from '../../../lambda/orphan-check/index';
import { SageMakerSimulator } from '../../helpers/sagemaker-simulator';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:RunStateMachine';
const app = (runId?: string) => ({ 'impressions:app': 'impressions', ...(runId === undefined ? {} : { 'impressions:run-id': runId }) });

/** Deps around a simulator and a list of executions (answered two per page). */
function deps(sim: SageMakerSimulator, executions: ExecutionListItem[]) {
  const metrics: [string, number][] = [];
  const d: OrphanCheckDeps = {
    sagemaker: sim.sdkClient<SageMakerClient>('orphan-check'),
    tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('orphan-check'),
    sfn: {
      send: (async (command: { input: { stateMachineArn: string; nextToken?: string } }) => {
        expect(command.input.stateMachineArn).toBe(SM);
        const start = Number(command.input.nextToken ?? 0);
        return { executions: executions.slice(start, start + 2), nextToken: start + 2 < executions.length ? String(start + 2) : undefined };
      }) as never,
    },
    metrics: { addMetric: (name: string, _unit: unknown, value: number) => void metrics.push([name, value]), publishStoredMetrics: () => undefined } as never,
    now: () => NOW,
  };
  return { d, metrics };
}
const execution = (name: string, status: string, stoppedHoursAgo?: number): ExecutionListItem =>
  ({
    executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${name}`,
    stateMachineArn: SM,
    name,
    status,
    startDate: new Date(NOW - 48 * HOUR),
    ...(stoppedHoursAgo === undefined ? {} : { stopDate: new Date(NOW - stoppedHoursAgo * HOUR) }),
  }) as ExecutionListItem;

beforeEach(() => {
  process.env.RESOURCE_PREFIX = 'impressions';
  process.env.RUN_STATE_MACHINE_ARN = SM;
  process.env.GRACE_SECONDS = String(5 * 3600);
});

describe('orphan check', () => {
  test('deletes what no running or recently ended run owns (tagged with or without a run id), leaves kept and owned resources, and counts what it found', async () => {
    const sim = new SageMakerSimulator();
    sim.seedHosting('impressions-running-ft', app('running'));
    sim.seedHosting('impressions-recent-ft', app('recent'));
    sim.seedHosting('impressions-old-ft', app('old'));
    sim.seed('trainingJob', 'impressions-old-train', app('old'));
    sim.seedHosting('impressions-kept-ft', { ...app('kept'), 'impressions:keep': 'true' });
    sim.seedHosting('handmade', app());
    sim.seedHosting('untagged', {});
    const { d, metrics } = deps(sim, [
      execution('running', 'RUNNING'),
      execution('recent', 'ABORTED', 2),
      execution('old', 'FAILED', 30),
      execution('kept', 'SUCCEEDED', 30),
    ]);
    const handler = createHandler(d);

    const first = await handler();
    expect([...first.orphanedRuns].sort()).toEqual(['(no run id)', 'old']);
    expect(first.actions).toEqual(['stopped training-job impressions-old-train', 'deleted endpoint impressions-old-ft', 'deleted endpoint handmade']);
    expect(first.kept).toEqual(['endpoint impressions-kept-ft', 'endpoint-config impressions-kept-ft', 'model impressions-kept-ft']);
    expect(metrics).toEqual([['OrphanedResources', first.orphanedResources]]);
    expect(first.orphanedResources).toBeGreaterThanOrEqual(3);

    // The next hours finish the job (the endpoints must be gone before their configs and models go).
    let result = first;
    for (let hour = 1; hour < 5 && result.remaining.length > 0; hour++) result = await handler();
    expect(result.remaining).toEqual([]);
    expect(sim.leftovers().filter((l) => /old|handmade/.test(l))).toEqual([]);
    expect(sim.leftovers().filter((l) => /running|recent|kept|untagged/.test(l))).toHaveLength(12);
    expect(sim.violations).toEqual([]);

    // Nothing left to find: the metric says 0, so its alarm clears.
    metrics.length = 0;
    const quiet = await handler();
    expect(quiet).toMatchObject({ orphanedRuns: [], orphanedResources: 0, actions: [] });
    expect(metrics).toEqual([['OrphanedResources', 0]]);
  });

  test('an endpoint still Creating is left for a later hour, with its config and model', async () => {
    const sim = new SageMakerSimulator({ creatingPolls: Infinity });
    sim.seedHosting('impressions-stuck-ft', app('stuck'), 'Creating');
    const { d } = deps(sim, []);
    const result = await createHandler(d)();
    expect(result.remaining).toEqual([
      'endpoint impressions-stuck-ft (Creating)',
      'endpoint-config impressions-stuck-ft (in use by endpoint impressions-stuck-ft)',
      'model impressions-stuck-ft (in use by endpoint-config impressions-stuck-ft)',
    ]);
    expect(result.orphanedRuns).toEqual(['stuck']);
    expect(sim.leftovers()).toHaveLength(3);
  });

  test('refuses to run without its settings', async () => {
    delete process.env.GRACE_SECONDS;
    await expect(createHandler(deps(new SageMakerSimulator(), []).d)()).rejects.toThrow('GRACE_SECONDS is not set');
  });
});
