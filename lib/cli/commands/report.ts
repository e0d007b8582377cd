/**
 * `impressions report --run <id> [--from <dir> | --athena] [--bucket <b>] [--html <file>] [--max-error-rate <percent>]`:
 * prints a run's verdict first (per data set: fine-tuned − pretrained with paired intervals, each
 * model against the best baseline, error rows and trust), then its means with intervals, clinical
 * agreement, per-observation and distribution tables, and optionally writes the self-contained
 * HTML page of the same view (lib/core/results-report/view.ts) with charts and the reports side by side.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { reportHtml } from '../../core/results-report/html';
import { textReport } from '../../core/results-report/tables';
import { MAX_TRUSTED_ERROR_RATE } from '../../core/results-report/trust';
import { buildReportView } from '../../core/results-report/view';
import { athenaTarget, readRunFromAthena, type AthenaTarget } from '../athena';
import { awsClients } from '../aws';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { startProgress } from '../progress';
import { loadProject } from '../project';
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
  /** Error share above which a data set's verdict is marked not trustworthy. @default MAX_TRUSTED_ERROR_RATE */
  readonly maxErrorShare?: number;
}

/** Loads the run, prints the tables, writes the HTML page when asked. */
export async function runReport(args: ReportArgs): Promise<void> {
  // Checked before the (possibly long) read of the run, not after it.
  const htmlFolder = args.htmlPath === undefined ? undefined : path.dirname(path.resolve(args.htmlPath));
  if (htmlFolder !== undefined && !fs.existsSync(htmlFolder)) throw new CliError(`--html ${args.htmlPath}: folder ${htmlFolder} does not exist`);
  const results = await loadResults(args);
  if ('athena' in args.source) {
    args.out.write(
      `(read from Athena, ${args.source.athena.database}: the tables the dashboard reads; paired differences computed from the rows; the cost estimate is in the run summary file, shown when reading from S3)\n`,
    );
  }
  if (results.summaryComputed) args.out.write(`(summary.jsonl not found: figures computed from the ${results.rows.length} rows)\n`);
  // One view for both outputs: the terminal and the page say the same things from the same numbers.
  const view = buildReportView({
    runId: args.runId,
    summary: results.summary,
    rows: results.rows,
    runSummary: results.runSummary,
    maxErrorShare: args.maxErrorShare,
  });
  args.out.write(textReport(view));
  // Radiologist reviews of the run (README "Radiologist review"), read from the bucket layout.
  const reviewRows = 'store' in args.source ? await loadReviewRows(args.source.store, { runId: args.runId }) : [];
  if (reviewRows.length > 0) args.out.write(`\n${reviewReportText(reviewRows)}`);
  if (args.htmlPath !== undefined) {
    const html = reportHtml(view, { generatedAt: args.now ?? new Date(), extraSections: reviewSectionHtml(reviewRows) });
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

/** `--max-error-rate` (a percentage, 0 to 100) as a share; undefined when not given. @throws CliError for anything else. */
export function parseMaxErrorRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new CliError(`--max-error-rate ${text}: must be a percentage between 0 and 100 (default ${MAX_TRUSTED_ERROR_RATE * 100})`);
  }
  return value / 100;
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
    .option('--html <file>', 'write a self-contained HTML page (verdict, charts, reports side by side)')
    .option(
      '--max-error-rate <percent>',
      `mark a data set's verdict not trustworthy when a model's error rows exceed this share (default ${MAX_TRUSTED_ERROR_RATE * 100})`,
    )
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (opts: { run: string; from?: string; athena?: boolean; bucket?: string; html?: string; maxErrorRate?: string; region?: string }) => {
      if (opts.athena === true && opts.from !== undefined) throw new CliError('--athena and --from are exclusive: choose one source');
      const maxErrorShare = parseMaxErrorRate(opts.maxErrorRate);
      const aws = awsClients({ region: opts.region });
      if (opts.athena === true) {
        const { config } = loadProject();
        await runReport({
          runId: opts.run,
          source: { athena: athenaTarget(aws.athena, config.resourcePrefix) },
          htmlPath: opts.html,
          out: process.stdout,
          maxErrorShare,
        });
        return;
      }
      let store: ResultStore;
      if (opts.from !== undefined) {
        store = localStore(opts.from);
      } else {
        let bucket = opts.bucket;
        if (bucket === undefined) {
          const { config } = loadProject();
          bucket = await requireStackOutput(aws.cloudFormation, stackNames(config.resourcePrefix).data, STACK_OUTPUTS.dataBucketName);
        }
        store = s3Store(aws.s3, bucket);
      }
      await runReport({ runId: opts.run, source: { store }, htmlPath: opts.html, out: process.stdout, maxErrorShare });
    });
}
