import { buildRunSummary, DuplicateStudyIdError, pairedComparisons, summaryRows } from '../../../../lib/core/evaluation/aggregate';
import { estimateCost, secondsBetween } from '../../../../lib/core/evaluation/cost';
import type { PredictionRow } from '../../../../lib/core/run/contracts';

function row(dataset: string, model: PredictionRow['model'], study: string, f: number | null): PredictionRow {
  const t = (x: number | null) => x;
  return {
    run_id: 'r',
    dataset,
    data_source: 'x',
    model,
    model_version: '',
    study_id: study,
    findings: '',
    background: '',
    reference: '',
    generated: f === null ? null : 'g',
    rouge1: t(f),
    rouge2: f === null ? null : f / 2,
    rougel: t(f),
    rougelsum: t(f),
    rouge1_precision: t(f),
    rouge1_recall: t(f),
    rouge2_precision: t(f),
    rouge2_recall: t(f),
    rougel_precision: t(f),
    rougel_recall: t(f),
    rougelsum_precision: t(f),
    rougelsum_recall: t(f),
    latency_ms: null,
    generated_labels: null,
    reference_labels: null,
    error: f === null ? 'E' : null,
    created_at: '2025-01-01T00:00:00.000Z',
  };
}

const rows: PredictionRow[] = [
  row('dev1', 'fine-tuned', 'a', 0.2),
  row('dev1', 'fine-tuned', 'b', 0.4),
  row('dev1', 'fine-tuned', 'c', 0.6),
  row('dev1', 'fine-tuned', 'd', 0.8),
  row('dev1', 'fine-tuned', 'e', null),
  row('dev1', 'pretrained', 'd', 0.5),
  row('dev1', 'pretrained', 'a', 0.1),
  row('dev1', 'pretrained', 'b', 0.1),
  row('dev1', 'pretrained', 'c', null),
  row('dev1', 'baseline-normal', 'a', 0.3),
];

describe('summaryRows', () => {
  const summary = summaryRows('r', rows);
  it('one row per dataset × model × metric, in report order', () => {
    expect(summary.map((s) => `${s.model}/${s.metric}`).slice(0, 5)).toEqual([
      'pretrained/rouge1',
      'pretrained/rouge2',
      'pretrained/rougeL',
      'pretrained/rougeLsum',
      'fine-tuned/rouge1',
    ]);
    expect(summary).toHaveLength(12);
  });
  it('matches hand-computed figures over scored rows', () => {
    const ft = summary.find((s) => s.model === 'fine-tuned' && s.metric === 'rouge1')!;
    expect(ft).toMatchObject({ run_id: 'r', dataset: 'dev1', count: 5, errors: 1, min: 0.2, max: 0.8 });
    expect(ft.mean).toBeCloseTo(0.5, 15);
    expect(ft.std).toBeCloseTo(Math.sqrt((0.09 + 0.01 + 0.01 + 0.09) / 3), 15);
    expect(ft.p25).toBeCloseTo(0.35, 15);
    expect(ft.p50).toBeCloseTo(0.5, 15);
    expect(ft.p75).toBeCloseTo(0.65, 15);
    expect(ft.ci_low!).toBeGreaterThanOrEqual(0.2);
    expect(ft.ci_high!).toBeLessThanOrEqual(0.8);
    expect(ft.ci_low!).toBeLessThan(ft.ci_high!);
    expect(summary.find((s) => s.model === 'fine-tuned' && s.metric === 'rouge2')!.mean).toBeCloseTo(0.25, 15);
    const single = summary.find((s) => s.model === 'baseline-normal' && s.metric === 'rouge1')!;
    expect(single).toMatchObject({ count: 1, mean: 0.3, std: null, ci_low: 0.3, ci_high: 0.3 });
  });
  it('is reproducible (seeded)', () => {
    expect(summaryRows('r', rows)).toEqual(summary);
  });
});

describe('pairedComparisons', () => {
  it('pairs reports both models scored, by study_id', () => {
    const d = pairedComparisons(rows).find((p) => p.metric === 'rouge1')!;
    // Pairs a (0.2, 0.1), b (0.4, 0.1), d (0.8, 0.5); c failed on pretrained, e on fine-tuned.
    expect(d.pairs).toBe(3);
    expect(d.fineTunedMean).toBeCloseTo(1.4 / 3, 15);
    expect(d.pretrainedMean).toBeCloseTo(0.7 / 3, 15);
    expect(d.difference).toBeCloseTo(0.7 / 3, 15);
    expect(d.ciLow!).toBeGreaterThanOrEqual(0.1 - 1e-12);
    expect(d.ciHigh!).toBeLessThanOrEqual(0.3 + 1e-12);
  });
});

