/**
 * The seeded random source of the bootstrap: MT19937, seeded like numpy's legacy
 * `np.random.seed(s)`, and index draws like `np.random.choice(N, size=N)` (masked rejection
 * sampling). Chosen over a smaller generator (mulberry32, xorshift) because it lets a seeded run
 * reproduce `rouge-score`'s BootstrapAggregator after `np.random.seed(s)` bit for bit; it is not
 * cryptographic and not meant for anything but resampling.
 *
 * Speed: bulk consumers (drawIndices here, resampleMeans and skipResamples in ./resample.ts) run in
 * WebAssembly with SIMD where available (./mt19937-wasm.ts); otherwise they read whole blocks of
 * state words and temper them inline instead of calling nextUint32 per draw. The state is an
 * Int32Array and every operation stays in 32-bit integers (a Uint32Array would turn words above
 * 2^31 into doubles).
 */

import { wasmAvailable, wasmIndices } from './mt19937-wasm';

/** A source of uniform 32-bit unsigned integers. */
export interface RandomSource {
  nextUint32(): number;
}

/** Words of MT19937 state: one block of outputs between two twists. */
export const MT_BLOCK = 624;
const M = 397;
const UPPER = 0x80000000 | 0;
const LOWER = 0x7fffffff;
const MATRIX = 0x9908b0df | 0;
/** Tempering masks (as int32). */
export const TEMPER_B = 0x9d2c5680 | 0;
export const TEMPER_C = 0xefc60000 | 0;

/** The Mersenne Twister MT19937 with numpy's (and C++ `std::mt19937`'s) 32-bit seeding. */
export class Mt19937 implements RandomSource {
  /**
   * Untempered state words, as int32. Output `i` of the current block is `temper(words[i])`.
   * For bulk consumers only (see the module comment); everything else calls nextUint32.
   */
  readonly words = new Int32Array(MT_BLOCK);
  /** Index in `words` of the next output; MT_BLOCK when the block is used up (call {@link twist}). */
  position = MT_BLOCK;

  /** @param seed an integer in [0, 2^32); numpy accepts the same range for a scalar seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    const state = new Uint32Array(this.words.buffer);
    state[0] = seed >>> 0;
    for (let i = 1; i < MT_BLOCK; i += 1) {
      const previous = state[i - 1] ^ (state[i - 1] >>> 30);
      // 1812433253 · previous + i mod 2^32, with the multiply split to stay exact in doubles.
      state[i] = ((((previous & 0xffff0000) >>> 16) * 1812433253) << 16) + (previous & 0x0000ffff) * 1812433253 + i;
    }
  }

  /** The next tempered 32-bit output. */
  nextUint32(): number {
    if (this.position >= MT_BLOCK) this.twist();
    let y = this.words[this.position];
    this.position += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Generates the next block of state words and sets `position` to 0. */
  twist(): void {
    const state = this.words;
    let i = 0;
    // Three loops instead of "% N" in one: the same recurrence, without a division per word.
    for (; i < MT_BLOCK - M; i += 1) {
      const y = (state[i] & UPPER) | (state[i + 1] & LOWER);
      state[i] = state[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX);
    }
    for (; i < MT_BLOCK - 1; i += 1) {
      const y = (state[i] & UPPER) | (state[i + 1] & LOWER);
      state[i] = state[i + M - MT_BLOCK] ^ (y >>> 1) ^ (-(y & 1) & MATRIX);
    }
    const y = (state[MT_BLOCK - 1] & UPPER) | (state[0] & LOWER);
    state[MT_BLOCK - 1] = state[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX);
    this.position = 0;
  }
}

/** The smallest 2^k − 1 ≥ `max` (numpy's mask for draws in [0, max]). */
export function drawMask(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

/** Largest n for which the int32 fast paths apply (a mask below 2^31 keeps `word & mask` non-negative). */
export const FAST_DRAW_LIMIT = 2 ** 30;

/**
 * Fills `into` with uniform indices in [0, n), drawn as numpy's legacy `randint(0, n)` does: mask
 * each 32-bit draw to the smallest 2^k−1 ≥ n−1 and redraw when above n−1. For n = 1 no draw is made.
 * Supports n up to 2^32.
 */
export function drawIndices(rng: RandomSource, n: number, into: Uint32Array): void {
  if (n === 1) {
    into.fill(0);
    return;
  }
  const max = n - 1;
  const mask = drawMask(max);
  if (rng instanceof Mt19937 && wasmAvailable(n)) {
    wasmIndices(rng, n, mask, into);
    return;
  }
  if (rng instanceof Mt19937 && n <= FAST_DRAW_LIMIT) {
    drawIndicesMt(rng, max, mask, into);
    return;
  }
  for (let i = 0; i < into.length; i += 1) {
    let v: number;
    do {
      v = (rng.nextUint32() & mask) >>> 0;
    } while (v > max);
    into[i] = v;
  }
}

/** drawIndices for MT19937: tempers whole blocks inline and keeps accepted draws without a branch. */
function drawIndicesMt(rng: Mt19937, max: number, mask: number, into: Uint32Array): void {
  const words = rng.words;
  const count = into.length;
  let k = 0;
  let pos = rng.position;
  while (k < count) {
    if (pos >= MT_BLOCK) {
      rng.twist();
      pos = 0;
    }
    // Each word yields at most one index, so the block can be read up to `count - k` words ahead.
    const end = Math.min(MT_BLOCK, pos + (count - k));
    for (; pos < end; pos += 1) {
      let y = words[pos];
      y ^= y >>> 11;
      y ^= (y << 7) & TEMPER_B;
      y ^= (y << 15) & TEMPER_C;
      y ^= y >>> 18;
      const v = y & mask;
      // A rejected draw is overwritten by the next one: `k` only moves on acceptance.
      into[k] = v;
      k += v <= max ? 1 : 0;
    }
  }
  rng.position = pos;
}
