/**
 * The operator CLI program: commander set-up, the list of commands, and error handling.
 * Each command module exports `register(program)`; adding a command is one line in COMMANDS.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { describeAwsFailure, isAwsFailure } from './aws';
import { CliError, EXIT, type ExitCode } from './errors';
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
  ['endpoints', () => require('./commands/endpoints')],
  ['report', () => require('./commands/report')],
  ['runs', () => require('./commands/runs')],
  ['rehearse', () => require('./commands/rehearse')],
  ['score', () => require('./commands/score')],
  ['label', () => require('./commands/label')],
  ['generate', () => require('./commands/generate')],
  ['review', () => require('./commands/review')],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The commands to register for `argv`: none for `--version` (`-V`), only the named command when
 * `argv[2]` names one, else all of them (for `--help`, `help <command>` and unknown commands).
 */
export function commandsFor(argv: readonly string[]): RegisterCommand[] {
  if (argv[2] === '--version' || argv[2] === '-V') return [];
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  return (named.length > 0 ? named : COMMANDS).map(([, load]) => load().register);
}

/** Builds the CLI with every command registered. `commands` replaces the list in tests. */
export function buildProgram(commands: readonly RegisterCommand[] = commandsFor([])): Command {
  const program = new Command('impressions')
    .description('Prepare data for, start, watch and read the results of radiology-impressions runs.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'on a failure, also print the stack trace and the raw error')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** A failure as the CLI reports it. */
interface Failure {
  /** Printed after `impressions: `; empty when commander has already printed its message. */
  readonly message: string;
  readonly exitCode: ExitCode;
}

/**
 * The one error path of every command: the exit code (README "Exit codes") and the message of any
 * error a command throws. AWS failures say what failed, why and what to do ({@link describeAwsFailure});
 * anything unexpected is a bug and says so.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof CommanderError) {
    // Commander printed the message; --help and --version end this way too, with code 0.
    return { message: '', exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: EXIT.usage };
  if (isAwsFailure(error)) return { message: describeAwsFailure(error), exitCode: EXIT.failed };
  const e = error as Error;
  return {
    message: `unexpected error (a bug: please report it with the output of --debug): ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`,
    exitCode: EXIT.failed,
  };
}

/**
 * Lets the output be cut short (`impressions report | head`): when the reader of standard output
 * goes away, further output is dropped instead of crashing the process with EPIPE, and the command
 * finishes its other work (e.g. writing --html).
 */
export function tolerateClosedOutput(stream: NodeJS.WriteStream = process.stdout): void {
  if (stream.listeners('error').includes(onOutputError)) return;
  stream.on('error', onOutputError);
}

function onOutputError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  process.stderr.write(`impressions: cannot write to standard output (${error.code ?? error.message})\n`);
  process.exitCode = EXIT.failed;
}

/**
 * Runs the program and sets the exit code: 0 on success, 1 when the work failed, 2 on bad input or
 * usage. Messages go to standard error without a stack trace, unless `--debug` is given.
 */
export async function runCli(program: Command, argv: readonly string[]): Promise<number> {
  tolerateClosedOutput();
  let code: number = EXIT.ok;
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      code = EXIT.usage;
    } else {
      await program.parseAsync([...argv]);
    }
  } catch (error) {
    const failure = failureOf(error);
    if (failure.message !== '') process.stderr.write(`impressions: ${failure.message}\n`);
    const debug = program.opts<{ debug?: boolean }>().debug === true || argv.includes('--debug');
    if (debug && !(error instanceof CommanderError)) process.stderr.write(`${debugDetails(error)}\n`);
    code = failure.exitCode;
  }
  process.exitCode = code;
  return code;
}

function debugDetails(error: unknown): string {
  const e = error as Error & { $metadata?: unknown };
  const meta = e?.$metadata !== undefined ? `\n$metadata: ${JSON.stringify(e.$metadata)}` : '';
  return `${e?.stack ?? String(error)}${meta}`;
}
