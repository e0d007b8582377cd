/**
 * `impressions run`: starts an execution of the deployed run state machine with a generated
 * execution name and prints how to watch it. The input is validated again by the state machine
 * (validate-input); here only the CLI's own flags are checked.
 */
import * as fs from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { loadConfigFromProject } from '../../config';
import { STACK_OUTPUTS, stackNames } from '../../core/deployment';
import { CliError } from '../errors';
import { requireStackOutput } from '../stack-outputs';

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

/** Clients and output of {@link startRun}, injectable for tests. */
export interface RunDeps {
  readonly sfn: SFNClient;
  readonly cloudFormation: CloudFormationClient;
  readonly pipelineStack: string;
  readonly out: NodeJS.WritableStream;
  readonly now?: Date;
}

/** Starts the run; returns the execution name and ARN. */
export async function startRun(options: RunOptions, deps: RunDeps): Promise<{ name: string; executionArn: string }> {
  const input = buildRunInput(options);
  const stateMachineArn = await requireStackOutput(deps.cloudFormation, deps.pipelineStack, STACK_OUTPUTS.stateMachineArn);
  const name = executionName(options.name, deps.now ?? new Date());
  const response = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  if (response.executionArn === undefined) throw new CliError(`Step Functions returned no execution ARN for ${name}`);
  deps.out.write(`started run ${name}\n  execution: ${response.executionArn}\n  watch:     npx impressions status ${name} --watch\n`);
  return { name, executionArn: response.executionArn };
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
    .action(async (options: RunOptions) => {
      const config = loadConfigFromProject(process.cwd());
      await startRun(options, {
        sfn: new SFNClient({}),
        cloudFormation: new CloudFormationClient({}),
        pipelineStack: stackNames(config.resourcePrefix).pipeline,
        out: process.stdout,
      });
    });
}
