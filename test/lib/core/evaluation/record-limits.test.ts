import { parseRecord } from '../../../../lib/core/eval-record';
import {
  INVOKE_ENDPOINT_MAX_BODY_BYTES,
  PROMPT_LIMIT_BYTES,
  RECORD_TEXT_LIMIT_BYTES,
  sizeProblem,
  utf8ByteLength,
} from '../../../../lib/core/evaluation/record-limits';

describe('record limits', () => {
  test('UTF-8 length: 1 to 4 bytes per character, a lone surrogate as its 3-byte replacement', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a\ud800b', '\udc00', 'x😀é€']) expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
  });

  test('a text over the limit is named with its size and the limit; at the limit it fits', () => {
    expect(sizeProblem('findings', 'a'.repeat(RECORD_TEXT_LIMIT_BYTES), RECORD_TEXT_LIMIT_BYTES)).toBeUndefined();
    expect(sizeProblem('findings', 'a'.repeat(RECORD_TEXT_LIMIT_BYTES + 1), RECORD_TEXT_LIMIT_BYTES)).toBe(
      'findings is 65,537 bytes (UTF-8), over the limit of 65,536 bytes',
    );
    // Counted in bytes, not characters: 30,000 euro signs are 90,000 bytes.
    expect(sizeProblem('impression', '€'.repeat(30_000), RECORD_TEXT_LIMIT_BYTES)).toBe('impression is 90,000 bytes (UTF-8), over the limit of 65,536 bytes');
    expect(sizeProblem('impression', '€'.repeat(20_000), RECORD_TEXT_LIMIT_BYTES)).toBeUndefined();
  });

  test("the limits keep every request far below InvokeEndpoint's 6 MB body, even with every byte JSON-escaped", () => {
    expect(PROMPT_LIMIT_BYTES * 6 + 1024).toBeLessThan(INVOKE_ENDPOINT_MAX_BODY_BYTES);
    expect(INVOKE_ENDPOINT_MAX_BODY_BYTES).toBe(6 * 1024 * 1024);
  });

  test('reading a record: an oversized findings, impression or background is an error naming field, size and limit, never the text', () => {
    const big = 'Secret '.repeat(10_000);
    for (const field of ['findings', 'impression', 'background'] as const) {
      const record = { study_id: 's1', findings: 'Clear lungs.', impression: 'Normal.', background: '', [field]: big };
      const read = parseRecord({ line: 4, text: JSON.stringify(record) }, 3, 'eval_data/dev1.jsonl');
      expect(read).toEqual({
        ok: false,
        invalid: {
          index: 3,
          studyId: 's1',
          error: `eval_data/dev1.jsonl line 4 (record 3), study_id s1: ${field} is 70,000 bytes (UTF-8), over the limit of 65,536 bytes`,
        },
      });
    }
  });
});
