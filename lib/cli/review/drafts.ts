/**
 * `impressions review drafts --input findings.jsonl --run <id>`: new reports from the department
 * get a draft impression from the deployed fine-tuned model (a kept endpoint) and go to the
 * feedback team, who accept, correct or reject each. Reports of a dev set (by study id or by
 * findings text) are refused here already: feedback becomes training data.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { mapPool } from '../../core/evaluation/pool';
import type { InvokeFn } from '../../core/evaluation/evaluate-shard';
import type { GenerationSettings } from '../../core/evaluation/payload';
import { DEFAULT_RETRY_POLICY, type Sleep } from '../../core/evaluation/retry';
import { DevSetGuard, type GuardedRecord } from '../../core/review/dev-set-guard';
import { draftImpression, NewReportsError, parseNewReports, type NewReport } from '../../core/review/drafts';
import type { ReviewDescription, ReviewItem } from '../../core/review/items';
import { newReviewId, reviewItemsKey } from '../../core/review/keys';
import type { PayloadContract } from '../../core/run/contracts';
import { CliError, EXIT } from '../errors';
import { startProgress } from '../progress';
import { reviewDeadline, startReviewExecution, writeReview, type ReviewDeployment } from './deployment';

/** Most reports of one feedback review. */
export const MAX_DRAFTS = 5000;

/** Where the dev sets are read for the guard. */
export interface DevSetSource {
  readonly description: string;
  /** The text of each dev set by name, undefined when absent. */
  read(name: 'dev1' | 'dev2'): Promise<string | undefined>;
}

/** The dev sets' study ids and findings (lines that cannot be read give their study id when they have one). */
export async function loadDevSetGuard(source: DevSetSource): Promise<DevSetGuard> {
  const sets: Record<string, GuardedRecord[]> = {};
  for (const name of ['dev1', 'dev2'] as const) {
    const text = await source.read(name);
    if (text === undefined) throw new CliError(`${source.description}: ${name} not found; the dev sets are needed to keep their reports out of training`);
    sets[name] = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((line) => {
        try {
          const o = JSON.parse(line) as { study_id?: unknown; findings?: unknown };
          return typeof o.study_id === 'string' ? [{ study_id: o.study_id, findings: typeof o.findings === 'string' ? o.findings : '' }] : [];
        } catch {
          return [];
        }
      });
    if (sets[name].length === 0) throw new CliError(`${source.description}: ${name} holds no record`);
  }
  return new DevSetGuard(sets);
}

/** Arguments of {@link runReviewDrafts}. */
export interface ReviewDraftsArgs {
  readonly input: string;
  readonly runId: string;
  readonly endpointName: string;
  readonly contract: PayloadContract;
  readonly promptTemplate: string;
  readonly generation: GenerationSettings;
  readonly deadlineDays: number;
  readonly dataset: string;
  readonly devSets: DevSetSource;
  readonly invoke: InvokeFn;
  readonly dryRun?: boolean;
  readonly deployment?: ReviewDeployment;
  readonly s3?: S3Client;
  readonly sfn?: SFNClient;
  readonly out: NodeJS.WritableStream;
  readonly sleep?: Sleep;
  readonly now?: Date;
  readonly random?: () => number;
  readonly progress?: boolean;
}

