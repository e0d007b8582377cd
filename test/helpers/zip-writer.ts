/**
 * A small zip writer for tests and the prepare benchmark (Node has none): stored or deflated
 * entries, directory entries, optional ZIP64 end records, written straight to a file so large
 * archives never sit in memory. Not a general-purpose zip library: no data descriptors, no
 * per-entry ZIP64 fields (each entry and offset must stay below 4 GiB).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** One entry to add. */
export interface ZipEntryInput {
  readonly name: string;
  /** File contents; omit for a directory entry (name ending in `/`). */
  readonly data?: Buffer | string;
  /** 0 = stored, 8 = deflated (default). */
  readonly method?: 0 | 8;
  /** Write this CRC-32 instead of the real one (to test corruption checks). */
  readonly badCrc?: boolean;
}

interface CentralRecord {
  readonly name: Buffer;
  readonly method: number;
  readonly crc: number;
  readonly compressed: number;
  readonly size: number;
  readonly offset: number;
  readonly external: number;
}

/** Writes a zip file entry by entry; call {@link ZipWriter.finish} to write the directory. */
export class ZipWriter {
  private readonly fd: number;
  private offset = 0;
  private readonly records: CentralRecord[] = [];

  constructor(
    readonly file: string,
    private readonly options: { readonly zip64?: boolean; readonly level?: number } = {},
  ) {
    this.fd = fs.openSync(file, 'w');
  }

  private write(buffer: Buffer): void {
    fs.writeSync(this.fd, buffer);
    this.offset += buffer.length;
  }

  /** Adds one entry (file or directory). */
  add(entry: ZipEntryInput): void {
    const name = Buffer.from(entry.name, 'utf8');
    const isDir = entry.data === undefined;
    const data = isDir ? Buffer.alloc(0) : Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data as string, 'utf8');
    const method = isDir ? 0 : (entry.method ?? 8);
    const body = method === 8 ? zlib.deflateRawSync(data, { level: this.options.level ?? 6 }) : data;
    const crc = entry.badCrc === true ? (zlib.crc32(data) ^ 1) >>> 0 : zlib.crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x800, 6); // UTF-8 names
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(0x21, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    const offset = this.offset;
    this.write(header);
    this.write(name);
    this.write(body);
    this.records.push({ name, method, crc, compressed: body.length, size: data.length, offset, external: isDir ? 0x10 : 0 });
  }

  /** Writes the central directory and end records, and closes the file. */
  finish(): void {
    const cdStart = this.offset;
    for (const r of this.records) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x800, 8);
      h.writeUInt16LE(r.method, 10);
      h.writeUInt16LE(0, 12);
      h.writeUInt16LE(0x21, 14);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(r.compressed, 20);
      h.writeUInt32LE(r.size, 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt32LE(r.external, 38);
      h.writeUInt32LE(r.offset, 42);
      this.write(h);
      this.write(r.name);
    }
    const cdSize = this.offset - cdStart;
    const count = this.records.length;
    const zip64 = this.options.zip64 === true || count >= 0xffff;
    if (zip64) {
      const recordOffset = this.offset;
      const z = Buffer.alloc(56);
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4);
      z.writeUInt16LE(45, 12);
      z.writeUInt16LE(45, 14);
      z.writeBigUInt64LE(BigInt(count), 24);
      z.writeBigUInt64LE(BigInt(count), 32);
      z.writeBigUInt64LE(BigInt(cdSize), 40);
      z.writeBigUInt64LE(BigInt(cdStart), 48);
      this.write(z);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(recordOffset), 8);
      locator.writeUInt32LE(1, 16);
      this.write(locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : count, 10);
    end.writeUInt32LE(zip64 ? 0xffffffff : cdSize, 12);
    end.writeUInt32LE(zip64 ? 0xffffffff : cdStart, 16);
    this.write(end);
    fs.closeSync(this.fd);
  }
}

/** Writes a whole zip of `entries` to `file`. */
export function writeZip(file: string, entries: readonly ZipEntryInput[], options: { readonly zip64?: boolean } = {}): void {
  const writer = new ZipWriter(file, options);
  for (const entry of entries) writer.add(entry);
  writer.finish();
}
