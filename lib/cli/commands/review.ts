/**
 * `impressions review …`: radiologist review (README "Radiologist review").
 * - `start --run <id>`: blinded evaluation review of a run's dev-set impressions;
 * - `drafts --input findings.jsonl --run <id>`: feedback review of drafts for new reports;
 * - `status <review id>`: progress of a review;
 * - `readers add|list|remove`: invite readers by e-mail and assign their team;
 * - `preview --input <task input json> --out <html>`: the worker task page as a reader sees it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { sdkInvoke } from '../../aws/invoke-endpoint';
import { readTextIfExists } from '../../aws/s3-text';
import type { ImpressionsConfig } from '../../config';
import { isPayloadContract } from '../../core/evaluation/payload';
import type { TaskInput } from '../../core/review/items';
import { awsClients, type AwsClients } from '../aws';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { loadProject } from '../project';
import { localStore, s3Store, type ResultStore } from '../run-results';
import { resolveReviewDeployment, type ReviewDeployment } from '../review/deployment';
import { runReviewDrafts, type DevSetSource } from '../review/drafts';
import { addReader, listReaders, parseTeam, removeReader } from '../review/readers';
import { runReviewStart } from '../review/start-review';
import { runReviewStatus } from '../review/status';
import { readWorkerTemplate, renderWorkerTemplate } from '../review/worker-template';

function number(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag} ${value}: not a number`);
  return n;
}

/** The project's settings and the AWS clients of a review command (`--region` when given, else the SDK's default chain). */
function context(region: string | undefined): { resourcePrefix: string; config: ImpressionsConfig; aws: AwsClients } {
  const { config } = loadProject();
  return { resourcePrefix: config.resourcePrefix, config, aws: awsClients({ region }) };
}

function deployment(aws: AwsClients, resourcePrefix: string, bucket?: string): Promise<ReviewDeployment> {
  return resolveReviewDeployment(aws.cloudFormation, resourcePrefix, bucket);
}

const REGION_OPTION = ['--region <region>', 'AWS region (default: from the AWS configuration)'] as const;

