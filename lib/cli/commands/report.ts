/**
 * `impressions report --run <id> [--from <dir> | --athena] [--bucket <b>] [--html <file>]`: prints a run's
 * comparison table (models, baselines, published figures) and distribution table, and optionally
 * writes a self-contained HTML page with box plots and a browsable table of reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { loadConfigFromProject } from '../../config';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { reportHtml } from '../../core/results-report/html';
import { textReport } from '../../core/results-report/tables';
import { athenaTarget, readRunFromAthena, type AthenaTarget } from '../athena';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { startProgress } from '../progress';
import { loadRunResults, localStore, s3Store, type ResultStore, type RunResults } from '../run-results';
import { requireStackOutput } from '../stack-outputs';
import { reviewReportText, reviewSectionHtml } from '../../core/review/report';
import { loadReviewRows } from '../review/review-rows';

/** Arguments of {@link runReport}. */
export interface ReportArgs {
  readonly runId: string;
  /** Where the rows come from: the bucket layout (S3 or a local folder), or the Athena tables the dashboard reads. */
  readonly source: { readonly store: ResultStore } | { readonly athena: AthenaTarget };
  /** Where to write the HTML page, if any. */
  readonly htmlPath?: string;
  readonly out: NodeJS.WritableStream;
  readonly now?: Date;
}

/** Loads the run, prints the tables, writes the HTML page when asked. */
export async function runReport(args: ReportArgs): Promise<void> {
  // Checked before the (possibly long) read of the run, not after it.
  const htmlFolder = args.htmlPath === undefined ? undefined : path.dirname(path.resolve(args.htmlPath));
  if (htmlFolder !== undefined && !fs.existsSync(htmlFolder)) throw new CliError(`--html ${args.htmlPath}: folder ${htmlFolder} does not exist`);
  const results = await loadResults(args);
  if ('athena' in args.source) {
    args.out.write(
      `(read from Athena, ${args.source.athena.database}: the tables the dashboard reads; paired differences and cost are in the run summary file, shown when reading from S3)\n`,
    );
  }
  if (results.summaryComputed) args.out.write(`(summary.jsonl not found: figures computed from the ${results.rows.length} rows)\n`);
  args.out.write(textReport(args.runId, results.summary, results.runSummary));
  // Radiologist reviews of the run (README "Radiologist review"), read from the bucket layout.
  const reviewRows = 'store' in args.source ? await loadReviewRows(args.source.store, { runId: args.runId }) : [];
  if (reviewRows.length > 0) args.out.write(`\n${reviewReportText(reviewRows)}`);
  if (args.htmlPath !== undefined) {
    const html = reportHtml(args.runId, results.summary, results.rows, {
      stemmer: results.runSummary?.scoring.stemmer ?? false,
      generatedAt: args.now ?? new Date(),
      extraSections: reviewSectionHtml(reviewRows),
    });
    writeFileAtomic(args.htmlPath, html);
    args.out.write(`HTML report written to ${args.htmlPath} (${results.rows.length} reports; contains report text)\n`);
  }
}

async function loadResults(args: ReportArgs): Promise<RunResults> {
  if ('athena' in args.source) {
    const { summary, predictions } = await readRunFromAthena(args.runId, args.source.athena);
    return { rows: predictions, summary, partFiles: 0, summaryComputed: false };
  }
  const progress = startProgress('reading', 0, 'files');
  try {
    return await loadRunResults(args.source.store, args.runId, (done, total) => progress.update(done, total));
  } finally {
    progress.stop();
  }
}

/** Registers `report`. */
export function register(program: Command): void {
  program
    .command('report')
    .description("print a run's ROUGE tables (models, baselines, published figures), optionally write an HTML report")
    .requiredOption('--run <id>', 'run id')
    .option('--from <dir>', 'read from a local folder with the bucket layout instead of S3')
    .option('--athena', 'read the published tables through the Athena workgroup (what the dashboard shows) instead of S3')
    .option('--bucket <name>', 'data bucket (default: from the data stack outputs)')
    .option('--html <file>', 'write a self-contained HTML page (box plots, browsable reports)')
    .action(async (opts: { run: string; from?: string; athena?: boolean; bucket?: string; html?: string }) => {
      if (opts.athena === true && opts.from !== undefined) throw new CliError('--athena and --from are exclusive: choose one source');
      if (opts.athena === true) {
        const config = loadConfigFromProject(process.cwd());
        await runReport({
          runId: opts.run,
          source: { athena: athenaTarget(new AthenaClient({}), config.resourcePrefix) },
          htmlPath: opts.html,
          out: process.stdout,
        });
        return;
      }
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
      await runReport({ runId: opts.run, source: { store }, htmlPath: opts.html, out: process.stdout });
    });
}
