/**
 * `impressions run`: starts an execution of the deployed run state machine with a generated
 * execution name and prints how to watch it. The input is validated again by the state machine
 * (validate-input); here the CLI's own flags are checked, and the training channel: every object
 * under it must record the prompt template the deployment evaluates with (written by
 * `impressions upload`, lib/core/run/training-channel.ts), so training and evaluation prompts
 * cannot diverge unless `--allow-template-mismatch` says it is intended.
 */
import * as fs from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { listKeys } from '../../aws/s3-text';
import { STACK_OUTPUTS, stackNames } from '../../core/deployment';
import { parseS3Uri } from '../../core/evaluation/keys';
import { compareTemplate, recordedTemplate, templateSha256, type RecordedTemplate } from '../../core/run/training-channel';
import { awsClients } from '../aws';
import { CliError, EXIT } from '../errors';
import { loadProject } from '../project';
import { outputOf, readStackOutputs, requireStackOutput } from '../stack-outputs';

/** Longest execution name the CLI generates (also the longest run id kept verbatim). */
export const MAX_EXECUTION_NAME_LENGTH = 32;

/** Options of {@link startRun}. */
export interface RunOptions {
  readonly name?: string;
  readonly skipTraining?: boolean;
  readonly modelData?: string;
  readonly keepEndpoints?: boolean;
  readonly modelVersion?: string;
  /** A JSON file with the run input; the flags override its fields. */
  readonly input?: string;
  /** Start even when the training channel was prepared with another prompt template (warned about). */
  readonly allowTemplateMismatch?: boolean;
}

/**
 * `<label>-<yyyymmdd-hhmmss>` (UTC), at most 32 characters: the label is lower-cased, reduced to
 * letters, digits and hyphens and cut to fit; it defaults to `run`. Two runs started in the same
 * second with the same label collide (Step Functions then rejects the second).
 */
export function executionName(label: string | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const room = MAX_EXECUTION_NAME_LENGTH - stamp.length - 1;
  const cleaned = (label ?? 'run')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return `${cleaned === '' ? 'run' : cleaned}-${stamp}`;
}

/** Builds the run input from `--input` and the flags; errors name the file or the flag. */
export function buildRunInput(options: RunOptions): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (options.input !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(options.input, 'utf8');
    } catch (error) {
      throw new CliError(`--input ${options.input}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CliError(`--input ${options.input}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`--input ${options.input}: expected a JSON object`);
    input = { ...(parsed as Record<string, unknown>) };
  }
  if (options.name !== undefined) input.runName = options.name;
  if (options.modelVersion !== undefined) input.modelVersion = options.modelVersion;
  if (options.skipTraining === true) input.skipTraining = true;
  if (options.modelData !== undefined) input.modelData = options.modelData;
  if (options.keepEndpoints === true) input.keepEndpoints = true;
  if (input.skipTraining === true && input.modelData === undefined)
    throw new CliError('--skip-training needs --model-data s3://<bucket>/runs/… (a model.tar.gz or a prefix ending in /)');
  if (input.modelData !== undefined && input.skipTraining !== true) throw new CliError('--model-data is only used with --skip-training');
  return input;
}

/** Clients, settings and output of {@link startRun}, injectable for tests. */
export interface RunDeps {
  readonly sfn: SFNClient;
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  /** Names the stacks (`<prefix>-pipeline`, `<prefix>-data`). */
  readonly resourcePrefix: string;
  /** `impressions:promptTemplate` of the configuration; compared with when the stack does not say what it evaluates with. */
  readonly configuredTemplate: string;
  readonly out: NodeJS.WritableStream;
  /** Warnings (default: standard error). */
  readonly warn?: (line: string) => void;
  readonly now?: Date;
}

/** Starts the run; returns the execution name and ARN. */
export async function startRun(options: RunOptions, deps: RunDeps): Promise<{ name: string; executionArn: string }> {
  const input = buildRunInput(options);
  const stacks = stackNames(deps.resourcePrefix);
  const outputs = await readStackOutputs(deps.cloudFormation, stacks.pipeline);
  const stateMachineArn = outputOf(outputs, stacks.pipeline, STACK_OUTPUTS.stateMachineArn);
  if (input.skipTraining !== true) await checkTrainingChannel(input, outputs[STACK_OUTPUTS.promptTemplateSha256], options, deps);
  const name = executionName(options.name, deps.now ?? new Date());
  const response = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  if (response.executionArn === undefined) throw new CliError(`Step Functions returned no execution ARN for ${name}`, EXIT.failed);
  deps.out.write(`started run ${name}\n  execution: ${response.executionArn}\n  watch:     npx impressions status ${name} --watch\n`);
  return { name, executionArn: response.executionArn };
}

