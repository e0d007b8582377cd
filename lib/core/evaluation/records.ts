/**
 * Evaluation records (`eval_data/*.jsonl`, the MEDIQA schema `{study_id, subject_id, findings,
 * impression, background}`, one JSON object per line) read for scoring. A record with a bad field is
 * not dropped: it comes back as an invalid record carrying its error, so it becomes a row with that
 * error. Errors name the record index, line and field, never the text. A findings, impression or
 * background over RECORD_TEXT_LIMIT_BYTES is such an error too (its size and the limit named), so an
 * oversized record is neither sent nor copied into its row.
 */
import { RECORD_TEXT_LIMIT_BYTES, sizeProblem } from './record-limits';

/** A record ready to score. */
export interface EvalRecord {
  readonly index: number;
  readonly studyId: string;
  readonly subjectId: string;
  readonly findings: string;
  readonly impression: string;
  readonly background: string;
}

/** A record that cannot be scored, with what is wrong. */
export interface InvalidRecord {
  readonly index: number;
  /** The record's study_id when readable, else `#<index>`. */
  readonly studyId: string;
  readonly error: string;
}

/** One line read from an evaluation file. */
export type ReadRecord = { readonly ok: true; readonly record: EvalRecord } | { readonly ok: false; readonly invalid: InvalidRecord };

/** A non-blank line of the file and its 1-based line number. */
export interface RecordLine {
  readonly line: number;
  readonly text: string;
}

/**
 * Splits a JSONL body into its records: every non-blank line is one record, and record `i` is the
 * i-th non-blank line. Plan and shards use this same numbering.
 */
export function splitRecordLines(body: string): RecordLine[] {
  const lines: RecordLine[] = [];
  const raw = body.split('\n');
  for (let i = 0; i < raw.length; i += 1) {
    const text = raw[i].endsWith('\r') ? raw[i].slice(0, -1) : raw[i];
    if (text.trim() !== '') lines.push({ line: i + 1, text });
  }
  return lines;
}

/** Parses and validates record `index` (0-based) of `source` (a file name or URI, for messages). */
export function parseRecord(line: RecordLine, index: number, source: string): ReadRecord {
  const where = `${source} line ${line.line} (record ${index})`;
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch {
    return invalid(index, `#${index}`, `${where}: not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(index, `#${index}`, `${where}: not a JSON object`);
  }
  const o = value as Record<string, unknown>;
  const rawId = o.study_id;
  const studyId = typeof rawId === 'string' && rawId.trim() !== '' ? rawId : typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : undefined;
  const id = studyId ?? `#${index}`;
  const problems: string[] = [];
  if (studyId === undefined) problems.push('study_id must be a non-empty string or a number');
  for (const field of ['findings', 'impression'] as const) {
    if (typeof o[field] !== 'string') problems.push(`${field} must be a string`);
    else if ((o[field] as string).trim() === '') problems.push(`${field} is empty`);
  }
  for (const field of ['subject_id', 'background'] as const) {
    const v = o[field];
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') problems.push(`${field} must be a string`);
  }
  // Bounded before anything is sent, scored or copied into a row (record-limits.ts).
  for (const field of ['findings', 'impression', 'background'] as const) {
    const v = o[field];
    const problem = typeof v === 'string' ? sizeProblem(field, v, RECORD_TEXT_LIMIT_BYTES) : undefined;
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) return invalid(index, id, `${where}, study_id ${id}: ${problems.join('; ')}`);
  return {
    ok: true,
    record: {
      index,
      studyId: id,
      subjectId: o.subject_id === undefined || o.subject_id === null ? '' : String(o.subject_id),
      findings: o.findings as string,
      impression: o.impression as string,
      background: o.background === undefined || o.background === null ? '' : String(o.background),
    },
  };
}

/** A study id on two lines of one evaluation set. */
export interface RepeatedStudyId {
  readonly studyId: string;
  /** Where it is first, and where it comes again (1-based line, 0-based record index). */
  readonly first: { readonly line: number; readonly record: number };
  readonly repeat: { readonly line: number; readonly record: number };
}

/**
 * Every record whose study id repeats an earlier record's, with both places. The rows of the two
 * models are paired by study id, so an evaluation set must not repeat one. Records with a bad
 * field count when their study id is readable.
 * @param reads the set's records as {@link parseRecord} read them, in order, with their lines.
 */
export function repeatedStudyIds(reads: readonly { readonly read: ReadRecord; readonly line: number }[]): RepeatedStudyId[] {
  const seen = new Map<string, { line: number; record: number }>();
  const repeats: RepeatedStudyId[] = [];
  reads.forEach(({ read, line }, index) => {
    const studyId = read.ok ? read.record.studyId : read.invalid.studyId;
    if (!read.ok && studyId === `#${index}`) return; // no readable study id
    const first = seen.get(studyId);
    if (first !== undefined) repeats.push({ studyId, first, repeat: { line, record: index } });
    else seen.set(studyId, { line, record: index });
  });
  return repeats;
}

function invalid(index: number, studyId: string, error: string): ReadRecord {
  return { ok: false, invalid: { index, studyId, error } };
}
