/**
 * Writes a text file line by line through one reusable buffer: each line is encoded as UTF-8
 * straight into the buffer, which is written out with one system call whenever it is full.
 *
 * Cheaper than building the file as strings (or a `Buffer` per line): the lines die young, no
 * large string is ever made, and no fresh memory is touched after the first buffer.
 *
 * Limits: synchronous; a line must not contain `\n` (not checked: callers write JSON, which escapes
 * it). On an error the file is left as it is: write into a temporary folder, as prepare does.
 */
import * as fs from 'node:fs';

const BUFFER_BYTES = 4 * 1024 * 1024;

/** An open output file; call {@link LineWriter.close} to flush it and get its size. */
export class LineWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private filled = 0;
  private written = 0;
  private lineCount = 0;

  /**
   * Creates (or truncates) `file`.
   * @throws the file system's error when it cannot be created.
   */
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  /** Number of lines written. */
  get lines(): number {
    return this.lineCount;
  }

  /** Appends `line` and a `\n`. */
  writeLine(line: string): void {
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes; +1 for the newline.
    const room = 3 * line.length + 1;
    if (this.filled + room > this.buffer.length) this.flush();
    if (room > this.buffer.length) {
      this.writeAll(Buffer.from(`${line}\n`, 'utf8'));
    } else {
      this.filled += this.buffer.write(line, this.filled, 'utf8');
      this.buffer[this.filled] = 0x0a;
      this.filled += 1;
    }
    this.lineCount += 1;
  }

  /**
   * Flushes and closes the file; returns its size in bytes.
   * @throws the file system's error when the last write fails (the file is closed anyway).
   */
  close(): number {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
    return this.written;
  }

  private flush(): void {
    this.writeAll(this.buffer.subarray(0, this.filled));
    this.filled = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length;) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    this.written += bytes.length;
  }
}
