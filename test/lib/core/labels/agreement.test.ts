import { agreement, f1, isPresent, textAgreement } from '../../../../lib/core/labels/agreement';
import { formatAgreementTable } from '../../../../lib/core/labels/agreement-table';
import { OBSERVATIONS, type LabelValue, type Observation, type ReportLabels } from '../../../../lib/core/labels/observations';

function labels(values: Partial<Record<Observation, LabelValue>>): ReportLabels {
  return { ...(Object.fromEntries(OBSERVATIONS.map((o) => [o, null])) as ReportLabels), ...values };
}

const PAIRS = [
  { prediction: labels({ Cardiomegaly: 1, Edema: -1 }), reference: labels({ Cardiomegaly: 1, Edema: 0 }) },
  { prediction: labels({ 'No Finding': 1 }), reference: labels({ 'No Finding': 1 }) },
  { prediction: labels({ 'Pleural Effusion': 0 }), reference: labels({ 'Pleural Effusion': -1, Cardiomegaly: 1 }) },
];

describe('f1', () => {
  test('is 2TP / (2TP + FP + FN), and 0 when there is nothing to count', () => {
    expect(f1(0, 0, 0)).toBe(0);
    expect(f1(1, 1, 0)).toBeCloseTo(2 / 3, 12);
    expect(f1(3, 1, 2)).toBeCloseTo(6 / 9, 12);
  });
});

describe('agreement', () => {
  test('present means positive or uncertain', () => {
    expect([1, -1, 0, null].map((v) => isPresent(v as LabelValue))).toEqual([true, true, false, false]);
  });

  test('matches hand-computed per-observation and headline figures', () => {
    const report = agreement(PAIRS, { resamples: 50 });
    const by = (o: Observation) => report.observations.find((x) => x.observation === o)!;
    expect(by('Cardiomegaly')).toMatchObject({ support: 2, predicted: 1, truePositives: 1, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0.5 });
    expect(by('Cardiomegaly').f1).toBeCloseTo(2 / 3, 12);
    expect(by('Edema')).toMatchObject({ support: 0, predicted: 1, precision: 0, recall: 0, f1: 0 });
    expect(by('Pleural Effusion')).toMatchObject({ support: 1, predicted: 0, f1: 0 });
    expect(by('No Finding')).toMatchObject({ support: 1, f1: 1 });
    expect(report.records).toBe(3);
    expect(report.macroF1).toBeCloseTo(5 / 3 / 14, 12);
    expect(report.microF1Of13).toBeCloseTo(0.4, 12);
    expect(report.microF1Of14).toBeCloseTo(4 / 7, 12);
  });

  test('the bootstrap is seeded and reproducible; another seed differs', () => {
    const a = agreement(PAIRS, { seed: 7 });
    const b = agreement(PAIRS, { seed: 7 });
    expect(a.intervals).toEqual(b.intervals);
    expect(a.bootstrap).toEqual({ resamples: 1000, confidence: 0.95, seed: 7 });
    expect(a.intervals.microF1Of14.low).toBeLessThanOrEqual(a.microF1Of14);
    expect(a.intervals.microF1Of14.high).toBeGreaterThanOrEqual(a.microF1Of14);
    // Three records allow few distinct resamples; thirty make the interval depend on the seed.
    const many = Array.from({ length: 10 }, () => PAIRS).flat();
    expect(agreement(many, { seed: 8 }).intervals).not.toEqual(agreement(many, { seed: 7 }).intervals);
    expect(agreement(many, { seed: 7 }).intervals).toEqual(agreement(many, { seed: 7 }).intervals);
  });

  test('identical records give a zero-width interval', () => {
    const same = Array.from({ length: 5 }, () => PAIRS[0]);
    const report = agreement(same, { resamples: 20 });
    expect(report.intervals.microF1Of13).toEqual({ low: report.microF1Of13, high: report.microF1Of13 });
  });

  test('no records gives zero scores and NaN intervals', () => {
    const report = agreement([]);
    expect(report.microF1Of13).toBe(0);
    expect(report.intervals.macroF1.low).toBeNaN();
  });

  test('textAgreement labels both sides', () => {
    const report = textAgreement([{ prediction: 'Mild cardiomegaly.', reference: 'Cardiomegaly. Possible effusion.' }], { resamples: 10 });
    const by = (o: Observation) => report.observations.find((x) => x.observation === o)!;
    expect(by('Cardiomegaly').truePositives).toBe(1);
    expect(by('Pleural Effusion').falseNegatives).toBe(1);
  });

  test('formats a table with every observation and the headline figures', () => {
    const table = formatAgreementTable(agreement(PAIRS, { resamples: 10 }));
    for (const o of OBSERVATIONS) expect(table).toContain(o);
    expect(table).toMatch(/^Cardiomegaly\s+2\s+1\s+1\.000\s+0\.500\s+0\.667$/m);
    expect(table).toMatch(/micro-F1 \(13, without No Finding\): 0\.400 \[/);
    expect(table).toMatch(/micro-F1 \(14\):\s+0\.571 \[/);
    expect(table).toContain('records: 3');
  });
});
