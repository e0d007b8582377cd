import { formatEvalRecord, parseRecord, splitRecordLines, toEvalRecord } from '../../../lib/core/eval-record';

const record = { study_id: '1', subject_id: '', findings: 'f', impression: 'i', background: 'b' };

test('one JSONL line round-trips and keeps the schema order; extra fields are dropped', () => {
  const line = formatEvalRecord({ ...record, findings: 'ünïcode \u2028 "q"' });
  expect(line).not.toContain('\n');
  expect(toEvalRecord(JSON.parse(line), 'd.jsonl line 1')).toEqual({ ...record, findings: 'ünïcode \u2028 "q"' });
  expect(toEvalRecord({ extra: 1, ...record }, 'd.jsonl line 1')).toEqual(record);
  expect(Object.keys(JSON.parse(line))).toEqual(['study_id', 'subject_id', 'findings', 'impression', 'background']);
});

describe('reading an evaluation file for scoring', () => {
  const body = [
    JSON.stringify({ study_id: 's1', subject_id: 'p1', findings: 'F1.', impression: 'I1.', background: 'B' }),
    '',
    '{not json',
    JSON.stringify({ study_id: 42, findings: 'F3.', impression: '' }),
    JSON.stringify({ findings: 5, impression: 'I' }),
    '\r',
  ].join('\n');
  it('numbers non-blank lines and turns bad fields into errors naming line, record and field', () => {
    const lines = splitRecordLines(body);
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5]);
    const read = lines.map((l, i) => parseRecord(l, i, 'dev1.jsonl'));
    expect(read[0]).toEqual({ ok: true, record: { index: 0, studyId: 's1', subjectId: 'p1', findings: 'F1.', impression: 'I1.', background: 'B' } });
    expect(read[1]).toEqual({ ok: false, invalid: { index: 1, studyId: '#1', error: 'dev1.jsonl line 3 (record 1): not valid JSON' } });
    expect(read[2]).toEqual({ ok: false, invalid: { index: 2, studyId: '42', error: 'dev1.jsonl line 4 (record 2), study_id 42: impression is empty' } });
    expect(read[3]).toMatchObject({
      ok: false,
      invalid: {
        studyId: '#3',
        error: 'dev1.jsonl line 5 (record 3), study_id #3: study_id must be a non-empty string or a number; findings must be a string',
      },
    });
  });
});
