/**
 * The bootstrap's inner loop: the means of `resamples` resamples (N indices drawn with
 * replacement, numpy's legacy `np.random.choice(N, size=N)` order) of one or several columns of
 * N values, all columns resampled with the same indices, as `rouge-score`'s BootstrapAggregator
 * does for the precision, recall and F columns of one ROUGE type.
 *
 * Each mean is the left-to-right float64 sum of the N drawn values divided by N, exactly as
 * `np.mean(matrix[idx], axis=0)`. With MT19937 the draws are consumed straight from the
 * generator's state blocks, tempered inline, and never stored: a rejected draw (above N − 1 after
 * masking) adds a padded +0 and does not count towards N. Adding +0 leaves every float64 sum
 * unchanged (a sum that starts at +0 can never be −0), so the results equal the plain
 * draw-then-sum loop bit for bit while avoiding an unpredictable branch per draw. The same loop runs
 * in WebAssembly where available (./mt19937-wasm.ts), in JavaScript otherwise.
 */
import { wasmAvailable, wasmMeans, wasmSkip } from './mt19937-wasm';
import {
  drawIndices,
  drawMask,
  FAST_DRAW_LIMIT,
  MT_BLOCK as IMPORTED_BLOCK,
  Mt19937,
  TEMPER_B as IMPORTED_B,
  TEMPER_C as IMPORTED_C,
  type RandomSource,
} from './random';

// Local copies: where modules are loaded as CommonJS without bundling (tsx, jest), an imported
// binding is a getter call on every read, which would dominate the inner loops below.
const MT_BLOCK = IMPORTED_BLOCK;
const TEMPER_B = IMPORTED_B;
const TEMPER_C = IMPORTED_C;

/**
 * Resample means of every column: `result[c][r]` is the mean of column `c` over the indices of
 * resample `r`. Draws `resamples` × N indices from `rng` (none when N = 1), in numpy's order.
 * @throws RangeError when the columns differ in length or there are none.
 */
export function resampleMeans(rng: RandomSource, columns: readonly ArrayLike<number>[], resamples: number): Float64Array[] {
  if (columns.length === 0) throw new RangeError('resampleMeans needs at least one column');
  const n = columns[0].length;
  if (columns.some((c) => c.length !== n)) throw new RangeError(`columns differ in length: ${columns.map((c) => c.length).join(', ')}`);
  const out = columns.map(() => new Float64Array(resamples));
  if (n === 0) {
    for (const o of out) o.fill(NaN);
    return out;
  }
  if (rng instanceof Mt19937 && n > 1 && n <= FAST_DRAW_LIMIT) {
    if (columns.length > 1) meansManyColumns(rng, columns, resamples, out);
    else if (wasmAvailable(n)) wasmMeans(rng, columns[0], drawMask(n - 1), resamples, out[0]);
    else meansOneColumn(rng, columns[0], resamples, out[0]);
    return out;
  }
  meansPlain(rng, columns, resamples, out);
  return out;
}

/** The plain loop: draw N indices, sum each column over them. Any random source; N = 1 draws nothing. */
function meansPlain(rng: RandomSource, columns: readonly ArrayLike<number>[], resamples: number, out: Float64Array[]): void {
  const n = columns[0].length;
  const indices = new Uint32Array(n);
  for (let r = 0; r < resamples; r += 1) {
    drawIndices(rng, n, indices);
    for (let c = 0; c < columns.length; c += 1) {
      const values = columns[c];
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += values[indices[i]];
      out[c][r] = sum / n;
    }
  }
}

/** 1 for every index a masked draw may take that lies in [0, n), 0 above. */
function acceptTable(n: number, mask: number): Uint8Array {
  const accept = new Uint8Array(mask + 1);
  accept.fill(1, 0, n);
  return accept;
}

