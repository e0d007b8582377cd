/**
 * `impressions review status <review id>`: the review's execution and what became of its loops so
 * far (from the rows written), with the deadline. Counts and ids only.
 */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseReviewDescription } from '../../core/review/items';
import { reviewDescriptionKey, reviewRowsPrefix } from '../../core/review/keys';
import type { ReviewRow } from '../../core/run/contracts';
import { CliError } from '../errors';
import type { ResultStore } from '../run-results';
import { reviewExecutionArn } from './deployment';

/** Prints the status of `reviewId`; returns the loop counts. */
export async function runReviewStatus(args: {
  reviewId: string;
  store: ResultStore;
  sfn?: SFNClient;
  stateMachineArn?: string;
  out: NodeJS.WritableStream;
  now?: Date;
}): Promise<Record<string, number>> {
  const key = reviewDescriptionKey(args.reviewId);
  const text = await args.store.read(key);
  if (text === undefined) throw new CliError(`review ${args.reviewId}: ${args.store.description}/${key} not found`);
  const d = parseReviewDescription(text, `${args.store.description}/${key}`);
  const prefix = reviewRowsPrefix(d.runId, d.reviewId);
  const keys = (await args.store.list(prefix)).filter((k) => k.endsWith('.jsonl'));
  const counts: Record<string, number> = { answered: 0, invalid: 0, failed: 0, stopped: 0 };
  for (const k of keys) {
    const first = ((await args.store.read(k)) ?? '').split('\n')[0];
    const status = (JSON.parse(first) as ReviewRow).status;
    counts[status] = (counts[status] ?? 0) + 1;
  }
  const open = d.loops - keys.length;
  const now = args.now ?? new Date();
  const w = (line: string) => args.out.write(`${line}\n`);
  w(
    `Review ${d.reviewId} (${d.kind}) of run ${d.runId}: ${d.items} items, teams ${d.teams.join(', ')}, deadline ${d.deadline}${Date.parse(d.deadline) < now.getTime() ? ' (passed)' : ''}`,
  );
  w(
    `Loops: ${d.loops}; answered ${counts.answered}, unreadable output ${counts.invalid}, failed ${counts.failed}, stopped ${counts.stopped}, still open ${open}`,
  );
  if (args.sfn !== undefined && args.stateMachineArn !== undefined) {
    try {
      const e = await args.sfn.send(new DescribeExecutionCommand({ executionArn: reviewExecutionArn(args.stateMachineArn, d.reviewId) }));
      w(`State machine: ${e.status}${e.stopDate !== undefined ? ` at ${e.stopDate.toISOString()}` : ''}${e.error !== undefined ? ` (${e.error})` : ''}`);
    } catch (error) {
      w(`State machine: ${(error as Error).name === 'ExecutionDoesNotExist' ? 'no execution (never started?)' : (error as Error).name}`);
    }
  }
  return { ...counts, open, loops: d.loops };
}
