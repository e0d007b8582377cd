/**
 * The inputs of `impressions prepare` other than the zip's reports: the MEDIQA split CSV and the
 * Indiana dev JSON, read and validated, and the facts (path, size, SHA-256) recorded of each input.
 * Errors name the file and the line, index or study id, never report text.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EvalRecord, RecordError } from '../../core/eval-record';
import { validateIndianaRecords } from '../../core/mimic/indiana-records';
import { parseSplitCsv, SplitFileError, SplitName, SplitRow } from '../../core/mimic/split-csv';
import { CliError } from '../errors';
import { decodeUtf8File } from '../utf8';

/** Description of an input or output file in the report. */
export interface FileFacts {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The split file, parsed. */
export interface SplitInput {
  readonly rows: SplitRow[];
  /** Rows per split value. */
  readonly counts: Readonly<Record<SplitName, number>>;
  readonly facts: FileFacts;
}

/** The Indiana dev set, validated. */
export interface IndianaInput {
  readonly records: EvalRecord[];
  readonly facts: FileFacts;
}

function readInput(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new CliError(`${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function facts(file: string, bytes: Buffer): FileFacts {
  return { path: path.resolve(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Reads and parses the split CSV (`study_id,subject_id,split`).
 * @throws CliError naming the file and the line.
 */
export function readSplit(file: string): SplitInput {
  const bytes = readInput(file, 'split file');
  let rows: SplitRow[];
  try {
    rows = parseSplitCsv(decodeUtf8File(bytes, file), file);
  } catch (error) {
    if (error instanceof SplitFileError) throw new CliError(error.message);
    throw error;
  }
  const counts: Record<SplitName, number> = { train: 0, dev: 0, test: 0 };
  for (const row of rows) counts[row.split] += 1;
  return { rows, counts, facts: facts(file, bytes) };
}

/**
 * Reads and validates the Indiana dev set (a JSON array of MEDIQA records).
 * @throws CliError naming the file and the index or study id; for an empty list too (dev2 would be empty).
 */
export function readIndiana(file: string): IndianaInput {
  const bytes = readInput(file, 'Indiana dev file');
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8File(bytes, file));
  } catch (error) {
    if (error instanceof CliError) throw error;
    // V8's message quotes part of the text, which may be patient text: keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new CliError(`${file}: not valid JSON${position !== undefined ? ` (at character ${position})` : ''}`);
  }
  let records: EvalRecord[];
  try {
    records = validateIndianaRecords(value, file);
  } catch (error) {
    if (error instanceof RecordError) throw new CliError(error.message);
    throw error;
  }
  if (records.length === 0) throw new CliError(`${file}: no records (an empty list): dev2.jsonl would be empty`);
  return { records, facts: facts(file, bytes) };
}

/** Hashing code run in a worker thread, so the zip's SHA-256 costs no time on the main thread. */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
try {
  const hash = createHash('sha256');
  const fd = fs.openSync(workerData, 'r');
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  let bytes = 0;
  for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; bytes += n) hash.update(buffer.subarray(0, n));
  fs.closeSync(fd);
  parentPort.postMessage({ bytes, sha256: hash.digest('hex') });
} catch (error) {
  parentPort.postMessage({ error: error.code || error.message });
}`;

/**
 * SHA-256 and size of a file, computed in a worker thread. Never rejects: a failure comes back as
 * an Error value, to be reported when the result is needed.
 */
export function hashFileInWorker(file: string): Promise<FileFacts | Error> {
  return new Promise<FileFacts>((resolve, reject) => {
    // No execArgv: the worker is plain JavaScript and needs none of the parent's loaders (e.g. tsx).
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: file, execArgv: [] });
    worker.once('message', (m: { bytes: number; sha256: string } | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(m.error));
      else resolve({ path: path.resolve(file), bytes: m.bytes, sha256: m.sha256 });
    });
    worker.once('error', reject);
  }).catch((error: Error) => error);
}
