/**
 * An expected failure of a CLI command (bad input, missing deployment, failed run). The CLI prints
 * its message without a stack trace and exits with `exitCode`. Messages name files, lines, fields
 * and ids, never report text.
 */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
