/**
 * The I/O of the review Lambdas: reading a review's description and items, writing a loop's rows,
 * reading A2I output documents, storing and using the wait token, and computing the summary.
 * Everything takes its clients as arguments (tests pass clients of local stand-ins).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { listKeys, readText, readTextIfExists, writeText } from '../../lib/aws/s3-text';
import { mapPool, parseS3Uri, toJsonl } from '../../lib/core/evaluation';
import { readOutputDocument } from '../../lib/core/review/answers';
import { parseReviewDescription, parseReviewItems, taskInput, type ReviewDescription, type ReviewItem } from '../../lib/core/review/items';
import {
  A2I_OUTPUT_PREFIX,
  closedMarkerKey,
  parseLoopName,
  reviewDescriptionKey,
  reviewItemsKey,
  reviewRowsKey,
  reviewRowsPrefix,
  reviewSummaryKey,
  waitTokenKey,
  type ReviewTeam,
} from '../../lib/core/review/keys';
import { REVIEW_ERROR_NAMES, type SummarizeResult, type WaitOutcome } from '../../lib/core/review/review-lambda-contracts';
import { loopRows, type LoopOutcome } from '../../lib/core/review/rows';
import { reviewSummaryRows } from '../../lib/core/review/summary';
import type { ReviewRow } from '../../lib/core/run/contracts';

/** The review's description or items cannot be read: nothing about it can proceed. */
export class InvalidReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = REVIEW_ERROR_NAMES.invalidReview;
  }
}

/** A review as the Lambdas use it. */
export interface LoadedReview {
  readonly description: ReviewDescription;
  readonly items: readonly ReviewItem[];
}

/** Where a review lives and with what clients. */
export interface ReviewContext {
  readonly s3: S3Client;
  readonly bucket: string;
}

const cache = new Map<string, LoadedReview>();

/** Reads (once per container) and checks a review's description and items. @throws InvalidReviewError */
export async function loadReview(ctx: ReviewContext, reviewId: string): Promise<LoadedReview> {
  const cached = cache.get(reviewId);
  if (cached !== undefined) return cached;
  let review: LoadedReview;
  try {
    const descriptionKey = reviewDescriptionKey(reviewId);
    const itemsKey = reviewItemsKey(reviewId);
    const description = parseReviewDescription(await readText(ctx.s3, ctx.bucket, descriptionKey), descriptionKey);
    const items = parseReviewItems(await readText(ctx.s3, ctx.bucket, itemsKey), itemsKey);
    if (items.length !== description.items) throw new Error(`${itemsKey}: ${items.length} items, the description says ${description.items}`);
    if (items.some((i) => i.review_id !== reviewId || i.kind !== description.kind || i.run_id !== description.runId)) {
      throw new Error(`${itemsKey}: an item belongs to another review, kind or run`);
    }
    review = { description, items };
  } catch (error) {
    const e = error as Error;
    throw new InvalidReviewError(`review ${reviewId}: ${e.name === 'NoSuchKey' ? 'its description or items are missing' : e.message}`);
  }
  cache.set(reviewId, review);
  return review;
}

/** Forgets cached reviews (tests). */
export function clearReviewCache(): void {
  cache.clear();
}

/** Loop `position` of items × teams: item `position / teams`, team `position % teams`. */
export function loopAt(review: LoadedReview, position: number): { item: ReviewItem; team: ReviewTeam } {
  const teams = review.description.teams;
  return { item: review.items[Math.floor(position / teams.length)], team: teams[position % teams.length] };
}

/** The item and team of a loop name of `review`. @throws InvalidReviewError when the loop is not one of its loops. */
export function itemOfLoop(review: LoadedReview, loopName: string): { item: ReviewItem; team: ReviewTeam } {
  const { index, team } = parseLoopName(loopName);
  const item = review.items[index];
  if (item === undefined || !review.description.teams.includes(team)) {
    throw new InvalidReviewError(`human loop ${loopName} is not a loop of review ${review.description.reviewId}`);
  }
  return { item, team };
}

/**
 * Reads the output document A2I wrote for a completed loop. A document that cannot be read as
 * answers (missing, outside the review output prefix, malformed) is an `invalid` outcome that names
 * its key; only an S3 failure other than a missing object throws (the caller retries).
 */
export async function completedOutcome(ctx: ReviewContext, item: ReviewItem, loopName: string, outputUri: string | undefined): Promise<LoopOutcome> {
  if (outputUri === undefined || outputUri === '')
    return { status: 'invalid', error: 'A2I reported the loop Completed without an output document', outputKey: '' };
  let key: string;
  try {
    const where = parseS3Uri(outputUri);
    if (where.bucket !== ctx.bucket || !where.key.startsWith(A2I_OUTPUT_PREFIX)) throw new Error('outside');
    key = where.key;
  } catch {
    return { status: 'invalid', error: `output document ${outputUri} is not under s3://${ctx.bucket}/${A2I_OUTPUT_PREFIX}`, outputKey: outputUri };
  }
  const body = await readTextIfExists(ctx.s3, ctx.bucket, key);
  if (body === undefined) return { status: 'invalid', error: `${key}: output document is missing`, outputKey: key };
  const read = readOutputDocument(body, key, loopName, taskInput(item));
  return read.ok ? { status: 'answered', answers: read.answers, outputKey: key } : { status: 'invalid', error: read.error, outputKey: key };
}

