/**
 * Feedback review input: new reports from the department (`findings.jsonl`: one
 * `{"study_id", "findings", "background"?}` per line) and the draft impression of each, written by
 * the deployed fine-tuned model with the evaluation's own request, retry and response code.
 */
import { buildRequest, parseResponse, type GenerationSettings } from '../evaluation/payload';
import type { InvokeFn } from '../evaluation/evaluate-shard';
import { renderPrompt } from '../evaluation/prompt';
import { describeFailure, withRetries, type RetryPolicy, type Sleep } from '../evaluation/retry';
import type { PayloadContract } from '../run/contracts';

/** A new report to draft. */
export interface NewReport {
  readonly study_id: string;
  readonly findings: string;
  readonly background: string;
}

/** The input file could not be read; `problems` name line and field (up to 20). */
export class NewReportsError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'NewReportsError';
  }
}

/**
 * Reads `findings.jsonl`. Every problem is gathered (up to 20 listed): invalid JSON, a missing or
 * non-string field, empty findings, a study id given twice. No text is quoted.
 * @throws NewReportsError when any line is bad or there is no record.
 */
export function parseNewReports(text: string, file: string): NewReport[] {
  const problems: string[] = [];
  const out: NewReport[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const at = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`${at}: not valid JSON`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${at}: expected a JSON object with study_id and findings`);
      return;
    }
    const o = value as Record<string, unknown>;
    if (typeof o.study_id !== 'string' || o.study_id.trim() === '') problems.push(`${at}: field study_id must be a non-empty string`);
    else if (seen.has(o.study_id)) problems.push(`${at}: field study_id repeats line ${seen.get(o.study_id)}`);
    if (typeof o.findings !== 'string' || o.findings.trim() === '') problems.push(`${at}: field findings must be a non-empty string`);
    if (o.background !== undefined && typeof o.background !== 'string') problems.push(`${at}: field background must be a string when given`);
    if (typeof o.study_id === 'string' && !seen.has(o.study_id)) seen.set(o.study_id, i + 1);
    if (typeof o.study_id === 'string' && typeof o.findings === 'string') {
      out.push({ study_id: o.study_id, findings: o.findings, background: typeof o.background === 'string' ? o.background : '' });
    }
  });
  if (problems.length === 0 && out.length === 0) problems.push(`${file}: no record`);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    if (problems.length > 20) shown.push(`… and ${problems.length - 20} more`);
    throw new NewReportsError(shown);
  }
  return out;
}

/** How drafts are written. */
export interface DraftSettings {
  readonly invoke: InvokeFn;
  readonly endpointName: string;
  readonly contract: PayloadContract;
  readonly promptTemplate: string;
  readonly generation: GenerationSettings;
  readonly retry: RetryPolicy;
  readonly sleep?: Sleep;
}

/** A draft, or why there is none (no text). */
export type DraftOutcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/** Writes the draft impression of one report (the evaluation's prompt, contract and retries). */
export async function draftImpression(report: NewReport, settings: DraftSettings): Promise<DraftOutcome> {
  const request = buildRequest(settings.contract, renderPrompt(settings.promptTemplate, report.findings), settings.generation);
  const outcome = await withRetries(() => settings.invoke(settings.endpointName, request), settings.retry, settings.sleep);
  if (!outcome.ok) return { ok: false, error: describeFailure(outcome.error, outcome.attempts) };
  const parsed = parseResponse(settings.contract, outcome.value);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (parsed.text.trim() === '') return { ok: false, error: 'the model returned an empty impression' };
  return { ok: true, text: parsed.text.trim() };
}
