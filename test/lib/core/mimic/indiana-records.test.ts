import * as fs from 'node:fs';
import { validateIndianaRecords } from '../../../../lib/core/mimic/indiana-records';
import { dataPath } from '../../../helpers/data';

const INDIANA = dataPath('indiana_dev.json');
const record = { study_id: '1', subject_id: '', findings: 'f', impression: 'i', background: 'b' };

test('the real Indiana dev set: 2,000 valid records', () => {
  const records = validateIndianaRecords(JSON.parse(fs.readFileSync(INDIANA, 'utf8')), INDIANA);
  expect(records).toHaveLength(2000);
  expect(Object.keys(records[0])).toEqual(['study_id', 'subject_id', 'findings', 'impression', 'background']);
});

describe('Indiana validation names file, index, study id and field', () => {
  test.each([
    [{ a: 1 }, /i\.json: expected a JSON array of records, got an object/],
    [[record, 'x'], /i\.json \[1\]: expected a JSON object .* got a string/],
    [[{ ...record, impression: undefined }], /i\.json \[0\] \(study_id "1"\): field impression is missing/],
    [[{ ...record, findings: 3 }], /i\.json \[0\] \(study_id "1"\): field findings must be a string, got a number/],
    [[{ ...record, study_id: 1 }], /i\.json \[0\]: field study_id must be a string, got a number/],
    [[record, record], /i\.json \[1\] \(study_id "1"\): field study_id repeats record \[0\]/],
  ])('%#', (value, message) => {
    expect(() => validateIndianaRecords(value, 'i.json')).toThrow(message);
  });
});
