/**
 * Rows of a hand-made review and its figures, each computed by hand in the comments.
 * Item 0: A fine-tuned (ROUGE-Lsum 0.6), B pretrained (0.2); item 1: A pretrained (0.1), B fine-tuned (0.5).
 * Readers 1 and 2 answer both items; item 2 (reference vs fine-tuned) failed for reader 1.
 */
import type { EvaluationAnswer, ReaderAnswer } from '../../../../lib/core/review/answers';
import type { ReviewImpression, ReviewItem } from '../../../../lib/core/review/items';
import { loopName, type ReviewTeam } from '../../../../lib/core/review/keys';
import { loopRows } from '../../../../lib/core/review/rows';
import { harmFlags, reviewSummaryRows } from '../../../../lib/core/review/summary';
import type { ReviewRow, ReviewSource } from '../../../../lib/core/run/contracts';

const REVIEW = 'ev-20260102-090000-00aa';
const AT = new Date('2026-01-05T00:00:00Z');

function imp(position: 'A' | 'B', source: ReviewSource, rougelsum: number | null, label: number | null): ReviewImpression {
  return { position, source, text: `${source} text`, rougelsum, label_match: label };
}

function item(index: number, a: ReviewImpression, b: ReviewImpression): ReviewItem {
  return {
    review_id: REVIEW,
    kind: 'evaluation',
    index,
    run_id: 'run-1',
    dataset: 'dev1',
    study_id: `s${index}`,
    stratum: 'random-audit',
    findings: 'f',
    background: '',
    impressions: [a, b],
  };
}

const ITEMS = [
  item(0, imp('A', 'fine-tuned', 0.6, 1), imp('B', 'pretrained', 0.2, 0.5)),
  item(1, imp('A', 'pretrained', 0.1, 0.75), imp('B', 'fine-tuned', 0.5, 0.25)),
  item(2, imp('A', 'reference', null, null), imp('B', 'fine-tuned', 0.3, 0.9)),
];

function answer(correct: [number, number], preference: EvaluationAnswer['preference'], harmB = 0): ReaderAnswer {
  const side = (c: number, harm: number) => ({
    correct: c,
    complete: 3,
    concise: 4,
    harm: harm as 0 | 1,
    harmReason: harm === 1 ? 'could delay treatment' : null,
  });
  return {
    workerId: 'w',
    submittedAt: '2026-01-04T00:00:00.000Z',
    answer: { kind: 'evaluation', ratings: { A: side(correct[0], 0), B: side(correct[1], harmB) }, preference, corrected: null },
  };
}

function rows(): ReviewRow[] {
  const answered = (i: number, team: ReviewTeam, a: ReaderAnswer) =>
    loopRows(ITEMS[i], team, loopName(REVIEW, i, team), { status: 'answered', answers: [a], outputKey: `k/${i}/${team}` }, AT);
  return [
    ...answered(0, 'reader-1', answer([5, 2], 'A')),
    ...answered(0, 'reader-2', answer([4, 3], 'A')),
    ...answered(1, 'reader-1', answer([3, 4], 'B', 1)),
    ...answered(1, 'reader-2', answer([4, 4], 'equal')),
    ...loopRows(ITEMS[2], 'reader-1', loopName(REVIEW, 2, 'reader-1'), { status: 'failed', error: 'A2I human loop Failed (TaskExpired)' }, AT),
  ];
}

const figure = (all: ReturnType<typeof reviewSummaryRows>, metric: string, model: string, comparator: string | null = null) => {
  const f = all.find((r) => r.metric === metric && r.model === model && r.comparator === comparator && r.dataset === 'all');
  if (f === undefined) throw new Error(`no ${metric} ${model} ${comparator}`);
  return f;
};

describe('review rows', () => {
  it('gives two rows per answer and keeps a failed loop as rows with its error', () => {
    const all = rows();
    expect(all).toHaveLength(10);
    const r = all[0];
    expect(r).toMatchObject({
      item_id: '0000',
      reader: 'reader-1',
      position: 'A',
      source: 'fine-tuned',
      paired_with: 'pretrained',
      correct: 5,
      preference: 'A',
      outcome: 'preferred',
      status: 'answered',
    });
    expect(all[1]).toMatchObject({ position: 'B', source: 'pretrained', outcome: 'not-preferred' });
    expect(all[7]).toMatchObject({ source: 'fine-tuned', preference: 'equal', outcome: 'equal' });
    expect(all[8]).toMatchObject({
      status: 'failed',
      error: 'A2I human loop Failed (TaskExpired)',
      correct: null,
      outcome: null,
      worker_id: null,
      output_key: null,
    });
  });
});

