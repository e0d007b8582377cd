/**
 * Reading JSON Lines written by this app (part files, summaries): blank lines are skipped, and a
 * line that is not JSON is an error naming where it is, never what it holds (rows carry report text).
 */

/** A JSON Lines file with a line that is not valid JSON. */
export class JsonlSyntaxError extends Error {
  constructor(
    public readonly where: string,
    public readonly line: number,
  ) {
    super(`${where} line ${line}: not valid JSON`);
    this.name = 'JsonlSyntaxError';
  }
}

/**
 * Parses every non-blank line of `text` as JSON, typed as `T` (the caller's contract; not checked).
 * @throws JsonlSyntaxError naming `where` and the 1-based line.
 */
export function parseJsonlLines<T>(text: string, where: string): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      throw new JsonlSyntaxError(where, i + 1);
    }
  });
  return out;
}
