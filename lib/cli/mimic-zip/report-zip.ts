/**
 * Reads selected entries of a large zip (the MIMIC-CXR reports release: ~228,000 entries, ZIP64)
 * without extracting it and without holding it in memory.
 *
 * yauzl finds and checks the end records (incl. ZIP64) and locates the central directory, which is
 * then walked once, matching the wanted names on their bytes ({@link ZipNameIndex}). The entries
 * found are read as their stored bytes in one sequential pass ({@link ReportZip.readLocated}) and
 * decoded later ({@link ReportZip.decode}) with one reusable zlib engine ({@link RawInflater}). All file reads go through one buffered
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
   * Returns `length` bytes at `position` (a view valid until the next call, or a buffer of its own
   * when longer than the window), or fewer at EOF.
   */
  bytesAt(position: number, length: number): Buffer {
    if (length > WINDOW_BYTES) {
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

/** Stored bytes of selected entries, from {@link ReportZip.readLocated}. */
export interface CompressedEntries {
  /** Number of entries. */
  readonly count: number;
  /** The stored bytes of the entry of name `index` of the list given to `locateEntries` (a view). */
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

/**
 * Central-directory facts of the entries whose names were given to
 * {@link ReportZip.locateEntries}, by index in that list, held in typed arrays (no object per
 * entry). A name listed twice resolves to the same entry under both indexes.
 */
export class EntryLocations {
  /** @internal */
  constructor(
    readonly names: readonly string[],
    /** Per name: the index whose slots hold its facts (its first occurrence). */
    private readonly first: Int32Array,
    /** Per slot: 1 when the entry was found. */
    private readonly found: Uint8Array,
    readonly method: Uint16Array,
    readonly flags: Uint16Array,
    readonly crc32: Uint32Array,
    readonly compressedSize: Float64Array,
    readonly uncompressedSize: Float64Array,
    readonly offset: Float64Array,
    /** Slots of the entries found, in file order (by offset of the local header). */
    readonly order: Int32Array,
  ) {}

  /** The slot of name `index` when its entry was found, else -1. */
  slot(index: number): number {
    const slot = this.first[index];
    return this.found[slot] === 1 ? slot : -1;
  }

  /** The entry of name `index` (a new object), or undefined when the zip has no such entry. */
  entry(index: number): ZipEntryInfo | undefined {
    const slot = this.slot(index);
    if (slot === -1) return undefined;
    return {
      name: this.names[slot],
      method: this.method[slot],
      flags: this.flags[slot],
      crc32: this.crc32[slot],
      compressedSize: this.compressedSize[slot],
      uncompressedSize: this.uncompressedSize[slot],
      offset: this.offset[slot],
    };
  }
}

/** Collects the facts of the entries found while the directory is walked, by slot (name index). */
class LocationTable {
  private readonly found: Uint8Array;
  private readonly method: Uint16Array;
  private readonly flags: Uint16Array;
  private readonly crc32: Uint32Array;
  private readonly compressedSize: Float64Array;
  private readonly uncompressedSize: Float64Array;
  private readonly offset: Float64Array;
  /** Slots in the order found; `sorted` while that is also file order. */
  private readonly order: Int32Array;
  private foundCount = 0;
  private sorted = true;
  private lastOffset = -1;

  constructor(n: number) {
    this.found = new Uint8Array(n);
    this.method = new Uint16Array(n);
    this.flags = new Uint16Array(n);
    this.crc32 = new Uint32Array(n);
    this.compressedSize = new Float64Array(n);
    this.uncompressedSize = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.order = new Int32Array(n);
  }

  /**
   * Records the entry of `slot` from its central-directory record at `at` in `directory`; a later
   * entry of the same name replaces it (as in Python's zipfile). Sizes and offset come from the
   * ZIP64 extra field where the record says 0xffffffff. Values go straight into the typed arrays:
   * nothing is allocated per entry.
   * @throws ZipReadError naming `file` and the entry when its ZIP64 sizes are missing.
   */
  record(slot: number, directory: Uint8Array, at: number, file: string, name: string): void {
    let uncompressedSize = u32(directory, at + 24);
    let compressedSize = u32(directory, at + 20);
    let offset = u32(directory, at + 42);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || offset === 0xffffffff) {
      // The ZIP64 extra field holds the 64-bit values of exactly the fields set to 0xffffffff, in this order.
      const extraStart = at + 46 + u16(directory, at + 28);
      const zip64 = zip64FieldStart(directory, extraStart, extraStart + u16(directory, at + 30));
      let next = zip64.start;
      const read64 = (): number => {
        if (next + 8 > zip64.end) throw new ZipReadError(`${file}: entry ${name}: ZIP64 sizes missing`);
        next += 8;
        return readUInt64(directory, next - 8);
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = read64();
      if (compressedSize === 0xffffffff) compressedSize = read64();
      if (offset === 0xffffffff) offset = read64();
    }
    if (this.found[slot] === 1) {
      this.sorted = false; // a later duplicate wins, at its own offset
    } else {
      this.found[slot] = 1;
      this.order[this.foundCount] = slot;
      this.foundCount += 1;
      if (offset < this.lastOffset) this.sorted = false;
      this.lastOffset = offset;
    }
    this.method[slot] = u16(directory, at + 10);
    this.flags[slot] = u16(directory, at + 8);
    this.crc32[slot] = u32(directory, at + 16);
    this.compressedSize[slot] = compressedSize;
    this.uncompressedSize[slot] = uncompressedSize;
    this.offset[slot] = offset;
  }

  /** The result, with the entries found in file order (by offset of the local header). */
  locations(names: readonly string[], firstIndex: Int32Array): EntryLocations {
    let inFileOrder = this.order.slice(0, this.foundCount);
    if (!this.sorted) inFileOrder = Int32Array.from(Array.from(inFileOrder).sort((x, y) => this.offset[x] - this.offset[y]));
    return new EntryLocations(
      names,
      firstIndex,
      this.found,
      this.method,
      this.flags,
      this.crc32,
      this.compressedSize,
      this.uncompressedSize,
      this.offset,
      inFileOrder,
    );
  }
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
   * Walks the central directory once and returns the entries whose names are in `names`, by index
   * in that list ({@link EntryLocations}: typed arrays, no object or map entry per entry, which
   * matters for ~100,000 entries). A name listed twice in the zip resolves to its later entry.
   * `onEntry(n)` is called now and then with the number of entries seen.
   *
   * The records are parsed here rather than with yauzl's `readEntry`, whose per-entry callbacks
   * cost seconds on 228,000 entries; the layout and the ZIP64 extra field are read the same way.
   * Names are matched on their bytes ({@link ZipNameIndex}): the entries not wanted cost no string.
   * @throws ZipReadError naming the zip and the position of a bad record.
   */
  locateEntries(names: readonly string[], onEntry: (seen: number) => void = () => undefined): EntryLocations {
    const index = new ZipNameIndex(names);
    const table = new LocationTable(names.length);
    // yauzl leaves its cursor at the start of the central directory (typed wrongly as boolean).
    let position = this.zip.readEntryCursor as unknown as number;
    const count = this.zip.entryCount;
    for (let seen = 0; seen < count; seen += 1) {
      const at = this.loadCentralRecord(position, seen, count);
      const directory = this.reader.window;
      const nameLength = u16(directory, at + 28);
      const slot = index.findIndex(directory, at + 46, at + 46 + nameLength, (u16(directory, at + 8) & 0x800) !== 0);
      if (slot !== -1) table.record(slot, directory, at, this.file, names[slot]);
      position += 46 + nameLength + u16(directory, at + 30) + u16(directory, at + 32);
      if ((seen & 0x3fff) === 0) onEntry(seen);
    }
    onEntry(count);
    return table.locations(names, index.firstIndex);
  }

  /**
   * Loads the central-directory record at `position` (its fixed part, name and extra field) into
   * the reader's window and returns its offset there: one read per 4 MiB and no memory beyond the
   * window (a per-entry read, or a copy of the whole directory, costs far more).
   * @throws ZipReadError naming the zip and the entry when the record is corrupt or truncated.
   */
  private loadCentralRecord(position: number, seen: number, count: number): number {
    const reader = this.reader;
    let at = reader.load(position, 46);
    if (reader.available(at) < 46 || u32(reader.window, at) !== CENTRAL_SIGNATURE) {
      throw new ZipReadError(`${this.file}: corrupt central directory at entry ${seen + 1} of ${count} (offset ${position})`);
    }
    const needed = 46 + u16(reader.window, at + 28) + u16(reader.window, at + 30);
    if (reader.available(at) < needed) at = reader.load(position, needed);
    if (reader.available(at) < needed) throw new ZipReadError(`${this.file}: central directory truncated at entry ${seen + 1}`);
    return at;
  }

  /**
   * Reads the stored (compressed) bytes of the entries of {@link locateEntries} into one buffer, in
   * its file order, so that the file is read once, sequentially. Costs the entries' compressed size
   * in memory, outside the JavaScript heap; decode each with {@link ReportZip.decode}. `bytes(i)`
   * takes the index of a name in the list given to `locateEntries` (an entry that was found).
   * `onEntry(n)` is called now and then with the number of entries read.
   * @throws ZipReadError naming the zip and the entry for a bad local header or truncated data.
   */
  readLocated(located: EntryLocations, onEntry: (read: number) => void = () => undefined): CompressedEntries {
    const { order } = located;
    let total = 0;
    for (let i = 0; i < order.length; i += 1) total += located.compressedSize[order[i]];
    if (total > buffer.constants.MAX_LENGTH) throw new ZipReadError(`${this.file}: the selected entries hold ${total} bytes, more than a buffer can`);
    const data = Buffer.allocUnsafe(total);
    const starts = new Float64Array(located.names.length);
    let filled = 0;
    for (let i = 0; i < order.length; i += 1) {
      const slot = order[i];
      starts[slot] = filled;
      const raw = this.storedBytes(located.names[slot], located.flags[slot], located.method[slot], located.offset[slot], located.compressedSize[slot]);
      filled += raw.copy(data, filled);
      if ((i & 0x3ff) === 0) onEntry(i);
    }
    onEntry(order.length);
    return {
      count: order.length,
      bytes: (index) => {
        const slot = located.slot(index);
        return data.subarray(starts[slot], starts[slot] + located.compressedSize[slot]);
      },
    };
  }

  /**
   * Decodes an entry's stored bytes (from {@link ReportZip.readLocated}) and checks its size and
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
  private storedBytes(name: string, flags: number, method: number, offset: number, compressedSize: number): Buffer {
    if ((flags & 0x1) !== 0) throw new ZipReadError(`${this.file}: entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipReadError(`${this.file}: entry ${name}: unsupported compression method ${method}`);
    const local = this.reader.bytesAt(offset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipReadError(`${this.file}: entry ${name}: bad local header`);
    const start = offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = this.reader.bytesAt(start, compressedSize);
    if (raw.length !== compressedSize) throw new ZipReadError(`${this.file}: entry ${name}: truncated data`);
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
