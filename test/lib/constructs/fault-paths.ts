/**
 * The fault paths of a run: how each one is provoked, how it must end, who must clean up and the
 * longest it can wait. fault-paths.test.ts executes every path under each error-naming scheme;
 * README.md's table ("Fault paths") is rendered from this list (`npm run docs:fault-paths`), and a
 * test fails when the two differ.
 */
import { DEFAULT_JANITOR_PASS_INTERVAL } from '../../../lib/constructs/janitor-workflow';
import { DELETE_RETRY_DELAYS_SECONDS } from '../../../lib/constructs/endpoint-teardown-stage';
import { DEFAULT_MAX_POLLS, DEFAULT_POLL_INTERVAL } from '../../../lib/constructs/run-state-machine';
import { CONFIG_DEFAULTS } from '../../../lib/config';
import { sageMakerCallLongestSeconds } from '../../../lib/core/run/sagemaker-errors';
import { RUN_ID, type RunScenario } from '../../helpers/run-execution';
import { LIMIT_EXCEEDED, type Actor, type SageMakerSimulator } from '../../helpers/sagemaker-simulator';

export const PT = `impressions-${RUN_ID}-pt`;
export const FT = `impressions-${RUN_ID}-ft`;
export const TRAIN = `impressions-${RUN_ID}-train`;
/** A model's hosting: `model x`, `endpointConfig x`, `endpoint x`. */
export const HOSTING = (name: string): string[] => [`model ${name}`, `endpointConfig ${name}`, `endpoint ${name}`];

/** A safety net that runs after the run, in order. */
export type Afterwards =
  /** The janitor state machine, started for the run's final status. */
  | 'janitor'
  /** The endpoint that never left Creating settles (as Failed), then the hourly orphan check runs until nothing is left. */
  | 'settle-then-orphan-check'
  /** `cdk destroy`: the sweep until complete. */
  | 'sweep';

/** One fault path. */
export interface FaultPath {
  /** What happens (README's first column). */
  readonly name: string;
  /** How the run ends (README). */
  readonly outcome: string;
  /** Who deletes what (README). */
  readonly cleanedUpBy: string;
  /** The longest this path can wait (README). */
  readonly longestWait: string;
  /** The run to execute. */
  readonly scenario: RunScenario;
  /** Final status of the run (a path aborted on purpose ends ABORTED; `TIMED_OUT` is reported to the janitor as such). */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** For the janitor: the status the execution ended with (default: `status`). */
  readonly endedAs?: 'ABORTED' | 'TIMED_OUT' | 'FAILED';
  /** The run's error, when it fails. */
  readonly error?: string;
  /** Substrings of the run's cause. */
  readonly cause?: readonly string[];
  readonly afterwards?: readonly Afterwards[];
  /** How the janitor must end, when it runs. @default 'SUCCEEDED' */
  readonly janitorStatus?: 'SUCCEEDED' | 'FAILED';
  /** Resources that must still exist at the end (kept on purpose). */
  readonly kept?: readonly string[];
  /** Who deleted a resource (`model x`, …). @default 'run' */
  readonly deletedBy?: (resource: string) => Actor;
  /** Resources to create after the run, before the safety nets (e.g. other runs' leftovers for the sweep). */
  readonly seedAfterRun?: (sim: SageMakerSimulator) => void;
  /** Resources no safety net may touch (untagged, or another app's). */
  readonly untouched?: readonly string[];
}

const minutes = (seconds: number): string => (seconds >= 3600 ? `${+(seconds / 3600).toFixed(2)} h` : `${Math.round(seconds / 60)} min`);
const POLLS = `${DEFAULT_MAX_POLLS} checks ${DEFAULT_POLL_INTERVAL.toHumanString()} apart`;
const POLL_TIME = minutes(DEFAULT_MAX_POLLS * DEFAULT_POLL_INTERVAL.toSeconds());
const CALL = `≤ ${minutes(sageMakerCallLongestSeconds())} of retries per SageMaker call`;
const JANITOR = `${CONFIG_DEFAULTS.janitorMaxWaitHours} h (a pass every ${DEFAULT_JANITOR_PASS_INTERVAL.toHumanString()})`;
const DELETE_RETRIES = minutes(DELETE_RETRY_DELAYS_SECONDS.slice(0, -1).reduce((a, b) => a + b, 0));
const HAPPY_WAIT = `deploy: ${POLLS} (${POLL_TIME}); teardown: the same again while Deleting; ${CALL}`;
const RUN_CLEANUP = `clean-up: an endpoint settling ${POLL_TIME}, then Deleting ${POLL_TIME}; ${CALL}`;

