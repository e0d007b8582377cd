import { buildRequest, isPayloadContract, parseResponse } from '../../../../lib/core/evaluation/payload';
import { renderPrompt } from '../../../../lib/core/evaluation/prompt';

const gen = { maxNewTokens: 80, numBeams: 10 };

describe('renderPrompt', () => {
  it('puts the findings in place of {context}, taking $ literally', () => {
    expect(renderPrompt('A {context} B', 'x $& $1 y')).toBe('A x $& $1 y B');
  });
  it('rejects a template without exactly one placeholder', () => {
    expect(() => renderPrompt('no placeholder', 'x')).toThrow(/exactly once \(found 0\)/);
    expect(() => renderPrompt('{context}{context}', 'x')).toThrow(/exactly once \(found 2\)/);
  });
});

describe('buildRequest', () => {
  it('hf-text2text: text_inputs with the published generation settings', () => {
    const r = buildRequest('hf-text2text', 'P', gen);
    expect(r.contentType).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({ text_inputs: 'P', max_length: 80, num_beams: 10, num_return_sequences: 1 });
  });
  it('tgi: inputs and max_new_tokens, greedy, no beams', () => {
    expect(JSON.parse(buildRequest('tgi', 'P', gen).body)).toEqual({ inputs: 'P', parameters: { max_new_tokens: 80, do_sample: false } });
  });
  it('rejects an unknown contract', () => {
    expect(() => buildRequest('other' as never, 'P', gen)).toThrow(/unknown payload contract "other"/);
    expect(isPayloadContract('tgi')).toBe(true);
    expect(isPayloadContract('x')).toBe(false);
  });
});

describe('parseResponse', () => {
  it('reads generated_texts[0] and [0].generated_text', () => {
    expect(parseResponse('hf-text2text', '{"generated_texts":["No acute process."]}')).toEqual({ ok: true, text: 'No acute process.' });
    expect(parseResponse('tgi', '[{"generated_text":"Clear lungs."}]')).toEqual({ ok: true, text: 'Clear lungs.' });
  });

  const SECRET = 'PATIENT TEXT right lower lobe';
  it.each([
    ['hf-text2text', `not json ${SECRET}`, /malformed hf-text2text response: response is not JSON \(\d+ bytes\)/],
    ['hf-text2text', `["${SECRET}"]`, /response is an array, expected an object with generated_texts/],
    ['hf-text2text', `{"generated_text":"${SECRET}"}`, /no generated_texts array/],
    ['hf-text2text', '{"generated_texts":[]}', /generated_texts is empty/],
    ['hf-text2text', '{"generated_texts":[3]}', /generated_texts\[0\] is a number/],
    ['hf-text2text', `{"error":"${SECRET}","error_type":"validation"}`, /no generated_texts array \(error object, error_type validation\)/],
    ['tgi', `{"generated_texts":["${SECRET}"]}`, /response is an object, expected an array/],
    ['tgi', '[]', /response array is empty/],
    ['tgi', `[{"text":"${SECRET}"}]`, /response\[0\].generated_text is missing/],
    ['tgi', `{"error":"${SECRET}","error_type":"<b>bad</b>"}`, /\(error object\)$/],
  ] as const)('%s %s → a clear error without the response text', (contract, body, message) => {
    const r = parseResponse(contract, body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(message);
    expect(r.error).not.toContain('PATIENT');
    expect(r.error).not.toContain('lobe');
  });
});
