import { trainLineFormatter } from '../../../../lib/core/mimic/train-line';
import { formatEvalRecord, formatEvalRecordJson } from '../../../../lib/core/eval-record';
import { renderPrompt } from '../../../../lib/core/evaluation/prompt';

/** The line as JSON.stringify gives it, with the prompt the evaluation sends for these findings. */
function reference(template: string, findings: string, impression: string): string {
  return `{"prompt":${JSON.stringify(renderPrompt(template, findings))},"completion":${JSON.stringify(impression)}}`;
}

const TEMPLATES = [
  'Findings: {context}',
  '{context}',
  'A "q" \\ \n\t\u0001{context} é\u2028 end',
  '\ud83d{context}',
  '{context}\ude00',
  '\ud83d{context}\ude00',
  'x\ude00{context}\ud83dy',
];
const TEXTS = ['', 'plain', '"quoted" \\ back\nslash\r\t\u0000\u001f\u007f', '\ude00starts low', 'ends high\ud83d', '\ud83d\ude00 pair', 'ü €'];

test("train lines are byte-identical to JSON.stringify of the evaluation's prompt, surrogates at the seams included", () => {
  for (const template of TEMPLATES) {
    const line = trainLineFormatter(template);
    for (const findings of TEXTS) {
      for (const impression of TEXTS) {
        expect(line(findings, JSON.stringify(findings), JSON.stringify(impression))).toBe(reference(template, findings, impression));
      }
    }
  }
});

test('record lines from precomputed JSON equal formatEvalRecord', () => {
  for (const text of TEXTS) {
    const record = { study_id: '5', subject_id: '1\ud83d', findings: text, impression: `${text}!`, background: text };
    expect(formatEvalRecordJson(record, JSON.stringify(record.findings), JSON.stringify(record.impression))).toBe(formatEvalRecord(record));
  }
});