/**
 * Refuses to start (unless allowed) when an object of the training channel does not record the
 * template the deployment evaluates with: the SHA-256 in the pipeline stack's output, or, for a
 * stack deployed before that output existed, the configured template's.
 * @throws CliError (bad input) naming each object, both templates and what to do.
 */
async function checkTrainingChannel(input: Record<string, unknown>, deployedSha256: string | undefined, options: RunOptions, deps: RunDeps): Promise<void> {
  const channel =
    typeof input.trainingData === 'string'
      ? input.trainingData
      : `s3://${await requireStackOutput(deps.cloudFormation, stackNames(deps.resourcePrefix).data, STACK_OUTPUTS.dataBucketName)}/train_data/`;
  let location: { bucket: string; key: string };
  try {
    location = parseS3Uri(channel);
  } catch (error) {
    throw new CliError(`trainingData ${channel}: ${(error as Error).message}`);
  }
  const expected: RecordedTemplate = {
    sha256: deployedSha256 ?? templateSha256(deps.configuredTemplate),
    template: deployedSha256 === undefined || deployedSha256 === templateSha256(deps.configuredTemplate) ? deps.configuredTemplate : undefined,
  };
  const against =
    deployedSha256 !== undefined
      ? `the template the deployment evaluates with (output ${STACK_OUTPUTS.promptTemplateSha256} of ${stackNames(deps.resourcePrefix).pipeline})`
      : `impressions:promptTemplate (the deployed stack predates its ${STACK_OUTPUTS.promptTemplateSha256} output; redeploy to compare with what it evaluates with)`;
  const keys = (await listKeys(deps.s3, location.bucket, location.key)).filter((key) => !key.endsWith('/'));
  if (keys.length === 0) throw new CliError(`no training data under ${channel}: upload it first (npx impressions upload --dir <prepared folder>)`);
  const problems: string[] = [];
  for (const key of keys) {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: key }));
    const comparison = compareTemplate(recordedTemplate(head.Metadata), expected.sha256 as string);
    const object = `s3://${location.bucket}/${key}`;
    if (comparison.status === 'unrecorded') {
      problems.push(`${object} records no prompt template (not uploaded by impressions upload of this version)`);
    } else if (comparison.status === 'different') {
      problems.push(
        `${object} was prepared with another prompt template than ${against}:\n` +
          `    channel:    ${showTemplate(comparison.recorded)}\n    evaluation: ${showTemplate(expected)}`,
      );
    }
  }
  if (problems.length === 0) return;
  if (options.allowTemplateMismatch === true) {
    const warn = deps.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    for (const problem of problems) warn(`warning: ${problem}\n  (started anyway: --allow-template-mismatch)`);
    return;
  }
  throw new CliError(
    `${problems.join('\n')}\n` +
      'Training and evaluation would use different prompts. Prepare and upload the data again with the configured template ' +
      '(npx impressions prepare ... && npx impressions upload ...), or pass --allow-template-mismatch if that is intended.',
  );
}

function showTemplate(recorded: RecordedTemplate): string {
  const text =
    recorded.template === undefined
      ? '(text not recorded)'
      : JSON.stringify(recorded.template.length > 120 ? `${recorded.template.slice(0, 117)}...` : recorded.template);
  return `${text} (sha256 ${recorded.sha256?.slice(0, 12) ?? '?'}…)`;
}

/** Registers `impressions run`. */
export function register(program: Command): void {
  program
    .command('run')
    .description('start a run: fine-tune, host and evaluate both models, clean up (README "Running")')
    .option('--name <name>', 'label of the run (also the start of the execution name)')
    .option('--skip-training', 'host --model-data as the fine-tuned model instead of training')
    .option('--model-data <s3>', 'fine-tuned weights under s3://<bucket>/runs/ (model.tar.gz or a prefix ending in /)')
    .option('--keep-endpoints', 'leave the fine-tuned endpoint running after a successful run')
    .option('--model-version <v>', 'JumpStart model version (exact, e.g. 2.2.3, or 2.*)')
    .option('--input <file>', 'JSON file with the run input (flags override its fields)')
    .option('--allow-template-mismatch', 'start even when the training channel was prepared with another prompt template than the evaluation uses')
    .option('--region <region>', 'AWS region (default: from the AWS configuration)')
    .action(async (options: RunOptions & { region?: string }) => {
      const { config } = loadProject();
      const aws = awsClients({ region: options.region });
      await startRun(options, {
        sfn: aws.sfn,
        cloudFormation: aws.cloudFormation,
        s3: aws.s3,
        resourcePrefix: config.resourcePrefix,
        configuredTemplate: config.promptTemplate,
        out: process.stdout,
      });
    });
}
