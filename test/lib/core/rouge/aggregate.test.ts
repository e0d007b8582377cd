import * as fs from 'node:fs';
import { DEFAULT_ROUGE_TYPES, drawIndices, Mt19937, pairedDifference, RougeScorer, summarize } from '../../../../lib/core/rouge';
import { dataPath } from '../../../helpers/data';

describe('Mt19937', () => {
  test('reference outputs for seed 5489 (first three, and the 10,000th as in the C++ standard)', () => {
    const rng = new Mt19937(5489);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
    const again = new Mt19937(5489);
    let last = 0;
    for (let i = 0; i < 10000; i += 1) last = again.nextUint32();
    expect(last).toBe(4123659995);
  });

  test('index draws equal numpy: np.random.seed(42); np.random.choice(np.arange(2000), size=10)', () => {
    const into = new Uint32Array(10);
    drawIndices(new Mt19937(42), 2000, into);
    expect(Array.from(into)).toEqual([1126, 1459, 860, 1294, 1130, 1095, 1724, 1044, 1638, 121]);
    drawIndices(new Mt19937(0), 7, into);
    expect(Array.from(into)).toEqual([4, 5, 0, 3, 3, 3, 1, 3, 5, 2]);
  });

  test('rejects seeds numpy would not take as a 32-bit seed', () => {
    expect(() => new Mt19937(-1)).toThrow(/seed must be an integer/);
    expect(() => new Mt19937(2 ** 32)).toThrow(/seed must be an integer/);
    expect(() => new Mt19937(1.5)).toThrow(/seed must be an integer/);
  });
});

describe('summarize', () => {
  test('distribution figures, hand-computed', () => {
    const s = summarize([10, 1, 4, 3, 2], { seed: 1 });
    expect(s).toMatchObject({ count: 5, mean: 4, min: 1, p25: 2, p50: 3, p75: 4, max: 10 });
    expect(s.std).toBe(Math.sqrt(50 / 4));
    const t = summarize([4, 3, 2, 1]);
    expect([t.p25, t.p50, t.p75]).toEqual([1.75, 2.5, 3.25]);
    expect(t.std).toBe(Math.sqrt(5 / 3));
  });

  test('empty list: count 0 and NaN figures (null in JSON)', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    for (const key of ['mean', 'ciLow', 'ciMid', 'ciHigh', 'std', 'min', 'p25', 'p50', 'p75', 'max'] as const) expect(s[key]).toBeNaN();
    expect(JSON.parse(JSON.stringify(s)).mean).toBeNull();
  });

  test('one value: the interval collapses onto it, std is NaN', () => {
    const s = summarize([0.25]);
    expect([s.ciLow, s.ciMid, s.ciHigh, s.min, s.max, s.p50]).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(s.std).toBeNaN();
  });

  test('same seed, same interval; another seed, another interval', () => {
    const values = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 101) / 100);
    const a = summarize(values, { seed: 3 });
    expect(summarize(values, { seed: 3 })).toEqual(a);
    const b = summarize(values, { seed: 4 });
    expect([b.ciLow, b.ciMid, b.ciHigh]).not.toEqual([a.ciLow, a.ciMid, a.ciHigh]);
    expect(b.mean).toBe(a.mean);
    expect(a.ciLow).toBeLessThan(a.mean);
    expect(a.ciHigh).toBeGreaterThan(a.mean);
  });

  test('rejects bad options', () => {
    expect(() => summarize([1], { resamples: 0 })).toThrow(/resamples/);
    expect(() => summarize([1], { confidence: 1 })).toThrow(/confidence/);
  });

  test('seed 42, one stream over the four types: equal to numpy BootstrapAggregator bit for bit', () => {
    // Reference: numpy 2.4.6 legacy RandomState (frozen stream), np.random.seed(42), then per type
    // in evaluate's order 1000 × np.random.choice(N, N) on the N×3 (P, R, F) matrix, np.mean(axis=0),
    // np.percentile(q=100·[0.025, 0.5, 0.975]); F column. Pairs: Indiana dev findings → impression.
    const records = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as { findings: string; impression: string }[];
    const scorer = new RougeScorer();
    const scores = records.map((r) => scorer.score(r.findings, r.impression));
    const rng = new Mt19937(42);
    const got = DEFAULT_ROUGE_TYPES.map((type) => {
      const s = summarize(
        scores.map((x) => x[type].fmeasure),
        { rng },
      );
      return [s.ciLow, s.ciMid, s.ciHigh, s.mean];
    });
    expect(got).toEqual([
      [0.15580150139899998, 0.1611217180864095, 0.16681468847522138, 0.1610803587620035],
      [0.05662289772585897, 0.06120386470766774, 0.06562308000029249, 0.06103235514410983],
      [0.13599513937586094, 0.14075748849013475, 0.14579226041833515, 0.1406729287672417],
      [0.13552795226738973, 0.14080077815928083, 0.14597831161601957, 0.1406729287672417],
    ]);
  });
});

describe('pairedDifference', () => {
  const b = Array.from({ length: 200 }, (_, i) => ((i * 37) % 50) / 100);

  test('identical systems: zero difference and a zero interval', () => {
    const d = pairedDifference(b, b, { seed: 1 });
    expect([d.difference, d.ciLow, d.ciMid, d.ciHigh, d.shareNotAbove]).toEqual([0, 0, 0, 0, 1]);
  });

  test('a system better on every pair by 0.1: the interval is around 0.1 and never reaches 0', () => {
    const a = b.map((x) => x + 0.1);
    const d = pairedDifference(a, b, { seed: 1 });
    expect(d.difference).toBeCloseTo(0.1, 12);
    expect(d.ciLow).toBeCloseTo(0.1, 12);
    expect(d.ciHigh).toBeCloseTo(0.1, 12);
    expect(d.shareNotAbove).toBe(0);
    expect(d.meanA - d.meanB).toBe(d.difference);
  });

  test('noisy difference: deterministic per seed, interval brackets the difference', () => {
    const a = b.map((x, i) => x + (i % 3 === 0 ? 0.2 : -0.05));
    const d = pairedDifference(a, b, { seed: 9 });
    expect(pairedDifference(a, b, { seed: 9 })).toEqual(d);
    expect(d.ciLow).toBeLessThan(d.difference);
    expect(d.ciHigh).toBeGreaterThan(d.difference);
    expect(pairedDifference(a, b, { seed: 10 }).ciLow).not.toBe(d.ciLow);
  });

  test('empty lists give NaN figures; different lengths are an error', () => {
    expect(pairedDifference([], []).difference).toBeNaN();
    expect(() => pairedDifference([1], [1, 2])).toThrow(/differ in length: 1 and 2/);
  });
});