/** Registers `review` and its subcommands. */
export function register(program: Command): void {
  const review = program.command('review').description('radiologist review: blinded evaluation of a run, feedback on drafts, readers');

  review
    .command('start')
    .description("start a blinded evaluation review of a run's dev-set impressions (stratified sample, A/B pairs)")
    .requiredOption('--run <id>', 'run id')
    .option('--per-dataset <n>', 'reports per data set', '100')
    .option('--readers <n>', 'readers per item (1-3; each a separate reader slot)', '2')
    .option('--seed <n>', 'seed of the sample (default: drawn and printed)')
    .option('--deadline-days <days>', 'when unanswered tasks are stopped (at most 10)', '7')
    .option('--from <dir>', "read the run's rows from a local folder with the bucket layout")
    .option('--bucket <name>', 'data bucket (default: from the data stack outputs)')
    .option('--dry-run', 'print the sample only: write nothing, start nothing')
    .option(...REGION_OPTION)
    .action(
      async (opts: {
        run: string;
        perDataset: string;
        readers: string;
        seed?: string;
        deadlineDays: string;
        from?: string;
        bucket?: string;
        dryRun?: boolean;
        region?: string;
      }) => {
        const { resourcePrefix, aws } = context(opts.region);
        const dry = opts.dryRun === true;
        const dep = dry && opts.from !== undefined ? undefined : await deployment(aws, resourcePrefix, opts.bucket);
        const s3 = aws.s3;
        const source: ResultStore = opts.from !== undefined ? localStore(opts.from) : s3Store(s3, dep!.bucket);
        await runReviewStart({
          runId: opts.run,
          perDataset: number('--per-dataset', opts.perDataset, 100),
          readers: number('--readers', opts.readers, 2),
          seed: opts.seed === undefined ? undefined : number('--seed', opts.seed, 0),
          deadlineDays: number('--deadline-days', opts.deadlineDays, 7),
          source,
          dryRun: dry,
          deployment: dep,
          s3,
          sfn: aws.sfn,
          out: process.stdout,
        });
      },
    );

  review
    .command('drafts')
    .description('draft impressions of new reports with the fine-tuned model and send them to the feedback team')
    .requiredOption('--input <file>', 'JSON Lines of {"study_id", "findings", "background"?}')
    .requiredOption('--run <id>', 'the run whose fine-tuned model writes the drafts (recorded with the review)')
    .option('--endpoint <name>', "endpoint to call (default: the run's kept fine-tuned endpoint <prefix>-<run>-ft)")
    .option('--contract <contract>', 'payload contract: tgi (JumpStart 2.x) or hf-text2text (1.x)', 'tgi')
    .option('--dataset <name>', 'name the reports go under in the rows', 'department')
    .option('--dev <dir>', 'folder holding dev1.jsonl and dev2.jsonl (default: eval_data/ of the data bucket)')
    .option('--deadline-days <days>', 'when unanswered tasks are stopped (at most 10)', '7')
    .option('--bucket <name>', 'data bucket (default: from the data stack outputs)')
    .option('--dry-run', 'check the input against the dev sets only: no endpoint call, nothing started')
    .option(...REGION_OPTION)
    .action(
      async (opts: {
        input: string;
        run: string;
        endpoint?: string;
        contract: string;
        dataset: string;
        dev?: string;
        deadlineDays: string;
        bucket?: string;
        dryRun?: boolean;
        region?: string;
      }) => {
        if (!isPayloadContract(opts.contract)) throw new CliError(`--contract ${opts.contract}: must be tgi or hf-text2text`);
        const { config, resourcePrefix, aws } = context(opts.region);
        const dry = opts.dryRun === true;
        const dep = dry && opts.dev !== undefined ? undefined : await deployment(aws, resourcePrefix, opts.bucket);
        const s3 = aws.s3;
        const devSets: DevSetSource =
          opts.dev !== undefined
            ? {
                description: opts.dev,
                read: async (name) => {
                  const file = path.join(opts.dev!, `${name}.jsonl`);
                  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
                },
              }
            : { description: `s3://${dep!.bucket}/eval_data`, read: (name) => readTextIfExists(s3, dep!.bucket, `eval_data/${name}.jsonl`) };
        await runReviewDrafts({
          input: opts.input,
          runId: opts.run,
          endpointName: opts.endpoint ?? `${config.resourcePrefix}-${opts.run}-ft`,
          contract: opts.contract,
          promptTemplate: config.promptTemplate,
          generation: { maxNewTokens: config.maxNewTokens, numBeams: config.numBeams },
          deadlineDays: number('--deadline-days', opts.deadlineDays, 7),
          dataset: opts.dataset,
          devSets,
          // The SDK's retries are off on this client: the evaluation's retry policy (lib/core/review/drafts.ts) is the only one.
          invoke: sdkInvoke(aws.sageMakerRuntime),
          dryRun: dry,
          deployment: dep,
          s3,
          sfn: aws.sfn,
          out: process.stdout,
        });
      },
    );

  review
    .command('status')
    .description('progress of a review: loops answered, failed, stopped, still open; its state machine')
    .argument('<review-id>', 'review id (ev-… or fb-…)')
    .option('--from <dir>', 'read from a local folder with the bucket layout')
    .option('--bucket <name>', 'data bucket (default: from the data stack outputs)')
    .option(...REGION_OPTION)
    .action(async (reviewId: string, opts: { from?: string; bucket?: string; region?: string }) => {
      const { resourcePrefix, aws } = context(opts.region);
      if (opts.from !== undefined) {
        await runReviewStatus({ reviewId, store: localStore(opts.from), out: process.stdout });
        return;
      }
      const dep = await deployment(aws, resourcePrefix, opts.bucket);
      await runReviewStatus({
        reviewId,
        store: s3Store(aws.s3, dep.bucket),
        sfn: aws.sfn,
        stateMachineArn: dep.stateMachineArn,
        out: process.stdout,
      });
    });

  const readers = review.command('readers').description("the review's readers (Cognito users, invited by e-mail, MFA required)");
  readers
    .command('add')
    .description('invite a reader by e-mail (or add an existing one) to a team')
    .requiredOption('--email <address>', "the reader's e-mail")
    .requiredOption('--team <team>', 'reader-1, reader-2, reader-3 (evaluation slots) or feedback')
    .option(...REGION_OPTION)
    .action(async (opts: { email: string; team: string; region?: string }) => {
      const team = parseTeam(opts.team);
      const { resourcePrefix, aws } = context(opts.region);
      const dep = await deployment(aws, resourcePrefix);
      await addReader(aws.cognito, {
        userPoolId: dep.userPoolId,
        resourcePrefix,
        email: opts.email,
        team,
        portalUrl: dep.portalUrl,
        out: process.stdout,
      });
    });
  readers
    .command('remove')
    .description('take a reader off a team')
    .requiredOption('--email <address>', "the reader's e-mail")
    .requiredOption('--team <team>', 'reader-1, reader-2, reader-3 or feedback')
    .option(...REGION_OPTION)
    .action(async (opts: { email: string; team: string; region?: string }) => {
      const team = parseTeam(opts.team);
      const { resourcePrefix, aws } = context(opts.region);
      const dep = await deployment(aws, resourcePrefix);
      await removeReader(aws.cognito, {
        userPoolId: dep.userPoolId,
        resourcePrefix,
        email: opts.email,
        team,
        out: process.stdout,
      });
    });
  readers
    .command('list')
    .description("every team's readers with their account status")
    .option(...REGION_OPTION)
    .action(async (opts: { region?: string }) => {
      const { resourcePrefix, aws } = context(opts.region);
      const dep = await deployment(aws, resourcePrefix);
      await listReaders(aws.cognito, { userPoolId: dep.userPoolId, resourcePrefix, out: process.stdout });
    });

  review
    .command('preview')
    .description("render a worker task page from a human loop input (JSON) as A2I renders it; the page loads AWS's Crowd HTML Elements when opened")
    .requiredOption('--input <file>', 'the task input (as StartHumanLoop sends it; see test/fixtures/review/task-inputs/)')
    .requiredOption('--out <file>', 'the HTML page to write (contains the report text)')
    .action(async (opts: { input: string; out: string }) => {
      let input: TaskInput;
      try {
        input = JSON.parse(fs.readFileSync(opts.input, 'utf8')) as TaskInput;
      } catch (error) {
        throw new CliError(`${opts.input}: cannot read a JSON task input (${(error as NodeJS.ErrnoException).code ?? 'not valid JSON'})`);
      }
      if (input.kind !== 'evaluation' && input.kind !== 'feedback') throw new CliError(`${opts.input}: field kind must be evaluation or feedback`);
      writeFileAtomic(opts.out, await renderWorkerTemplate(readWorkerTemplate(input.kind), input));
      process.stdout.write(`${opts.out}: the ${input.kind} task page (contains report text)\n`);
    });
}
