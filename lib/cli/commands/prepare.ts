/**
 * `impressions prepare`: MIMIC-CXR reports zip + MEDIQA split CSV (+ Indiana dev JSON) → the
 * training channel, the evaluation sets and a report, ready for `impressions upload`.
 *
 * Files written to `--out` (all or nothing: staged in a folder inside it, then renamed; see
 * ../prepare/output-folder.ts for when an earlier set is replaced):
 * - `train.jsonl`: `{"prompt","completion"}` per train row (prompt = template with the findings);
 * - `train-records.jsonl`, `dev1.jsonl`: MEDIQA records of the train and dev rows;
 * - `dev2.jsonl`: the Indiana records (with `--indiana`);
 * - `prepare-report.json`: counts, skipped ids and why, input and output SHA-256, the template, version.
 * Output order is the split file's order. A requested file with no record, or more studies left out
 * than `--max-skip-rate` allows, is an error. Messages name files, lines and ids, never report text.
 *
 * The steps (read inputs, write each part, check, report, commit) are separate functions over one
 * {@link OutputFolder}: a new source of records is one more step that writes its files there and
 * adds its counts to the report.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Command } from 'commander';
import { formatEvalRecord } from '../../core/eval-record';
import type { SplitName } from '../../core/mimic/split-csv';
import { templateSha256 } from '../../core/run/training-channel';
import { CliError } from '../errors';
import { LineWriter } from '../line-writer';
import { packageVersion } from '../package-version';
import { checkNotEmpty, checkSkipRate, DEFAULT_MAX_SKIP_PERCENT, describeStudies, parseSkipPercent, type WrittenCounts } from '../prepare/checks';
import { hashFileInWorker, readIndiana, readSplit, type FileFacts, type IndianaInput, type SplitInput } from '../prepare/inputs';
import { loadReports, writeRecords, type SkippedStudy, type WrittenFile, type ZipReports } from '../prepare/mimic-reports';
import { OutputFolder, type PrepareOutput } from '../prepare/output-folder';
import { findProjectDir, loadProject } from '../project';
import type { FeedbackReport } from '../../core/review/feedback';
import { addFeedbackOptions, appendFeedbackPairs, feedbackSourceFrom, type FeedbackSource } from '../review/feedback-prepare';

export { PREPARE_OUTPUTS } from '../prepare/output-folder';
export type { FileFacts } from '../prepare/inputs';
export type { SkippedStudy } from '../prepare/mimic-reports';

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
  /** Largest share of the train and dev studies that may be left out, in percent. @default 1 */
  readonly maxSkipPercent?: number;
  /** Replace the prepared files of an earlier run in `out`. */
  readonly force?: boolean;
  /** Show progress bars (default: when standard error is a terminal). */
  readonly progress?: boolean;
  /** Where the summary lines go (default: standard output). */
  readonly log?: (line: string) => void;
  /** Feedback reviews whose accepted and corrected drafts join train.jsonl (lib/cli/review/feedback-prepare.ts). */
  readonly feedback?: FeedbackSource;
}

/** Contents of `prepare-report.json`. */
export interface PrepareReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  /** The prompt template of train.jsonl; `upload` records it beside the channel and `run` checks it. */
  readonly template: string;
  /** Hex SHA-256 of the template's UTF-8 bytes (lib/core/run/training-channel.ts). */
  readonly templateSha256: string;
  readonly inputs: { readonly split: FileFacts; readonly mimicZip?: FileFacts & { readonly entries: number }; readonly indiana?: FileFacts };
  readonly splitRows: Readonly<Record<SplitName, number>>;
  readonly written: Readonly<Record<string, number>>;
  /** `test` rows are counted but not prepared. */
  readonly ignoredTestRows: number;
  readonly skipped: { readonly missing: readonly SkippedStudy[]; readonly unparsable: readonly SkippedStudy[] };
  /** Largest share of train/dev studies allowed to be left out, in percent. */
  readonly maxSkipPercent: number;
  /** Size of each file written (upload checks the files against it, and their contents against S3). */
  readonly outputs: Readonly<Record<string, { readonly path: string; readonly bytes: number }>>;
  /** Pairs from feedback reviews appended to train.jsonl, with their reviews and refusals (with `--feedback`). */
  readonly feedback?: FeedbackReport;
}

/** What the steps of a run produce, gathered for the checks and the report. */
interface Prepared {
  readonly files: (WrittenFile & { readonly split: WrittenCounts['split'] })[];
  missing: readonly SkippedStudy[];
  unparsable: readonly SkippedStudy[];
  zipFacts?: FileFacts & { readonly entries: number };
}

function checkTemplate(template: string): void {
  if (template.split('{context}').length !== 2) throw new CliError('prompt template: must contain the placeholder {context} exactly once');
}

/**
 * Runs the preparation and returns the report (also written as `prepare-report.json`).
 * @throws CliError for every bad input, naming the file and the line, index or study id.
 */
