/**
 * Executes the synthesized review state machine with aws-local-stepfunctions. The Lambda tasks run
 * the real handlers (lambda/review) with real SDK clients: S3 against a moto server, A2I and Step
 * Functions through aws-sdk-client-mock playing the services. Readers answer by writing A2I output
 * documents (the public format) and A2I's status-change events reach the real event handler, as
 * EventBridge would deliver them. Scenarios: all answered; the deadline with partial answers; a
 * reader who never answers; a failed human loop; a bad output document; a start that fails; a late
 * answer after the review closed; an event delivered twice.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeHumanLoopCommand, SageMakerA2IRuntimeClient, StartHumanLoopCommand, StopHumanLoopCommand } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../../../lib/app';
import { formatReviewItems, parseReviewItems, taskInput, type ReviewDescription, type ReviewItem } from '../../../lib/core/review/items';
import {
  loopName,
  parseLoopName,
  reviewDescriptionKey,
  reviewItemsKey,
  reviewRowsPrefix,
  reviewSummaryKey,
  type ReviewTeam,
} from '../../../lib/core/review/keys';
import type { ReviewRow, ReviewSummaryRow } from '../../../lib/core/run/contracts';
import { clearReviewCache } from '../../../lambda/review/review-io';
import { createHandlers, type HumanLoopStatusDetail } from '../../../lambda/review/index';
import { AslDefinition, allStates, polyfillPromiseWithResolvers, stateMachineDefinitions } from '../../helpers/asl';
import { testApp } from '../../helpers/cdk';
import { createBucket, startMoto, type MotoServer } from '../../helpers/moto';

polyfillPromiseWithResolvers();

const BUCKET = 'review-test-bucket';
const RUN = 'fixture-run';
const FLOW: Record<ReviewTeam, string> = {
  'reader-1': 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/impressions-review-reader-1-0a1b2c3d',
  'reader-2': 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/impressions-review-reader-2-0a1b2c3d',
  'reader-3': 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/impressions-review-reader-3-0a1b2c3d',
  feedback: 'arn:aws:sagemaker:us-east-1:123456789012:flow-definition/impressions-review-feedback-0a1b2c3d',
};
const ITEMS = parseReviewItems(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'review', 'evaluation-items.jsonl'), 'utf8'), 'fixture').slice(
  0,
  3,
);

function definition(): AslDefinition {
  const { review } = buildApp(testApp({ 'impressions:reviewEnabled': true }));
  const found = Object.entries(stateMachineDefinitions(review!)).find(([id]) => id.startsWith('ReviewStateMachine'));
  if (found === undefined) throw new Error('no review state machine');
  return found[1];
}
const DEFINITION = definition();

/** What a reader does with a loop (`stopped` is A2I reporting a loop the review stopped). */
type Action = 'answer' | 'fail' | 'silent' | 'bad-output' | 'stopped';

interface Loop {
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopped';
  flow: string;
  input: string;
  output?: string;
}

interface Scenario {
  readonly readers: number;
  /** Seconds from now to the deadline. */
  readonly deadlineSeconds: number;
  readonly action: (loop: string, team: ReviewTeam, index: number) => Action;
  /** Make StartHumanLoop fail for this loop. */
  readonly failStartAt?: string;
}

interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: string;
  rows: ReviewRow[];
  rowFiles: string[];
  summary: ReviewSummaryRow[];
  loops: Map<string, Loop>;
  stopped: string[];
  published: unknown[];
  reviewId: string;
  handlers: ReturnType<typeof createHandlers>;
  emit: (loop: string, action: Action) => Promise<void>;
}

let moto: MotoServer;
let s3: S3Client;
let counter = 0;

