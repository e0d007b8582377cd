/**
 * Inflates many small raw-deflate streams (zip entries) with one reusable zlib engine.
 *
 * `zlib.inflateRawSync` builds a new stream object and native zlib state (with its 32 KiB window)
 * per call; over the ~93,000 reports of a MIMIC-CXR split that costs about twice the inflating
 * itself, and the native allocations drive most of the garbage collection of a run. Here one
 * engine is created, reset before each stream and written synchronously into a reusable output
 * buffer. That uses the engine's internal handle (`_handle.writeSync`, `_writeState`), which Node
 * has kept stable since v12 but does not document; when it is absent (another runtime or a future
 * Node), each call falls back to the public `inflateRawSync`. After a zlib error the next call
 * starts a fresh engine.
 *
 * Limits: one stream at a time; the returned bytes are a view valid until the next call.
 */
import * as zlib from 'node:zlib';

/** The undocumented parts of a zlib engine used here. */
interface ZlibHandle {
  reset(): void;
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
}
interface EngineInternals {
  readonly _handle?: ZlibHandle | null;
  readonly _writeState?: Uint32Array;
}

/** Reusable raw-deflate decoder; see the module comment for what it relies on. */
export class RawInflater {
  private engine: (zlib.InflateRaw & EngineInternals) | undefined;
  private output = Buffer.allocUnsafe(64 * 1024);
  /** False once the engine's internals turned out to be missing. */
  private internalsAvailable = true;

  /**
   * Inflates one complete raw-deflate stream whose size should be `expectedSize`. Returns the
   * bytes (a view valid until the next call); the caller compares its length with what it expects.
   * Output beyond `expectedSize` may be cut off (at `expectedSize + 1` bytes, enough to show a mismatch).
   * @throws Error with zlib's message for corrupt or truncated data.
   */
  inflate(input: Uint8Array, expectedSize: number): Buffer {
    const engine = this.usableEngine();
    if (engine === undefined) return zlib.inflateRawSync(input, { chunkSize: Math.max(64, expectedSize + 1) });
    const room = expectedSize + 1;
    if (this.output.length < room) this.output = Buffer.allocUnsafe(Math.max(room, this.output.length * 2));
    const handle = engine._handle as ZlibHandle;
    handle.reset();
    handle.writeSync(zlib.constants.Z_FINISH, input, 0, input.length, this.output, 0, room);
    // zlib reports errors by destroying the engine (synchronously setting `errored`).
    if (engine.errored !== null) {
      this.engine = undefined;
      throw engine.errored;
    }
    const availableAfter = (engine._writeState as Uint32Array)[0];
    return this.output.subarray(0, room - availableAfter);
  }

  /** Releases the engine's native state; the inflater can still be used afterwards. */
  close(): void {
    this.engine?.close();
    this.engine = undefined;
  }

  /** The shared engine, created on first use; undefined when its internals are not available. */
  private usableEngine(): (zlib.InflateRaw & EngineInternals) | undefined {
    if (this.engine === undefined && this.internalsAvailable) {
      const engine = zlib.createInflateRaw() as zlib.InflateRaw & EngineInternals;
      // inflate() rethrows the error; without a listener the engine's 'error' event would crash the process.
      engine.on('error', () => undefined);
      const handle = engine._handle;
      if (
        handle === undefined ||
        handle === null ||
        typeof handle.writeSync !== 'function' ||
        typeof handle.reset !== 'function' ||
        !ArrayBuffer.isView(engine._writeState)
      ) {
        this.internalsAvailable = false;
        engine.destroy();
        return undefined;
      }
      this.engine = engine;
    }
    return this.engine;
  }
}
