/**
 * The data the tests, benchmarks and sample commands read: `data/` at the repository root (see its
 * README for sources and licences). Nothing outside the repository is ever read; the
 * `test/repository.test.ts` check fails on a path that leaves it.
 */
import * as path from 'node:path';

/** Absolute path of the repository's `data/` folder. */
export const DATA_DIR = path.resolve(__dirname, '..', '..', 'data');

/** Absolute path of a file under `data/`, e.g. `dataPath('mimic-sample', 'split.csv')`. */
export function dataPath(...parts: string[]): string {
  return path.join(DATA_DIR, ...parts);
}
