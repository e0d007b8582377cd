/**
 * Every fault path of fault-paths.ts, executed on the synthesized definitions (run and janitor)
 * with aws-local-stepfunctions, under each way Step Functions can name SageMaker's errors
 * (`sdk-v1`: the optimized integrations' SDK for Java v1 names; `sdk-v2`: the AWS SDK integrations'
 * v2 names, code not in the cause; `code-names`: names derived from every code, the plausible variant). The safety nets that follow a path run with their real
 * handlers against the same simulated SageMaker. Each path asserts: the final status and error,
 * every resource created deleted exactly once and by whom, nothing deleted while an endpoint that
 * uses it exists (the simulator records any such order), no DeleteEndpoint refused for an endpoint
 * in progress, no training job left running, kept endpoints intact, untagged ones untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createHandler as createOrphanCheck } from '../../../lambda/orphan-check/index';
import { createHandlers as createSweep } from '../../../lambda/sweep/index';
import { classifyStepFunctionsError } from '../../../lib/core/run/sagemaker-errors';
import { allStates } from '../../helpers/asl';
import { executeJanitor, type JanitorOutcome } from '../../helpers/janitor-execution';
import { bucketOfDefinition, defaultDefinitions, executeRun, type RunOutcome } from '../../helpers/run-execution';
import {
  ERROR_NAMING_SCHEMES,
  INTERNAL,
  LIMIT_EXCEEDED,
  presentToStepFunctions,
  SageMakerSimulator,
  ServiceError,
  THROTTLED,
  type ErrorNamingScheme,
} from '../../helpers/sagemaker-simulator';
import { FAULT_PATHS, FT, renderFaultPathTable, type FaultPath } from './fault-paths';

/** What a path left behind, after the run and the safety nets that follow it. */
interface PathResult {
  readonly run: RunOutcome;
  readonly janitor?: JanitorOutcome;
}

async function execute(p: FaultPath, scheme: ErrorNamingScheme): Promise<PathResult> {
  const sim = new SageMakerSimulator(p.scenario.sim);
  const input = p.scenario.input;
  const modelData = input?.modelData;
  const scenario = {
    ...p.scenario,
    scheme,
    simulator: sim,
    input:
      typeof modelData === 'string' && modelData.startsWith('BUCKET/')
        ? { ...input, modelData: modelData.replace('BUCKET/', `s3://${bucketOfDefinition()}/`) }
        : input,
  };
  const run = await executeRun(scenario);
  p.seedAfterRun?.(sim);
  let janitor: JanitorOutcome | undefined;
  for (const net of p.afterwards ?? []) {
    if (net === 'janitor') {
      const status = p.endedAs ?? (run.status === 'SUCCEEDED' ? undefined : run.status);
      if (status === undefined) throw new Error(`${p.name}: a succeeded run has no janitor`);
      janitor = await executeJanitor(sim, { name: run.status === 'FAILED' ? 'smoke-20260101-120000' : 'smoke-20260101-120000', status, error: run.error });
    } else if (net === 'settle-then-orphan-check') {
      sim.settle(FT, 'Failed');
      process.env.RUN_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:RunStateMachine';
      process.env.GRACE_SECONDS = '0';
      const check = createOrphanCheck({
        sagemaker: sim.sdkClient<SageMakerClient>('orphan-check'),
        tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('orphan-check'),
        sfn: { send: (async () => ({ executions: [] })) as never },
        metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined } as never,
        now: () => Date.now(),
      });
      for (let hour = 0; hour < 6 && (hour === 0 || sim.leftovers().some((l) => l.endsWith(FT))); hour++) await check();
    } else {
      process.env.RESOURCE_PREFIX = 'impressions';
      const sweep = createSweep({ sagemaker: sim.sdkClient<SageMakerClient>('sweep'), tagging: sim.sdkClient<ResourceGroupsTaggingAPIClient>('sweep') });
      const request = { RequestType: 'Delete', PhysicalResourceId: 'impressions-sagemaker-sweep', ResourceProperties: {} };
      await sweep.onEvent(request);
      let complete = false;
      for (let poll = 0; poll < 20 && !complete; poll++) complete = (await sweep.isComplete(request)).IsComplete;
      expect(complete).toBe(true);
    }
  }
  return { run, janitor };
}

