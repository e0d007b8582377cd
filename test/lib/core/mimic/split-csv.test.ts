import * as fs from 'node:fs';
import { parseSplitCsv } from '../../../../lib/core/mimic/split-csv';
import { dataPath } from '../../../helpers/data';

const REAL = dataPath('mimic_split_train_dev.csv');

test('the real split file: 93,544 rows, 91,544 train then 2,000 dev, ids kept as written', () => {
  const rows = parseSplitCsv(fs.readFileSync(REAL, 'utf8'), REAL);
  expect(rows).toHaveLength(93_544);
  expect(rows.filter((r) => r.split === 'train')).toHaveLength(91_544);
  expect(rows.filter((r) => r.split === 'dev')).toHaveLength(2_000);
  expect(rows[0]).toEqual({ studyId: '58832226', subjectId: '11148901', split: 'train', line: 2 });
});

test('universal newlines, quoting and blank lines, like csv.DictReader', () => {
  const text = 'split,study_id,subject_id\r\n"train","007",10000001\r\rdev,8,"1,2"\n';
  expect(parseSplitCsv(text, 's.csv')).toEqual([
    { studyId: '007', subjectId: '10000001', split: 'train', line: 2 },
    { studyId: '8', subjectId: '1,2', split: 'dev', line: 4 },
  ]);
});

describe('bad split files name the file, the line and the field', () => {
  test.each([
    ['wrong columns', 'study,subject_id,split\n1,2,train\n', /s\.csv line 1: expected the columns study_id,subject_id,split, got "study,subject_id,split"/],
    ['an extra column', 'study_id,subject_id,split,x\n', /s\.csv line 1: expected the columns/],
    ['a BOM', '\ufeffstudy_id,subject_id,split\n', /s\.csv line 1: starts with a byte-order mark/],
    ['an empty file', '', /s\.csv: empty file/],
    ['a short row', 'study_id,subject_id,split\n1,2,train\n3,4\n', /s\.csv line 3: expected 3 fields/],
    ['an empty id', 'study_id,subject_id,split\n,2,train\n', /s\.csv line 2: field study_id is empty/],
    ['an empty subject', 'study_id,subject_id,split\n1,,train\n', /s\.csv line 2 \(study_id 1\): field subject_id is empty/],
    ['an unknown split', 'study_id,subject_id,split\n1,2,valid\n', /s\.csv line 2 \(study_id 1\): field split is "valid"; allowed: train, dev, test/],
    ['a repeated study', 'study_id,subject_id,split\n1,2,train\n1,3,dev\n', /s\.csv line 3: field study_id 1 repeats line 2/],
    ['an open quote', 'study_id,subject_id,split\n"1,2,train\n', /s\.csv line 2: a quoted field is not closed/],
  ])('%s', (_what, text, message) => {
    expect(() => parseSplitCsv(text, 's.csv')).toThrow(message);
  });
});
