/**
 * Validation of the Indiana University dev set that `impressions prepare` reads (a JSON array of
 * MEDIQA records, as distributed with MEDIQA 2021 Task 3) into evaluation records
 * (lib/core/eval-record.ts). Error messages name the file, the array index, the study id and the
 * field; they never include report text.
 */
import { describeType, RecordError, toEvalRecord, type EvalRecord } from '../eval-record';

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