function expectCleanedUp(p: FaultPath, { run }: PathResult): void {
  const sim = run.sim;
  const kept = new Set(p.kept ?? []);
  const untouched = new Set(p.untouched ?? []);
  for (const [resource, entry] of Object.entries(sim.lifecycle())) {
    if (kept.has(resource) || untouched.has(resource)) {
      expect({ resource, ...entry }).toEqual({ resource, created: 1, deleted: 0, deletedBy: [] });
    } else {
      expect({ resource, ...entry }).toEqual({ resource, created: 1, deleted: 1, deletedBy: [(p.deletedBy ?? (() => 'run'))(resource)] });
    }
  }
  expect(sim.leftovers()).toEqual([...kept, ...untouched].sort());
  expect(sim.violations).toEqual([]);
  expect(sim.refusals).toEqual([]);
  expect(sim.runningTrainingJobs()).toEqual([]);
}

describe.each(ERROR_NAMING_SCHEMES)('fault paths, SageMaker errors named as %s', (scheme) => {
  beforeAll(() => defaultDefinitions());

  test.each(FAULT_PATHS.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    const result = await execute(p, scheme);
    const { run } = result;
    expect({ status: run.status, error: run.error }).toEqual({ status: p.status, error: p.error });
    for (const part of p.cause ?? []) expect(run.cause).toContain(part);
    if (run.status === 'FAILED') {
      // The Cause always names the step that failed and what it worked on.
      expect(run.cause).toMatch(/^(Fine-tune|Deploy|Evaluate|Delete|Keep|Aggregate) [a-z-]* ?\((training job|endpoint|run) [^)]+\)/);
    }
    if (result.janitor !== undefined) {
      expect({ janitor: result.janitor.status, error: result.janitor.error }).toEqual(
        p.janitorStatus === 'FAILED' ? { janitor: 'FAILED', error: 'JanitorGaveUp' } : { janitor: 'SUCCEEDED', error: undefined },
      );
      if (p.janitorStatus === 'FAILED') {
        expect(result.janitor.notifications).toHaveLength(1);
        expect(result.janitor.notifications[0]).toMatch(
          /^The janitor gave up on run smoke-20260101-120000 after \d+ passes over 4 hours: 3 resource\(s\) are still there:/,
        );
        expect(result.janitor.notifications[0]).toContain(`endpoint ${FT} (Creating)`);
      } else {
        expect(result.janitor.notifications).toEqual([]);
      }
    }
    expectCleanedUp(p, result);
  });
});