/**
 * Writes the rows of a loop at its key. `onlyIfAbsent` (used when stopping at the deadline) never
 * replaces rows already written, so an answer that arrived meanwhile wins; returns false then.
 */
export async function writeLoopRows(
  ctx: ReviewContext,
  review: LoadedReview,
  loopName: string,
  outcome: LoopOutcome,
  now: Date,
  onlyIfAbsent = false,
): Promise<boolean> {
  const { item, team } = itemOfLoop(review, loopName);
  const rows = loopRows(item, team, loopName, outcome, now);
  const key = reviewRowsKey(review.description.runId, review.description.reviewId, loopName);
  if (!onlyIfAbsent) {
    await writeText(ctx.s3, ctx.bucket, key, toJsonl(rows), 'application/x-ndjson');
    return true;
  }
  try {
    // S3 conditional write: fails with PreconditionFailed when the key exists.
    await ctx.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: toJsonl(rows), ContentType: 'application/x-ndjson', IfNoneMatch: '*' }));
    return true;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) return false;
    throw error;
  }
}

/** Loop names that already have rows. */
export async function finishedLoops(ctx: ReviewContext, review: LoadedReview): Promise<Set<string>> {
  const prefix = reviewRowsPrefix(review.description.runId, review.description.reviewId);
  const keys = await listKeys(ctx.s3, ctx.bucket, prefix);
  return new Set(keys.filter((k) => k.endsWith('.jsonl')).map((k) => k.slice(prefix.length, -'.jsonl'.length)));
}

/** Stores the wait's task token (and when); the token is a capability: it lives only in the encrypted bucket. */
export async function storeWaitToken(ctx: ReviewContext, reviewId: string, token: string, now: Date): Promise<void> {
  await writeText(ctx.s3, ctx.bucket, waitTokenKey(reviewId), JSON.stringify({ token, storedAt: now.toISOString() }), 'application/json');
}

/**
 * Ends the wait when every loop has rows and the token is stored. A token that is no longer
 * valid (the wait timed out, or another caller ended it first) is not an error.
 * @returns whether this call ended the wait.
 */
export async function endWaitIfFinished(ctx: ReviewContext & { readonly sfn: SFNClient }, review: LoadedReview): Promise<boolean> {
  const finished = await finishedLoops(ctx, review);
  if (finished.size < review.description.loops) return false;
  const stored = await readTextIfExists(ctx.s3, ctx.bucket, waitTokenKey(review.description.reviewId));
  if (stored === undefined) return false;
  const { token } = JSON.parse(stored) as { token: string };
  const outcome: WaitOutcome = { reason: 'answered', loops: review.description.loops, finished: finished.size };
  try {
    await ctx.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(outcome) }));
    return true;
  } catch (error) {
    // TaskTimedOut: the deadline came first; InvalidToken / TaskDoesNotExist: the wait already ended.
    if (['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'].includes((error as Error).name)) return false;
    throw error;
  }
}

/** Whether the review's wait has ended (its summary is then recomputed on a late answer). */
export async function isClosed(ctx: ReviewContext, reviewId: string): Promise<boolean> {
  return (await readTextIfExists(ctx.s3, ctx.bucket, closedMarkerKey(reviewId))) !== undefined;
}

/** Marks the review closed. */
export async function markClosed(ctx: ReviewContext, reviewId: string, reason: string, now: Date): Promise<void> {
  await writeText(ctx.s3, ctx.bucket, closedMarkerKey(reviewId), JSON.stringify({ reason, closedAt: now.toISOString() }), 'application/json');
}

/** Reads every row of the review and writes its summary rows. */
export async function summarize(ctx: ReviewContext, review: LoadedReview): Promise<SummarizeResult> {
  const { runId, reviewId } = review.description;
  const prefix = reviewRowsPrefix(runId, reviewId);
  const keys = (await listKeys(ctx.s3, ctx.bucket, prefix)).filter((k) => k.endsWith('.jsonl'));
  const parts = await mapPool(keys, 8, async (key) => {
    const text = await readText(ctx.s3, ctx.bucket, key);
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l, i) => {
        try {
          return JSON.parse(l) as ReviewRow;
        } catch {
          throw new InvalidReviewError(`${key} line ${i + 1}: not valid JSON`);
        }
      });
  });
  const rows = parts.flat();
  const figures = reviewSummaryRows(runId, reviewId, rows);
  const summaryKey = reviewSummaryKey(runId, reviewId);
  await writeText(ctx.s3, ctx.bucket, summaryKey, toJsonl(figures), 'application/x-ndjson');
  return {
    reviewId,
    runId,
    summaryKey,
    rows: rows.length,
    loops: keys.length,
    answered: new Set(rows.filter((r) => r.status === 'answered').map((r) => r.loop_name)).size,
    figures: figures.length,
  };
}
