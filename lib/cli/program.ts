/**
 * The operator CLI program: commander set-up, the list of commands, and error handling.
 * Each command module exports `register(program)`; adding a command is one line in COMMANDS.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { CliError } from './errors';
import { packageVersion } from './package-version';

/** A command module's registration function. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every command of the CLI, in the order `--help` lists them, with a loader of its module. Modules
 * are loaded on demand: a command pulls in only its own dependencies (the AWS SDK clients of the
 * others cost about 0.4 s of start-up).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: readonly (readonly [name: string, load: () => { register: RegisterCommand }])[] = [
  ['prepare', () => require('./commands/prepare')],
  ['upload', () => require('./commands/upload')],
  ['run', () => require('./commands/run')],
  ['status', () => require('./commands/status')],
  ['report', () => require('./commands/report')],
  ['runs', () => require('./commands/runs')],
  ['score', () => require('./commands/score')],
  ['label', () => require('./commands/label')],
  ['generate', () => require('./commands/generate')],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The commands to register for `argv`: only the named command when `argv[2]` names one, else all
 * of them (for `--help`, `help <command>` and unknown commands).
 */
export function commandsFor(argv: readonly string[]): RegisterCommand[] {
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  return (named.length > 0 ? named : COMMANDS).map(([, load]) => load().register);
}

/** Builds the CLI with every command registered. `commands` replaces the list in tests. */
export function buildProgram(commands: readonly RegisterCommand[] = commandsFor([])): Command {
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
