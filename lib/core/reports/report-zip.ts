/**
 * Reads selected entries of a large zip (the MIMIC-CXR reports release: ~228,000 entries, ZIP64)
 * without extracting it and without holding it in memory.
 *
 * yauzl finds and checks the end records (incl. ZIP64) and locates the central directory, which is
 * then walked once, matching the wanted names on their bytes ({@link ZipNameIndex}). Entries are
 * read either one at a time ({@link ReportZip.readEntry}) or, for many, as their stored bytes in one
 * sequential pass ({@link ReportZip.readCompressed}) and decoded later ({@link ReportZip.decode})
 * with one reusable zlib engine ({@link RawInflater}). All file reads go through one buffered
 * window (4 MiB) with synchronous positional reads, because the per-read cost of async file I/O
 * dominates when there are hundreds of thousands of tiny entries.
 *
 * Limits: stored and deflated entries only; no encryption; entry names without the UTF-8 flag are
 * decoded as Latin-1 rather than CP437 (identical for ASCII names, which MIMIC-CXR uses). A name
 * listed twice resolves to its last central-directory entry, as in Python's `zipfile`.
 */
import * as buffer from 'node:buffer';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';
import { RawInflater } from './raw-inflater';
import { ZipNameIndex } from './zip-name-index';

/** A zip that cannot be read; the message names the file (and the entry when there is one). */
export class ZipReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipReadError';
  }
}

const WINDOW_BYTES = 4 * 1024 * 1024;

/** A yauzl random-access reader over a file descriptor with a read-ahead window. */
class WindowedFileReader extends yauzl.RandomAccessReader {
  /** The window's memory (allocated on first use); `windowLength` bytes of it are loaded. */
  window = Buffer.alloc(0);
  private windowStart = 0;
  private windowLength = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    super();
  }

  /**
   * Makes `[position, position + length)` (at most the window's size) readable in {@link window}
   * and returns the offset of `position` in it; the window then holds `available(offset)` bytes
   * from there, fewer than `length` only at the end of the file. Reading through the window this
   * way costs no allocation per call.
   */
  load(position: number, length: number): number {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.windowLength) return offset;
    if (this.window.length !== WINDOW_BYTES) this.window = Buffer.allocUnsafe(WINDOW_BYTES);
    this.windowLength = fs.readSync(this.fd, this.window, 0, Math.min(WINDOW_BYTES, Math.max(0, this.size - position)), position);
    this.windowStart = position;
    return 0;
  }

  /** Number of loaded bytes of the window from `offset` on. */
  available(offset: number): number {
    return this.windowLength - offset;
  }

  /**
   * Returns `length` bytes at `position` (a view valid until the next call), or fewer at EOF.
   * `own` reads into a new buffer, bypassing the window.
   */
  bytesAt(position: number, length: number, own = false): Buffer {
    if (own || length > WINDOW_BYTES) {
      const buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(this.fd, buffer, 0, length, position);
      return buffer.subarray(0, read);
    }
    const offset = this.load(position, length);
    return this.window.subarray(offset, offset + Math.min(length, this.windowLength - offset));
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    let copied = 0;
    try {
      copied = this.bytesAt(position, length).copy(buffer, offset);
    } catch (error) {
      queueMicrotask(() => callback(error as Error));
      return;
    }
    // Asynchronous completion keeps yauzl's entry loop from growing the stack.
    queueMicrotask(() => callback(null, copied));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return fs.createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }

  override close(callback: (err: Error | null) => void): void {
    fs.close(this.fd, callback);
  }
}

/** Stored bytes of selected entries, from {@link ReportZip.readCompressed}. */
export interface CompressedEntries {
  /** Number of entries. */
  readonly count: number;
  /** The stored bytes of the entry at `index` of the list given to `readCompressed` (a view). */
  bytes(index: number): Buffer;
}

/** What prepare needs of a central-directory entry. */
export interface ZipEntryInfo {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the entry's local header. */
  readonly offset: number;
}

const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** An open zip: call {@link ReportZip.close} when done. */
export class ReportZip {
  private constructor(
    readonly file: string,
    private readonly reader: WindowedFileReader,
    private readonly zip: yauzl.ZipFile,
  ) {}

  private readonly inflater = new RawInflater();

