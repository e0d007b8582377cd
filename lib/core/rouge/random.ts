/**
 * The seeded random source of the bootstrap: MT19937, seeded like numpy's legacy
 * `np.random.seed(s)`, and index draws like `np.random.choice(N, size=N)` (masked rejection
 * sampling). Chosen over a smaller generator (mulberry32, xorshift) because it lets a seeded run
 * reproduce `rouge-score`'s BootstrapAggregator after `np.random.seed(s)` bit for bit; it is not
 * cryptographic and not meant for anything but resampling.
 */

/** A source of uniform 32-bit unsigned integers. */
export interface RandomSource {
  nextUint32(): number;
}

const N = 624;
const M = 397;

/** The Mersenne Twister MT19937 with numpy's (and C++ `std::mt19937`'s) 32-bit seeding. */
export class Mt19937 implements RandomSource {
  private readonly state = new Uint32Array(N);
  private index = N;

  /** @param seed an integer in [0, 2^32); numpy accepts the same range for a scalar seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < N; i += 1) {
      const previous = state[i - 1] ^ (state[i - 1] >>> 30);
      // 1812433253 · previous + i mod 2^32, with the multiply split to stay exact in doubles.
      state[i] = ((((previous & 0xffff0000) >>> 16) * 1812433253) << 16) + (previous & 0x0000ffff) * 1812433253 + i;
    }
  }

  /** The next tempered 32-bit output. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index];
    this.index += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    let i = 0;
    // Three loops instead of "% N" in one: the same recurrence, without a division per word.
    for (; i < N - M; i += 1) {
      const y = (state[i] & 0x80000000) | (state[i + 1] & 0x7fffffff);
      state[i] = state[i + M] ^ (y >>> 1) ^ ((y & 1) * 0x9908b0df);
    }
    for (; i < N - 1; i += 1) {
      const y = (state[i] & 0x80000000) | (state[i + 1] & 0x7fffffff);
      state[i] = state[i + M - N] ^ (y >>> 1) ^ ((y & 1) * 0x9908b0df);
    }
    const y = (state[N - 1] & 0x80000000) | (state[0] & 0x7fffffff);
    state[N - 1] = state[M - 1] ^ (y >>> 1) ^ ((y & 1) * 0x9908b0df);
    this.index = 0;
  }
}

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
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask >>>= 0;
  for (let i = 0; i < into.length; i += 1) {
    let v: number;
    do {
      v = (rng.nextUint32() & mask) >>> 0;
    } while (v > max);
    into[i] = v;
  }
}