describe('fault paths: what each path relies on', () => {
  test('keepEndpoints: the output names both kept endpoints and the command that deletes them', async () => {
    const run = await executeRun({ input: { keepEndpoints: true } });
    expect(run.output!.endpointsLeftRunning).toEqual({
      names: [`impressions-smoke-20260101-120000-pt`, FT],
      note: 'Both endpoints are kept (keepEndpoints) and bill per instance-hour until deleted: npx impressions endpoints delete --run smoke-20260101-120000',
    });
    expect(run.sim.events.filter((e) => e.verb === 'tag').map((e) => e.name)).toEqual([`impressions-smoke-20260101-120000-pt`, FT]);
    const usage = (run.params['Aggregate results'] as { usage: { endpoints: { kept: boolean }[] } }).usage;
    expect(usage.endpoints.map((e) => e.kept)).toEqual([true, true]);
  });

  test('a run that keeps nothing says so', async () => {
    const run = await executeRun();
    expect(run.output!.endpointsLeftRunning).toEqual({ names: [], note: 'No endpoint is left running.' });
  });

  test('throttled six times, CreateEndpoint is retried until accepted under every naming scheme (generic names through the Catch loop, a specific name through the Retry)', async () => {
    for (const scheme of ERROR_NAMING_SCHEMES) {
      const run = await executeRun({ scheme, sim: { throttle: { createEndpoint: 6 } } });
      expect(run.status).toBe('SUCCEEDED');
      // 6 throttled calls, then one each for the two endpoints.
      expect(run.sim.calls.createEndpoint).toBe(8);
    }
  });

  test('the Choice the constructs render and its TypeScript twin agree on every error the simulator presents', () => {
    const errors: [ServiceError, string][] = [
      [THROTTLED(), 'transient'],
      [INTERNAL(), 'transient'],
      [LIMIT_EXCEEDED(), 'other'],
      [new ServiceError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/x".'), 'not-found'],
      [new ServiceError('ResourceNotFound', 'Requested resource not found.', 400, true), 'not-found'],
      [new ServiceError('ValidationException', 'Cannot update in-progress endpoint "x".'), 'other'],
      [new ServiceError('AccessDeniedException', 'User is not authorized to perform: sagemaker:DeleteEndpoint'), 'other'],
    ];
    for (const scheme of ERROR_NAMING_SCHEMES) {
      for (const [error, kind] of errors) {
        const presented = presentToStepFunctions(error, scheme);
        expect({ scheme, code: error.code, kind: classifyStepFunctionsError({ Error: presented.name, Cause: presented.message }) }).toEqual({
          scheme,
          code: error.code,
          kind,
        });
      }
    }
  });

  test('every Fail state reads only fields that are always there (a missing one raises States.Runtime, which no Catch handles)', () => {
    const { run, janitor } = defaultDefinitions();
    const guaranteed = [
      // FailureNote writes error and cause whether or not the caught error had a Cause.
      /^\$\.failure\.(error|cause)$/,
      // ResilientTask: its Choice fills in a missing Cause before any rule that leads to the raise.
      /^\$\.call\.caught\.(Error|Cause)$/,
      // Copied from $.call.caught after that Choice.
      /^\$\.teardown\.(endpoint|config|model)Deletes\.lastError\.(Error|Cause)$/,
      // Reached only through a Choice that checks IsPresent on it.
      /^\$\.endpointDescription\.FailureReason$/,
      /^\$\.logGroupError\.Cause$/,
      // A Catch always writes Error (the endpoint log group's CreateLogGroup).
      /^\$\.logGroupError\.Error$/,
      // Built by the Pass just before.
      /^\$\.(incomplete\.cause|notice\.message)$/,
    ];
    const paths = [...allStates(run), ...allStates(janitor)].flatMap(([name, state]) =>
      state.Type === 'Fail' ? [state.ErrorPath, state.CausePath].filter((p): p is string => typeof p === 'string').map((p) => [name, p] as const) : [],
    );
    expect(paths.length).toBeGreaterThan(40);
    for (const [name, p] of paths) expect({ name, path: p, guaranteed: guaranteed.some((g) => g.test(p)) }).toEqual({ name, path: p, guaranteed: true });
    // Each ResilientTask's Choice tests for a missing Cause first.
    const classifiers = allStates(run).filter(([name]) => name.endsWith(' [error?]'));
    expect(classifiers.length).toBeGreaterThan(30);
    for (const [name, state] of classifiers) {
      expect({ name, first: (state.Choices as unknown[])[0] }).toEqual({
        name,
        first: { Not: { Variable: '$.call.caught.Cause', IsPresent: true }, Next: expect.any(String) },
      });
    }
    // The FailureReason Fail is behind an IsPresent check.
    for (const [name, state] of allStates(run).filter(([n]) => n.endsWith('failure reason given?'))) {
      expect({ name, variable: (state.Choices as { Variable: string; IsPresent: boolean }[])[0] }).toMatchObject({
        name,
        variable: { Variable: '$.endpointDescription.FailureReason', IsPresent: true },
      });
    }
  });

  test("README's fault-path table is rendered from this list (npm run docs:fault-paths)", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const match = /<!-- fault-paths:start -->\n([\s\S]*?)\n<!-- fault-paths:end -->/.exec(readme);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(renderFaultPathTable());
  });
});
