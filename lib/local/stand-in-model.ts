/**
 * The deterministic "model" behind the rehearsal's endpoints (the SageMaker runtime stand-in asks it
 * for each prompt). It is not a language model and its scores mean nothing about FLAN-T5: it only
 * makes the two endpoints answer differently and reproducibly, so every number downstream can be
 * checked.
 * - An endpoint hosting the JumpStart weights (model data under `s3://jumpstart-cache-prod-…`)
 *   answers like the pretrained model is expected to: the first sentence of the findings.
 * - An endpoint hosting anything else (the training job's output) is the "fine-tuned" model: for
 *   about half of the reports (those whose findings hash even) it returns the reference impression,
 *   as if it had learned it; for the others, the first sentence of the findings.
 */
import { createHash } from 'node:crypto';
import { echoFirstChunk } from './sagemaker-runtime';

/** A record of an evaluation set (the fields the model reads). */
export interface KnownRecord {
  readonly findings: string;
  readonly impression: string;
}

/** The findings part of a prompt built from `template` (`{context}` replaced by the findings). */
export function findingsOfPrompt(prompt: string, template: string): string {
  const at = template.indexOf('{context}');
  if (at < 0) return prompt;
  const before = template.slice(0, at);
  const after = template.slice(at + '{context}'.length);
  if (!prompt.startsWith(before) || !prompt.endsWith(after)) return prompt;
  return prompt.slice(before.length, prompt.length - after.length);
}

/** Whether the "fine-tuned" model has "learned" these findings (half the reports, by hash). */
export function learned(findings: string): boolean {
  return createHash('sha256').update(findings, 'utf8').digest()[0] % 2 === 0;
}

/**
 * The generate function of the runtime stand-in: `(prompt, endpoint) → impression`.
 * `modelDataOf` says which weights an endpoint hosts.
 */
export function standInModel(
  records: readonly KnownRecord[],
  template: string,
  modelDataOf: (endpointName: string) => string | undefined,
): (prompt: string, endpointName: string) => string {
  // Built on first use: the rehearsal fills `records` once the evaluation sets are prepared.
  let references: Map<string, string> | undefined;
  return (prompt, endpointName) => {
    references ??= new Map(records.map((r) => [r.findings, r.impression]));
    const findings = findingsOfPrompt(prompt, template);
    const firstSentence = echoFirstChunk(`Findings: ${findings}`);
    const data = modelDataOf(endpointName) ?? '';
    if (data.startsWith('s3://jumpstart-cache-prod-')) return firstSentence;
    const reference = references.get(findings);
    return reference !== undefined && learned(findings) ? reference : firstSentence;
  };
}
