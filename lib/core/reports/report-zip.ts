/**
 * Reads selected entries of a large zip (the MIMIC-CXR reports release: ~228,000 entries, ZIP64)
 * without extracting it and without holding it in memory.
 *
 * yauzl parses the zip structure (end records incl. ZIP64, central directory, local headers). Two
 * passes: the central directory is walked once and only the wanted entry names are kept; then those
 * entries are read in file order and inflated one at a time. All file reads go through one
 * buffered window (4 MiB) with synchronous positional reads, because the per-read cost of async
 * file I/O dominates when there are hundreds of thousands of tiny entries.
 *
 * Limits: stored and deflated entries only; no encryption; entry names without the UTF-8 flag are
 * decoded as Latin-1 rather than CP437 (identical for ASCII names, which MIMIC-CXR uses). A name
 * listed twice resolves to its last central-directory entry, as in Python's `zipfile`.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';

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
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    super();
  }

  /** Returns `length` bytes at `position` (a view valid until the next call), or fewer at EOF. */
  bytesAt(position: number, length: number): Buffer {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length) return this.window.subarray(offset, offset + length);
    if (length > WINDOW_BYTES) {
      const buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(this.fd, buffer, 0, length, position);
      return buffer.subarray(0, read);
    }
    if (this.window.length !== WINDOW_BYTES) this.window = Buffer.allocUnsafe(WINDOW_BYTES);
    const read = fs.readSync(this.fd, this.window, 0, Math.min(WINDOW_BYTES, Math.max(0, this.size - position)), position);
    this.windowStart = position;
    const view = this.window.subarray(0, read);
    return view.subarray(0, Math.min(length, read));
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

/** An open zip: call {@link ReportZip.close} when done. */
export class ReportZip {
  private constructor(
    readonly file: string,
    private readonly reader: WindowedFileReader,
    private readonly zip: yauzl.ZipFile,
  ) {}

  /**
   * Opens a zip file.
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
   * (later duplicates win). `onEntry(n)` is called with the number of entries seen so far.
   */
  async findEntries(wanted: ReadonlySet<string>, onEntry: (seen: number) => void = () => undefined): Promise<Map<string, yauzl.Entry>> {
    const found = new Map<string, yauzl.Entry>();
    let seen = 0;
    try {
      for await (const entry of this.zip.eachEntry()) {
        seen += 1;
        if ((seen & 0x3fff) === 0) onEntry(seen);
        const name = entryName(entry);
        if (wanted.has(name)) found.set(name, entry);
      }
    } catch (error) {
      throw new ZipReadError(`${this.file}: corrupt central directory after ${seen} entries (${(error as Error).message})`);
    }
    onEntry(seen);
    return found;
  }

  /**
   * Reads and decodes one entry's bytes, checking its size and CRC-32.
   * @throws ZipReadError naming the zip and the entry.
   */
  async readEntry(entry: yauzl.Entry): Promise<Buffer> {
    const where = `${this.file}: entry ${entryName(entry)}`;
    if (entry.isEncrypted()) throw new ZipReadError(`${where} is encrypted`);
    let start: number;
    try {
      start = (await this.zip.readLocalFileHeaderPromise(entry, { minimal: true })).fileDataStart;
    } catch (error) {
      throw new ZipReadError(`${where}: bad local header (${(error as Error).message})`);
    }
    const raw = this.reader.bytesAt(start, entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw new ZipReadError(`${where}: truncated data`);
    let data: Buffer;
    if (entry.compressionMethod === 0) {
      data = Buffer.from(raw);
    } else if (entry.compressionMethod === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch (error) {
        throw new ZipReadError(`${where}: cannot inflate (${(error as Error).message})`);
      }
    } else {
      throw new ZipReadError(`${where}: unsupported compression method ${entry.compressionMethod}`);
    }
    if (data.length !== entry.uncompressedSize) {
      throw new ZipReadError(`${where}: size ${data.length} differs from the directory's ${entry.uncompressedSize}`);
    }
    if (zlib.crc32(data) !== entry.crc32) throw new ZipReadError(`${where}: CRC-32 mismatch`);
    return data;
  }

  /** Closes the file. */
  close(): void {
    this.zip.close();
  }
}

/** The entry's name: UTF-8 when flagged (bit 11), else Latin-1. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  return (entry.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
}
