/**
 * Text lines kept as UTF-8 bytes outside the JavaScript heap, then written to files in any order.
 *
 * `prepare` produces its records in zip order but writes them in split-file order, so every output
 * line must be kept until the end. Kept as strings, ~190,000 lines (≈ 90 MB) survive every young-
 * generation collection and are copied by each one, which made garbage collection the largest
 * cost of a run. Here each line is encoded once into large shared blocks and remembered by
 * position; writing copies the bytes into one output buffer and writes it with few system calls.
 *
 * Limits: lines are append-only and cannot be read back as strings; a line must not contain `\n`
 * (not checked: callers write JSON, which escapes it).
 */
import * as fs from 'node:fs';

const BLOCK_BYTES = 8 * 1024 * 1024;
const WRITE_BYTES = 4 * 1024 * 1024;

/** Append-only store of UTF-8 lines; {@link LineStore.add} returns the id used to write a line. */
export class LineStore {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.alloc(0);
  private used = 0;
  /** Per line id: block index, start and byte length (3 numbers a line). */
  private positions = new Float64Array(3 * 1024);
  private count = 0;

  /** Number of lines added. */
  get size(): number {
    return this.count;
  }

  /** Encodes `line` (without its newline) and returns its id. */
  add(line: string): number {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes.
    const room = line.length * 3;
    if (this.used + room > this.block.length) {
      this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, room));
      this.blocks.push(this.block);
      this.used = 0;
    }
    const bytes = this.block.write(line, this.used, 'utf8');
    if (3 * (this.count + 1) > this.positions.length) {
      const grown = new Float64Array(this.positions.length * 2);
      grown.set(this.positions);
      this.positions = grown;
    }
    const at = 3 * this.count;
    this.positions[at] = this.blocks.length - 1;
    this.positions[at + 1] = this.used;
    this.positions[at + 2] = bytes;
    this.used += bytes;
    this.count += 1;
    return this.count - 1;
  }

  /**
   * Writes the lines `ids`, in that order, each followed by `\n`, to a new file `file`
   * (truncating it). Returns the number of bytes written.
   * @throws the file system's error when the file cannot be written.
   */
  writeFile(file: string, ids: Iterable<number>): number {
    const fd = fs.openSync(file, 'w');
    try {
      const out = Buffer.allocUnsafe(WRITE_BYTES);
      let filled = 0;
      let total = 0;
      const flush = (): void => {
        writeAll(fd, out.subarray(0, filled));
        total += filled;
        filled = 0;
      };
      for (const id of ids) {
        const at = 3 * id;
        const block = this.blocks[this.positions[at]];
        const start = this.positions[at + 1];
        const length = this.positions[at + 2];
        if (filled + length + 1 > out.length) flush();
        if (length + 1 > out.length) {
          writeAll(fd, block.subarray(start, start + length));
          total += length;
        } else {
          filled += block.copy(out, filled, start, start + length);
        }
        out[filled] = 0x0a;
        filled += 1;
      }
      flush();
      return total;
    } finally {
      fs.closeSync(fd);
    }
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}