export async function runPrepare(options: PrepareOptions): Promise<PrepareReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const maxSkipPercent = options.maxSkipPercent ?? DEFAULT_MAX_SKIP_PERCENT;
  checkTemplate(options.template);
  if (options.mimicZip === undefined && options.indiana === undefined) {
    throw new CliError('nothing to prepare: give --mimic-zip (train and dev1) and/or --indiana (dev2)');
  }
  const split = readSplit(options.split);
  const indiana = options.indiana !== undefined ? readIndiana(options.indiana) : undefined;
  const folder = OutputFolder.open(options.out, options.force === true);
  let reports: ZipReports | undefined;
  let committed = false;
  try {
    // The zip's SHA-256 is computed in a worker meanwhile.
    const zipHash = options.mimicZip !== undefined ? hashFileInWorker(options.mimicZip) : undefined;
    reports = options.mimicZip !== undefined ? await openReports(options, split, maxSkipPercent) : undefined;
    const prepared: Prepared = { files: [], missing: reports?.missing ?? [], unparsable: [] };
    if (reports !== undefined) await writeMimic(reports, zipHash as Promise<FileFacts | Error>, split, options, folder, prepared);
    if (indiana !== undefined) writeIndiana(indiana, folder, prepared);
    // Accepted and corrected drafts of feedback reviews join train.jsonl (never a dev-set report).
    const feedback = options.feedback === undefined ? undefined : await appendFeedback(options.feedback, folder, options.template, prepared);
    checkSkipRate([...prepared.missing, ...prepared.unparsable], split.counts.train + split.counts.dev, maxSkipPercent, options.mimicZip ?? '', options.split);
    checkNotEmpty(
      prepared.files.map((f) => ({ file: path.join(options.out, f.name), split: f.split, records: f.records })),
      options.split,
      split.counts,
    );
    const report = buildReport(options, split, indiana, prepared, maxSkipPercent, feedback);
    fs.writeFileSync(folder.stagedPath('prepare-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    folder.commit(log);
    committed = true;
    logSummary(report, options, log);
    return report;
  } finally {
    reports?.zip.close();
    if (!committed) folder.discard();
  }
}

/**
 * Opens the zip and finds the reports of the train and dev rows; fails early when reports are
 * missing (unless `--skip-missing`, and then within `--max-skip-rate`).
 */
async function openReports(options: PrepareOptions, split: SplitInput, maxSkipPercent: number): Promise<ZipReports> {
  const zipFile = options.mimicZip as string;
  const reports = await loadReports(zipFile, split.rows, options.progress);
  try {
    const { missing } = reports;
    if (missing.length > 0 && options.skipMissing !== true) {
      throw new CliError(
        `${zipFile}: ${missing.length} of the ${split.counts.train + split.counts.dev} train/dev studies of ${options.split} have no report ` +
          `in the zip: ${describeStudies(missing, options.split)}. Check that the zip and the split belong together, or rerun with --skip-missing to leave them out.`,
      );
    }
    checkSkipRate(missing, split.counts.train + split.counts.dev, maxSkipPercent, zipFile, options.split);
  } catch (error) {
    reports.zip.close();
    throw error;
  }
  return reports;
}

/** Writes train.jsonl, train-records.jsonl and dev1.jsonl from the zip's reports. */
async function writeMimic(
  reports: ZipReports,
  zipHash: Promise<FileFacts | Error>,
  split: SplitInput,
  options: PrepareOptions,
  folder: OutputFolder,
  prepared: Prepared,
): Promise<void> {
  const zipFile = options.mimicZip as string;
  const result = writeRecords(reports, split.rows, options.template, folder.staging, options.progress);
  prepared.unparsable = result.unparsable;
  if (result.unparsable.length > 0 && options.skipUnparsable !== true) {
    throw new CliError(
      `${zipFile}: ${result.unparsable.length} report(s) give no record (the official script stops on the first): ` +
        `${describeStudies(result.unparsable, options.split)}. Rerun with --skip-unparsable to leave them out.`,
    );
  }
  const splitOf: Readonly<Record<string, SplitName>> = { 'train.jsonl': 'train', 'train-records.jsonl': 'train', 'dev1.jsonl': 'dev' };
  for (const file of result.files) prepared.files.push({ ...file, split: splitOf[file.name] });
  const hashed = await zipHash;
  if (hashed instanceof Error) throw new CliError(`${zipFile}: cannot read the zip (${hashed.message})`);
  prepared.zipFacts = { ...hashed, entries: reports.zip.entryCount };
}

/** Writes dev2.jsonl from the Indiana records. */
function writeIndiana(indiana: IndianaInput, folder: OutputFolder, prepared: Prepared): void {
  const name: PrepareOutput = 'dev2.jsonl';
  const dev2 = new LineWriter(folder.stagedPath(name));
  for (const r of indiana.records) dev2.writeLine(formatEvalRecord(r));
  prepared.files.push({ name, records: dev2.lines, bytes: dev2.close(), split: 'indiana' });
}

/**
 * Appends the accepted and corrected drafts of feedback reviews to the staged train.jsonl
 * (lib/cli/review/feedback-prepare.ts refuses dev-set reports) and counts them in its file entry.
 */
async function appendFeedback(source: FeedbackSource, folder: OutputFolder, template: string, prepared: Prepared): Promise<FeedbackReport> {
  const { report, trainBytes } = await appendFeedbackPairs(source, folder.staging, template);
  const index = prepared.files.findIndex((f) => f.name === 'train.jsonl');
  if (index >= 0) prepared.files[index] = { ...prepared.files[index], bytes: trainBytes, records: prepared.files[index].records + report.added };
  return report;
}

function buildReport(
  options: PrepareOptions,
  split: SplitInput,
  indiana: IndianaInput | undefined,
  prepared: Prepared,
  maxSkipPercent: number,
  feedback?: FeedbackReport,
): PrepareReport {
  const outputs: Record<string, { path: string; bytes: number }> = {};
  const written: Record<string, number> = {};
  for (const file of prepared.files) {
    outputs[file.name] = { path: path.resolve(options.out, file.name), bytes: file.bytes };
    written[file.name] = file.records;
  }
  return {
    tool: { name: 'radiology-impressions', version: packageVersion() },
    createdAt: new Date().toISOString(),
    template: options.template,
    templateSha256: templateSha256(options.template),
    inputs: {
      split: split.facts,
      ...(prepared.zipFacts !== undefined ? { mimicZip: prepared.zipFacts } : {}),
      ...(indiana !== undefined ? { indiana: indiana.facts } : {}),
    },
    splitRows: split.counts,
    written,
    ignoredTestRows: split.counts.test,
    skipped: { missing: prepared.missing, unparsable: prepared.unparsable },
    maxSkipPercent,
    outputs,
    ...(feedback === undefined ? {} : { feedback }),
  };
}

function logSummary(report: PrepareReport, options: PrepareOptions, log: (line: string) => void): void {
  for (const [name, count] of Object.entries(report.written)) log(`${path.join(options.out, name)}: ${count} record${count === 1 ? '' : 's'}`);
  const skippedCount = report.skipped.missing.length + report.skipped.unparsable.length;
  if (skippedCount > 0) log(`skipped ${skippedCount} studies (ids and reasons in prepare-report.json)`);
  if (report.splitRows.test > 0) log(`ignored ${report.splitRows.test} test rows of ${options.split}`);
  if (report.feedback !== undefined)
    log(`train.jsonl: ${report.feedback.added} feedback pairs added, ${report.feedback.refused.length} refused (prepare-report.json)`);
  log(`${path.join(options.out, 'prepare-report.json')}: report`);
}

/**
 * The template to prepare with: `--template`, else `impressions:promptTemplate` of the project.
 * A `--template` that differs from the project's is allowed, with a warning (the run will refuse it
 * unless told otherwise).
 */
function chooseTemplate(given: string | undefined, warn: (line: string) => void): string {
  if (given === undefined) return loadProject().config.promptTemplate;
  if (findProjectDir(process.cwd()) === undefined) return given;
  const configured = loadProject().config.promptTemplate;
  if (given !== configured) {
    warn(
      'warning: --template differs from impressions:promptTemplate, which the evaluation uses; impressions run will refuse to train on ' +
        'this channel unless given --allow-template-mismatch',
    );
  }
  return given;
}

/** Registers `impressions prepare`. */
export function register(program: Command): void {
  const command = program
    .command('prepare')
    .description('build train.jsonl, dev1.jsonl and dev2.jsonl from the MIMIC-CXR reports zip, the MEDIQA split and the Indiana dev set')
    .requiredOption('--split <csv>', 'MEDIQA 2021 Task 3 split file (study_id,subject_id,split)')
    .option('--mimic-zip <zip>', 'mimic-cxr-reports.zip (gives train.jsonl, train-records.jsonl, dev1.jsonl)')
    .option('--indiana <json>', 'Indiana University dev set, a JSON array of MEDIQA records (gives dev2.jsonl)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--template <text>', 'prompt template with {context} (default: impressions:promptTemplate of cdk.json)')
    .option('--skip-missing', 'leave out split studies with no report in the zip instead of failing', false)
    .option('--skip-unparsable', 'leave out reports without a findings or impression section (or not UTF-8) instead of failing', false)
    .option('--max-skip-rate <percent>', 'largest share of train/dev studies that may be left out', String(DEFAULT_MAX_SKIP_PERCENT))
    .option('--force', 'replace the prepared files of an earlier run in --out (each one this run does not write is removed and named)', false);
  addFeedbackOptions(command).action(
    async (opts: {
      split: string;
      mimicZip?: string;
      indiana?: string;
      out: string;
      template?: string;
      skipMissing: boolean;
      skipUnparsable: boolean;
      maxSkipRate: string;
      force: boolean;
      feedback?: string[];
      feedbackFrom?: string;
    }) => {
      const template = chooseTemplate(opts.template, (line) => process.stderr.write(`${line}\n`));
      await runPrepare({ ...opts, template, maxSkipPercent: parseSkipPercent(opts.maxSkipRate), feedback: await feedbackSourceFrom(opts) });
    },
  );
}
