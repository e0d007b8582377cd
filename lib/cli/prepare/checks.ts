/**
 * What makes a prepared set unusable even when every file could be read: studies left out beyond
 * the allowed share, and a requested file with no record. Each check throws a CliError (bad input)
 * naming the files, the counts and the first study ids, never report text.
 */
import type { SplitName } from '../../core/mimic/split-csv';
import { CliError } from '../errors';
import type { SkippedStudy } from './mimic-reports';

/** Share of the train and dev studies that may be left out (skipped) unless told otherwise: 1 %. */
export const DEFAULT_MAX_SKIP_PERCENT = 1;

/** Study ids shown in a message before "and N more". */
const SHOWN_IDS = 5;

/** `study_id 2 (split.csv line 3: no findings section), ..., and 4 more`. */
export function describeStudies(studies: readonly SkippedStudy[], splitFile: string): string {
  const shown = studies
    .slice(0, SHOWN_IDS)
    .map((s) => `study_id ${s.study_id} (${splitFile} line ${s.line}${s.reason === 'no report in the zip' ? '' : `: ${s.reason}`})`);
  return shown.join(', ') + (studies.length > SHOWN_IDS ? `, and ${studies.length - SHOWN_IDS} more` : '');
}

/** Parses `--max-skip-rate <percent>`: a number from 0 to 100. */
export function parseSkipPercent(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new CliError(`--max-skip-rate ${value}: expected a percentage from 0 to 100`);
  return n;
}

/**
 * Fails when more than `maxPercent` % of the `requested` train and dev studies were left out.
 * @param zipFile and `splitFile` name the inputs in the message.
 */
export function checkSkipRate(skippedStudies: readonly SkippedStudy[], requested: number, maxPercent: number, zipFile: string, splitFile: string): void {
  if (requested === 0 || skippedStudies.length === 0) return;
  const percent = (100 * skippedStudies.length) / requested;
  if (percent <= maxPercent) return;
  throw new CliError(
    `${zipFile}: ${skippedStudies.length} of the ${requested} train/dev studies of ${splitFile} were left out (${percent.toFixed(1)} %), ` +
      `more than the ${maxPercent} % allowed: ${describeStudies(skippedStudies, splitFile)}. ` +
      'Check that the zip and the split belong together, or raise --max-skip-rate if so many are expected.',
  );
}

/** The records written per file, and which split each file holds. */
export interface WrittenCounts {
  readonly file: string;
  readonly split: SplitName | 'indiana';
  readonly records: number;
}

/**
 * Fails when a requested file has no record: a split with no row in the split file, or whose every
 * row was left out.
 */
export function checkNotEmpty(counts: readonly WrittenCounts[], splitFile: string, splitRows: Readonly<Record<SplitName, number>>): void {
  for (const { file, split, records } of counts) {
    if (records > 0) continue;
    const why =
      split === 'indiana'
        ? 'the Indiana file has no record'
        : splitRows[split] === 0
          ? `${splitFile} has no ${split} row`
          : `every one of the ${splitRows[split]} ${split} rows of ${splitFile} was left out`;
    throw new CliError(`${file} would be empty: ${why}. An empty set is never written (nothing was written).`);
  }
}
