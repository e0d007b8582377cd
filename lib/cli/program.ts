/**
 * The operator CLI program: commander set-up, the list of commands, and error handling.
 * Each command module exports `register(program)`; adding a command is one line in COMMANDS.
 */
import { Command, CommanderError } from 'commander';
import * as generate from './commands/generate';
import * as label from './commands/label';
import * as prepare from './commands/prepare';
import * as report from './commands/report';
import * as run from './commands/run';
import * as runs from './commands/runs';
import * as status from './commands/status';
import * as score from './commands/score';
import * as upload from './commands/upload';
import { ConfigError } from '../config';
import { CliError } from './errors';

/** A command module's registration function. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in the order `--help` lists them. */
const COMMANDS: readonly RegisterCommand[] = [
  prepare.register,
  upload.register,
  run.register,
  status.register,
  report.register,
  runs.register,
  score.register,
  label.register,
  generate.register,
];

/** Reads the package version without importing package.json into the bundle of a Lambda. */
function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** Builds the CLI with every command registered. `commands` replaces the list in tests. */
export function buildProgram(commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command('impressions')
    .description('Prepare data for, start, watch and read the results of radiology-impressions runs.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the program and sets the exit code: 0 on success, the CliError's code on an expected
 * failure, 1 with the stack on anything else (a bug).
 */
export async function runCli(program: Command, argv: readonly string[]): Promise<number> {
  let code = 0;
  try {
    if (argv.length <= 2) {
      program.outputHelp();
    } else {
      await program.parseAsync([...argv]);
    }
  } catch (error) {
    if (error instanceof CommanderError) {
      code = error.exitCode;
    } else if (error instanceof CliError) {
      process.stderr.write(`impressions: ${error.message}\n`);
      code = error.exitCode;
    } else if (error instanceof ConfigError) {
      // cdk.json holds a bad impressions:* setting: the same message synth prints.
      process.stderr.write(`impressions: cdk.json: ${error.message}\n`);
      code = 1;
    } else {
      process.stderr.write(`impressions: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      code = 1;
    }
  }
  process.exitCode = code;
  return code;
}
