/**
 * Inflates and checks zip entries in a worker thread, ahead of a consumer that takes them in a
 * fixed order: the consumer (prepare's parsing loop) then spends no time in zlib, which runs on
 * the other core.
 *
 * The stored bytes are shared with the worker (a SharedArrayBuffer, no copy); the worker writes
 * each decoded entry into a shared output buffer and flags it ready (Atomics); {@link take} waits
 * for that flag. The checks and messages are those of {@link ReportZip.decode}: method, inflate
 * error (zlib's message), size (a larger output counted as the expected size + 1), CRC-32. The
 * worker stops at the first bad entry.
 *
 * The worker inflates as `RawInflater` does (one engine, reset per entry, through its internal
 * handle) or, without those internals, with `inflateRawSync` capped at the expected size + 1.
 *
 * Limits: costs the decoded size of all entries in memory (outside the JavaScript heap). When the
 * worker fails unexpectedly, or gives no sign for {@link STALL_MS} (it died, or cannot start),
 * {@link InflateAhead.take} returns undefined for that entry and every later one: the caller
 * decodes them itself.
 */
import { Worker } from 'node:worker_threads';

/** How long {@link InflateAhead.take} waits for one entry before giving up on the worker. */
const STALL_MS = 10_000;
const MESSAGE_BYTES = 4096;

/** What the worker needs, all indexed by slot except `sequence` (slots in the order taken). */
export interface InflateJob {
  /** The stored bytes of all entries, in a SharedArrayBuffer. */
  readonly data: Uint8Array;
  readonly starts: Float64Array;
  readonly compressedSize: Float64Array;
  readonly uncompressedSize: Float64Array;
  readonly method: Uint16Array;
  readonly crc32: Uint32Array;
  readonly sequence: Int32Array;
}

const WORKER = `
const { workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const { job, output, outStart, status, message } = workerData;
const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
const out = Buffer.from(output);
const text = Buffer.from(message.buffer, 4);
let engine = zlib.createInflateRaw();
engine.on('error', () => undefined);
// The engine's internals, as RawInflater uses them; without them, inflateRawSync per entry.
const internals = engine._handle != null && typeof engine._handle.writeSync === 'function' &&
  typeof engine._handle.reset === 'function' && ArrayBuffer.isView(engine._writeState);
let scratch = Buffer.allocUnsafe(64 * 1024);

function inflate(raw, expected) {
  if (!internals) {
    try {
      const bytes = zlib.inflateRawSync(raw, { chunkSize: Math.max(64, expected + 1), maxOutputLength: expected + 1 });
      return { bytes, length: bytes.length, problem: '' };
    } catch (error) {
      if (error.code === 'ERR_BUFFER_TOO_LARGE') return { bytes: raw, length: expected + 1, problem: '' };
      return { bytes: raw, length: 0, problem: 'cannot inflate (' + error.message + ')' };
    }
  }
  if (scratch.length < expected + 1) scratch = Buffer.allocUnsafe(Math.max(expected + 1, 2 * scratch.length));
  engine._handle.reset();
  engine._handle.writeSync(zlib.constants.Z_FINISH, raw, 0, raw.length, scratch, 0, expected + 1);
  if (engine.errored !== null) return { bytes: raw, length: 0, problem: 'cannot inflate (' + engine.errored.message + ')' };
  const length = expected + 1 - engine._writeState[0];
  return { bytes: scratch.subarray(0, length), length, problem: '' };
}

let at = 0;
let k = 0;
try {
  for (; k < job.sequence.length; k += 1) {
    const slot = job.sequence[k];
    const start = job.starts[slot];
    const raw = input.subarray(start, start + job.compressedSize[slot]);
    const expected = job.uncompressedSize[slot];
    const method = job.method[slot];
    let result = { bytes: raw, length: raw.length, problem: '' };
    if (method === 8) result = inflate(raw, expected);
    else if (method !== 0) result.problem = 'unsupported compression method ' + method;
    let { bytes, length, problem } = result;
    if (problem === '' && length !== expected) problem = 'size ' + length + " differs from the directory's " + expected;
    if (problem === '' && zlib.crc32(bytes.subarray(0, length)) !== job.crc32[slot]) problem = 'CRC-32 mismatch';
    if (problem !== '') {
      message[0] = text.write(problem);
      Atomics.store(status, k, 2);
      Atomics.notify(status, k);
      break;
    }
    bytes.copy(out, at, 0, length);
    outStart[k] = at;
    at += length;
    Atomics.store(status, k, 1);
    Atomics.notify(status, k);
  }
} catch {
  // Anything unexpected: the consumer decodes this entry and the rest itself.
  Atomics.store(status, k, 3);
  Atomics.notify(status, k);
}`;

/** A running worker inflating the entries of a job; {@link close} it when done. */
export class InflateAhead {
  private stalled = false;

  private constructor(
    private readonly worker: Worker,
    private readonly job: InflateJob,
    private readonly output: Buffer,
    private readonly outStart: Float64Array,
    private readonly status: Int32Array,
    private readonly message: Int32Array,
  ) {}

  /** Starts the worker on `job`. `job.data` must be backed by a SharedArrayBuffer. */
  static start(job: InflateJob): InflateAhead {
    let total = 0;
    for (let k = 0; k < job.sequence.length; k += 1) total += job.uncompressedSize[job.sequence[k]];
    const output = new SharedArrayBuffer(Math.max(1, total));
    const outStart = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, job.sequence.length)));
    const status = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, job.sequence.length)));
    const message = new Int32Array(new SharedArrayBuffer(4 + MESSAGE_BYTES));
    const worker = new Worker(WORKER, { eval: true, workerData: { job, output, outStart, status, message } });
    worker.unref();
    // An error in the worker shows as a stall in take(); the event only must not crash the process.
    worker.on('error', () => undefined);
    return new InflateAhead(worker, job, Buffer.from(output), outStart, status, message);
  }

  /**
   * The decoded bytes of item `k` of the sequence (a view, valid until close), waiting for the
   * worker if needed; undefined when the worker stalled (decode the entry yourself).
   * @throws Error whose message says what is wrong with the entry (`cannot inflate (…)`, …).
   */
  take(k: number): Buffer | undefined {
    if (this.stalled) return undefined;
    let state = Atomics.load(this.status, k);
    if (state === 0) {
      Atomics.wait(this.status, k, 0, STALL_MS);
      state = Atomics.load(this.status, k);
    }
    if (state === 0 || state === 3) {
      this.stalled = true;
      return undefined;
    }
    if (state === 2) {
      const text = Buffer.from(this.message.buffer, 4, this.message[0]).toString('utf8');
      throw new Error(text);
    }
    const start = this.outStart[k];
    return this.output.subarray(start, start + this.job.uncompressedSize[this.job.sequence[k]]);
  }

  /** Stops the worker. */
  close(): void {
    void this.worker.terminate();
  }
}