describe('reviewSummaryRows', () => {
  const summary = reviewSummaryRows('run-1', REVIEW, rows());

  it('counts loops by what became of them', () => {
    expect(['loops_total', 'loops_answered', 'loops_failed', 'loops_stopped', 'loops_invalid'].map((m) => figure(summary, m, 'all').value)).toEqual([
      5, 4, 1, 0, 0,
    ]);
  });

  it('gives preference shares per pair with an interval over items', () => {
    // 4 judgements of fine-tuned vs pretrained: fine-tuned preferred in 3, equal in 1.
    expect(figure(summary, 'preferred', 'fine-tuned', 'pretrained')).toMatchObject({ value: 0.75, count: 4 });
    expect(figure(summary, 'preferred', 'pretrained', 'fine-tuned')).toMatchObject({ value: 0, count: 4 });
    const equal = figure(summary, 'equal', 'fine-tuned', 'pretrained');
    expect(equal.value).toBe(0.25);
    // Resampling 2 items: {0,0} gives 0 ties, {1,1} 0.5, mixed 0.25.
    expect(equal.ci_low).toBe(0);
    expect(equal.ci_high).toBe(0.5);
  });

  it('gives mean ratings and harm rates per model', () => {
    // Fine-tuned correct: 5, 4 (item 0 A) and 4, 4 (item 1 B) → 4.25; pretrained: 2, 3, 3, 4 → 3.
    expect(figure(summary, 'rating_correct', 'fine-tuned')).toMatchObject({ value: 4.25, count: 4 });
    expect(figure(summary, 'rating_correct', 'pretrained')).toMatchObject({ value: 3, count: 4 });
    expect(figure(summary, 'rating_concise', 'pretrained').value).toBe(4);
    // Reader 1 flagged item 1 B (fine-tuned): 1 of 4.
    expect(figure(summary, 'harm_rate', 'fine-tuned').value).toBe(0.25);
    expect(figure(summary, 'harm_rate', 'pretrained').value).toBe(0);
    expect(harmFlags(rows()).map((r) => [r.item_id, r.reader, r.source, r.harm_reason])).toEqual([['0001', 'reader-1', 'fine-tuned', 'could delay treatment']]);
  });

  it("gives Krippendorff's alpha between the readers", () => {
    // Preference per item: (A, A), (B, equal): o_AA = 2, o_B,eq = o_eq,B = 1; n_A = 2, n_B = n_eq = 1, n = 4.
    // α = 1 − 3·2 / 2(2·1 + 2·1 + 1·1) = 1 − 6/10.
    expect(figure(summary, 'alpha_preference', 'all')).toMatchObject({ value: 0.4, count: 2 });
    // Correct per impression: (5,4) (2,3) (3,4) (4,4): n2 = 1, n3 = 2, n4 = 4, n5 = 1, n = 8.
    // Ordinal δ²: 23 2.25, 34 9, 45 6.25, 24 20.25, 35 30.25, 25 49; observed 2(2.25 + 9 + 6.25) = 35;
    // expected 2(2·2.25 + 4·20.25 + 1·49 + 8·9 + 2·30.25 + 4·6.25) = 584; α = 1 − 7·35/584.
    expect(figure(summary, 'alpha_correct', 'all').value).toBeCloseTo(1 - 245 / 584, 12);
    expect(figure(summary, 'alpha_correct', 'all').count).toBe(4);
    // Every reader rated "complete" 3: no variation, alpha undefined.
    expect(figure(summary, 'alpha_complete', 'all').value).toBeNull();
  });

  it('correlates the run scores with the readers by rank', () => {
    // Generated impressions: ROUGE 0.6, 0.2, 0.1, 0.5 against mean correct 4.5, 2.5, 3.5, 4.
    // Ranks 4,2,1,3 and 4,1,2,3: Σd² = 2 → ρ = 1 − 6·2/(4·15) = 0.8.
    expect(figure(summary, 'spearman_rouge_correct', 'generated')).toMatchObject({ value: 0.8, count: 4 });
    // Label match 1, 0.5, 0.75, 0.25 → ranks 4,2,3,1 against 4,1,2,3: Σd² = 1 + 1 + 4 = 6 → ρ = 1 − 36/60 = 0.4.
    expect(figure(summary, 'spearman_labels_correct', 'generated').value).toBeCloseTo(0.4, 12);
  });

  it('states every figure for its review, with intervals only where they mean something', () => {
    for (const r of summary) expect(r).toMatchObject({ run_id: 'run-1', review_id: REVIEW, dataset: 'all' });
    expect(figure(summary, 'loops_total', 'all')).toMatchObject({ ci_low: null, ci_high: null });
    const ft = figure(summary, 'rating_correct', 'fine-tuned');
    expect(ft.ci_low!).toBeLessThanOrEqual(4.25);
    expect(ft.ci_high!).toBeGreaterThanOrEqual(4.25);
    expect(reviewSummaryRows('run-1', REVIEW, rows())).toEqual(summary);
  });
});
