import { buildRunSummary, pairedAgreementComparisons, summaryRows } from '../../../../lib/core/evaluation/aggregate';
import { agreementSummaryRows, storedLabelPair } from '../../../../lib/core/evaluation/agreement-summary';
import { estimateCost } from '../../../../lib/core/evaluation/cost';
import { agreement } from '../../../../lib/core/labels/agreement';
import type { PredictionRow } from '../../../../lib/core/run/contracts';

function row(model: PredictionRow['model'], study: string, generated: string | null, reference: string | null, error: string | null = null): PredictionRow {
  const f = error === null ? 0.5 : null;
  return {
    run_id: 'r',
    dataset: 'dev1',
    data_source: 'x',
    model,
    model_version: '',
    study_id: study,
    findings: '',
    background: '',
    reference: '',
    generated: error === null ? 'g' : null,
    rouge1: f,
    rouge2: f,
    rougel: f,
    rougelsum: f,
    rouge1_precision: f,
    rouge1_recall: f,
    rouge2_precision: f,
    rouge2_recall: f,
    rougel_precision: f,
    rougel_recall: f,
    rougelsum_precision: f,
    rougelsum_recall: f,
    latency_ms: null,
    generated_labels: generated,
    reference_labels: reference,
    error,
    created_at: '2025-01-01T00:00:00.000Z',
  };
}

// Fine-tuned: s1 TP cardiomegaly; s2 FP edema + FN pleural effusion; s3 TP no finding; s4 failed (not counted).
const fineTuned = [
  row('fine-tuned', 's1', '{"cardiomegaly":1}', '{"cardiomegaly":1}'),
  row('fine-tuned', 's2', '{"edema":1}', '{"pleural_effusion":-1}'),
  row('fine-tuned', 's3', '{"no_finding":1}', '{"no_finding":1}'),
  row('fine-tuned', 's4', null, '{"cardiomegaly":0}', 'HTTP 500'),
];
// Pretrained: s1 FN cardiomegaly; s2 TP pleural effusion; s3 TP no finding; s4 scored but unpaired (fine-tuned failed).
const pretrained = [
  row('pretrained', 's1', '{}', '{"cardiomegaly":1}'),
  row('pretrained', 's2', '{"pleural_effusion":1}', '{"pleural_effusion":-1}'),
  row('pretrained', 's3', '{"no_finding":1}', '{"no_finding":1}'),
  row('pretrained', 's4', '{"edema":1}', '{"cardiomegaly":0}'),
];

describe('agreement summary rows', () => {
  const rows = agreementSummaryRows('r', 'dev1', 'fine-tuned', fineTuned, 0);
  it('match the hand-computed figures over the labelled rows, errors counted apart', () => {
    expect(rows.map((r) => r.metric)).toEqual(['chexpert_micro_f1_13', 'chexpert_macro_f1_14', 'chexpert_micro_f1_14']);
    const [micro13, macro14, micro14] = rows;
    // 13 without No Finding: TP 1, FP 1, FN 1 → 2/4. 14: TP 2 → 4/6. Macro: cardiomegaly and no finding F1 1, the rest 0 → 2/14.
    expect(micro13).toMatchObject({ run_id: 'r', dataset: 'dev1', model: 'fine-tuned', count: 3, errors: 1, mean: 0.5 });
    expect(macro14.mean).toBeCloseTo(2 / 14, 15);
    expect(micro14.mean).toBeCloseTo(4 / 6, 15);
    for (const r of rows) {
      expect(r).toMatchObject({ std: null, min: null, p25: null, p50: null, p75: null, max: null });
      expect(r.ci_low!).toBeLessThanOrEqual(r.mean!);
      expect(r.ci_high!).toBeGreaterThanOrEqual(r.mean!);
    }
    // The interval is the labeler's bootstrap with the run's seed.
    const direct = agreement(
      fineTuned.slice(0, 3).map((r) => storedLabelPair(r)!),
      { seed: 0 },
    );
    expect([micro13.ci_low, micro13.ci_high]).toEqual([direct.intervals.microF1Of13.low, direct.intervals.microF1Of13.high]);
  });
  it('are absent for rows written before labelling, and null-valued when every labelled row failed', () => {
    expect(agreementSummaryRows('r', 'dev1', 'fine-tuned', [row('fine-tuned', 's1', null, null)], 0)).toEqual([]);
    const failed = agreementSummaryRows('r', 'dev1', 'fine-tuned', [fineTuned[3]], 0);
    expect(failed[0]).toMatchObject({ count: 0, errors: 1, mean: null, ci_low: null, ci_high: null });
  });
  it("follow each group's ROUGE rows in summaryRows, and name the row of malformed labels", () => {
    const summary = summaryRows('r', [...fineTuned, ...pretrained]);
    expect(summary.map((s) => `${s.model}/${s.metric}`)).toEqual([
      'pretrained/rouge1',
      'pretrained/rouge2',
      'pretrained/rougeL',
      'pretrained/rougeLsum',
      'pretrained/chexpert_micro_f1_13',
      'pretrained/chexpert_macro_f1_14',
      'pretrained/chexpert_micro_f1_14',
      'fine-tuned/rouge1',
      'fine-tuned/rouge2',
      'fine-tuned/rougeL',
      'fine-tuned/rougeLsum',
      'fine-tuned/chexpert_micro_f1_13',
      'fine-tuned/chexpert_macro_f1_14',
      'fine-tuned/chexpert_micro_f1_14',
    ]);
    expect(() => summaryRows('r', [row('fine-tuned', 's9', '{"edema":7}', '{}')])).toThrow(
      /run r dev1\/fine-tuned study s9: generated_labels: edema must be 1, 0, -1 or null/,
    );
  });
});

describe('paired agreement', () => {
  it('compares fine-tuned with pretrained micro-F1(13) on the reports both labelled', () => {
    const [d] = pairedAgreementComparisons([...fineTuned, ...pretrained]);
    // Pairs s1-s3: fine-tuned 0.5; pretrained TP 1 (effusion), FN 1 (cardiomegaly) → 2/3.
    expect(d).toMatchObject({ dataset: 'dev1', metric: 'chexpert_micro_f1_13', pairs: 3, fineTuned: 0.5 });
    expect(d.pretrained).toBeCloseTo(2 / 3, 15);
    expect(d.difference).toBeCloseTo(0.5 - 2 / 3, 15);
    expect(d.ciLow!).toBeLessThanOrEqual(d.difference!);
    expect(d.ciHigh!).toBeGreaterThanOrEqual(d.difference!);
    expect(d.shareNotAbove!).toBeGreaterThan(0);
  });
  it('goes into the run summary; unlabelled runs get none', () => {
    const rows = [...fineTuned, ...pretrained];
    const s = buildRunSummary('r', rows, summaryRows('r', rows), estimateCost([], {}), new Date('2025-01-01T00:00:00Z'));
    expect(s.pairedAgreement).toHaveLength(1);
    expect(s.agreement!.method).toMatch(/present = positive or uncertain/);
    // Means (and their report counts) come from the ROUGE rows only.
    expect(s.means.find((m) => m.model === 'fine-tuned')).toMatchObject({ count: 4, errors: 1 });
    const unlabelled = rows.map((r) => ({ ...r, generated_labels: null, reference_labels: null }));
    expect(pairedAgreementComparisons(unlabelled)).toEqual([]);
  });
});
