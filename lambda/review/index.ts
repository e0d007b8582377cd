/**
 * review: the Lambdas of the review state machine (one bundle, one function and role per handler):
 * - `startLoops`: starts one A2I human loop per item and reader team, from position `next`, until
 *   its time runs short (the state machine calls it again with the `next` it returns);
 * - `storeWaitToken`: the `waitForTaskToken` task: stores the token, and ends the wait at once
 *   when every loop already has rows;
 * - `onLoopEvent`: EventBridge target for "SageMaker A2I HumanLoop Status Change"
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-cloudwatch-events.html): writes the loop's
 *   rows (answers read from its output document, or its failure), then ends the wait when it was the
 *   last loop; after the review closed, a late answer also refreshes the review's summary;
 * - `closeReview`: at the end (all answered, the deadline, or a failed start): for every loop still
 *   without rows, asks A2I what became of it, stops it if it still runs, and writes its rows;
 * - `summarizeReview`: the review's figures from its rows.
 * Logs carry ids and counts, never report text or answers.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeHumanLoopCommand, SageMakerA2IRuntimeClient, StartHumanLoopCommand, StopHumanLoopCommand } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { taskInput } from '../../lib/core/review/items';
import { mapPool } from '../../lib/core/evaluation/pool';
import { loopName, parseLoopName } from '../../lib/core/review/keys';
import {
  REVIEW_ENV,
  parseCloseEvent,
  parseStartLoopsEvent,
  parseSummarizeEvent,
  parseWaitEvent,
  type CloseResult,
  type FlowDefinitionArns,
  type StartLoopsResult,
  type SummarizeResult,
} from '../../lib/core/review/review-lambda-contracts';
import type { LoopOutcome } from '../../lib/core/review/rows';
import { requiredEnv } from '../common/env';
import {
  completedOutcome,
  endWaitIfFinished,
  finishedLoops,
  InvalidReviewError,
  isClosed,
  itemOfLoop,
  loadReview,
  loopAt,
  markClosed,
  storeWaitToken,
  summarize,
  writeLoopRows,
  type LoadedReview,
} from './review-io';

/** The detail of an A2I human loop status change event (see the module comment for the source). */
export interface HumanLoopStatusDetail {
  readonly creationTime?: string;
  readonly failureCode?: string | null;
  readonly failureReason?: string | null;
  readonly flowDefinitionArn?: string;
  readonly humanLoopArn?: string;
  readonly humanLoopName?: string;
  readonly humanLoopOutput?: { readonly outputS3Uri?: string } | null;
  readonly humanLoopStatus?: string;
}

