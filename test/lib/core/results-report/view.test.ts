import { buildRunSummary, summaryRows } from '../../../../lib/core/evaluation/aggregate';
import { estimateCost } from '../../../../lib/core/evaluation/cost';
import { MAX_TRUSTED_ERROR_RATE, isTrusted } from '../../../../lib/core/results-report/trust';
import { buildReportView, type PairedLine } from '../../../../lib/core/results-report/view';
import type { PredictionRow } from '../../../../lib/core/run/contracts';

/** One row: every ROUGE F equal to `f` (null: an error row), labels as compact JSON. */
function row(dataset: string, model: PredictionRow['model'], study: string, f: number | null, generated = '{}', reference = '{}'): PredictionRow {
  return {
    run_id: 'r',
    dataset,
    data_source: dataset === 'dev1' ? 'mimic-cxr' : 'indiana-university',
    model,
    model_version: '',
    study_id: study,
    findings: `findings ${study}`,
    background: '',
    reference: `reference ${study}`,
    generated: f === null ? null : `generated ${study}`,
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
    generated_labels: f === null ? null : generated,
    reference_labels: reference,
    error: f === null ? 'ModelError (HTTP 424) after 1 attempt' : null,
    created_at: '2026-01-15T10:00:00.000Z',
  };
}

/** n studies where fine-tuned scores `ft(i)`, pretrained `pt(i)` and the constant baseline `bn(i)`. */
function run(
  n: number,
  ft: (i: number) => number | null,
  pt: (i: number) => number | null,
  bn: (i: number) => number | null,
  dataset = 'dev2',
): PredictionRow[] {
  const ids = Array.from({ length: n }, (_, i) => `s${i}`);
  return [
    ...ids.map((id, i) => row(dataset, 'pretrained', id, pt(i))),
    ...ids.map((id, i) => row(dataset, 'fine-tuned', id, ft(i))),
    ...ids.map((id, i) => row(dataset, 'baseline-normal', id, bn(i))),
  ];
}

function view(rows: PredictionRow[], maxErrorShare?: number) {
  return buildReportView({ runId: 'r', summary: summaryRows('r', rows), rows, maxErrorShare });
}

const line = (lines: readonly PairedLine[], metric: string) => lines.find((l) => l.metric === metric)!;