beforeAll(async () => {
  moto = await startMoto();
  s3 = moto.s3();
  await createBucket(s3, BUCKET);
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

async function read(key: string): Promise<string> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return r.Body!.transformToString();
}

async function list(prefix: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (r.Contents ?? []).map((c) => c.Key!).sort();
}

function answerContent(index: number, team: ReviewTeam): Record<string, string> {
  // Reader 1 prefers A and rates it 4; reader 2 rates one point lower and prefers B on odd items.
  const low = team === 'reader-2' ? 1 : 0;
  return {
    correct_a: String(4 - low),
    complete_a: '3',
    concise_a: '4',
    harm_a: 'no',
    correct_b: String(3 - low),
    complete_b: '3',
    concise_b: '3',
    harm_b: index === 1 && team === 'reader-1' ? 'yes' : 'no',
    ...(index === 1 && team === 'reader-1' ? { harm_reason_b: 'Misses a pneumothorax.' } : {}),
    preference: team === 'reader-2' && index % 2 === 1 ? 'B' : 'A',
  };
}

async function execute(scenario: Scenario): Promise<Outcome> {
  clearReviewCache();
  counter += 1;
  const reviewId = `ev-20260102-0900${String(counter).padStart(2, '0')}-00aa`;
  const items: ReviewItem[] = ITEMS.map((i) => ({ ...i, review_id: reviewId }));
  const teams = (['reader-1', 'reader-2', 'reader-3'] as const).slice(0, scenario.readers);
  const description: ReviewDescription = {
    reviewId,
    kind: 'evaluation',
    runId: RUN,
    createdAt: new Date().toISOString(),
    deadline: new Date(Date.now() + scenario.deadlineSeconds * 1000).toISOString(),
    teams,
    items: items.length,
    loops: items.length * teams.length,
    selection: { seed: 7 },
  };
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: reviewDescriptionKey(reviewId), Body: JSON.stringify(description) }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: reviewItemsKey(reviewId), Body: formatReviewItems(items) }));

  const loops = new Map<string, Loop>();
  const stopped: string[] = [];
  const a2iClient = new SageMakerA2IRuntimeClient({ region: 'us-east-1' });
  const a2i = mockClient(a2iClient);
  a2i.on(StartHumanLoopCommand).callsFake(async (input) => {
    if (input.HumanLoopName === scenario.failStartAt) {
      throw Object.assign(new Error('You exceeded your service quota.'), { name: 'ServiceQuotaExceededException' });
    }
    const existing = loops.get(input.HumanLoopName);
    if (existing !== undefined) throw Object.assign(new Error('same name'), { name: 'ConflictException' });
    loops.set(input.HumanLoopName, { status: 'InProgress', flow: input.FlowDefinitionArn, input: input.HumanLoopInput.InputContent });
    return { HumanLoopArn: `arn:aws:sagemaker:us-east-1:123456789012:human-loop/${input.HumanLoopName}` };
  });
  a2i.on(DescribeHumanLoopCommand).callsFake(async (input) => {
    const loop = loops.get(input.HumanLoopName);
    if (loop === undefined) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return {
      HumanLoopName: input.HumanLoopName,
      HumanLoopStatus: loop.status,
      FlowDefinitionArn: loop.flow,
      ...(loop.output === undefined ? {} : { HumanLoopOutput: { OutputS3Uri: loop.output } }),
      ...(loop.status === 'Failed' ? { FailureCode: 'TaskExpired', FailureReason: 'The task expired before a worker submitted it.' } : {}),
    };
  });
  a2i.on(StopHumanLoopCommand).callsFake(async (input) => {
    const loop = loops.get(input.HumanLoopName);
    if (loop === undefined) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    if (loop.status !== 'InProgress') throw Object.assign(new Error('not in progress'), { name: 'ValidationException' });
    loop.status = 'Stopped';
    stopped.push(input.HumanLoopName);
    return {};
  });

  let resolveWait: ((v: unknown) => void) | undefined;
  const sfnClient = new SFNClient({ region: 'us-east-1' });
  const sfn = mockClient(sfnClient);
  const token = `token-${reviewId}`;
  sfn.on(SendTaskSuccessCommand).callsFake(async (input) => {
    if (input.taskToken !== token || resolveWait === undefined) throw Object.assign(new Error('bad token'), { name: 'InvalidToken' });
    const done = resolveWait;
    resolveWait = undefined;
    done(JSON.parse(input.output));
    return {};
  });

  const handlers = createHandlers({
    s3,
    a2i: a2iClient,
    sfn: sfnClient,
    bucket: BUCKET,
    flowDefinitions: FLOW,
    now: () => new Date(),
    logger: new Logger({ logLevel: 'SILENT' }),
  });

  /** A reader acts on a loop, and A2I reports it on EventBridge (the documented event shape). */
  const emit = async (name: string, action: Action): Promise<void> => {
    const loop = loops.get(name)!;
    const { index, team } = parseLoopName(name);
    let detail: HumanLoopStatusDetail;
    if (action === 'stopped') {
      detail = { humanLoopName: name, humanLoopStatus: 'Stopped', flowDefinitionArn: loop.flow };
    } else if (action === 'fail') {
      loop.status = 'Failed';
      detail = {
        humanLoopName: name,
        humanLoopStatus: 'Failed',
        failureCode: 'TaskExpired',
        failureReason: 'The task expired before a worker submitted it.',
        flowDefinitionArn: loop.flow,
      };
    } else {
      const key = `reviews/a2i-output/${loop.flow.split('/')[1]}/2026/01/02/09/00/00/${name}/output.json`;
      const body =
        action === 'bad-output'
          ? JSON.stringify({ humanLoopName: name, humanAnswers: [{ answerContent: { preference: 'A' }, workerId: 'w' }], inputContent: JSON.parse(loop.input) })
          : JSON.stringify({
              flowDefinitionArn: loop.flow,
              humanAnswers: [
                {
                  answerContent: answerContent(index, team),
                  submissionTime: '2026-01-02T10:00:00.000Z',
                  workerId: `w-${team}`,
                  workerMetadata: { identityData: { identityProviderType: 'Cognito', sub: `sub-${team}` } },
                },
              ],
              humanLoopName: name,
              inputContent: JSON.parse(loop.input),
            });
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      loop.status = 'Completed';
      loop.output = `s3://${BUCKET}/${key}`;
      detail = {
        humanLoopName: name,
        humanLoopStatus: 'Completed',
        humanLoopOutput: { outputS3Uri: loop.output },
        flowDefinitionArn: loop.flow,
        failureCode: null,
        failureReason: null,
      };
    }
    await handlers.onLoopEvent({
      version: '0',
      id: `event-${name}`,
      'detail-type': 'SageMaker A2I HumanLoop Status Change',
      source: 'aws.sagemaker',
      account: '123456789012',
      time: '2026-01-02T10:00:01Z',
      region: 'us-east-1',
      resources: [`arn:aws:sagemaker:us-east-1:123456789012:human-loop/${name}`],
      detail,
    });
  };

  const published: unknown[] = [];
  const local: Record<string, (input: unknown) => Promise<unknown>> = {
    'Start human loops': (e) => handlers.startLoops(e as never, () => 900_000),
    'Close review': (e) => handlers.closeReview(e as never, () => 900_000),
    'Summarize review': (e) => handlers.summarizeReview(e as never),
    'Publish review': async (e) => (published.push(e), { runId: (e as { runId: string }).runId, partitions: {}, ingestions: [], quicksight: 'not-configured' }),
    'Wait for answers': async (e) => {
      const payload = (e as { Payload: { reviewId: string; runId: string; token: string } }).Payload;
      const waiting = new Promise((resolve) => (resolveWait = resolve));
      await handlers.storeWait(payload);
      // The readers act once their tasks exist; their events end the wait with the last answer.
      setTimeout(() => {
        void (async () => {
          for (const item of items) {
            for (const team of teams) {
              const name = loopName(reviewId, item.index, team);
              const action = scenario.action(name, team, item.index);
              if (action !== 'silent') await emit(name, action);
            }
          }
        })();
      }, 0);
      return waiting;
    },
  };
  const def = JSON.parse(JSON.stringify(DEFINITION)) as AslDefinition;
  const handlersByState: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of allStates(def)) {
    if (state.Retry !== undefined) retries[name] = 0;
    if (state.Type !== 'Task') continue;
    if (local[name] === undefined) throw new Error(`no local handler for ${name}`);
    handlersByState[name] = local[name];
  }
  const machine = new StateMachine(def as never, { validationOptions: { checkArn: false } } as never);
  const execution = machine.run({ reviewId, runId: RUN } as never, {
    overrides: { taskResourceLocalHandlers: handlersByState as never, retryIntervalOverrides: retries },
    context: { Execution: { Name: reviewId, Input: { reviewId, runId: RUN } }, Task: { Token: token } } as never,
  });
  let status: Outcome['status'] = 'SUCCEEDED';
  let output: Record<string, unknown> | undefined;
  let error: string | undefined;
  try {
    output = (await execution.result) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof ExecutionError)) throw e;
    status = 'FAILED';
    error = (e.cause as Error).name;
  }
  // The mocks stay on these clients (new ones per scenario): a late event after the execution still reaches them.
  const rowFiles = await list(reviewRowsPrefix(RUN, reviewId));
  const rows = (await Promise.all(rowFiles.map(read))).flatMap((t) =>
    t
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReviewRow),
  );
  const summaryText = (await list(reviewSummaryKey(RUN, reviewId))).length > 0 ? await read(reviewSummaryKey(RUN, reviewId)) : '';
  const summary =
    summaryText.trim() === ''
      ? []
      : summaryText
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as ReviewSummaryRow);
  return { status, output, error, rows, rowFiles, summary, loops, stopped, published, reviewId, handlers, emit };
}

