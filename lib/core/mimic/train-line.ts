/**
 * The `train.jsonl` line of a record: `{"prompt":…,"completion":…}`, byte for byte what
 * `JSON.stringify` gives for the prompt (template with the findings) and the impression.
 *
 * The JSON of the findings and of the impression is computed once per record and shared with the
 * record line (`formatEvalRecordJson` of ./records). JSON string escaping works code unit by code unit,
 * except that a surrogate pair is kept and a lone surrogate is escaped; so the prompt's JSON is
 * the template's escaped text around the findings' escaped text, unless the template's text right
 * before `{context}` ends with a high surrogate or the text after it starts with a low one (the
 * findings could complete a pair there): then the whole prompt goes through `JSON.stringify`.
 *
 * Limits: the template must contain `{context}` (checked by the caller).
 */
const PLACEHOLDER = '{context}';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Builds train lines for one template: `(findings, findingsJson, impressionJson) => line`. */
export function trainLineFormatter(template: string): (findings: string, findingsJson: string, impressionJson: string) => string {
  const at = template.indexOf(PLACEHOLDER);
  const before = template.slice(0, at);
  const after = template.slice(at + PLACEHOLDER.length);
  if (isHighSurrogate(before.charCodeAt(before.length - 1)) || isLowSurrogate(after.charCodeAt(0))) {
    return (findings, _findingsJson, impressionJson) => `{"prompt":${JSON.stringify(before + findings + after)},"completion":${impressionJson}}`;
  }
  // `"…` and `…"`: the template's escaped text with the quotes of the prompt string.
  const head = `{"prompt":${JSON.stringify(before).slice(0, -1)}`;
  const tail = `${JSON.stringify(after).slice(1)},"completion":`;
  return (_findings, findingsJson, impressionJson) => `${head}${findingsJson.slice(1, -1)}${tail}${impressionJson}}`;
}
