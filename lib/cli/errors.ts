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
}