/** The clients, settings and clock of the handlers (tests pass their own). */
export interface ReviewDeps {
  readonly s3: S3Client;
  readonly a2i: SageMakerA2IRuntimeClient;
  readonly sfn: SFNClient;
  readonly bucket: string;
  readonly flowDefinitions: FlowDefinitionArns;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** Milliseconds kept in hand before a looping handler returns its `next`. */
const SAFETY_MS = 20_000;
/** Calls to A2I in flight at once. */
const A2I_CONCURRENCY = 4;

function runIdMatches(review: LoadedReview, runId: string): void {
  if (review.description.runId !== runId)
    throw new InvalidReviewError(`review ${review.description.reviewId} belongs to run ${review.description.runId}, not ${runId}`);
}

/** A failure of A2I described without its message (a message could quote the input). */
function failureText(code: string | null | undefined, reason: string | null | undefined): string {
  const safe = (s: string | null | undefined, max: number) => (typeof s === 'string' ? s.replace(/[^\w .,:;()'/-]/g, ' ').slice(0, max) : '');
  return `A2I human loop Failed${code ? ` (${safe(code, 60)})` : ''}${reason ? `: ${safe(reason, 200)}` : ''}`;
}

/** Runs `work` over positions from `next` while time remains; returns the position to continue from. */
async function inBatches(next: number, total: number, remainingMs: () => number, work: (positions: number[]) => Promise<void>): Promise<number | null> {
  let position = next;
  while (position < total) {
    if (remainingMs() < SAFETY_MS) return position;
    const batch = Array.from({ length: Math.min(A2I_CONCURRENCY * 4, total - position) }, (_, i) => position + i);
    await work(batch);
    position += batch.length;
  }
  return null;
}

/** Builds the handlers around their dependencies. */
export function createHandlers(deps: ReviewDeps) {
  const ctx = { s3: deps.s3, bucket: deps.bucket };

  const flowDefinitionOf = (team: string): string => {
    const arn = deps.flowDefinitions[team as keyof FlowDefinitionArns];
    if (arn === undefined) throw new InvalidReviewError(`no flow definition is deployed for team ${team}`);
    return arn;
  };

  const startLoops = async (input: unknown, remainingMs: () => number): Promise<StartLoopsResult> => {
    const event = parseStartLoopsEvent(input);
    const review = await loadReview(ctx, event.reviewId);
    runIdMatches(review, event.runId);
    let started = 0;
    let existing = 0;
    const next = await inBatches(event.next, review.description.loops, remainingMs, async (positions) => {
      await mapPool(positions, A2I_CONCURRENCY, async (position) => {
        const { item, team } = loopAt(review, position);
        const name = loopName(event.reviewId, item.index, team);
        const flowDefinitionArn = flowDefinitionOf(team);
        try {
          await deps.a2i.send(
            new StartHumanLoopCommand({
              HumanLoopName: name,
              FlowDefinitionArn: flowDefinitionArn,
              HumanLoopInput: { InputContent: JSON.stringify(taskInput(item)) },
              // No content classifier: the input is protected health information, for a private workforce only.
            }),
          );
          started += 1;
        } catch (error) {
          const e = error as Error;
          if (e.name !== 'ConflictException' && e.name !== 'ValidationException') throw error;
          // A repeated call: the loop exists. Anything else with that name is a real conflict.
          const found = await deps.a2i.send(new DescribeHumanLoopCommand({ HumanLoopName: name })).catch(() => undefined);
          if (found?.FlowDefinitionArn !== flowDefinitionArn) throw error;
          existing += 1;
        }
      });
    });
    const deadline = Date.parse(review.description.deadline);
    const waitSeconds = Math.max(1, Math.ceil((deadline - deps.now().getTime()) / 1000));
    deps.logger.info('human loops started', { reviewId: event.reviewId, started, existing, next, loops: review.description.loops });
    return { reviewId: event.reviewId, runId: event.runId, next, loops: review.description.loops, started, existing, waitSeconds };
  };

  const storeWait = async (input: unknown): Promise<{ stored: true; ended: boolean }> => {
    const event = parseWaitEvent(input);
    const review = await loadReview(ctx, event.reviewId);
    await storeWaitToken(ctx, event.reviewId, event.token, deps.now());
    // Every loop may already have finished before the token was stored: end the wait now then.
    const ended = await endWaitIfFinished({ ...ctx, sfn: deps.sfn }, review);
    deps.logger.info('waiting for answers', { reviewId: event.reviewId, ended });
    return { stored: true, ended };
  };

  const outcomeOfEvent = async (review: LoadedReview, name: string, detail: HumanLoopStatusDetail): Promise<LoopOutcome | undefined> => {
    const { item } = itemOfLoop(review, name);
    switch (detail.humanLoopStatus) {
      case 'Completed':
        return completedOutcome(ctx, item, name, detail.humanLoopOutput?.outputS3Uri);
      case 'Failed':
        return { status: 'failed', error: failureText(detail.failureCode, detail.failureReason) };
      case 'Stopped':
        return { status: 'stopped', error: 'the human loop was stopped before it was answered' };
      default:
        return undefined;
    }
  };

  const onLoopEvent = async (
    event: EventBridgeEvent<'SageMaker A2I HumanLoop Status Change', HumanLoopStatusDetail>,
  ): Promise<{ loop: string; status: string }> => {
    const detail = event?.detail ?? {};
    const name = detail.humanLoopName ?? '';
    let reviewId: string;
    try {
      reviewId = parseLoopName(name).reviewId;
    } catch {
      // The rule matches this app's flow definitions only; a loop started by hand there has no item to record.
      deps.logger.warn('human loop of no review ignored', { humanLoopName: name.slice(0, 63) });
      return { loop: name, status: 'ignored' };
    }
    const review = await loadReview(ctx, reviewId);
    const outcome = await outcomeOfEvent(review, name, detail);
    if (outcome === undefined) {
      deps.logger.warn('human loop status without an outcome ignored', { reviewId, loop: name, status: detail.humanLoopStatus });
      return { loop: name, status: 'ignored' };
    }
    // An answer (or its unreadable document) always replaces what is there; a Stopped event never replaces
    // the rows the close already wrote (they say why it was stopped).
    await writeLoopRows(ctx, review, name, outcome, deps.now(), outcome.status === 'stopped');
    const ended = await endWaitIfFinished({ ...ctx, sfn: deps.sfn }, review);
    // An answer after the review closed (a task taken before the deadline): its figures must include it.
    const refreshed = !ended && outcome.status === 'answered' && (await isClosed(ctx, reviewId)) ? await summarize(ctx, review) : undefined;
    deps.logger.info('human loop recorded', { reviewId, loop: name, status: outcome.status, endedWait: ended, summaryRefreshed: refreshed !== undefined });
    return { loop: name, status: outcome.status };
  };

  const closeReview = async (input: unknown, remainingMs: () => number): Promise<CloseResult> => {
    const event = parseCloseEvent(input);
    const review = await loadReview(ctx, event.reviewId);
    runIdMatches(review, event.runId);
    const done = await finishedLoops(ctx, review);
    let final = 0;
    let collected = 0;
    let stopped = 0;
    const next = await inBatches(event.next, review.description.loops, remainingMs, async (positions) => {
      await mapPool(positions, A2I_CONCURRENCY, async (position) => {
        const { item, team } = loopAt(review, position);
        const name = loopName(event.reviewId, item.index, team);
        if (done.has(name)) {
          final += 1;
          return;
        }
        let outcome: LoopOutcome;
        let stop = false;
        try {
          const loop = await deps.a2i.send(new DescribeHumanLoopCommand({ HumanLoopName: name }));
          if (loop.HumanLoopStatus === 'Completed') outcome = await completedOutcome(ctx, item, name, loop.HumanLoopOutput?.OutputS3Uri);
          else if (loop.HumanLoopStatus === 'Failed') outcome = { status: 'failed', error: failureText(loop.FailureCode, loop.FailureReason) };
          else if (loop.HumanLoopStatus === 'Stopped') outcome = { status: 'stopped', error: 'the human loop was stopped before it was answered' };
          else {
            stop = loop.HumanLoopStatus === 'InProgress';
            outcome = {
              status: 'stopped',
              error: event.reason === 'deadline' ? 'not answered by the review deadline' : 'the review ended before it was answered',
            };
          }
        } catch (error) {
          if ((error as Error).name !== 'ResourceNotFoundException') throw error;
          outcome = { status: 'failed', error: 'the human loop was never started' };
        }
        if (stop) {
          try {
            await deps.a2i.send(new StopHumanLoopCommand({ HumanLoopName: name }));
            stopped += 1;
          } catch (error) {
            // Finished meanwhile (its event writes the rows) or already gone.
            if (!['ValidationException', 'ResourceNotFoundException'].includes((error as Error).name)) throw error;
          }
        }
        // A stopped loop never replaces rows an answer wrote meanwhile.
        if (await writeLoopRows(ctx, review, name, outcome, deps.now(), outcome.status === 'stopped')) collected += 1;
        else final += 1;
      });
    });
    if (next === null) await markClosed(ctx, event.reviewId, event.reason, deps.now());
    deps.logger.info('review closing', { reviewId: event.reviewId, reason: event.reason, next, final, collected, stopped });
    return { reviewId: event.reviewId, runId: event.runId, next, reason: event.reason, final, collected, stopped };
  };

  const summarizeReview = async (input: unknown): Promise<SummarizeResult> => {
    const event = parseSummarizeEvent(input);
    const review = await loadReview(ctx, event.reviewId);
    runIdMatches(review, event.runId);
    const result = await summarize(ctx, review);
    deps.logger.info('review summarized', { ...result });
    return result;
  };

  return { startLoops, storeWait, onLoopEvent, closeReview, summarizeReview };
}

function defaultDeps(): ReviewDeps {
  let flowDefinitions: FlowDefinitionArns = {};
  const raw = process.env[REVIEW_ENV.flowDefinitions];
  if (raw !== undefined && raw !== '') flowDefinitions = JSON.parse(raw) as FlowDefinitionArns;
  return {
    s3: new S3Client({}),
    a2i: new SageMakerA2IRuntimeClient({}),
    sfn: new SFNClient({}),
    bucket: process.env[REVIEW_ENV.dataBucket] ?? '',
    flowDefinitions,
    now: () => new Date(),
    logger: new Logger(),
  };
}

let handlers: ReturnType<typeof createHandlers> | undefined;
function live(): ReturnType<typeof createHandlers> {
  requiredEnv(REVIEW_ENV.dataBucket);
  handlers ??= createHandlers(defaultDeps());
  return handlers;
}

/** `startLoops` entry point. */
export const startLoops = (event: unknown, context: Context) => live().startLoops(event, () => context.getRemainingTimeInMillis());
/** `storeWaitToken` entry point. */
export const storeWaitTokenHandler = (event: unknown) => live().storeWait(event);
/** EventBridge entry point. */
export const onLoopEvent = (event: EventBridgeEvent<'SageMaker A2I HumanLoop Status Change', HumanLoopStatusDetail>) => live().onLoopEvent(event);
/** `closeReview` entry point. */
export const closeReview = (event: unknown, context: Context) => live().closeReview(event, () => context.getRemainingTimeInMillis());
/** `summarizeReview` entry point. */
export const summarizeReview = (event: unknown) => live().summarizeReview(event);
