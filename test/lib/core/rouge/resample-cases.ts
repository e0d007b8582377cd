/**
 * The resampling tests, run twice: by resample.test.ts with the WebAssembly path in use, and by
 * resample-js.test.ts with it switched off, so both implementations are held to the plain
 * one-draw-at-a-time loop.
 */
import {
  drawIndices,
  Mt19937,
  pairedDifference,
  pairedDifferences,
  resampleMeans,
  skipResamples,
  summarize,
  summarizeColumns,
  summarizeResampled,
} from '../../../../lib/core/rouge';
import type { RandomSource } from '../../../../lib/core/rouge';

/** Wraps a generator so only its one-draw-at-a-time interface is visible (the plain path). */
function oneAtATime(rng: Mt19937): RandomSource {
  return { nextUint32: () => rng.nextUint32() };
}

/**
 * The plain reference, written out: per resample, N index draws (masked rejection, one 32-bit output
 * at a time), then each column's left-to-right sum over those indices divided by N.
 */
function plainMeans(rng: RandomSource, columns: readonly number[][], resamples: number): number[][] {
  const n = columns[0].length;
  let mask = 1;
  while (mask < n - 1) mask = mask * 2 + 1;
  const out = columns.map(() => [] as number[]);
  for (let r = 0; r < resamples; r++) {
    const indices: number[] = [];
    while (n > 1 && indices.length < n) {
      const v = (rng.nextUint32() & mask) >>> 0;
      if (v <= n - 1) indices.push(v);
    }
    if (n === 1) indices.push(0);
    columns.forEach((values, c) => {
      let sum = 0;
      for (const i of indices) sum += values[i];
      out[c].push(sum / n);
    });
  }
  return out;
}

function values(n: number, salt: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i + 1) * 7919 + salt * 104729) % 1009) / 1009);
}

