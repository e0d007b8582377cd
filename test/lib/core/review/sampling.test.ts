import * as path from 'node:path';
import { loadRunResults, localStore } from '../../../../lib/cli/run-results';
import { describeSampling, labelMatch, sampleReviewItems } from '../../../../lib/core/review/sampling';
import type { PredictionRow } from '../../../../lib/core/run/contracts';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');
const REVIEW = 'ev-20260102-090000-00aa';

function row(dataset: string, model: string, study: number, rougelsum: number, labels: string): PredictionRow {
  return {
    run_id: 'r1',
    dataset,
    data_source: 'synthetic',
    model: model as PredictionRow['model'],
    model_version: '2.2.3',
    study_id: `s${String(study).padStart(3, '0')}`,
    findings: `findings ${study}`,
    background: '',
    reference: `reference ${study}`,
    generated: `${model} ${study}`,
    rouge1: rougelsum,
    rouge2: rougelsum,
    rougel: rougelsum,
    rougelsum,
    rouge1_precision: 0,
    rouge1_recall: 0,
    rouge2_precision: 0,
    rouge2_recall: 0,
    rougel_precision: 0,
    rougel_recall: 0,
    rougelsum_precision: 0,
    rougelsum_recall: 0,
    latency_ms: 1,
    generated_labels: labels,
    reference_labels: '{"edema":1}',
    error: null,
    created_at: '2026-01-01T00:00:00.000Z',
  };
}

/** 100 studies: fine-tuned ROUGE-Lsum = study/100; the models disagree on labels for every 4th study. */
function synthetic(): PredictionRow[] {
  const rows: PredictionRow[] = [];
  for (let s = 0; s < 100; s += 1) {
    rows.push(row('dev1', 'fine-tuned', s, s / 100, '{"edema":1}'));
    rows.push(row('dev1', 'pretrained', s, 0.1, s % 4 === 0 ? '{"cardiomegaly":1}' : '{"edema":-1}'));
    rows.push(row('dev1', 'baseline-normal', s, 0.3, '{}'));
  }
  return rows;
}

describe('sampleReviewItems', () => {
  it('fills the strata in order with their shares, never takes a report twice, and balances the pairs', () => {
    const s = sampleReviewItems(synthetic(), { reviewId: REVIEW, runId: 'r1', perDataset: 20, seed: 1 });
    expect(s.items).toHaveLength(20);
    expect(new Set(s.items.map((i) => i.study_id)).size).toBe(20);
    const by = (stratum: string) => s.items.filter((i) => i.stratum === stratum);
    expect(by('label-disagreement')).toHaveLength(6);
    expect(by('label-disagreement').every((i) => Number(i.study_id.slice(1)) % 4 === 0)).toBe(true);
    // Lowest and highest fine-tuned ROUGE-Lsum among the reports the disagreement stratum left.
    const numbers = (stratum: string) =>
      by(stratum)
        .map((i) => Number(i.study_id.slice(1)))
        .sort((a, b) => a - b);
    const left = [...Array(100).keys()].filter((n) => !numbers('label-disagreement').includes(n));
    expect(numbers('lowest-rouge')).toEqual(left.slice(0, 4));
    expect(numbers('highest-rouge')).toEqual(left.slice(-4));
    expect(by('random-audit')).toHaveLength(6);
    expect(s.datasets[0]).toMatchObject({
      eligible: 100,
      strata: {
        'label-disagreement': { candidates: 25, wanted: 6, taken: 6 },
        'lowest-rouge': { wanted: 4, taken: 4 },
        'highest-rouge': { wanted: 4, taken: 4 },
        'random-audit': { candidates: 86, wanted: 6, taken: 6 },
      },
    });
    const pairs = s.items.map((i) =>
      i.impressions
        .map((x) => x.source)
        .sort()
        .join('/'),
    );
    const counts = ['fine-tuned/pretrained', 'fine-tuned/reference', 'pretrained/reference'].map((p) => pairs.filter((x) => x === p).length);
    expect(counts.sort()).toEqual([6, 7, 7]);
    // Both orders occur, so position says nothing about the source.
    expect(new Set(s.items.map((i) => i.impressions[0].source)).size).toBe(3);
    expect(s.items.map((i) => i.index)).toEqual([...Array(20).keys()]);
  });

  it('is reproducible from its seed', () => {
    const a = sampleReviewItems(synthetic(), { reviewId: REVIEW, runId: 'r1', perDataset: 20, seed: 5 });
    const b = sampleReviewItems(synthetic(), { reviewId: REVIEW, runId: 'r1', perDataset: 20, seed: 5 });
    const c = sampleReviewItems(synthetic(), { reviewId: REVIEW, runId: 'r1', perDataset: 20, seed: 6 });
    expect(a.items).toEqual(b.items);
    expect(c.items.map((i) => i.study_id)).not.toEqual(a.items.map((i) => i.study_id));
  });

  it('draws from both data sets of the fixture run, leaves out failed rows and carries the run scores', async () => {
    const { rows } = await loadRunResults(localStore(FIXTURE), 'fixture-run');
    const s = sampleReviewItems(rows, { reviewId: REVIEW, runId: 'fixture-run', perDataset: 100, seed: 0 });
    expect(s.datasets.map((d) => [d.dataset, d.eligible])).toEqual([
      ['dev1', 6],
      ['dev2', 6],
    ]);
    expect(s.items.map((i) => i.study_id)).not.toContain('broken-1');
    for (const item of s.items) {
      for (const imp of item.impressions) {
        const source = rows.find((r) => r.dataset === item.dataset && r.study_id === item.study_id && r.model === imp.source);
        if (imp.source === 'reference')
          expect(imp).toMatchObject({ text: source?.reference ?? rows.find((r) => r.study_id === item.study_id)!.reference, rougelsum: null });
        else expect(imp).toMatchObject({ text: source!.generated, rougelsum: source!.rougelsum });
      }
    }
    expect(describeSampling(s).join('\n')).toMatch(/seed 0 \(MT19937\)[\s\S]*dev1: 6 eligible; label-disagreement/);
  });

  it('refuses a run without reports both models scored, and bad sizes', () => {
    const onlyOne = synthetic().filter((r) => r.model !== 'pretrained');
    expect(() => sampleReviewItems(onlyOne, { reviewId: REVIEW, runId: 'r1', perDataset: 5, seed: 0 })).toThrow(
      'run r1: no report was scored by both the pretrained and the fine-tuned model',
    );
    expect(() => sampleReviewItems(synthetic(), { reviewId: REVIEW, runId: 'r1', perDataset: 0, seed: 0 })).toThrow(/per-dataset/);
  });
});

describe('labelMatch', () => {
  it('is the share of the 14 observations whose presence agrees', () => {
    expect(labelMatch('{"edema":1}', '{"edema":-1}', 'x')).toBe(1);
    expect(labelMatch('{"edema":0}', '{"edema":1}', 'x')).toBeCloseTo(13 / 14, 12);
    expect(labelMatch(null, '{}', 'x')).toBeNull();
  });
});
