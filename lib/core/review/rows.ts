/**
 * The rows of one human loop (README "Radiologist review"): one per impression and answer, or, when
 * the loop gave no usable answer, one per impression with its status and error. A loop's rows are
 * always written whole at one key, so a repeated event rewrites them and never duplicates them.
 */
import type { ReviewRow, ReviewStatus } from '../run/contracts';
import type { ReaderAnswer } from './answers';
import type { ReviewImpression, ReviewItem } from './items';
import { itemId, type ReviewTeam } from './keys';

/** What became of a loop. */
export type LoopOutcome =
  | { readonly status: 'answered'; readonly answers: readonly ReaderAnswer[]; readonly outputKey: string }
  | { readonly status: 'invalid'; readonly error: string; readonly outputKey: string }
  | { readonly status: 'failed' | 'stopped'; readonly error: string };

function base(item: ReviewItem, team: ReviewTeam, loop: string, imp: ReviewImpression, createdAt: string) {
  const other = item.impressions.find((x) => x !== imp);
  return {
    run_id: item.run_id,
    review_id: item.review_id,
    kind: item.kind,
    item_id: itemId(item.index),
    loop_name: loop,
    dataset: item.dataset,
    study_id: item.study_id,
    stratum: item.stratum,
    reader: team,
    position: imp.position,
    source: imp.source,
    paired_with: other?.source ?? null,
    findings: item.findings,
    impression: imp.text,
    rougelsum: imp.rougelsum,
    label_match: imp.label_match,
    created_at: createdAt,
  };
}

const EMPTY = {
  worker_id: null,
  correct: null,
  complete: null,
  concise: null,
  harm: null,
  harm_reason: null,
  preference: null,
  outcome: null,
  decision: null,
  corrected_impression: null,
  submitted_at: null,
} as const;

/** The rows of `loop` (item `item`, team `team`) for `outcome`. */
export function loopRows(item: ReviewItem, team: ReviewTeam, loop: string, outcome: LoopOutcome, createdAt: Date): ReviewRow[] {
  const at = createdAt.toISOString();
  if (outcome.status !== 'answered') {
    const status: ReviewStatus = outcome.status;
    return item.impressions.map((imp) => ({
      ...base(item, team, loop, imp, at),
      ...EMPTY,
      status,
      error: outcome.error,
      output_key: 'outputKey' in outcome ? outcome.outputKey : null,
    }));
  }
  const rows: ReviewRow[] = [];
  for (const a of outcome.answers) {
    for (const imp of item.impressions) {
      const common = {
        ...base(item, team, loop, imp, at),
        worker_id: a.workerId,
        submitted_at: a.submittedAt,
        status: 'answered' as const,
        error: null,
        output_key: outcome.outputKey,
      };
      if (a.answer.kind === 'evaluation') {
        const position = imp.position as 'A' | 'B';
        const r = a.answer.ratings[position];
        const preference = a.answer.preference;
        rows.push({
          ...common,
          correct: r.correct,
          complete: r.complete,
          concise: r.concise,
          harm: r.harm,
          harm_reason: r.harmReason,
          preference,
          outcome: preference === 'equal' ? 'equal' : preference === position ? 'preferred' : 'not-preferred',
          decision: null,
          corrected_impression: a.answer.corrected,
        });
      } else {
        rows.push({
          ...common,
          correct: null,
          complete: null,
          concise: null,
          harm: null,
          harm_reason: null,
          preference: null,
          outcome: null,
          decision: a.answer.decision,
          corrected_impression: a.answer.corrected,
        });
      }
    }
  }
  return rows;
}
