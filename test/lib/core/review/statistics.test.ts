import { averageRanks, bootstrapInterval, krippendorffAlpha, pearson, spearman } from '../../../../lib/core/review/statistics';

describe('krippendorffAlpha', () => {
  it('nominal, two readers, hand-computed', () => {
    // Units (1,1) (1,2) (2,2) (2,2): o11 = 2, o12 = o21 = 1, o22 = 4; n1 = 3, n2 = 5, n = 8.
    // α = 1 − (n − 1)·(o12 + o21) / (2·n1·n2) = 1 − 7·2/30 = 16/30.
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [1, 2],
          [2, 2],
          [2, 2],
        ],
        'nominal',
      ),
    ).toBeCloseTo(16 / 30, 12);
  });

  it('ordinal and interval differ as hand-computed, and unpairable values are left out', () => {
    // Units (1,2) (2,3) (1,1) (3,3) (1,1), plus (2, missing) which has no pair.
    // o12 = o21 = o23 = o32 = 1, o11 = 4, o33 = 2; n1 = 5, n2 = 2, n3 = 3, n = 10.
    // Ordinal δ²: δ12 = (5 + 2 − 3.5)² = 12.25, δ23 = (2 + 3 − 2.5)² = 6.25, δ13 = (10 − 4)² = 36.
    //   observed 2·12.25 + 2·6.25 = 37; expected 2(5·2·12.25 + 2·3·6.25 + 5·3·36) = 1400; α = 1 − 9·37/1400.
    // Interval δ²: 1, 1, 4: observed 4; expected 2(10 + 6 + 60) = 152; α = 1 − 9·4/152.
    const units = [
      [1, 2],
      [2, 3],
      [1, 1],
      [3, 3],
      [1, 1],
      [2, null],
    ];
    expect(krippendorffAlpha(units, 'ordinal')).toBeCloseTo(1 - 333 / 1400, 12);
    expect(krippendorffAlpha(units, 'interval')).toBeCloseTo(1 - 36 / 152, 12);
  });

  it("reproduces Krippendorff's 2011 worked example (4 coders, 12 units, missing values)", () => {
    // "Computing Krippendorff's Alpha-Reliability" (2011), section C: α nominal 0.743, ordinal 0.815, interval 0.849.
    const N = null;
    const coders = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
      [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ];
    const units = coders[0].map((_, u) => coders.map((c) => c[u]));
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(units, 'ordinal')).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(units, 'interval')).toBeCloseTo(0.849, 3);
  });

  it('takes strings on the nominal level, is 1 for perfect agreement, and undefined without variation or pairs', () => {
    expect(
      krippendorffAlpha(
        [
          ['A', 'A'],
          ['B', 'B'],
          ['equal', 'equal'],
        ],
        'nominal',
      ),
    ).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [3, 3],
          [3, 3],
        ],
        'ordinal',
      ),
    ).toBeNaN();
    expect(krippendorffAlpha([[3, null], [4]], 'ordinal')).toBeNaN();
    expect(() => krippendorffAlpha([['a', 'b']], 'ordinal')).toThrow(/ordinal alpha needs numbers/);
  });
});

describe('spearman', () => {
  it('uses average ranks for ties, as scipy.stats.spearmanr', () => {
    expect([...averageRanks([5, 6, 7, 8, 7])]).toEqual([1, 2, 3.5, 5, 3.5]);
    // Ranks x 1..5, y 1,2,3.5,5,3.5: Σdxdy = 8, Σdx² = 10, Σdy² = 9.5 → 8/√95.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('is undefined without variation or pairs, and refuses lists of different length', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(pearson([1], [2])).toBeNaN();
    expect(() => pearson([1, 2], [1])).toThrow(/differ in length/);
  });
});

describe('bootstrapInterval', () => {
  it('is seeded, brackets the statistic, and skips undefined resamples', () => {
    const units = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const mean = (indices: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < indices.length; i += 1) sum += units[indices[i]];
      return sum / indices.length;
    };
    const [low, high] = bootstrapInterval(units.length, mean, { seed: 3 });
    expect(low).toBeLessThan(5.5);
    expect(high).toBeGreaterThan(5.5);
    expect(bootstrapInterval(units.length, mean, { seed: 3 })).toEqual([low, high]);
    expect(bootstrapInterval(units.length, mean, { seed: 4 })).not.toEqual([low, high]);
    expect(bootstrapInterval(0, mean)).toEqual([NaN, NaN]);
    expect(bootstrapInterval(units.length, () => NaN)).toEqual([NaN, NaN]);
  });
});
