/**
 * The prompt sent to the model: the configured template with `{context}` replaced by the findings,
 * the same text the model was fine-tuned on (DESIGN.md "Published prompt").
 */

/** The placeholder the template must contain exactly once. */
export const CONTEXT_PLACEHOLDER = '{context}';

/**
 * Renders the prompt for one report. The findings are inserted verbatim (no trimming, no
 * escaping); `$` sequences in the findings are not interpreted.
 * @throws Error when the template does not contain `{context}` exactly once (config validation
 * already rejects such templates; this guards callers that bypass it).
 */
export function renderPrompt(template: string, findings: string): string {
  const parts = template.split(CONTEXT_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`prompt template must contain ${CONTEXT_PLACEHOLDER} exactly once (found ${parts.length - 1})`);
  }
  return parts[0] + findings + parts[1];
}