  /**
   * Opens a zip file; yauzl finds and checks the end records (ZIP64 included).
   * @throws ZipReadError when the file is missing, unreadable or not a zip.
   */
  static async open(file: string): Promise<ReportZip> {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (error) {
      throw new ZipReadError(`${file}: cannot open the zip (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let size: number;
    try {
      size = fs.fstatSync(fd).size;
    } catch (error) {
      fs.closeSync(fd);
      throw new ZipReadError(`${file}: cannot read the zip (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const reader = new WindowedFileReader(fd, size);
    try {
      const zip = await yauzl.fromRandomAccessReaderPromise(reader, size, { lazyEntries: true, autoClose: false, decodeStrings: false });
      return new ReportZip(file, reader, zip);
    } catch (error) {
      fs.closeSync(fd);
      throw new ZipReadError(`${file}: not a readable zip file (${(error as Error).message})`);
    }
  }

  /** Number of entries in the central directory. */
  get entryCount(): number {
    return this.zip.entryCount;
  }

  /**
   * Walks the central directory once and returns the entries whose names are in `wanted`
   * (later duplicates win). `onEntry(n)` is called now and then with the number of entries seen.
   *
   * The records are parsed here rather than with yauzl's `readEntry`, whose per-entry callbacks
   * cost seconds on 228,000 entries; the layout and the ZIP64 extra field are read the same way.
   * Names are matched on their bytes ({@link ZipNameIndex}): the entries not wanted cost no string.
   * @throws ZipReadError naming the zip and the position of a bad record.
   */
  findEntries(wanted: ReadonlySet<string>, onEntry: (seen: number) => void = () => undefined): Map<string, ZipEntryInfo> {
    const found = new Map<string, ZipEntryInfo>();
    const index = new ZipNameIndex(wanted);
    // yauzl leaves its cursor at the start of the central directory (typed wrongly as boolean).
    const start = this.zip.readEntryCursor as unknown as number;
    const count = this.zip.entryCount;
    // The directory (~80 bytes an entry) is walked through the reader's window: one read per
    // 4 MiB and no memory beyond the window (a per-entry read, or a copy of it all, costs far more).
    const reader = this.reader;
    let position = start;
    for (let seen = 0; seen < count; seen += 1) {
      let cursor = reader.load(position, 46);
      let directory = reader.window;
      if (reader.available(cursor) < 46 || u32(directory, cursor) !== CENTRAL_SIGNATURE) {
        throw new ZipReadError(`${this.file}: corrupt central directory at entry ${seen + 1} of ${count} (offset ${position})`);
      }
      const flags = u16(directory, cursor + 8);
      const nameLength = u16(directory, cursor + 28);
      const extraLength = u16(directory, cursor + 30);
      const commentLength = u16(directory, cursor + 32);
      if (reader.available(cursor) < 46 + nameLength + extraLength) {
        cursor = reader.load(position, 46 + nameLength + extraLength);
        directory = reader.window;
      }
      const nameStart = cursor + 46;
      const extraStart = nameStart + nameLength;
      if (reader.available(cursor) < 46 + nameLength + extraLength) throw new ZipReadError(`${this.file}: central directory truncated at entry ${seen + 1}`);
      const name = index.find(directory, nameStart, extraStart, (flags & 0x800) !== 0);
      if (name !== undefined) {
        let uncompressedSize = u32(directory, cursor + 24);
        let compressedSize = u32(directory, cursor + 20);
        let offset = u32(directory, cursor + 42);
        if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || offset === 0xffffffff) {
          // The ZIP64 extra field holds the 64-bit values of exactly the fields set to 0xffffffff, in this order.
          const zip64 = zip64FieldStart(directory, extraStart, extraStart + extraLength);
          let at = zip64.start;
          const missing = (): ZipReadError => new ZipReadError(`${this.file}: entry ${name}: ZIP64 sizes missing`);
          if (uncompressedSize === 0xffffffff) {
            if (at + 8 > zip64.end) throw missing();
            uncompressedSize = readUInt64(directory, at);
            at += 8;
          }
          if (compressedSize === 0xffffffff) {
            if (at + 8 > zip64.end) throw missing();
            compressedSize = readUInt64(directory, at);
            at += 8;
          }
          if (offset === 0xffffffff) {
            if (at + 8 > zip64.end) throw missing();
            offset = readUInt64(directory, at);
          }
        }
        const method = u16(directory, cursor + 10);
        const crc32 = u32(directory, cursor + 16);
        found.set(name, { name, method, flags, crc32, compressedSize, uncompressedSize, offset });
      }
      position += 46 + nameLength + extraLength + commentLength;
      if ((seen & 0x3fff) === 0) onEntry(seen);
    }
    onEntry(count);
    return found;
  }

  /**
   * Reads and decodes one entry's bytes, checking its local header, size and CRC-32. The result is
   * a view into a buffer reused by the next call: decode or copy it before reading another entry.
   * @throws ZipReadError naming the zip and the entry.
   */
  readEntry(entry: ZipEntryInfo): Buffer {
    return this.decode(entry, this.compressedBytes(entry));
  }

  /**
   * Reads the stored (compressed) bytes of `entries` into one buffer, in the order given, which
   * should be file order (sort by `offset`) so that the file is read once, sequentially. Costs the
   * entries' compressed size in memory, outside the JavaScript heap; decode each with
   * {@link ReportZip.decode}. `onEntry(n)` is called now and then with the number of entries read.
   * @throws ZipReadError naming the zip and the entry for a bad local header or truncated data.
   */
  readCompressed(entries: readonly ZipEntryInfo[], onEntry: (read: number) => void = () => undefined): CompressedEntries {
    let total = 0;
    for (const entry of entries) total += entry.compressedSize;
    if (total > buffer.constants.MAX_LENGTH) throw new ZipReadError(`${this.file}: the selected entries hold ${total} bytes, more than a buffer can`);
    const data = Buffer.allocUnsafe(total);
    const starts = new Float64Array(entries.length + 1);
    let filled = 0;
    for (let i = 0; i < entries.length; i += 1) {
      starts[i] = filled;
      filled += this.compressedBytes(entries[i]).copy(data, filled);
      if ((i & 0x3ff) === 0) onEntry(i);
    }
    starts[entries.length] = filled;
    onEntry(entries.length);
    return { count: entries.length, bytes: (index) => data.subarray(starts[index], starts[index + 1]) };
  }

  /**
   * Decodes an entry's stored bytes (from {@link ReportZip.readCompressed}) and checks its size and
   * CRC-32. The result may be a view into a buffer reused by the next call: decode or copy it first.
   * @throws ZipReadError naming the zip and the entry.
   */
  decode(entry: ZipEntryInfo, raw: Buffer): Buffer {
    const where = `${this.file}: entry ${entry.name}`;
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      try {
        data = this.inflater.inflate(raw, entry.uncompressedSize);
      } catch (error) {
        throw new ZipReadError(`${where}: cannot inflate (${(error as Error).message})`);
      }
    } else {
      throw new ZipReadError(`${where}: unsupported compression method ${entry.method}`);
    }
    if (data.length !== entry.uncompressedSize) {
      throw new ZipReadError(`${where}: size ${data.length} differs from the directory's ${entry.uncompressedSize}`);
    }
    if (zlib.crc32(data) !== entry.crc32) throw new ZipReadError(`${where}: CRC-32 mismatch`);
    return data;
  }

  /** The stored bytes of an entry (a view valid until the next read), after checking its local header. */
  private compressedBytes(entry: ZipEntryInfo): Buffer {
    const where = `${this.file}: entry ${entry.name}`;
    if ((entry.flags & 0x1) !== 0) throw new ZipReadError(`${where} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) throw new ZipReadError(`${where}: unsupported compression method ${entry.method}`);
    const local = this.reader.bytesAt(entry.offset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipReadError(`${where}: bad local header`);
    const start = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = this.reader.bytesAt(start, entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw new ZipReadError(`${where}: truncated data`);
    return raw;
  }

  /** Closes the file. */
  close(): void {
    this.inflater.close();
    this.zip.close();
  }
}

/** Where the data of the ZIP64 extended-information extra field (id 0x0001) lies in `bytes[start, end)`; empty when absent. */
function zip64FieldStart(bytes: Uint8Array, start: number, end: number): { start: number; end: number } {
  let i = start;
  while (i + 4 <= end) {
    const id = u16(bytes, i);
    const size = u16(bytes, i + 2);
    if (id === 0x0001) return { start: i + 4, end: Math.min(end, i + 4 + size) };
    i += 4 + size;
  }
  return { start: end, end };
}

/** An unsigned 64-bit little-endian integer (exact up to 2^53, far beyond any zip here). */
function readUInt64(bytes: Uint8Array, at: number): number {
  return u32(bytes, at) + u32(bytes, at + 4) * 0x100000000;
}

/**
 * Little-endian reads without bounds checks (callers check them): in the directory walk, Buffer's
 * checked methods cost several times the rest of the loop.
 */
function u16(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
