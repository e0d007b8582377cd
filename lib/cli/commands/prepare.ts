/**
 * `impressions prepare`: MIMIC-CXR reports zip + MEDIQA split CSV (+ Indiana dev JSON) → the
 * training channel, the evaluation sets and a report, ready for `impressions upload`.
 *
 * Files written to `--out` (all or nothing: written in a temporary folder, then renamed):
 * - `train.jsonl`: `{"prompt","completion"}` per train row (prompt = template with the findings);
 * - `train-records.jsonl`, `dev1.jsonl`: MEDIQA records of the train and dev rows;
 * - `dev2.jsonl`: the Indiana records (with `--indiana`);
 * - `prepare-report.json`: counts, skipped ids and why, input and output SHA-256, template, version.
 * Output order is the split file's order. Messages name files, lines and ids, never report text.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { loadConfigFromProject } from '../../config';
import { recordFromReport, reportEntryName, UnparsableReason } from '../../core/mimic/mimic-record';
import { EvalRecord, formatEvalRecord, formatEvalRecordJson, RecordError } from '../../core/eval-record';
import { validateIndianaRecords } from '../../core/mimic/indiana-records';
import { trainLineFormatter } from '../../core/mimic/train-line';
import { CompressedEntries, EntryLocations, ReportZip, ZipEntryInfo, ZipReadError } from '../mimic-zip/report-zip';
import { parseSplitCsv, SplitFileError, SplitName, SplitRow } from '../../core/mimic/split-csv';
import { CliError } from '../errors';
import { LineWriter } from '../line-writer';
import { packageVersion } from '../package-version';
import { startProgress } from '../progress';

/** Inputs of a prepare run. */
export interface PrepareOptions {
  /** MEDIQA split CSV (`study_id,subject_id,split`). */
  readonly split: string;
  /** MIMIC-CXR reports zip; without it no train/dev1 files are written (the split is still checked). */
  readonly mimicZip?: string;
  /** Indiana University dev JSON (array of MEDIQA records); without it no dev2 file is written. */
  readonly indiana?: string;
  /** Output folder (created when missing). */
  readonly out: string;
  /** Prompt template containing `{context}` once. */
  readonly template: string;
  /** Leave out split rows whose report is not in the zip (recorded in the report) instead of failing. */
  readonly skipMissing?: boolean;
  /** Leave out reports without findings or impression, or not valid UTF-8 (recorded) instead of failing. */
  readonly skipUnparsable?: boolean;
  /** Show progress bars (default: when standard error is a terminal). */
  readonly progress?: boolean;
  /** Where the summary lines go (default: standard output). */
  readonly log?: (line: string) => void;
}

/** A split row left out, and why. */
export interface SkippedStudy {
  readonly study_id: string;
  readonly subject_id: string;
  readonly split: SplitName;
  /** Line of the split file. */
  readonly line: number;
  readonly reason: 'no report in the zip' | UnparsableReason | 'not valid UTF-8';
}

/** Description of an input or output file in the report. */
export interface FileFacts {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Contents of `prepare-report.json`. */
export interface PrepareReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  readonly template: string;
  readonly inputs: { readonly split: FileFacts; readonly mimicZip?: FileFacts & { readonly entries: number }; readonly indiana?: FileFacts };
  readonly splitRows: Readonly<Record<SplitName, number>>;
  readonly written: Readonly<Record<string, number>>;
  /** `test` rows are counted but not prepared. */
  readonly ignoredTestRows: number;
  readonly skipped: { readonly missing: readonly SkippedStudy[]; readonly unparsable: readonly SkippedStudy[] };
  /** Size of each file written (upload verifies contents against S3 itself). */
  readonly outputs: Readonly<Record<string, { readonly path: string; readonly bytes: number }>>;
}

/** Names of every file prepare may write; stale copies are removed so the folder matches the report. */
export const PREPARE_OUTPUTS = ['train.jsonl', 'train-records.jsonl', 'dev1.jsonl', 'dev2.jsonl', 'prepare-report.json'] as const;

const SHOWN_IDS = 5;

function checkTemplate(template: string): void {
  if (template.split('{context}').length !== 2) throw new CliError('prompt template: must contain the placeholder {context} exactly once');
}

