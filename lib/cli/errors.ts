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

/** Marks a {@link CliError} (a registered symbol: the same in every bundle). */
const CLI_ERROR_BRAND = Symbol.for('radiology-impressions.CliError');

/** Whether `value` is an object carrying `brand` (an error class's mark that survives bundling the class twice). */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * An expected failure of a CLI command. By default it is bad input (exit 2): pass `EXIT.failed`
 * when the input was fine and the work itself failed.
 */
export class CliError extends Error {
  /**
   * `instanceof` holds across copies of this class: each command of the built CLI is its own esbuild
   * bundle with its own copy (bin/cli-build.cjs), and the program that reports the error is another.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, CLI_ERROR_BRAND);
  }

  /** The brand {@link CliError}'s `instanceof` checks. */
  readonly [CLI_ERROR_BRAND] = true;

  constructor(
    message: string,
    public readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