describe('the report view', () => {
  it('names each data set for people, with its number of reports', () => {
    const v = view([
      ...run(
        3,
        () => 0.5,
        () => 0.4,
        () => 0.1,
        'dev1',
      ),
      ...run(
        2000,
        () => 0.5,
        () => 0.4,
        () => 0.1,
      ),
    ]);
    expect(v.datasets.map((d) => d.title)).toEqual(['dev1 · MIMIC-CXR, 3 reports', 'dev2 · Indiana University, 2,000 reports']);
  });

  it('says better, worse or no clear difference from the paired interval, in words and numbers', () => {
    // Fine-tuned always ahead by 0.3 → better; always behind → worse; alternating ±0.2 → no clear difference.
    const better = view(
      run(
        200,
        (i) => 0.5 + (i % 7) / 100,
        (i) => 0.2 + (i % 7) / 100,
        () => 0.1,
      ),
    ).datasets[0];
    const p = line(better.fineTunedVsPretrained, 'rouge1');
    expect(p.outcome).toBe('better');
    expect(p.difference.value).toBeCloseTo(0.3, 10);
    expect(p.words).toBe('better by 0.3000 [0.3000, 0.3000]');
    const worse = view(
      run(
        200,
        () => 0.2,
        () => 0.5,
        () => 0.1,
      ),
    ).datasets[0];
    expect(line(worse.fineTunedVsPretrained, 'rougeLsum').words).toBe('worse by 0.3000 [−0.3000, −0.3000]');
    expect(worse.warnings).toContainEqual(expect.stringMatching(/^Fine-tuned is worse than pretrained on ROUGE-1 F: worse by 0\.3000/));
    const unclear = view(
      run(
        200,
        (i) => (i % 2 === 0 ? 0.7 : 0.3),
        (i) => (i % 2 === 0 ? 0.3 : 0.7),
        () => 0.1,
      ),
    ).datasets[0];
    const u = line(unclear.fineTunedVsPretrained, 'rouge2');
    expect(u.outcome).toBe('no clear difference');
    expect(u.words).toMatch(/^no clear difference: 0\.0000 \[−0\.\d{4}, 0\.\d{4}\]$/);
  });

  it('warns when a model does not beat the best baseline, naming it', () => {
    // The constant answer scores 0.44 everywhere, fine-tuned 0.43: it loses to the baseline, as in issue 16.
    const d = view(
      run(
        300,
        () => 0.43,
        () => 0.1,
        () => 0.44,
      ),
    ).datasets[0];
    const check = d.baselineChecks.find((c) => c.model === 'fine-tuned' && c.metric === 'rougeLsum')!;
    expect(check.baseline).toBe('baseline-normal');
    expect(check.beats).toBe(false);
    expect(check.paired.outcome).toBe('worse');
    // No label is ever present, so the agreement figure is 0 for all: not beaten either.
    expect(d.warnings).toContain('Fine-tuned does not beat the best baseline on any of the 5 figures (ROUGE-1, ROUGE-2, ROUGE-L, ROUGE-Lsum, micro-F1 (13)).');
    expect(d.headline).toContain('Fine-tuned does not beat the best baseline on 5 of 5 figures.');
    const fine = view(
      run(
        300,
        () => 0.6,
        () => 0.1,
        () => 0.44,
      ),
    ).datasets[0];
    expect(fine.baselineChecks.filter((c) => c.model === 'fine-tuned' && c.metric.startsWith('rouge')).every((c) => c.beats)).toBe(true);
    expect(fine.warnings).toContain('Fine-tuned does not beat the best baseline on 1 of 5 figures (micro-F1 (13)).');
  });

  it('marks a data set not trustworthy above the error threshold, and counts errors per model', () => {
    // 1 error in 100 rows is exactly 1 %: trusted. 2 in 100: not.
    const at = view(
      run(
        100,
        (i) => (i === 0 ? null : 0.5),
        () => 0.4,
        () => 0.1,
      ),
    ).datasets[0];
    expect(at.errors.find((e) => e.model === 'fine-tuned')).toMatchObject({ rows: 100, errors: 1, share: 0.01, trusted: true });
    expect(at.trustworthy).toBe(true);
    const over = view(
      run(
        100,
        (i) => (i < 2 ? null : 0.5),
        () => 0.4,
        () => 0.1,
      ),
    ).datasets[0];
    expect(over.trustworthy).toBe(false);
    expect(over.warnings[0]).toBe('Not trustworthy: error rows above the 1.0 % threshold: Fine-tuned 2 of 100 (2.0 %). The means leave those reports out.');
    expect(over.headline).toContain('Not trustworthy: error rows above 1.0 %.');
    // A looser threshold for one report.
    expect(
      view(
        run(
          100,
          (i) => (i < 2 ? null : 0.5),
          () => 0.4,
          () => 0.1,
        ),
        0.05,
      ).datasets[0].trustworthy,
    ).toBe(true);
    expect(() =>
      view(
        run(
          2,
          () => 0.5,
          () => 0.4,
          () => 0.1,
        ),
        2,
      ),
    ).toThrow('maximum error share must be between 0 and 1, got 2');
  });

  it('keeps the threshold in one place: 1 %, at most', () => {
    expect(MAX_TRUSTED_ERROR_RATE).toBe(0.01);
    expect(isTrusted(10, 1000)).toBe(true);
    expect(isTrusted(11, 1000)).toBe(false);
    expect(isTrusted(0, 0)).toBe(false);
  });

  it('pairs fine-tuned and pretrained by study id, the same way with or without the run summary', () => {
    const rows = [
      ...run(
        50,
        (i) => (i % 5) / 5,
        (i) => (i % 3) / 4,
        () => 0.2,
      ),
      ...run(
        40,
        (i) => (i % 4) / 4,
        () => 0.3,
        () => 0.2,
        'dev1',
      ),
    ];
    const summary = summaryRows('r', rows);
    const stored = buildRunSummary('r', rows, summary, estimateCost([], {}), new Date('2026-01-15T11:00:00Z'));
    const withSummary = buildReportView({ runId: 'r', summary, rows, runSummary: stored });
    const computed = buildReportView({ runId: 'r', summary, rows });
    expect(computed.datasets.map((d) => d.fineTunedVsPretrained)).toEqual(withSummary.datasets.map((d) => d.fineTunedVsPretrained));
    expect(withSummary.settings.recorded).toBe(true);
    expect(computed.settings.recorded).toBe(false);
    expect(computed.run.costText).toBe('Cost: not known (the run summary, which holds the estimate, was not read).');
  });

  it('counts per observation what the generated impression asserts, misses and wrongly adds, worst first', () => {
    const both = '{"pneumothorax":1,"pleural_effusion":1}';
    const rows = [
      // Pneumothorax: fine-tuned misses it twice and asserts it once; pleural effusion: always asserted; edema added once.
      row('dev1', 'fine-tuned', 'a', 0.5, '{"pleural_effusion":1}', both),
      row('dev1', 'fine-tuned', 'b', 0.5, '{"pleural_effusion":-1,"edema":1}', both),
      row('dev1', 'fine-tuned', 'c', 0.5, '{"pneumothorax":1,"pleural_effusion":1}', both),
      row('dev1', 'pretrained', 'a', 0.5, both, both),
      row('dev1', 'pretrained', 'b', 0.5, '{"pneumothorax":0}', both),
      row('dev1', 'pretrained', 'c', null, '{}', both),
    ];
    const d = view(rows).datasets[0];
    const ptx = d.observations.find((o) => o.observation === 'Pneumothorax')!;
    expect(ptx.models['fine-tuned']).toEqual({ asserts: 1, misses: 2, adds: 0, support: 3, sensitivity: 1 / 3, precision: 1, f1: 0.5 });
    expect(ptx.models.pretrained).toEqual({ asserts: 1, misses: 1, adds: 0, support: 2, sensitivity: 0.5, precision: 1, f1: 2 / 3 });
    const edema = d.observations.find((o) => o.observation === 'Edema')!;
    expect(edema.models['fine-tuned']).toMatchObject({ asserts: 0, misses: 0, adds: 1, support: 0, sensitivity: null, precision: 0, f1: 0 });
    // Worst first by the fine-tuned F1: edema (0), pneumothorax (0.5), pleural effusion (1), then the never-seen ones.
    expect(d.observations.slice(0, 3).map((o) => o.observation)).toEqual(['Edema', 'Pneumothorax', 'Pleural Effusion']);
    expect(d.observations[3].models['fine-tuned'].f1).toBeNull();
    // The study rows carry the same differences for the side-by-side table.
    const b = d.studies.find((s) => s.studyId === 'b')!;
    expect(b.referencePresent).toEqual(['Pneumothorax', 'Pleural Effusion']);
    expect(b.answers['fine-tuned']).toMatchObject({ misses: ['Pneumothorax'], adds: ['Edema'] });
    expect(d.studies.find((s) => s.studyId === 'c')!.answers.pretrained).toMatchObject({
      error: 'ModelError (HTTP 424) after 1 attempt',
      misses: [],
      adds: [],
    });
  });

  it('draws Tukey boxes from the scored rows and states the settings once', () => {
    const rows = run(
      101,
      (i) => (i === 100 ? null : i / 100),
      () => 0.1,
      () => 0.2,
    );
    const v = view(rows);
    const box = v.datasets[0].models.find((m) => m.model === 'fine-tuned')!.boxes.rouge1;
    expect(box).toMatchObject({ n: 100, median: 0.495, whiskerLow: 0, whiskerHigh: 0.99, outlierCount: 0 });
    expect(box.q1).toBeCloseTo(0.2475, 12);
    expect(box.q3).toBeCloseTo(0.7425, 12);
    expect(v.settings.text).toContain('no stemmer (as published)');
    expect(v.settings.text).toContain('1,000 resamples, seed 0');
    expect(v.settings.text).toContain("tokenizer rouge-score 0.1.2's default");
  });
});