describe('pairing by study id, never by position', () => {
  // The small case: the fine-tuned model failed on study x, the pretrained one on none.
  // Dropping the error rows and pairing what is left by position would pair fine-tuned y (0.9)
  // with pretrained x (0.1): a difference of 0.8. The truth is y against y: 0.9 - 0.8 = 0.1.
  const small = [
    row('dev1', 'fine-tuned', 'x', null),
    row('dev1', 'fine-tuned', 'y', 0.9),
    row('dev1', 'pretrained', 'x', 0.1),
    row('dev1', 'pretrained', 'y', 0.8),
  ];

  it('gives the true paired difference where positional pairing would give 0.8', () => {
    const positional = (() => {
      const ft = small.filter((r) => r.model === 'fine-tuned' && r.error === null);
      const pt = small.filter((r) => r.model === 'pretrained' && r.error === null);
      return (ft[0].rouge1 as number) - (pt[0].rouge1 as number);
    })();
    expect(positional).toBeCloseTo(0.8, 12);
    const d = pairedComparisons(small).find((p) => p.metric === 'rouge1')!;
    expect(d.pairs).toBe(1);
    expect(d.difference).toBeCloseTo(0.1, 12);
  });

  it('does not depend on the order of the rows (part files come in any order)', () => {
    const shuffled = [small[3], small[1], small[2], small[0]];
    expect(pairedComparisons(shuffled)).toEqual(pairedComparisons(small));
  });

  it("refuses rows that repeat a study id (the issue's duplicate case), naming the data set, model and id", () => {
    const repeated = [
      row('dev1', 'fine-tuned', 'x', null),
      row('dev1', 'fine-tuned', 'x', 0.9),
      row('dev1', 'pretrained', 'x', 0.1),
      row('dev1', 'pretrained', 'x', 0.8),
    ];
    expect(() => pairedComparisons(repeated)).toThrow(DuplicateStudyIdError);
    expect(() => pairedComparisons(repeated)).toThrow(
      "dev1/fine-tuned: two rows for study_id x; the models' rows are paired by study_id, which must be unique in a data set (plan-evaluation rejects an evaluation set that repeats one)",
    );
  });
});

describe('cost', () => {
  it('prices measured seconds and lists unpriced instance types', () => {
    const c = estimateCost(
      [
        { item: 'training', instanceType: 'ml.p3.16xlarge', seconds: 38468 },
        { item: 'endpoint pretrained', instanceType: 'ml.g5.2xlarge', seconds: secondsBetween('2025-01-01T00:00:00Z', '2025-01-01T01:30:00Z') },
        { item: 'endpoint fine-tuned', instanceType: 'ml.x.y', seconds: 60 },
      ],
      { 'ml.p3.16xlarge': 28.152, 'ml.g5.2xlarge': 1.515 },
    );
    expect(c.lines[0].usd).toBeCloseTo((38468 / 3600) * 28.152, 10);
    expect(c.lines[1]).toMatchObject({ seconds: 5400, usd: 1.5 * 1.515 });
    expect(c.lines[2].usd).toBeNull();
    expect(c.totalUsd).toBeCloseTo((38468 / 3600) * 28.152 + 2.2725, 10);
    expect(c.unpricedInstanceTypes).toEqual(['ml.x.y']);
    expect(() => secondsBetween('yesterday', '2025-01-01T00:00:00Z')).toThrow(/not an ISO-8601 time: "yesterday"/);
  });
  it('goes into the run summary with the scoring and aggregation settings', () => {
    const s = buildRunSummary('r', rows, summaryRows('r', rows), estimateCost([], {}), new Date('2025-01-01T00:00:00Z'));
    expect(s.scoring.stemmer).toBe(false);
    expect(s.aggregation).toMatchObject({ resamples: 1000, confidence: 0.95, seed: 0 });
    expect(s.rows).toEqual({ total: 10, scored: 8, errors: 2 });
    // 1 of 5 fine-tuned rows and 1 of 4 pretrained rows are errors: far above 1 %.
    expect(s.errors).toEqual({
      maxErrorRate: 0.01,
      byDatasetAndModel: [
        { dataset: 'dev1', model: 'pretrained', rows: 4, errors: 1, errorRate: 0.25, trustworthy: false },
        { dataset: 'dev1', model: 'fine-tuned', rows: 5, errors: 1, errorRate: 0.2, trustworthy: false },
        { dataset: 'dev1', model: 'baseline-normal', rows: 1, errors: 0, errorRate: 0, trustworthy: true },
      ],
      trustworthy: false,
    });
    expect(s.means.find((m) => m.model === 'fine-tuned')!.means.rouge2).toBeCloseTo(0.25, 15);
  });
});