function readInput(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new CliError(`${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CliError(`${file}: not valid UTF-8`);
  }
}

function facts(file: string, bytes: Buffer): FileFacts {
  return { path: path.resolve(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Hashing code run in a worker thread, so the zip's SHA-256 costs no time on the main thread. */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
try {
  const hash = createHash('sha256');
  const fd = fs.openSync(workerData, 'r');
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  let bytes = 0;
  for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; bytes += n) hash.update(buffer.subarray(0, n));
  fs.closeSync(fd);
  parentPort.postMessage({ bytes, sha256: hash.digest('hex') });
} catch (error) {
  parentPort.postMessage({ error: error.code || error.message });
}`;

/** SHA-256 and size of a file, computed in a worker thread. */
function hashFileInWorker(file: string): Promise<FileFacts> {
  return new Promise((resolve, reject) => {
    // No execArgv: the worker is plain JavaScript and needs none of the parent's loaders (e.g. tsx).
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: file, execArgv: [] });
    worker.once('message', (m: { bytes: number; sha256: string } | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(m.error));
      else resolve({ path: path.resolve(file), bytes: m.bytes, sha256: m.sha256 });
    });
    worker.once('error', reject);
  });
}

function describeStudies(studies: readonly SkippedStudy[], splitFile: string): string {
  const shown = studies
    .slice(0, SHOWN_IDS)
    .map((s) => `study_id ${s.study_id} (${splitFile} line ${s.line}${s.reason === 'no report in the zip' ? '' : `: ${s.reason}`})`);
  return shown.join(', ') + (studies.length > SHOWN_IDS ? `, and ${studies.length - SHOWN_IDS} more` : '');
}

function skipped(row: SplitRow, reason: SkippedStudy['reason']): SkippedStudy {
  return { study_id: row.studyId, subject_id: row.subjectId, split: row.split, line: row.line, reason };
}

/** The reports of a split's train and dev rows, read from the zip but not yet decoded. */
interface ZipReports {
  /** The open zip (it decodes the entries); close it when done. */
  readonly zip: ReportZip;
  /** The entries of the train and dev rows' names. */
  readonly located: EntryLocations;
  /** Their stored bytes, by name index. */
  readonly compressed: CompressedEntries;
  /** Per split row: index of its name in `located` (its report), or -1 (test row, or no report). */
  readonly entryOfRow: Int32Array;
  /** Train and dev rows whose report is not in the zip, in split-file order. */
  readonly missing: SkippedStudy[];
}

/** Runs one pass over the zip under a progress bar; its failure (a ZipReadError) becomes a CliError. */
function zipStep<T>(label: string, total: number, unit: string, showProgress: boolean | undefined, work: (update: (done: number) => void) => T): T {
  const bar = startProgress(label, total, unit, showProgress);
  try {
    return work((done) => bar.update(done));
  } catch (error) {
    throw new CliError((error as Error).message);
  } finally {
    bar.stop();
  }
}

/**
 * Opens the zip, finds the reports of the train and dev rows and reads their stored bytes in one
 * sequential pass (about 40 MB for the real split). Decoding is left to {@link writeRecords},
 * which goes in split-file order, so no record has to be kept until the end.
 */
