/**
 * File output of the CLI: nothing is ever half written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT } from './errors';

/**
 * Writes `content` to `file` through a temporary file in the same directory and a rename, so a
 * reader sees the old file or the complete new one. A failure removes the temporary file and
 * raises a CliError naming `file` and the system error code.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new CliError(`${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.failed);
  }
}
