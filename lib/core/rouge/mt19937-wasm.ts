/**
 * The bootstrap's draws in WebAssembly with SIMD (mt19937.wat): the generator twists and tempers four
 * state words per instruction, and the masking, rejection and summing loops run without JavaScript's
 * bounds checks, about four times faster than the JavaScript loops of random.ts and resample.ts,
 * which remain for any random source other than MT19937, for very large N, and wherever WebAssembly
 * SIMD is unavailable. Both produce the same draws in the same order and the same float64 sums (tests
 * run each against the plain one-draw-at-a-time loop).
 *
 * The Mt19937 object stays the owner of the stream: each call copies its 624 state words into the
 * module's memory and the words and position back afterwards, so calls through either path can be
 * mixed on one generator.
 */
import { MT19937_WASM_BASE64 } from './mt19937-wasm-bytes';
import type { Mt19937 } from './random';

/** The parts of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}

interface Mt19937Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  temper(): void;
  means(n: number, resamples: number, mask: number, pos: number, accept: number, values: number, means: number): number;
  indices(n: number, count: number, mask: number, pos: number, out: number): number;
  skip(n: number, resamples: number, mask: number, pos: number, accept: number): number;
}

/** Words of MT19937 state (random.ts's MT_BLOCK; not imported, as random.ts imports this module). */
const MT_BLOCK = 624;

/** Largest N served here: the accept table and the values take 9 bytes per masked value (≤ 2N). */
export const WASM_MAX_N = 2 ** 22;

/**
 * Resamples per call into the module. V8 runs a WebAssembly function first as quickly compiled
 * baseline code and switches to optimised code only between calls, so one call for all 1,000
 * resamples would run at baseline speed (about 2.5 times slower); calls of a few resamples each
 * switch after the first few. Each call starts and ends at a resample boundary, so nothing but the
 * position carries over.
 */
const CHUNK = 16;

/** Where the per-call areas start (after the state words and their tempered copy). */
const AREA = 4992;

let loaded: Mt19937Exports | null | undefined;

/** The instantiated module, or null where WebAssembly (with SIMD) is not available. */
function module(): Mt19937Exports | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    const bytes = Uint8Array.from(atob(MT19937_WASM_BASE64), (c) => c.charCodeAt(0));
    // validate is false where SIMD (or WebAssembly itself) is not supported: the JavaScript loops serve.
    if (api !== undefined && api.validate(bytes)) loaded = new api.Instance(new api.Module(bytes)).exports as Mt19937Exports;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** True when the WebAssembly path can serve draws for N values. */
export function wasmAvailable(n: number): boolean {
  return n > 1 && n <= WASM_MAX_N && module() !== null;
}

/** Grows the module's memory to at least `bytes`. */
function reserve(wasm: Mt19937Exports, bytes: number): void {
  const have = wasm.memory.buffer.byteLength;
  if (bytes > have) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Copies the generator's state in (and tempers the current block if it is partly used); returns its position. */
function enter(wasm: Mt19937Exports, rng: Mt19937): number {
  new Int32Array(wasm.memory.buffer, 0, MT_BLOCK).set(rng.words);
  if (rng.position < MT_BLOCK) wasm.temper();
  return rng.position;
}

/** Copies the state back and sets the generator's position. */
function leave(wasm: Mt19937Exports, rng: Mt19937, position: number): void {
  rng.words.set(new Int32Array(wasm.memory.buffer, 0, MT_BLOCK));
  rng.position = position;
}

/** Writes the accept table (1 for masked values below n) at AREA; returns the offset after it, 8-aligned. */
function writeAccept(wasm: Mt19937Exports, n: number, mask: number): number {
  const bytes = new Uint8Array(wasm.memory.buffer, AREA, mask + 1);
  bytes.fill(1, 0, n);
  bytes.fill(0, n);
  return AREA + ((mask + 1 + 7) & ~7);
}

/** resampleMeans for one column (see resample.ts); the caller checks {@link wasmAvailable}. */
export function wasmMeans(rng: Mt19937, values: ArrayLike<number>, mask: number, resamples: number, out: Float64Array): void {
  const wasm = module()!;
  const n = values.length;
  const size = mask + 1;
  const valuesAt = AREA + ((size + 7) & ~7);
  const meansAt = valuesAt + size * 8;
  reserve(wasm, meansAt + resamples * 8);
  writeAccept(wasm, n, mask);
  const padded = new Float64Array(wasm.memory.buffer, valuesAt, size);
  for (let i = 0; i < n; i += 1) padded[i] = values[i];
  padded.fill(0, n);
  let position = enter(wasm, rng);
  for (let r = 0; r < resamples; r += CHUNK) {
    position = wasm.means(n, Math.min(CHUNK, resamples - r), mask, position, AREA, valuesAt, meansAt + r * 8);
  }
  out.set(new Float64Array(wasm.memory.buffer, meansAt, resamples));
  leave(wasm, rng, position);
}

/** drawIndices for MT19937 (see random.ts); the caller checks {@link wasmAvailable}. */
export function wasmIndices(rng: Mt19937, n: number, mask: number, into: Uint32Array): void {
  const wasm = module()!;
  reserve(wasm, AREA + into.length * 4);
  const position = wasm.indices(n, into.length, mask, enter(wasm, rng), AREA);
  into.set(new Uint32Array(wasm.memory.buffer, AREA, into.length));
  leave(wasm, rng, position);
}

/** skipResamples for MT19937 (see resample.ts); the caller checks {@link wasmAvailable}. */
export function wasmSkip(rng: Mt19937, n: number, mask: number, resamples: number): void {
  const wasm = module()!;
  reserve(wasm, AREA + mask + 1);
  writeAccept(wasm, n, mask);
  let position = enter(wasm, rng);
  for (let r = 0; r < resamples; r += CHUNK) position = wasm.skip(n, Math.min(CHUNK, resamples - r), mask, position, AREA);
  leave(wasm, rng, position);
}