async function loadReports(zipFile: string, rows: readonly SplitRow[], showProgress: boolean | undefined): Promise<ZipReports> {
  let zip: ReportZip;
  try {
    zip = await ReportZip.open(zipFile);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    // One name per train/dev row; `wantedRow[i]` is the row of `names[i]`.
    const names: string[] = [];
    const wantedRow: number[] = [];
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[i];
      if (row.split === 'test') continue;
      names.push(reportEntryName(row.studyId, row.subjectId));
      wantedRow.push(i);
    }
    const located = zipStep('Indexing zip', zip.entryCount, 'entries', showProgress, (update) => zip.locateEntries(names, update));
    const entryOfRow = new Int32Array(rows.length).fill(-1);
    const missing: SkippedStudy[] = [];
    for (let i = 0; i < names.length; i += 1) {
      if (located.slot(i) === -1) missing.push(skipped(rows[wantedRow[i]], 'no report in the zip'));
      else entryOfRow[wantedRow[i]] = i;
    }
    // File order: the window reader then reads the zip once, front to back.
    const compressed = zipStep('Reading reports', located.order.length, 'reports', showProgress, (update) => zip.readLocated(located, update));
    return { zip, located, compressed, entryOfRow, missing };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** A file written by prepare: its name in the output folder, size and number of records. */
interface WrittenFile {
  readonly name: string;
  readonly bytes: number;
  readonly records: number;
}

/**
 * Decodes and parses the reports in split-file order and writes `train.jsonl`,
 * `train-records.jsonl` and `dev1.jsonl` into `dir` as it goes. Returns the files and the rows that
 * gave no record (their reason), in split-file order.
 */
function writeRecords(
  reports: ZipReports,
  rows: readonly SplitRow[],
  template: string,
  dir: string,
  showProgress: boolean | undefined,
): { files: WrittenFile[]; unparsable: SkippedStudy[] } {
  const train = new LineWriter(path.join(dir, 'train.jsonl'));
  const trainRecords = new LineWriter(path.join(dir, 'train-records.jsonl'));
  const dev = new LineWriter(path.join(dir, 'dev1.jsonl'));
  const writers = [train, trainRecords, dev];
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const trainLine = trainLineFormatter(template);
  const unparsable: SkippedStudy[] = [];
  const bar = startProgress('Parsing reports', reports.located.order.length, 'reports', showProgress);
  try {
    let done = 0;
    for (let i = 0; i < rows.length; i += 1) {
      const index = reports.entryOfRow[i];
      if (index === -1) continue;
      const row = rows[i];
      const entry = reports.located.entry(index) as ZipEntryInfo;
      let bytes: Buffer;
      try {
        bytes = reports.zip.decode(entry, reports.compressed.bytes(index));
      } catch (error) {
        throw new CliError(error instanceof ZipReadError ? error.message : `${reports.zip.file}: entry ${entry.name}: ${(error as Error).message}`);
      }
      let text: string | undefined;
      try {
        text = decoder.decode(bytes);
      } catch {
        text = undefined;
      }
      const outcome = text === undefined ? { reason: 'not valid UTF-8' as const } : recordFromReport(text, row.studyId, row.subjectId);
      if ('reason' in outcome) {
        unparsable.push(skipped(row, outcome.reason));
      } else if (row.split === 'train') {
        const { record } = outcome;
        const findingsJson = JSON.stringify(record.findings);
        const impressionJson = JSON.stringify(record.impression);
        train.writeLine(trainLine(record.findings, findingsJson, impressionJson));
        trainRecords.writeLine(formatEvalRecordJson(record, findingsJson, impressionJson));
      } else {
        dev.writeLine(formatEvalRecord(outcome.record));
      }
      done += 1;
      if ((done & 0x3ff) === 0) bar.update(done);
    }
    bar.update(done);
  } catch (error) {
    for (const writer of writers) {
      try {
        writer.close();
      } catch {
        // The first error is the one to report; the folder is removed anyway.
      }
    }
    throw error;
  } finally {
    bar.stop();
  }
  const files = writers.map((writer) => ({ name: path.basename(writer.file), records: writer.lines, bytes: writer.close() }));
  return { files, unparsable };
}

/**
 * Runs the preparation and returns the report (also written as `prepare-report.json`).
 * @throws CliError for every bad input, naming the file and the line, index or study id.
 */
export async function runPrepare(options: PrepareOptions): Promise<PrepareReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  checkTemplate(options.template);
  if (options.mimicZip === undefined && options.indiana === undefined) {
    throw new CliError('nothing to prepare: give --mimic-zip (train and dev1) and/or --indiana (dev2)');
  }

  const splitBytes = readInput(options.split, 'split file');
  let rows: SplitRow[];
  try {
    rows = parseSplitCsv(decodeUtf8(splitBytes, options.split), options.split);
  } catch (error) {
    if (error instanceof SplitFileError) throw new CliError(error.message);
    throw error;
  }
  const splitRows: Record<SplitName, number> = { train: 0, dev: 0, test: 0 };
  for (const row of rows) splitRows[row.split] += 1;

  let indiana: EvalRecord[] | undefined;
  let indianaFacts: FileFacts | undefined;
  if (options.indiana !== undefined) {
    const bytes = readInput(options.indiana, 'Indiana dev file');
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(bytes, options.indiana));
    } catch (error) {
      if (error instanceof CliError) throw error;
      // V8's message quotes part of the text, which may be patient text: keep only the position.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new CliError(`${options.indiana}: not valid JSON${position !== undefined ? ` (at character ${position})` : ''}`);
    }
    try {
      indiana = validateIndianaRecords(value, options.indiana);
    } catch (error) {
      if (error instanceof RecordError) throw new CliError(error.message);
      throw error;
    }
    indianaFacts = facts(options.indiana, bytes);
  }

  let reports: ZipReports | undefined;
  const zipHash = options.mimicZip !== undefined ? hashFileInWorker(options.mimicZip).catch((error: Error) => error) : undefined;
  if (options.mimicZip !== undefined) {
    reports = await loadReports(options.mimicZip, rows, options.progress);
    const { missing } = reports;
    if (missing.length > 0 && options.skipMissing !== true) {
      reports.zip.close();
      throw new CliError(
        `${options.mimicZip}: ${missing.length} of the ${splitRows.train + splitRows.dev} train/dev studies of ${options.split} have no report ` +
          `in the zip: ${describeStudies(missing, options.split)}. Check that the zip and the split belong together, or rerun with --skip-missing to leave them out.`,
      );
    }
  }

  // Write into a temporary folder, then rename into place; on failure the folder is removed, and
  // so is the output folder if this run created it.
  const createdOut = fs.mkdirSync(options.out, { recursive: true });
  const temp = path.join(options.out, `.prepare-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(temp);
  let succeeded = false;
  try {
    const outputs: Record<string, { path: string; bytes: number }> = {};
    const written: Record<string, number> = {};
    const record = (file: WrittenFile): void => {
      outputs[file.name] = { path: path.resolve(options.out, file.name), bytes: file.bytes };
      written[file.name] = file.records;
    };
    let zipFacts: (FileFacts & { entries: number }) | undefined;
    let unparsable: SkippedStudy[] = [];
    if (reports !== undefined && options.mimicZip !== undefined) {
      const result = writeRecords(reports, rows, options.template, temp, options.progress);
      unparsable = result.unparsable;
      if (unparsable.length > 0 && options.skipUnparsable !== true) {
        throw new CliError(
          `${options.mimicZip}: ${unparsable.length} report(s) give no record (the official script stops on the first): ` +
            `${describeStudies(unparsable, options.split)}. Rerun with --skip-unparsable to leave them out.`,
        );
      }
      result.files.forEach(record);
      const hashed = await (zipHash as Promise<FileFacts | Error>);
      if (hashed instanceof Error) throw new CliError(`${options.mimicZip}: cannot read the zip (${hashed.message})`);
      zipFacts = { ...hashed, entries: reports.zip.entryCount };
    }
    if (indiana !== undefined) {
      const dev2 = new LineWriter(path.join(temp, 'dev2.jsonl'));
      for (const r of indiana) dev2.writeLine(formatEvalRecord(r));
      record({ name: 'dev2.jsonl', records: dev2.lines, bytes: dev2.close() });
    }

    const report: PrepareReport = {
      tool: { name: 'radiology-impressions', version: packageVersion() },
      createdAt: new Date().toISOString(),
      template: options.template,
      inputs: {
        split: facts(options.split, splitBytes),
        ...(zipFacts !== undefined ? { mimicZip: zipFacts } : {}),
        ...(indianaFacts !== undefined ? { indiana: indianaFacts } : {}),
      },
      splitRows,
      written,
      ignoredTestRows: splitRows.test,
      skipped: { missing: reports?.missing ?? [], unparsable },
      outputs,
    };
    fs.writeFileSync(path.join(temp, 'prepare-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    for (const name of PREPARE_OUTPUTS) {
      const from = path.join(temp, name);
      const to = path.join(options.out, name);
      if (fs.existsSync(from)) fs.renameSync(from, to);
      else fs.rmSync(to, { force: true });
    }
    for (const [name, count] of Object.entries(written)) {
      log(`${path.join(options.out, name)}: ${count} record${count === 1 ? '' : 's'}`);
      if (count === 0) log(`warning: ${name} is empty`);
    }
    const skippedCount = report.skipped.missing.length + report.skipped.unparsable.length;
    if (skippedCount > 0) log(`skipped ${skippedCount} studies (ids and reasons in prepare-report.json)`);
    if (splitRows.test > 0) log(`ignored ${splitRows.test} test rows of ${options.split}`);
    log(`${path.join(options.out, 'prepare-report.json')}: report`);
    succeeded = true;
    return report;
  } finally {
    reports?.zip.close();
    fs.rmSync(temp, { recursive: true, force: true });
    if (!succeeded && createdOut !== undefined) fs.rmSync(createdOut, { recursive: true, force: true });
  }
}

/** Registers `impressions prepare`. */
export function register(program: Command): void {
  program
    .command('prepare')
    .description('build train.jsonl, dev1.jsonl and dev2.jsonl from the MIMIC-CXR reports zip, the MEDIQA split and the Indiana dev set')
    .requiredOption('--split <csv>', 'MEDIQA 2021 Task 3 split file (study_id,subject_id,split)')
    .option('--mimic-zip <zip>', 'mimic-cxr-reports.zip (gives train.jsonl, train-records.jsonl, dev1.jsonl)')
    .option('--indiana <json>', 'Indiana University dev set, a JSON array of MEDIQA records (gives dev2.jsonl)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--template <text>', 'prompt template with {context} (default: impressions:promptTemplate of cdk.json)')
    .option('--skip-missing', 'leave out split studies with no report in the zip instead of failing', false)
    .option('--skip-unparsable', 'leave out reports without a findings or impression section (or not UTF-8) instead of failing', false)
    .action(
      async (opts: { split: string; mimicZip?: string; indiana?: string; out: string; template?: string; skipMissing: boolean; skipUnparsable: boolean }) => {
        const template = opts.template ?? loadConfigFromProject(process.cwd()).promptTemplate;
        await runPrepare({ ...opts, template });
      },
    );
}
