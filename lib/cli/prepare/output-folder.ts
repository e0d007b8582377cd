/**
 * The output folder of `impressions prepare`, written all or nothing: files go to a staging folder
 * inside it and are renamed into place once everything is written and checked.
 *
 * A folder that already holds prepared files is replaced only when asked (`--force`), and then no
 * earlier file disappears silently: each file of the previous run that this run does not write is
 * removed (so the folder, its report and what `upload` sends agree) and named in the output.
 * Files prepare does not write (anything not in {@link PREPARE_OUTPUTS}) are never touched.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../errors';

/** Names of every file prepare may write. */
export const PREPARE_OUTPUTS = ['train.jsonl', 'train-records.jsonl', 'dev1.jsonl', 'dev2.jsonl', 'prepare-report.json'] as const;

/** One of {@link PREPARE_OUTPUTS}. */
export type PrepareOutput = (typeof PREPARE_OUTPUTS)[number];

/** An output folder being written; call {@link OutputFolder.commit} or {@link OutputFolder.discard}. */
export class OutputFolder {
  private constructor(
    /** The output folder. */
    readonly dir: string,
    /** The staging folder inside it. */
    readonly staging: string,
    /** The folder this run created (removed again on failure), if any. */
    private readonly created: string | undefined,
    /** Prepared files found in the folder before this run. */
    readonly previous: readonly PrepareOutput[],
  ) {}

  /**
   * Opens `dir` for writing (creating it when missing).
   * @throws CliError (bad input) when `dir` is a file, or holds prepared files and `force` is not set.
   */
  static open(dir: string, force: boolean): OutputFolder {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new CliError(`--out ${dir}: exists and is not a folder`);
    const previous = PREPARE_OUTPUTS.filter((name) => fs.existsSync(path.join(dir, name)));
    if (previous.length > 0 && !force) {
      throw new CliError(`--out ${dir}: already holds prepared files (${previous.join(', ')}): pass --force to replace them, or choose another --out folder`);
    }
    const created = fs.mkdirSync(dir, { recursive: true });
    const staging = path.join(dir, `.prepare-${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.mkdirSync(staging);
    return new OutputFolder(dir, staging, created, previous);
  }

  /** Where to write `name` until the commit. */
  stagedPath(name: PrepareOutput): string {
    return path.join(this.staging, name);
  }

  /**
   * Moves the staged files into place. Prepared files of the previous run that this run did not
   * write are removed, and `log` names each one.
   * @returns the files removed that way.
   */
  commit(log: (line: string) => void): PrepareOutput[] {
    const removed: PrepareOutput[] = [];
    for (const name of PREPARE_OUTPUTS) {
      const from = this.stagedPath(name);
      const to = path.join(this.dir, name);
      if (fs.existsSync(from)) {
        fs.renameSync(from, to);
      } else if (this.previous.includes(name)) {
        fs.rmSync(to, { force: true });
        removed.push(name);
        log(`removed ${to}: written by the previous prepare run, and this run writes no ${name} (the folder now matches prepare-report.json)`);
      }
    }
    fs.rmSync(this.staging, { recursive: true, force: true });
    return removed;
  }

  /** Removes the staging folder, and the output folder when this run created it. Earlier files stay as they were. */
  discard(): void {
    fs.rmSync(this.staging, { recursive: true, force: true });
    if (this.created !== undefined) fs.rmSync(this.created, { recursive: true, force: true });
  }
}
