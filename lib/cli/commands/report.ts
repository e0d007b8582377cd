/**
 * `impressions report --run <id> [--from <dir>] [--bucket <b>] [--html <file>]`: prints a run's
 * comparison table (models, baselines, published figures) and distribution table, and optionally
 * writes a self-contained HTML page with box plots and a browsable table of reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { loadConfigFromProject } from '../../config';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { reportHtml } from '../../core/report/html';
import { textReport } from '../../core/report/tables';
import { CliError } from '../errors';
import { startProgress } from '../progress';
import { loadRunResults, localStore, s3Store, type ResultStore } from '../run-results';
import { requireStackOutput } from '../stack-outputs';

/** Arguments of {@link runReport}. */
export interface ReportArgs {
  readonly runId: string;
  readonly store: ResultStore;
  /** Where to write the HTML page, if any. */
  readonly htmlPath?: string;
  readonly out: NodeJS.WritableStream;
  readonly now?: Date;
}

/** Writes `text` to `file` atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new CliError(`--html ${file}: folder ${dir} does not exist`);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, text, 'utf8');
  fs.renameSync(temp, file);
}

/** Loads the run, prints the tables, writes the HTML page when asked. */
export async function runReport(args: ReportArgs): Promise<void> {
  const progress = startProgress('reading', 0, 'files');
  let results;
  try {
    results = await loadRunResults(args.store, args.runId, (done, total) => progress.update(done, total));
  } finally {
    progress.stop();
  }
  if (results.summaryComputed) args.out.write(`(summary.jsonl not found: figures computed from the ${results.rows.length} rows)\n`);
  args.out.write(textReport(args.runId, results.summary, results.runSummary));
  if (args.htmlPath !== undefined) {
    const html = reportHtml(args.runId, results.summary, results.rows, { stemmer: results.runSummary?.scoring.stemmer ?? false, generatedAt: args.now ?? new Date() });
    writeFileAtomic(args.htmlPath, html);
    args.out.write(`HTML report written to ${args.htmlPath} (${results.rows.length} reports; contains report text)\n`);
  }
}

/** Registers `report`. */
export function register(program: Command): void {
  program
    .command('report')
    .description("Print a run's ROUGE tables (models, baselines, published figures) and optionally write an HTML report.")
    .requiredOption('--run <id>', 'run id')
    .option('--from <dir>', 'read from a local folder with the bucket layout instead of S3')
    .option('--bucket <name>', 'data bucket (default: from the data stack outputs)')
    .option('--html <file>', 'write a self-contained HTML page (box plots, browsable reports)')
    .action(async (opts: { run: string; from?: string; bucket?: string; html?: string }) => {
      let store: ResultStore;
      if (opts.from !== undefined) {
        store = localStore(opts.from);
      } else {
        const s3 = new S3Client({});
        let bucket = opts.bucket;
        if (bucket === undefined) {
          const config = loadConfigFromProject(process.cwd());
          bucket = await requireStackOutput(new CloudFormationClient({}), stackNames(config.resourcePrefix).data, STACK_OUTPUTS.dataBucketName);
        }
        store = s3Store(s3, bucket);
      }
      await runReport({ runId: opts.run, store, htmlPath: opts.html, out: process.stdout });
    });
}
