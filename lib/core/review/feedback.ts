/**
 * Training pairs from feedback reviews (`impressions prepare --feedback <review ids…>`): the drafts
 * a radiologist accepted, and the corrections of those they corrected, as findings → impression
 * pairs for the training channel; rejected drafts and loops without an answer add nothing. A pair
 * whose study or findings text is in a dev set is refused (./dev-set-guard.ts); a study answered
 * in several of the given reviews keeps its latest answer.
 */
import type { ReviewRow } from '../run/contracts';
import type { DevSetGuard } from './dev-set-guard';

/** One training pair and where it comes from. */
export interface FeedbackPair {
  readonly review_id: string;
  readonly study_id: string;
  readonly findings: string;
  readonly impression: string;
  readonly decision: 'accepted' | 'corrected';
}

/** What one review gave. */
export interface FeedbackReviewCount {
  readonly reviewId: string;
  readonly runId: string;
  readonly answered: number;
  readonly accepted: number;
  readonly corrected: number;
  readonly rejected: number;
  /** Loops without a usable answer (invalid, failed, stopped). */
  readonly unanswered: number;
}

/** The `feedback` section of prepare-report.json. */
export interface FeedbackReport {
  readonly reviews: readonly FeedbackReviewCount[];
  /** Pairs added to the training channel. */
  readonly added: number;
  readonly accepted: number;
  readonly corrected: number;
  /** Pairs refused, with why (ids only). */
  readonly refused: readonly { readonly review_id: string; readonly study_id: string; readonly reason: string }[];
  /** Studies answered in more than one review: the latest answer was kept. */
  readonly superseded: readonly { readonly review_id: string; readonly study_id: string }[];
}

/**
 * The pairs of the given reviews' rows (feedback rows only; `reviewIds` in the caller's order).
 * @throws Error when a review id has no rows, or is not a feedback review.
 */
export function feedbackPairs(rows: readonly ReviewRow[], reviewIds: readonly string[], guard: DevSetGuard): { pairs: FeedbackPair[]; report: FeedbackReport } {
  const counts: FeedbackReviewCount[] = [];
  const latest = new Map<string, { row: ReviewRow; at: string }>();
  const superseded: { review_id: string; study_id: string }[] = [];
  for (const reviewId of reviewIds) {
    const own = rows.filter((r) => r.review_id === reviewId);
    if (own.length === 0) throw new Error(`review ${reviewId}: no rows found (has it finished?)`);
    if (own.some((r) => r.kind !== 'feedback')) throw new Error(`review ${reviewId} is an evaluation review: its dev-set reports never become training data`);
    const answered = own.filter((r) => r.status === 'answered');
    counts.push({
      reviewId,
      runId: own[0].run_id,
      answered: answered.length,
      accepted: answered.filter((r) => r.decision === 'accepted').length,
      corrected: answered.filter((r) => r.decision === 'corrected').length,
      rejected: answered.filter((r) => r.decision === 'rejected').length,
      unanswered: new Set(own.filter((r) => r.status !== 'answered').map((r) => r.loop_name)).size,
    });
    for (const row of answered) {
      if (row.decision !== 'accepted' && row.decision !== 'corrected') continue;
      const at = row.submitted_at ?? row.created_at;
      const previous = latest.get(row.study_id);
      if (previous !== undefined) {
        const keepNew = at >= previous.at;
        superseded.push({ review_id: keepNew ? previous.row.review_id : row.review_id, study_id: row.study_id });
        if (!keepNew) continue;
      }
      latest.set(row.study_id, { row, at });
    }
  }
  const pairs: FeedbackPair[] = [];
  const refused: { review_id: string; study_id: string; reason: string }[] = [];
  for (const { row } of latest.values()) {
    const impression = row.decision === 'corrected' ? row.corrected_impression : row.impression;
    if (impression === null || impression.trim() === '') {
      refused.push({ review_id: row.review_id, study_id: row.study_id, reason: 'no impression text' });
      continue;
    }
    const conflict = guard.conflict(row);
    if (conflict !== undefined) {
      refused.push({ review_id: row.review_id, study_id: row.study_id, reason: conflict });
      continue;
    }
    pairs.push({ review_id: row.review_id, study_id: row.study_id, findings: row.findings, impression, decision: row.decision as 'accepted' | 'corrected' });
  }
  return {
    pairs,
    report: {
      reviews: counts,
      added: pairs.length,
      accepted: pairs.filter((p) => p.decision === 'accepted').length,
      corrected: pairs.filter((p) => p.decision === 'corrected').length,
      refused,
      superseded,
    },
  };
}