function meansOneColumn(rng: Mt19937, values: ArrayLike<number>, resamples: number, out: Float64Array): void {
  const n = values.length;
  const mask = drawMask(n - 1);
  const padded = new Float64Array(mask + 1);
  for (let i = 0; i < n; i += 1) padded[i] = values[i];
  const accept = acceptTable(n, mask);
  const sum = new Float64Array(1);
  const counts = new Int32Array(2);
  let pos = rng.position;
  while (counts[1] < resamples) {
    if (pos >= MT_BLOCK) {
      rng.twist();
      pos = 0;
    }
    pos = sumBlock(rng.words, pos, padded, accept, mask, n, out, resamples, sum, counts);
  }
  rng.position = pos;
}

/**
 * The inner loop of meansOneColumn over the rest of one state block, from word `from`; returns the
 * position after the last word used. A function of its own, called once per block, so V8 optimises
 * it as a whole after a few calls instead of swapping code in the middle of one long loop. The
 * running sum and the counts (accepted draws in the current resample, resamples done) carry over
 * between blocks in `sum[0]`, `counts[0]` and `counts[1]`.
 */
function sumBlock(
  words: Int32Array,
  from: number,
  padded: Float64Array,
  accept: Uint8Array,
  mask: number,
  n: number,
  out: Float64Array,
  resamples: number,
  sum: Float64Array,
  counts: Int32Array,
): number {
  let total = sum[0];
  let taken = counts[0];
  let r = counts[1];
  let pos = from;
  for (; pos < MT_BLOCK && r < resamples; pos += 1) {
    let y = words[pos];
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    const v = y & mask;
    total += padded[v];
    taken += accept[v];
    if (taken === n) {
      out[r] = total / n;
      r += 1;
      total = 0;
      taken = 0;
    }
  }
  sum[0] = total;
  counts[0] = taken;
  counts[1] = r;
  return pos;
}

/**
 * Several columns: the indices of one resample are drawn once (drawIndices' block path), then each
 * column is summed over them in a tight loop of its own (faster than interleaving the columns in
 * the draw loop, and the same sums).
 */
function meansManyColumns(rng: Mt19937, columns: readonly ArrayLike<number>[], resamples: number, out: Float64Array[]): void {
  const n = columns[0].length;
  const dense = columns.map((c) => (c instanceof Float64Array ? c : Float64Array.from(c)));
  const indices = new Uint32Array(n);
  for (let r = 0; r < resamples; r += 1) {
    drawIndices(rng, n, indices);
    for (let c = 0; c < dense.length; c += 1) {
      const values = dense[c];
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += values[indices[i]];
      out[c][r] = sum / n;
    }
  }
}

/**
 * Advances `rng` exactly as {@link resampleMeans} would for `resamples` resamples of `n` values,
 * computing nothing: the stream position where the next consumer (the next ROUGE type) starts.
 * Costs the draws without the sums, so another thread can start a later type's resampling.
 */
export function skipResamples(rng: RandomSource, n: number, resamples: number): void {
  if (n <= 1) return;
  if (!(rng instanceof Mt19937) || n > FAST_DRAW_LIMIT) {
    const scratch = new Uint32Array(n);
    for (let r = 0; r < resamples; r += 1) drawIndices(rng, n, scratch);
    return;
  }
  const mask = drawMask(n - 1);
  if (wasmAvailable(n)) {
    wasmSkip(rng, n, mask, resamples);
    return;
  }
  const accept = acceptTable(n, mask);
  const counts = new Int32Array(2);
  let pos = rng.position;
  while (counts[1] < resamples) {
    if (pos >= MT_BLOCK) {
      rng.twist();
      pos = 0;
    }
    pos = countBlock(rng.words, pos, accept, mask, n, resamples, counts);
  }
  rng.position = pos;
}

/** sumBlock without the sums: counts accepted draws into `counts[0]` and completed resamples into `counts[1]`. */
function countBlock(words: Int32Array, from: number, accept: Uint8Array, mask: number, n: number, resamples: number, counts: Int32Array): number {
  let taken = counts[0];
  let r = counts[1];
  let pos = from;
  for (; pos < MT_BLOCK && r < resamples; pos += 1) {
    let y = words[pos];
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    taken += accept[y & mask];
    if (taken === n) {
      r += 1;
      taken = 0;
    }
  }
  counts[0] = taken;
  counts[1] = r;
  return pos;
}
