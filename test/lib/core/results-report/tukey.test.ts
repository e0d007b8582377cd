import { summarize } from '../../../../lib/core/rouge';
import { tukeyBox } from '../../../../lib/core/results-report/tukey';

describe('tukeyBox', () => {
  it('puts the whiskers at the most extreme values within 1.5 IQR and lists the rest as outliers', () => {
    // Quartiles 0.3 and 0.5 (IQR 0.2): fences at 0 and 0.8.
    const values = [1, 0.3, 0.05, 0.4, 0.5, 0.3, 0.4, 0.5, 0.9, 1, 0.3, 0.45, 0.5];
    const box = tukeyBox(values);
    expect(box.q1).toBeCloseTo(0.3, 12);
    expect(box.q3).toBeCloseTo(0.5, 12);
    expect(box.whiskerLow).toBe(0.05);
    expect(box.whiskerHigh).toBe(0.5);
    expect(box.outliers).toEqual([
      { value: 0.9, count: 1 },
      { value: 1, count: 2 },
    ]);
    expect(box.outlierCount).toBe(3);
    expect(box.n).toBe(values.length);
  });

  it('uses the same quartiles as the summary rows (linear interpolation)', () => {
    const values = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const s = summarize(values, { resamples: 1 });
    const box = tukeyBox(values);
    expect([box.q1, box.median, box.q3]).toEqual([s.p25, s.p50, s.p75]);
    // With no value outside the fences, the whiskers are the minimum and the maximum.
    expect([box.whiskerLow, box.whiskerHigh, box.outlierCount]).toEqual([s.min, s.max, 0]);
  });

  it('has no figures without values, and ignores NaN', () => {
    expect(tukeyBox([])).toEqual({ n: 0, q1: null, median: null, q3: null, whiskerLow: null, whiskerHigh: null, outliers: [], outlierCount: 0 });
    expect(tukeyBox([NaN, 0.5]).n).toBe(1);
  });
});