/** Checks, drafts, writes and starts a feedback review. */
export async function runReviewDrafts(args: ReviewDraftsArgs): Promise<{ reviewId: string; description: ReviewDescription; items: ReviewItem[] }> {
  const w = (line: string) => args.out.write(`${line}\n`);
  const now = args.now ?? new Date();
  const deadline = reviewDeadline(now, args.deadlineDays);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(args.dataset)) throw new CliError(`--dataset ${args.dataset}: lower-case letters, digits, '_' and '-'`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.input);
  } catch (error) {
    throw new CliError(`${args.input}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let reports: NewReport[];
  try {
    reports = parseNewReports(bytes.toString('utf8'), args.input);
  } catch (error) {
    if (error instanceof NewReportsError) throw new CliError(`${args.input}: ${error.problems.length} problem(s):\n  ${error.problems.join('\n  ')}`);
    throw error;
  }
  // Loop names number items with four digits.
  if (reports.length > MAX_DRAFTS)
    throw new CliError(`${args.input}: ${reports.length} reports; a feedback review takes at most ${MAX_DRAFTS} (split the file)`);
  const guard = await loadDevSetGuard(args.devSets);
  const refused = reports.flatMap((r) => {
    const reason = guard.conflict(r);
    return reason === undefined ? [] : [{ study_id: r.study_id, reason }];
  });
  const eligible = reports.filter((r) => guard.conflict(r) === undefined);
  w(`${args.input}: ${reports.length} reports; ${refused.length} refused (dev-set study or findings text), ${eligible.length} to draft`);
  for (const r of refused.slice(0, 20)) w(`  refused study ${r.study_id}: ${r.reason}`);
  if (refused.length > 20) w(`  … and ${refused.length - 20} more (all listed in the review description)`);
  if (eligible.length === 0) throw new CliError(`${args.input}: every report is in a dev set; nothing to review`);
  if (args.dryRun === true) {
    w('Dry run: no draft written, nothing started.');
    const reviewId = newReviewId('feedback', now, (args.random ?? Math.random)());
    return { reviewId, description: describe(reviewId, args, now, deadline, 0, bytes, refused, []), items: [] };
  }
  const progress = startProgress('Drafting', eligible.length, 'reports', args.progress);
  let done = 0;
  const outcomes = await mapPool(eligible, 2, async (report) => {
    const outcome = await draftImpression(report, {
      invoke: args.invoke,
      endpointName: args.endpointName,
      contract: args.contract,
      promptTemplate: args.promptTemplate,
      generation: args.generation,
      retry: DEFAULT_RETRY_POLICY,
      sleep: args.sleep,
    });
    done += 1;
    progress.update(done);
    return outcome;
  });
  progress.stop();
  const failed = eligible.flatMap((r, i) => (outcomes[i].ok ? [] : [{ study_id: r.study_id, error: (outcomes[i] as { error: string }).error }]));
  for (const f of failed.slice(0, 20)) w(`  no draft for study ${f.study_id}: ${f.error}`);
  const reviewId = newReviewId('feedback', now, (args.random ?? Math.random)());
  const items: ReviewItem[] = [];
  eligible.forEach((r, i) => {
    const o = outcomes[i];
    if (!o.ok) return;
    items.push({
      review_id: reviewId,
      kind: 'feedback',
      index: items.length,
      run_id: args.runId,
      dataset: args.dataset,
      study_id: r.study_id,
      stratum: null,
      findings: r.findings,
      background: r.background,
      impressions: [{ position: null, source: 'draft', text: o.text, rougelsum: null, label_match: null }],
    });
  });
  if (items.length === 0) throw new CliError(`endpoint ${args.endpointName}: no draft could be written (${failed.length} failures, listed above)`, EXIT.failed);
  const description = describe(reviewId, args, now, deadline, items.length, bytes, refused, failed);
  w(`Review ${reviewId}: ${items.length} drafts for the feedback team (${failed.length} reports without a draft), deadline ${description.deadline}`);
  if (args.deployment === undefined || args.s3 === undefined || args.sfn === undefined) throw new CliError('the review deployment is needed to start a review');
  await writeReview(args.s3, args.deployment.bucket, description, items);
  const executionArn = await startReviewExecution(args.sfn, args.deployment.stateMachineArn, description);
  w(`Items: s3://${args.deployment.bucket}/${reviewItemsKey(reviewId)}`);
  w(`Review state machine started: ${executionArn}`);
  w(`The feedback team works at ${args.deployment.portalUrl}; afterwards: npx impressions prepare … --feedback ${reviewId}`);
  return { reviewId, description, items };
}

function describe(
  reviewId: string,
  args: ReviewDraftsArgs,
  now: Date,
  deadline: Date,
  items: number,
  bytes: Buffer,
  refused: readonly { study_id: string; reason: string }[],
  failed: readonly { study_id: string; error: string }[],
): ReviewDescription {
  return {
    reviewId,
    kind: 'feedback',
    runId: args.runId,
    createdAt: now.toISOString(),
    deadline: deadline.toISOString(),
    teams: ['feedback'],
    items: Math.max(items, 1),
    loops: Math.max(items, 1),
    selection: {
      method: 'drafts',
      input: { file: args.input, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      endpoint: args.endpointName,
      contract: args.contract,
      devSets: args.devSets.description,
      refused,
      failed,
    },
  };
}