/** Defines the resampling tests under `label`. */
export function resamplingTests(label: string): void {
  describe(label, () => {
    describe('resampleMeans', () => {
      test("numpy's stream: np.random.seed(0); np.random.choice(7, 7) is [4, 5, 0, 3, 3, 3, 1], then [3, 5, 2, ...]", () => {
        const v = [0.5, 0.25, 0.125, 1, 0.75, 0.375, 0.0625];
        const [means] = resampleMeans(new Mt19937(0), [v], 2);
        expect(means[0]).toBe((v[4] + v[5] + v[0] + v[3] + v[3] + v[3] + v[1]) / 7);
        const rest = plainMeans(new Mt19937(0), [v], 2)[0];
        expect(Array.from(means)).toEqual(rest);
      });

      test.each([2, 3, 7, 64, 65, 1000, 2000, 2049, 65537])(
        'N = %i: each resample mean, in order, and the draws consumed equal the plain one-at-a-time loop',
        (n) => {
          for (const columnCount of [1, 2, 4]) {
            const columns = Array.from({ length: columnCount }, (_, c) => values(n, c));
            const resamples = n > 10000 ? 3 : 25;
            const fast = new Mt19937(n + columnCount);
            const plain = new Mt19937(n + columnCount);
            // Two calls in a row: the second must start exactly where the first stopped (the next type's stream).
            for (let call = 0; call < 2; call++) {
              const got = resampleMeans(fast, columns, resamples).map((m) => Array.from(m));
              expect(got).toEqual(plainMeans(oneAtATime(plain), columns, resamples));
            }
            expect(fast.nextUint32()).toBe(plain.nextUint32());
          }
        },
      );

      test('any other random source takes the plain path; N = 1 draws nothing; N = 0 gives NaN', () => {
        const rng = new Mt19937(3);
        const [means] = resampleMeans(oneAtATime(rng), [values(50, 1)], 4);
        expect(Array.from(means)).toEqual(plainMeans(oneAtATime(new Mt19937(3)), [values(50, 1)], 4)[0]);
        const untouched = new Mt19937(9);
        expect(Array.from(resampleMeans(untouched, [[0.25]], 3)[0])).toEqual([0.25, 0.25, 0.25]);
        expect(untouched.nextUint32()).toBe(new Mt19937(9).nextUint32());
        expect(Array.from(resampleMeans(untouched, [[]], 2)[0])).toEqual([NaN, NaN]);
        expect(() => resampleMeans(untouched, [[1], [1, 2]], 2)).toThrow(/differ in length: 1, 2/);
      });
    });

    describe('drawIndices', () => {
      test('the block path for MT19937 gives the draws of the one-at-a-time path and leaves the stream at the same place', () => {
        for (const [n, length] of [
          [2, 1],
          [7, 10],
          [2000, 2000],
          [2049, 5000],
          [65537, 1300],
        ]) {
          const fast = new Mt19937(n);
          const plain = new Mt19937(n);
          for (let call = 0; call < 3; call++) {
            const a = new Uint32Array(length);
            const b = new Uint32Array(length);
            drawIndices(fast, n, a);
            drawIndices(oneAtATime(plain), n, b);
            expect(Array.from(a)).toEqual(Array.from(b));
          }
          expect(fast.nextUint32()).toBe(plain.nextUint32());
        }
      });
    });

    describe('skipResamples', () => {
      test.each([1, 2, 7, 2000, 20000])('N = %i: leaves the stream where resampleMeans would, without computing means', (n) => {
        for (const resamples of [1, 3, 40]) {
          const skipped = new Mt19937(n);
          const computed = new Mt19937(n);
          skipResamples(skipped, n, resamples);
          resampleMeans(computed, [values(n, 0)], resamples);
          const next = skipped.nextUint32();
          expect(next).toBe(computed.nextUint32());
          // The generic path (any random source) too.
          const plain = new Mt19937(n);
          skipResamples(oneAtATime(plain), n, resamples);
          expect(plain.nextUint32()).toBe(next);
        }
      });

      test('a later consumer resampled after a skip gets the means it gets after the earlier consumers', () => {
        const columns = [values(3000, 1), values(3000, 2), values(3000, 3)];
        const inOrder = new Mt19937(11);
        const expected = columns.map((c) => Array.from(resampleMeans(inOrder, [c], 30)[0]));
        const jumped = new Mt19937(11);
        skipResamples(jumped, 3000, 60);
        expect(Array.from(resampleMeans(jumped, [columns[2]], 30)[0])).toEqual(expected[2]);
        expect(summarizeResampled(columns[2], Float64Array.from(expected[2]))).toEqual(
          summarize(columns[2], {
            rng: (() => {
              const rng = new Mt19937(11);
              skipResamples(rng, 3000, 60);
              return rng;
            })(),
            resamples: 30,
          }),
        );
      });
    });

    describe('shared draws', () => {
      test('summarizeColumns with a seed equals summarize of each column with that seed', () => {
        const columns = [values(2000, 1), values(2000, 2), values(2000, 3), values(2000, 4)];
        expect(summarizeColumns(columns, { seed: 0 })).toEqual(columns.map((c) => summarize(c, { seed: 0 })));
        expect(summarizeColumns([[], []], { seed: 0 })).toEqual([summarize([]), summarize([])]);
        expect(() => summarizeColumns([[1], [1, 2]])).toThrow(/differ in length/);
      });

      test('pairedDifferences with a seed equals pairedDifference of each pair with that seed', () => {
        const pairs = [0, 1, 2].map((k) => [values(700, k), values(700, k + 10)] as const);
        expect(pairedDifferences(pairs, { seed: 4 })).toEqual(pairs.map(([a, b]) => pairedDifference(a, b, { seed: 4 })));
        expect(() => pairedDifferences([pairs[0], [values(3, 0), values(3, 1)]])).toThrow(/differ in length: 700 and 3/);
      });
    });
  });
}
