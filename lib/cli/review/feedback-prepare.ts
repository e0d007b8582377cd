/**
 * `impressions prepare … --feedback <review ids…>`: the accepted and corrected drafts of feedback
 * reviews become training pairs appended to `train.jsonl` (same prompt template as every other
 * line), refused when their study or findings text is in the dev sets written by the same prepare
 * run, and recorded (how many, from which reviews, what was refused) in `prepare-report.json`.
 * prepare.ts calls {@link appendFeedbackPairs} once its files are in the temporary folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { DevSetGuard, type GuardedRecord } from '../../core/review/dev-set-guard';
import { feedbackPairs, type FeedbackReport } from '../../core/review/feedback';
import { trainLineFormatter } from '../../core/mimic/train-line';
import { awsClients } from '../aws';
import { CliError } from '../errors';
import { loadProject } from '../project';
import { localStore, s3Store, type ResultStore } from '../run-results';
import { requireStackOutput } from '../stack-outputs';
import { loadReviewRows } from './review-rows';

/** Which reviews to take pairs from, and where their rows are. */
export interface FeedbackSource {
  readonly reviewIds: readonly string[];
  readonly store: ResultStore;
}

/** Adds `--feedback` and `--feedback-from` to the prepare command. */
export function addFeedbackOptions(command: Command): Command {
  return command
    .option('--feedback <review-ids...>', 'feedback reviews whose accepted and corrected drafts join train.jsonl (needs --mimic-zip and --indiana)')
    .option('--feedback-from <dir>', 'read the review rows from a local folder with the bucket layout (default: the data bucket)');
}

/** The feedback source of prepare's options, or undefined without `--feedback`. */
export async function feedbackSourceFrom(opts: { feedback?: string[]; feedbackFrom?: string }): Promise<FeedbackSource | undefined> {
  if (opts.feedback === undefined) return undefined;
  if (opts.feedbackFrom !== undefined) return { reviewIds: opts.feedback, store: localStore(opts.feedbackFrom) };
  // prepare has loaded the project (and named its configuration) to choose the template already.
  const { config } = loadProject({ log: () => undefined });
  const aws = awsClients();
  const bucket = await requireStackOutput(aws.cloudFormation, stackNames(config.resourcePrefix).data, STACK_OUTPUTS.dataBucketName);
  return { reviewIds: opts.feedback, store: s3Store(aws.s3, bucket) };
}

function readDevSet(file: string): GuardedRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GuardedRecord);
}

/**
 * Appends the pairs to `<dir>/train.jsonl` and returns the report section and the file's new size.
 * @throws CliError when a dev set is missing from `dir`, a review has no rows or is an evaluation
 * review, or no pair is left to add.
 */
export async function appendFeedbackPairs(source: FeedbackSource, dir: string, template: string): Promise<{ report: FeedbackReport; trainBytes: number }> {
  const dev = ['dev1', 'dev2'].map((name) => path.join(dir, `${name}.jsonl`));
  const train = path.join(dir, 'train.jsonl');
  if (!dev.every((f) => fs.existsSync(f)) || !fs.existsSync(train)) {
    throw new CliError('--feedback: give --mimic-zip and --indiana too, so train.jsonl is written and both dev sets are known (their reports are refused)');
  }
  const guard = new DevSetGuard({ dev1: readDevSet(dev[0]), dev2: readDevSet(dev[1]) });
  const rows = await loadReviewRows(source.store, { reviewIds: source.reviewIds });
  let result;
  try {
    result = feedbackPairs(rows, source.reviewIds, guard);
  } catch (error) {
    throw new CliError(`--feedback: ${(error as Error).message}`);
  }
  const { pairs, report } = result;
  if (pairs.length === 0) {
    throw new CliError(
      `--feedback: no accepted or corrected draft to add (${report.refused.length} refused as dev-set reports, ${report.reviews.reduce((s, r) => s + r.rejected, 0)} rejected)`,
    );
  }
  const line = trainLineFormatter(template);
  fs.appendFileSync(train, pairs.map((p) => `${line(p.findings, JSON.stringify(p.findings), JSON.stringify(p.impression))}\n`).join(''));
  return { report, trainBytes: fs.statSync(train).size };
}
