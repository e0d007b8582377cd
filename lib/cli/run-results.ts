/**
 * Reads a run's results (prediction rows, summary rows, run summary) from the data bucket or from
 * a local folder with the bucket's layout. When the summary has not been written yet, it is
 * computed from the rows the same way the aggregate Lambda does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapPool, parsePartKey, predictionsPrefix, runSummaryKey, summaryKey, summaryRows, type RunSummary } from '../core/evaluation';
import type { PredictionRow, SummaryRow } from '../core/run/contracts';
import { JsonlSyntaxError, parseJsonlLines } from '../core/jsonl';
import { listKeys, readTextIfExists } from '../aws/s3-text';
import { CliError, EXIT } from './errors';

/** Where a run's files are: list keys under a prefix, read a key (undefined when absent). */
export interface ResultStore {
  readonly description: string;
  list(prefix: string): Promise<string[]>;
  read(key: string): Promise<string | undefined>;
}

/** A local folder laid out like the bucket. */
export function localStore(dir: string): ResultStore {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`--from ${dir}: not a folder`);
  return {
    description: dir,
    async list(prefix) {
      const root = path.join(dir, prefix);
      if (!fs.existsSync(root)) return [];
      const out: string[] = [];
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const full = path.join(d, e.name);
          if (e.isDirectory()) walk(full);
          else out.push(path.relative(dir, full).split(path.sep).join('/'));
        }
      };
      walk(root);
      return out.sort();
    },
    async read(key) {
      const full = path.join(dir, key);
      return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
    },
  };
}

/** The data bucket. */
export function s3Store(client: S3Client, bucket: string): ResultStore {
  return {
    description: `s3://${bucket}`,
    list: (prefix) => listKeys(client, bucket, prefix),
    // AWS failures are the SDK's errors, explained by the CLI's one AWS error path.
    read: (key) => readTextIfExists(client, bucket, key),
  };
}

/** A run's results. */
export interface RunResults {
  readonly rows: PredictionRow[];
  readonly summary: SummaryRow[];
  /** Absent until the aggregate step has run. */
  readonly runSummary?: RunSummary;
  readonly partFiles: number;
  /** True when the summary rows were computed here because summary.jsonl is absent. */
  readonly summaryComputed: boolean;
}

function parseJsonl<T>(text: string, where: string): T[] {
  try {
    return parseJsonlLines<T>(text, where);
  } catch (error) {
    if (error instanceof JsonlSyntaxError) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
}

/**
 * The run summary of `runId` in `store`, undefined until the aggregate step has written it.
 * Parsed, not validated: a summary written by an older version may lack newer fields.
 * @throws CliError naming the file when it is not valid JSON.
 */
export async function readRunSummary(store: ResultStore, runId: string): Promise<RunSummary | undefined> {
  const text = await store.read(runSummaryKey(runId));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunSummary;
  } catch {
    throw new CliError(`${store.description}/${runSummaryKey(runId)}: not valid JSON`, EXIT.failed);
  }
}

/** Loads everything of `runId` from `store`. @throws CliError when the run has no prediction rows. */
export async function loadRunResults(store: ResultStore, runId: string, onProgress?: (done: number, total: number) => void): Promise<RunResults> {
  let prefix: string;
  try {
    prefix = predictionsPrefix(runId);
  } catch (error) {
    throw new CliError(`--run: ${(error as Error).message}`);
  }
  const keys = (await store.list(prefix)).filter((k) => parsePartKey(k) !== undefined);
  if (keys.length === 0) throw new CliError(`run ${runId}: no prediction files under ${store.description}/${prefix}`);
  let done = 0;
  const parts = await mapPool(keys, 8, async (key) => {
    const rows = parseJsonl<PredictionRow>((await store.read(key)) ?? '', `${store.description}/${key}`);
    done += 1;
    onProgress?.(done, keys.length);
    return rows;
  });
  const rows = parts.flat();
  const summaryText = await store.read(summaryKey(runId));
  const runSummary = await readRunSummary(store, runId);
  return {
    rows,
    summary: summaryText === undefined ? summaryRows(runId, rows) : parseJsonl<SummaryRow>(summaryText, `${store.description}/${summaryKey(runId)}`),
    runSummary,
    partFiles: keys.length,
    summaryComputed: summaryText === undefined,
  };
}
