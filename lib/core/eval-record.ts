/**
 * The evaluation record (MEDIQA 2021 Task 3 schema, `{study_id, subject_id, findings, impression,
 * background}`), one JSON object per line of `eval_data/*.jsonl`: the one module that writes it
 * (`impressions prepare`, {@link formatEvalRecord}) and reads it back, strictly where a source must
 * be exactly right ({@link toEvalRecord}, the Indiana dev set) and leniently where every record must
 * become a row ({@link parseRecord}, the evaluation: a record with a bad field comes back as an
 * {@link InvalidRecord} carrying its error, so it becomes a row with that error, never dropped).
 * Error messages name the file, the position, the study id and the field; never report text.
 */
import { RECORD_TEXT_LIMIT_BYTES, sizeProblem } from './evaluation/record-limits';

// ---------------------------------------------------------------------------------------------
// The record as written

/**
 * One evaluation record, as written one per line to `eval_data/*.jsonl` (keys in this order).
 * All fields are strings; `subject_id` is `""` for Indiana University records. Texts are cleaned
 * (single-line, no runs of whitespace) but may be any length; nothing here promises they are
 * non-empty for Indiana records.
 */
export interface EvalRecord {
  /** Study id, exactly as in the source (no number conversion, no trimming). */
  readonly study_id: string;
  /** Patient id (`""` when the source has none). */
  readonly subject_id: string;
  /** Findings: the model's input. Patient text: never log it. */
  readonly findings: string;
  /** Reference impression: what the model should write. Patient text: never log it. */
  readonly impression: string;
  /** Text before the findings (indication, history, comparison). Patient text: never log it. */
  readonly background: string;
}

/** Field names of an {@link EvalRecord}, in output order. */
export const EVAL_RECORD_FIELDS = ['study_id', 'subject_id', 'findings', 'impression', 'background'] as const;

/** A record that failed validation; `message` names file, position, id and field. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** `null`, `an array`, `an object`, `a string`, … for messages (never the value itself). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Checks that `value` is an object with the five string fields and returns a record holding only
 * those fields, in schema order. `where` describes the position (`file [12]`).
 * Extra fields are dropped silently.
 * @throws RecordError naming `where`, the study id when readable, and the first bad field.
 */
export function toEvalRecord(value: unknown, where: string): EvalRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordError(`${where}: expected a JSON object with fields ${EVAL_RECORD_FIELDS.join(', ')}, got ${describeType(value)}`);
  }
  const object = value as Record<string, unknown>;
  const id = typeof object.study_id === 'string' ? ` (study_id ${JSON.stringify(object.study_id)})` : '';
  for (const field of EVAL_RECORD_FIELDS) {
    const v = object[field];
    if (typeof v !== 'string') {
      const problem = v === undefined ? 'is missing' : `must be a string, got ${describeType(v)}`;
      throw new RecordError(`${where}${id}: field ${field} ${problem}`);
    }
  }
  return {
    study_id: object.study_id as string,
    subject_id: object.subject_id as string,
    findings: object.findings as string,
    impression: object.impression as string,
    background: object.background as string,
  };
}

/** One JSONL line (no newline) of a record, keys in schema order. */
export function formatEvalRecord(record: EvalRecord): string {
  return formatEvalRecordJson(record, JSON.stringify(record.findings), JSON.stringify(record.impression));
}

/**
 * {@link formatEvalRecord} with the JSON of the findings and the impression already made
 * (`JSON.stringify` of each), so that a caller writing them twice escapes them once.
 */
export function formatEvalRecordJson(record: EvalRecord, findingsJson: string, impressionJson: string): string {
  // Built by hand (each value through JSON.stringify) to fix the key order without a temporary object.
  return (
    `{"study_id":${JSON.stringify(record.study_id)},"subject_id":${JSON.stringify(record.subject_id)},` +
    `"findings":${findingsJson},"impression":${impressionJson},"background":${JSON.stringify(record.background)}}`
  );
}

// ---------------------------------------------------------------------------------------------
// Reading an evaluation file for scoring

/** A record of an evaluation file as the evaluation reads it, ready to score (camel case, index kept). */
export interface ScorableRecord {
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
export type ReadRecord = { readonly ok: true; readonly record: ScorableRecord } | { readonly ok: false; readonly invalid: InvalidRecord };

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

/**
 * Parses and validates record `index` (0-based) of `source` (a file name or URI, for messages). A
 * findings, impression or background over RECORD_TEXT_LIMIT_BYTES is an invalid record too (its size
 * and the limit named), so an oversized record is neither sent nor copied into its row.
 */
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
  // Bounded before anything is sent, scored or copied into a row (evaluation/record-limits.ts).
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
