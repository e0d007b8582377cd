/**
 * Size limits of one evaluation record, checked when the evaluation reads it (`parseRecord` in
 * lib/core/eval-record.ts) and before its prompt is sent (evaluate-shard.ts). A record over a limit becomes an error row that
 * names the field, its size and the limit; it is not sent to the endpoint, not scored or labelled,
 * and its text is not copied into the row (the part file stays small).
 *
 * Why these numbers:
 * - SageMaker's InvokeEndpoint refuses a request body over 6 MB (6,291,456 bytes): the API
 *   reference gives `Body` a maximum length of 6291456
 *   (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html);
 *   AWS support describes the 413 / ValidationError a larger payload gets
 *   (https://repost.aws/questions/QUbzR_PqclRoK5dmfEzR53wg). Its answer says only `ValidationError
 *   (HTTP 400)` and would name neither the record nor the field.
 * - The limits are far below that, for the time and memory of a shard rather than the endpoint:
 *   FLAN-T5 reads 512 tokens (about 2-3 KB of report text), and the longest MIMIC-CXR or Indiana
 *   findings are a few KB, so 64 KiB per text is more than ten times any real report, while a
 *   pair at the limit on both sides costs under a second of ROUGE and labelling (the LCS is
 *   quadratic in tokens), so a shard of 100 such records still ends well inside Lambda's 15 minutes. A 128 KiB prompt (the template
 *   plus findings) stays under 1 MB as JSON even if every byte needed a 6-byte `\uXXXX` escape.
 */

/** InvokeEndpoint's largest request body, in bytes (see the module comment). */
export const INVOKE_ENDPOINT_MAX_BODY_BYTES = 6_291_456;

/** Largest findings, impression or background of one record, in UTF-8 bytes. */
export const RECORD_TEXT_LIMIT_BYTES = 64 * 1024;

/** Largest prompt (the template with the findings) sent for one record, in UTF-8 bytes. */
export const PROMPT_LIMIT_BYTES = 128 * 1024;

/** UTF-8 length of `text` (a lone surrogate counts 3 bytes, as its U+FFFD replacement). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The problem of a text over `limit` bytes, naming the field, its size and the limit (never its
 * content), or undefined when it fits. Counts only when the length alone cannot decide.
 */
export function sizeProblem(field: string, text: string, limit: number): string | undefined {
  // Each UTF-16 unit takes 1 to 3 bytes (a surrogate pair 4 for 2 units).
  if (text.length * 3 <= limit) return undefined;
  const bytes = text.length > limit ? undefined : utf8ByteLength(text);
  if (bytes !== undefined && bytes <= limit) return undefined;
  return `${field} is ${(bytes ?? utf8ByteLength(text)).toLocaleString('en-US')} bytes (UTF-8), over the limit of ${limit.toLocaleString('en-US')} bytes`;
}