const figure = (o: Outcome, metric: string, model = 'all') => o.summary.find((r) => r.dataset === 'all' && r.metric === metric && r.model === model);

describe('review state machine, executed locally', () => {
  test('all answered: every loop started once with the blinded input, the last answer ends the wait, figures and publication follow', async () => {
    const o = await execute({ readers: 2, deadlineSeconds: 600, action: () => 'answer' });
    expect(o.status).toBe('SUCCEEDED');
    expect([...o.loops.keys()].sort()).toHaveLength(6);
    for (const [name, loop] of o.loops) {
      const { index, team } = parseLoopName(name);
      expect(loop.flow).toBe(FLOW[team]);
      expect(JSON.parse(loop.input)).toEqual(taskInput({ ...ITEMS[index], review_id: o.reviewId }));
      expect(loop.input).not.toMatch(/pretrained|fine-tuned|rougelsum/);
    }
    expect(o.output!.wait).toEqual({ reason: 'answered', loops: 6, finished: 6 });
    expect(o.output!.close).toMatchObject({ next: null, reason: 'answered', final: 6, collected: 0, stopped: 0 });
    expect(o.stopped).toEqual([]);
    expect(o.rowFiles).toHaveLength(6);
    expect(o.rows).toHaveLength(12);
    expect(o.rows.every((r) => r.status === 'answered' && r.run_id === RUN)).toBe(true);
    expect(figure(o, 'loops_answered')?.value).toBe(6);
    expect(figure(o, 'alpha_preference')?.count).toBe(3);
    expect(o.published).toEqual([{ runId: RUN }]);
    expect(o.output!.summary).toMatchObject({ rows: 12, loops: 6, answered: 6 });
  });

  test('deadline with partial answers: unanswered loops are stopped and recorded, the answers are summarized', async () => {
    const o = await execute({ readers: 2, deadlineSeconds: 2, action: (_n, _t, index) => (index === 0 ? 'answer' : 'silent') });
    expect(o.status).toBe('SUCCEEDED');
    expect(o.output!.timeout).toMatchObject({ Error: 'States.Timeout' });
    expect(o.output!.close).toMatchObject({ reason: 'deadline', final: 2, collected: 4, stopped: 4 });
    expect(o.stopped.sort()).toEqual([1, 2].flatMap((i) => [loopName(o.reviewId, i, 'reader-1'), loopName(o.reviewId, i, 'reader-2')]).sort());
    const stoppedRows = o.rows.filter((r) => r.status === 'stopped');
    expect(stoppedRows).toHaveLength(8);
    expect(stoppedRows.every((r) => r.error === 'not answered by the review deadline' && r.correct === null)).toBe(true);
    expect(figure(o, 'loops_answered')?.value).toBe(2);
    expect(figure(o, 'loops_stopped')?.value).toBe(4);
    expect(figure(o, 'rating_correct', o.rows.find((r) => r.status === 'answered' && r.position === 'A')!.source)?.count).toBe(2);
  });

  test("a reader who never answers: the other reader's answers stand, agreement is undefined, the silent loops are stopped", async () => {
    const o = await execute({ readers: 2, deadlineSeconds: 2, action: (_n, team) => (team === 'reader-2' ? 'silent' : 'answer') });
    expect(o.status).toBe('SUCCEEDED');
    expect(o.stopped.every((n) => n.endsWith('-r2'))).toBe(true);
    expect(o.stopped).toHaveLength(3);
    expect(o.rows.filter((r) => r.reader === 'reader-1').every((r) => r.status === 'answered')).toBe(true);
    expect(o.rows.filter((r) => r.reader === 'reader-2').every((r) => r.status === 'stopped')).toBe(true);
    expect(figure(o, 'alpha_correct')).toMatchObject({ value: null, count: 0 });
    expect(figure(o, 'loops_answered')?.value).toBe(3);
    // Reader 1 flagged item 1 B.
    expect(o.rows.filter((r) => r.harm === 1).map((r) => [r.item_id, r.position, r.harm_reason])).toEqual([['0001', 'B', 'Misses a pneumothorax.']]);
  });

  test('a failed human loop is recorded with its failure code and counts as finished', async () => {
    const o = await execute({ readers: 2, deadlineSeconds: 600, action: (_n, team, index) => (team === 'reader-2' && index === 2 ? 'fail' : 'answer') });
    expect(o.status).toBe('SUCCEEDED');
    expect(o.output!.wait).toEqual({ reason: 'answered', loops: 6, finished: 6 });
    const failed = o.rows.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      reader: 'reader-2',
      item_id: '0002',
      error: 'A2I human loop Failed (TaskExpired): The task expired before a worker submitted it.',
    });
    expect(figure(o, 'loops_failed')?.value).toBe(1);
  });

  test('a bad output document is recorded as an error with its key, never dropped', async () => {
    const o = await execute({ readers: 1, deadlineSeconds: 600, action: (_n, _t, index) => (index === 1 ? 'bad-output' : 'answer') });
    expect(o.status).toBe('SUCCEEDED');
    const invalid = o.rows.filter((r) => r.status === 'invalid');
    expect(invalid).toHaveLength(2);
    expect(invalid[0].output_key).toMatch(/^reviews\/a2i-output\/impressions-review-reader-1-0a1b2c3d\/.*\/output\.json$/);
    expect(invalid[0].error).toBe(`${invalid[0].output_key}: humanAnswers[0].answerContent: field harm_a is missing`);
    expect(figure(o, 'loops_invalid')?.value).toBe(1);
  });

  test('a start that fails closes the review (stopping what started, recording what never did) and fails the execution', async () => {
    const failAt = (id: string) => loopName(id, 1, 'reader-1');
    clearReviewCache();
    // The review id is only known inside execute(): fail the loop of item 1, reader 1, of whatever review runs.
    const o = await execute({
      readers: 2,
      deadlineSeconds: 600,
      action: () => 'answer',
      failStartAt: failAt(`ev-20260102-0900${String(counter + 1).padStart(2, '0')}-00aa`),
    });
    expect(o.status).toBe('FAILED');
    expect(o.error).toBe('ServiceQuotaExceededException');
    expect(o.rowFiles).toHaveLength(6);
    // Loops in flight when the start failed did start (four at a time); every started loop is stopped, every other one recorded as never started.
    const started = new Set(o.loops.keys());
    const all = [0, 1, 2].flatMap((i) => [loopName(o.reviewId, i, 'reader-1'), loopName(o.reviewId, i, 'reader-2')]);
    const statusOf = (loop: string) => new Set(o.rows.filter((r) => r.loop_name === loop).map((r) => `${r.status}: ${r.error}`));
    for (const loop of all) {
      expect([...statusOf(loop)]).toEqual([
        started.has(loop) ? 'stopped: the review ended before it was answered' : 'failed: the human loop was never started',
      ]);
    }
    expect(started.has(loopName(o.reviewId, 1, 'reader-1'))).toBe(false);
    expect(o.stopped.sort()).toEqual([...started].sort());
    expect(o.summary.length).toBeGreaterThan(0);
  });

  test('an answer after the deadline replaces its stopped rows and refreshes the figures; a repeated event changes nothing', async () => {
    const o = await execute({ readers: 1, deadlineSeconds: 2, action: (_n, _t, index) => (index === 0 ? 'answer' : 'silent') });
    expect(figure(o, 'loops_answered')?.value).toBe(1);
    // A task taken before the deadline is submitted while its loop is Stopping; A2I then reports it Completed.
    const late = loopName(o.reviewId, 1, 'reader-1');
    o.loops.get(late)!.status = 'InProgress';
    await o.emit(late, 'answer');
    await o.emit(late, 'answer');
    const rows = (await read(`${reviewRowsPrefix(RUN, o.reviewId)}${late}.jsonl`))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReviewRow);
    expect(rows.map((r) => r.status)).toEqual(['answered', 'answered']);
    const summary = (await read(reviewSummaryKey(RUN, o.reviewId)))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReviewSummaryRow);
    expect(summary.find((r) => r.dataset === 'all' && r.metric === 'loops_answered')?.value).toBe(2);
    expect(summary.find((r) => r.dataset === 'all' && r.metric === 'loops_stopped')?.value).toBe(1);
    // A2I's own Stopped event for the loop the close stopped keeps the reason the close gave.
    const stopped = loopName(o.reviewId, 2, 'reader-1');
    await o.emit(stopped, 'stopped');
    const kept = (await read(`${reviewRowsPrefix(RUN, o.reviewId)}${stopped}.jsonl`))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReviewRow);
    expect(kept.map((r) => r.error)).toEqual(['not answered by the review deadline', 'not answered by the review deadline']);
  });
});