const byJanitor = (): Actor => 'janitor';
const failedTraining = (outcome: 'Failed' | 'Stopped' | 'MaxRuntimeExceeded') => ({
  outcome,
  reason: 'AlgorithmError: CUDA out of memory',
  ends: 'at-once' as const,
});
const shard = (dataset: string, index: number) => (item: { dataset: string; shardIndex: number; model: string }) =>
  item.model === 'fine-tuned' && item.dataset === dataset && item.shardIndex === index;
const ftCreating = (sim: SageMakerSimulator): boolean => sim.endpoints.get(FT)?.status === 'Creating';

/** Every path the suite executes. */
export const FAULT_PATHS: readonly FaultPath[] = [
  {
    name: 'happy path',
    outcome: 'SUCCEEDED',
    cleanedUpBy: 'the run: each hosting right after its evaluation',
    longestWait: HAPPY_WAIT,
    scenario: {},
    status: 'SUCCEEDED',
  },
  {
    name: 'training fails',
    outcome: 'FAILED `States.TaskFailed` (cause: the job description with its FailureReason)',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { training: failedTraining('Failed') } },
    status: 'FAILED',
    error: 'States.TaskFailed',
    cause: [`Fine-tune (training job ${TRAIN}) failed:`, 'CUDA out of memory'],
  },
  {
    name: 'training is stopped',
    outcome: 'FAILED `States.TaskFailed` (status Stopped)',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { training: failedTraining('Stopped') } },
    status: 'FAILED',
    error: 'States.TaskFailed',
    cause: ['"TrainingJobStatus":"Stopped"'],
  },
  {
    name: 'training hits its MaxRuntime',
    outcome: 'FAILED `States.TaskFailed` (secondary status MaxRuntimeExceeded)',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { training: failedTraining('MaxRuntimeExceeded') } },
    status: 'FAILED',
    error: 'States.TaskFailed',
    cause: ['MaxRuntimeExceeded'],
  },
  {
    name: 'CreateTrainingJob refused (ResourceLimitExceeded)',
    outcome: 'FAILED `SageMaker.ResourceLimitExceededException`',
    cleanedUpBy: 'the run (the pretrained hosting)',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { training: { refuse: LIMIT_EXCEEDED(), ends: 'at-once' } } },
    status: 'FAILED',
    error: 'SageMaker.ResourceLimitExceededException',
    cause: ['Fine-tune (training job', 'account-level service limit'],
  },
  {
    name: 'pretrained endpoint Failed, with a FailureReason',
    outcome: 'FAILED `EndpointFailed` (cause: the FailureReason)',
    cleanedUpBy: 'the run (training is stopped)',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { failingEndpoints: { [PT]: 'The primary container did not pass the ping health check.' } } },
    status: 'FAILED',
    error: 'EndpointFailed',
    cause: [`Deploy pretrained (endpoint ${PT}) failed: The primary container did not pass the ping health check.`],
  },
  {
    name: 'pretrained endpoint Failed, no FailureReason',
    outcome: 'FAILED `EndpointFailed` (no `States.Runtime`)',
    cleanedUpBy: 'the run (training is stopped)',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { failingEndpoints: { [PT]: null } } },
    status: 'FAILED',
    error: 'EndpointFailed',
    cause: [`Deploy pretrained (endpoint ${PT}) failed:`, 'SageMaker gave no FailureReason'],
  },
  {
    name: 'fine-tuned endpoint Failed, with a FailureReason',
    outcome: 'FAILED `EndpointFailed`',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { failingEndpoints: { [FT]: 'CUDA error: out of memory' } } },
    status: 'FAILED',
    error: 'EndpointFailed',
    cause: [`Deploy fine-tuned (endpoint ${FT}) failed: CUDA error: out of memory`],
  },
  {
    name: 'fine-tuned endpoint Failed, no FailureReason',
    outcome: 'FAILED `EndpointFailed` (no `States.Runtime`)',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { failingEndpoints: { [FT]: null } } },
    status: 'FAILED',
    error: 'EndpointFailed',
    cause: ['SageMaker gave no FailureReason'],
  },
  {
    name: 'CreateEndpoint refused (ResourceLimitExceeded)',
    outcome: 'FAILED `SageMaker.ResourceLimitExceededException`',
    cleanedUpBy: 'the run (model and config; training is stopped)',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { refuse: { createEndpoint: LIMIT_EXCEEDED() } } },
    status: 'FAILED',
    error: 'SageMaker.ResourceLimitExceededException',
    cause: [`Deploy pretrained (endpoint ${PT}) failed:`, 'account-level service limit'],
  },
  {
    name: 'training fails while the pretrained endpoint is Creating',
    outcome: 'FAILED `States.TaskFailed`',
    cleanedUpBy: 'the run: waits for the endpoint to settle, then deletes it',
    longestWait: RUN_CLEANUP,
    scenario: { sim: { creatingPolls: 6, training: { outcome: 'Failed', reason: 'ResourceExhausted', ends: { afterCall: 'createEndpoint' } } } },
    status: 'FAILED',
    error: 'States.TaskFailed',
  },
  {
    name: 'fine-tuned endpoint stuck in Creating longer than every wait',
    outcome: `FAILED \`CleanupIncomplete\` after the deploy's ${POLLS} and the clean-up's as many; the janitor gives up (notification, alarm)`,
    cleanedUpBy: 'the run (the pretrained hosting); the hourly orphan check deletes the fine-tuned hosting once it has settled (alarm until then)',
    longestWait: `${POLL_TIME} + ${POLL_TIME} in the run, ${JANITOR} in the janitor, then hourly until SageMaker settles it`,
    scenario: { sim: { creatingPollsOf: { [FT]: Infinity } } },
    status: 'FAILED',
    error: 'CleanupIncomplete',
    cause: ['EndpointNotInService', 'the janitor deletes the rest'],
    afterwards: ['janitor', 'settle-then-orphan-check'],
    janitorStatus: 'FAILED',
    deletedBy: (resource) => (resource.endsWith('-ft') ? 'orphan-check' : 'run'),
  },
  {
    name: 'evaluation fails for one shard',
    outcome: 'FAILED `EvaluationFailed`',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { failingShards: shard('dev1', 1) },
    status: 'FAILED',
    error: 'EvaluationFailed',
    cause: [`Evaluate fine-tuned (endpoint ${FT}) failed: shard 1 of dev1 could not be scored`],
  },
  {
    name: 'evaluation fails for every shard',
    outcome: 'FAILED `EvaluationFailed`',
    cleanedUpBy: 'the run',
    longestWait: RUN_CLEANUP,
    scenario: { failingShards: (item) => item.model === 'fine-tuned' },
    status: 'FAILED',
    error: 'EvaluationFailed',
  },
  {
    name: 'CreateEndpoint throttled 3 times, then accepted',
    outcome: 'SUCCEEDED',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { sim: { throttle: { createEndpoint: 3 } } },
    status: 'SUCCEEDED',
  },
  {
    name: 'DescribeEndpoint throttled 4 times, then answers',
    outcome: 'SUCCEEDED',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { sim: { throttle: { describeEndpoint: 4 } } },
    status: 'SUCCEEDED',
  },
  {
    name: 'DeleteEndpoint throttled 3 times, then accepted',
    outcome: 'SUCCEEDED',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { sim: { throttle: { deleteEndpoint: 3 } } },
    status: 'SUCCEEDED',
  },
  {
    name: 'CreateModel and DeleteEndpointConfig hit internal errors (HTTP 500), then succeed',
    outcome: 'SUCCEEDED',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { sim: { internalErrors: { createModel: 2, deleteEndpointConfig: 2 } } },
    status: 'SUCCEEDED',
  },
  {
    name: 'DeleteEndpoint denied once',
    outcome: 'SUCCEEDED (the teardown describes the endpoint, backs off, deletes again)',
    cleanedUpBy: 'the run',
    longestWait: `${HAPPY_WAIT}; ${DELETE_RETRIES} between delete attempts`,
    scenario: { sim: { denied: { deleteEndpoint: 1 } } },
    status: 'SUCCEEDED',
  },
  {
    name: 'DeleteEndpoint denied 12 times (e.g. a policy being fixed)',
    outcome: 'FAILED `CleanupIncomplete` (the teardown and the clean-up each try 5 times)',
    cleanedUpBy: 'the janitor (FAILED with CleanupIncomplete), in the safe order',
    longestWait: `${DELETE_RETRIES} of delete retries, twice, in the run; then ${JANITOR}`,
    scenario: { sim: { denied: { deleteEndpoint: 12 } } },
    status: 'FAILED',
    error: 'CleanupIncomplete',
    cause: [`Delete pretrained (endpoint ${PT}) failed`, 'not authorized to perform: sagemaker:DeleteEndpoint'],
    afterwards: ['janitor'],
    deletedBy: (resource) => (resource.endsWith('-pt') ? 'janitor' : 'run'),
  },
  {
    name: 'aggregation fails after both teardowns',
    outcome: "FAILED with the aggregate step's error, named in the cause",
    cleanedUpBy: 'the run (already done by the teardowns; the clean-up finds nothing)',
    longestWait: HAPPY_WAIT,
    scenario: { failingStates: ['Aggregate results'] },
    status: 'FAILED',
    error: 'EvaluationFailed',
    cause: [`Aggregate (run ${RUN_ID}) failed:`],
  },
  {
    name: 'publishing fails after aggregation',
    outcome: 'SUCCEEDED; `publication.status` is `failed`, PublishFailed alarm',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { failingStates: ['Publish results'] },
    status: 'SUCCEEDED',
  },
  {
    name: 'skipTraining with modelData',
    outcome: 'SUCCEEDED, no training job',
    cleanedUpBy: 'the run',
    longestWait: HAPPY_WAIT,
    scenario: { input: { skipTraining: true, modelData: 'BUCKET/runs/earlier/model/model.tar.gz' } },
    status: 'SUCCEEDED',
  },
  {
    name: 'keepEndpoints',
    outcome: 'SUCCEEDED; `endpointsLeftRunning` names both',
    cleanedUpBy: 'nobody until `npx impressions endpoints delete --run <id>` (or the sweep on `cdk destroy`)',
    longestWait: HAPPY_WAIT,
    scenario: { input: { keepEndpoints: true } },
    status: 'SUCCEEDED',
    kept: [...HOSTING(PT), ...HOSTING(FT)],
  },
  {
    name: 'keepEndpoints, then aggregation fails',
    outcome: 'FAILED (aggregate error); both endpoints stay kept',
    cleanedUpBy: 'nobody: the clean-up sees the keep tag and leaves both hostings',
    longestWait: HAPPY_WAIT,
    scenario: { input: { keepEndpoints: true }, failingStates: ['Aggregate results'] },
    status: 'FAILED',
    error: 'EvaluationFailed',
    kept: [...HOSTING(PT), ...HOSTING(FT)],
  },
  {
    name: 'aborted while the fine-tuned endpoint is Creating',
    outcome: 'ABORTED',
    cleanedUpBy: 'the janitor: waits for the endpoint to settle, then endpoint → config → model',
    longestWait: JANITOR,
    scenario: { sim: { creatingPolls: 5 }, abortWhen: ftCreating },
    status: 'ABORTED',
    afterwards: ['janitor'],
    deletedBy: (resource) => (resource.endsWith('-ft') ? 'janitor' : 'run'),
  },
  {
    name: 'timed out while the fine-tuned endpoint is Creating',
    outcome: 'TIMED_OUT (run limit: maxTrainingHours + 24 h)',
    cleanedUpBy: 'the janitor, as for an abort',
    longestWait: JANITOR,
    scenario: { sim: { creatingPolls: 5 }, abortWhen: ftCreating },
    status: 'ABORTED',
    endedAs: 'TIMED_OUT',
    afterwards: ['janitor'],
    deletedBy: (resource) => (resource.endsWith('-ft') ? 'janitor' : 'run'),
  },
  {
    name: 'aborted while training runs and the pretrained endpoint is in service',
    outcome: 'ABORTED',
    cleanedUpBy: 'the janitor: stops the job, deletes the pretrained hosting',
    longestWait: JANITOR,
    scenario: { abortWhen: (sim) => sim.endpoints.get(PT)?.status === 'InService' },
    status: 'ABORTED',
    afterwards: ['janitor'],
    deletedBy: byJanitor,
  },
  {
    name: '`cdk destroy` after runs that left resources (two runs, a kept endpoint, one tagged without a run id, one untagged)',
    outcome: 'stack deleted',
    cleanedUpBy: 'the sweep: every resource tagged with the app, with or without a run id, kept ones included, in the safe order; never an untagged one',
    longestWait: 'the sweep: 1 h (provider total timeout; an endpoint Creating longer fails the deletion, to be retried)',
    scenario: { input: { keepEndpoints: true } },
    status: 'SUCCEEDED',
    afterwards: ['sweep'],
    seedAfterRun: (sim) => {
      const tags = { 'impressions:app': 'impressions', 'impressions:run-id': 'other-run' };
      sim.seed('trainingJob', 'impressions-other-run-train', tags);
      sim.seedHosting('impressions-other-run-ft', tags, 'Creating');
      sim.seedHosting('handmade', { 'impressions:app': 'impressions' });
      sim.seedHosting('untagged', {});
    },
    untouched: HOSTING('untagged'),
    deletedBy: () => 'sweep',
  },
];

/** The README table of the paths (between the `fault-paths` markers). */
export function renderFaultPathTable(paths: readonly FaultPath[] = FAULT_PATHS): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    '| path | outcome | who cleans up | longest wait |',
    '|---|---|---|---|',
    ...paths.map((p) => `| ${cell(p.name)} | ${cell(p.outcome)} | ${cell(p.cleanedUpBy)} | ${cell(p.longestWait)} |`),
  ].join('\n');
}
