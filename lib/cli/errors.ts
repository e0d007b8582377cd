/**
 * Expected failures of CLI commands and the exit codes they map to (README "Exit codes"). The CLI
 * prints their message without a stack trace (unless `--debug`). Messages name files, lines,
 * fields and ids, never report text.
 */

/**
 * The exit codes of every command: a contract scripts rely on.
 * - `ok` (0): the command did what was asked.
 * - `failed` (1): the input was acceptable but the work failed (an AWS call, a run, a check of the result).
 * - `usage` (2): bad input or usage (unknown option, missing or unreadable file, invalid content or
 *   setting, no project folder); running again unchanged cannot succeed.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** One of {@link EXIT}'s codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The brand of {@link CliError}: a registered symbol, the same in every bundle of the CLI. */
const CLI_ERROR = Symbol.for('radiology-impressions.CliError');

/**
 * An expected failure of a CLI command. By default it is bad input (exit 2): pass `EXIT.failed`
 * when the input was fine and the work itself failed.
 */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }

  /** Marks every CliError, whichever copy of this module made it (see {@link CliError[Symbol.hasInstance]}). */
  get [CLI_ERROR](): true {
    return true;
  }

  /**
   * `instanceof CliError` holds for a CliError of any copy of this module: the compiled CLI bundles
   * each command on its own (bin/cli-build.cjs), so a command's errors are made by another copy of
   * this class than the one `runCli` checks against.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [CLI_ERROR]?: unknown })[CLI_ERROR] === true;
  }
}
