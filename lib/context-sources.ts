/**
 * The files the CDK CLI reads context from, and which of them (or the command line) a value came
 * from, so a bad setting can be traced to where it is set.
 *
 * Precedence, first wins (aws-cdk CLI, `Configuration.loadConfigFiles` in
 * node_modules/aws-cdk/lib/index.js, 2.1148): the command line (`-c key=value`), then the
 * `context` of the project's cdk.json, then cdk.context.json, then the `context` of the user's
 * ~/.cdk.json. The app only sees the merged result (`CDK_CONTEXT_JSON`), so the source of a value is
 * inferred: the first file (in that order) holding the key, when it holds the same value; the
 * command line otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a context value can come from. */
export type ContextSource = 'command line' | 'cdk.json' | 'cdk.context.json' | '~/.cdk.json';

/** One context file that exists, with its context object. */
export interface ContextFile {
  readonly source: Exclude<ContextSource, 'command line'>;
  /** Absolute path. */
  readonly path: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** A context file that is not valid JSON, or whose context is not an object. */
export class ContextFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextFileError';
  }
}

/**
 * The context files that exist, in precedence order: `projectDir`/cdk.json (its `context`),
 * `projectDir`/cdk.context.json (the whole file), and `userHome`/.cdk.json (its `context`) when
 * `userHome` is given.
 * @throws ContextFileError naming a file that is not valid JSON or holds a context that is not an object.
 */
export function readContextFiles(projectDir: string, userHome?: string): ContextFile[] {
  const candidates: [ContextFile['source'], string, boolean][] = [
    ['cdk.json', path.join(projectDir, 'cdk.json'), true],
    ['cdk.context.json', path.join(projectDir, 'cdk.context.json'), false],
  ];
  if (userHome !== undefined) candidates.push(['~/.cdk.json', path.join(userHome, '.cdk.json'), true]);
  const files: ContextFile[] = [];
  for (const [source, file, nested] of candidates) {
    if (!fs.existsSync(file)) continue;
    const full = path.resolve(file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (error) {
      throw new ContextFileError(`${full}: not valid JSON (${(error as Error).message})`);
    }
    const context = nested ? (parsed as { context?: unknown } | null)?.context : parsed;
    if (context === undefined) continue;
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      throw new ContextFileError(`${full}: ${nested ? '"context" must be' : 'must hold'} a JSON object`);
    }
    files.push({ source, path: full, context: context as Record<string, unknown> });
  }
  return files;
}

/** The context of `files` merged as the CDK CLI merges it (earlier files win). */
export function mergeContext(files: readonly ContextFile[], commandLine: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const file of [...files].reverse()) Object.assign(merged, file.context);
  return Object.assign(merged, commandLine);
}

/**
 * Where `key`'s `value` came from: the first of `files` that holds the key, when its value is the
 * same; otherwise the command line (which wins over every file).
 */
export function contextSourceOf(files: readonly ContextFile[], key: string, value: unknown): ContextSource {
  const holder = files.find((file) => Object.prototype.hasOwnProperty.call(file.context, key));
  if (holder !== undefined && sameJson(holder.context[key], value)) return holder.source;
  return 'command line';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
