/**
 * The MIMIC-CXR side of `impressions prepare`: finds the reports of the split's train and dev rows
 * in the reports zip, reads their stored bytes in one sequential pass, then decodes and parses them
 * in split-file order, writing `train.jsonl`, `train-records.jsonl` and `dev1.jsonl` as it goes (no
 * record is kept until the end). Rows whose report is missing or gives no record are returned with
 * their reason; the caller decides whether that is allowed.
 */
import * as path from 'node:path';
import { recordFromReport, reportEntryName, UnparsableReason } from '../../core/mimic/mimic-record';
import { formatEvalRecord, formatEvalRecordJson } from '../../core/eval-record';
import { SplitName, SplitRow } from '../../core/mimic/split-csv';
import { trainLineFormatter } from '../../core/mimic/train-line';
import { CliError } from '../errors';
import { LineWriter } from '../line-writer';
import { CompressedEntries, EntryLocations, ReportZip, ZipEntryInfo, ZipReadError } from '../mimic-zip/report-zip';
import { startProgress } from '../progress';

/** A split row left out, and why. */
export interface SkippedStudy {
  readonly study_id: string;
  readonly subject_id: string;
  readonly split: SplitName;
  /** Line of the split file. */
  readonly line: number;
  readonly reason: 'no report in the zip' | UnparsableReason | 'not valid UTF-8';
}

/** A file written by prepare: its name in the output folder, size and number of records. */
export interface WrittenFile {
  readonly name: string;
  readonly bytes: number;
  readonly records: number;
}

function skipped(row: SplitRow, reason: SkippedStudy['reason']): SkippedStudy {
  return { study_id: row.studyId, subject_id: row.subjectId, split: row.split, line: row.line, reason };
}

/** The reports of a split's train and dev rows, read from the zip but not yet decoded. */
export interface ZipReports {
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
export async function loadReports(zipFile: string, rows: readonly SplitRow[], showProgress: boolean | undefined): Promise<ZipReports> {
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

/**
 * Decodes and parses the reports in split-file order and writes `train.jsonl`,
 * `train-records.jsonl` and `dev1.jsonl` into `dir` as it goes. Returns the files and the rows that
 * gave no record (their reason), in split-file order.
 */
export function writeRecords(
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
