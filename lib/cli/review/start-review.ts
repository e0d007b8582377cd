/**
 * `impressions review start --run <id>`: draws the blinded, stratified sample of a finished run's
 * dev-set reports (lib/core/review/sampling.ts), writes the review to the data bucket and starts
 * the review state machine. Prints the sampling with its seed, never report text.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ReviewDescription } from '../../core/review/items';
import { reviewTeams } from '../../core/review/items';
import { newReviewId, reviewItemsKey } from '../../core/review/keys';
import { describeSampling, sampleReviewItems } from '../../core/review/sampling';
import { CliError } from '../errors';
import { loadRunResults, type ResultStore } from '../run-results';
import { reviewDeadline, startReviewExecution, writeReview, type ReviewDeployment } from './deployment';

/** Arguments of {@link runReviewStart}. */
export interface ReviewStartArgs {
  readonly runId: string;
  readonly perDataset: number;
  readonly readers: number;
  /** MT19937 seed; drawn and printed when absent. */
  readonly seed?: number;
  readonly deadlineDays: number;
  /** Where the run's prediction rows are read (the bucket, or a local copy). */
  readonly source: ResultStore;
  /** Only print the sample: write nothing, start nothing. */
  readonly dryRun?: boolean;
  readonly deployment?: ReviewDeployment;
  readonly s3?: S3Client;
  readonly sfn?: SFNClient;
  readonly out: NodeJS.WritableStream;
  readonly now?: Date;
  readonly random?: () => number;
}

/** Result of a start (ids and counts). */
export interface ReviewStartResult {
  readonly reviewId: string;
  readonly description: ReviewDescription;
  readonly executionArn?: string;
}

/** Draws, writes and starts the review. @throws CliError on bad options, a run without usable rows, or AWS failures. */
export async function runReviewStart(args: ReviewStartArgs): Promise<ReviewStartResult> {
  const now = args.now ?? new Date();
  const random = args.random ?? Math.random;
  if (!Number.isInteger(args.perDataset) || args.perDataset < 1 || args.perDataset > 1000)
    throw new CliError(`--per-dataset ${args.perDataset}: must be a whole number from 1 to 1000`);
  let teams;
  try {
    teams = reviewTeams('evaluation', args.readers);
  } catch (error) {
    throw new CliError(`--readers: ${(error as Error).message}`);
  }
  const seed = args.seed ?? Math.floor(random() * 0x100000000);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new CliError(`--seed ${seed}: must be a whole number from 0 to 4294967295`);
  const deadline = reviewDeadline(now, args.deadlineDays);
  const results = await loadRunResults(args.source, args.runId);
  const reviewId = newReviewId('evaluation', now, random());
  let sampling;
  try {
    sampling = sampleReviewItems(results.rows, { reviewId, runId: args.runId, perDataset: args.perDataset, seed });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const description: ReviewDescription = {
    reviewId,
    kind: 'evaluation',
    runId: args.runId,
    createdAt: now.toISOString(),
    deadline: deadline.toISOString(),
    teams,
    items: sampling.items.length,
    loops: sampling.items.length * teams.length,
    selection: { method: 'stratified', seed, perDataset: args.perDataset, shares: sampling.shares, datasets: sampling.datasets },
  };
  const w = (line: string) => args.out.write(`${line}\n`);
  w(
    `Review ${reviewId} of run ${args.runId}: ${description.items} items × ${teams.length} reader${teams.length === 1 ? '' : 's'} = ${description.loops} human loops, deadline ${description.deadline}`,
  );
  for (const line of describeSampling(sampling)) w(line);
  w('Each item shows two of {pretrained, fine-tuned, reference} as A and B, in an order drawn per item; readers never see which is which.');
  if (args.dryRun === true) {
    w(`Dry run: nothing written, nothing started. Rerun with --seed ${seed} to draw this sample.`);
    return { reviewId, description };
  }
  if (args.deployment === undefined || args.s3 === undefined || args.sfn === undefined) throw new CliError('the review deployment is needed to start a review');
  await writeReview(args.s3, args.deployment.bucket, description, sampling.items);
  const executionArn = await startReviewExecution(args.sfn, args.deployment.stateMachineArn, description);
  w(`Items and their hidden assignment: s3://${args.deployment.bucket}/${reviewItemsKey(reviewId)}`);
  w(`Review state machine started: ${executionArn}`);
  w(`Readers (${teams.join(', ')}) work at ${args.deployment.portalUrl}; progress: npx impressions review status ${reviewId}`);
  return { reviewId, description, executionArn };
}
