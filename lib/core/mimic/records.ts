/**
 * The evaluation record (MEDIQA 2021 Task 3 schema) as `prepare` writes it to
 * `eval_data/dev1.jsonl` and `dev2.jsonl`, and the validation of the Indiana dev set it reads.
 * The evaluation reads those files back with its own, more lenient reader
 * (lib/core/evaluation/records.ts). Error messages name the file, the array index, the study id
 * and the field; they never include report text.
 */

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

function describeType(value: unknown): string {
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

/**
 * Validates the Indiana University dev set (a JSON array of MEDIQA records, as distributed with
 * MEDIQA 2021 Task 3). Study ids must be unique, since results are joined on them.
 * @throws RecordError naming the file, array index, study id and field.
 */
export function validateIndianaRecords(value: unknown, file: string): EvalRecord[] {
  if (!Array.isArray(value)) throw new RecordError(`${file}: expected a JSON array of records, got ${describeType(value)}`);
  const seen = new Map<string, number>();
  return value.map((item, index) => {
    const record = toEvalRecord(item, `${file} [${index}]`);
    const first = seen.get(record.study_id);
    if (first !== undefined) {
      throw new RecordError(`${file} [${index}] (study_id ${JSON.stringify(record.study_id)}): field study_id repeats record [${first}]`);
    }
    seen.set(record.study_id, index);
    return record;
  });
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
