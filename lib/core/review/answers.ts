/**
 * Reads A2I output documents (`output.json` of a completed human loop) into checked answers.
 *
 * The document's shape for a custom task type is public
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-output-data.html, "Output Data From Custom
 * Task Types" and "Track Worker Activity"): `{ flowDefinitionArn, humanAnswers: [{ answerContent,
 * submissionTime, acceptanceTime?, timeSpentInSeconds?, workerId, workerMetadata: { identityData:
 * { identityProviderType, issuer, sub } } }], humanLoopName, inputContent }`, where `answerContent`
 * holds what the worker template's form submitted and `inputContent` the loop input.
 *
 * How `crowd-form` serialises a field depends on the element: a text field gives a string
 * (crowd-input / crowd-text-area: "the name as a property name and the element's text contents as
 * the value"); radio buttons can give `{ "<name>": { "<value>": true|false, … } }`
 * (crowd-radio-button, https://docs.aws.amazon.com/sagemaker/latest/dg/sms-ui-template-crowd-radio-button.html).
 * The template uses native radio inputs (crowd radio buttons cannot be `required`), whose form is
 * not documented, so a choice is accepted in either form: a string (or number) value, or an object
 * with exactly one `true`. An empty optional text may be missing, `""` or whitespace.
 *
 * Errors name the key of the document and the field, never a value a reader typed (it may be
 * patient text).
 */
import type { TaskInput } from './items';

/** One reader's answer to an evaluation item, per impression position. */
export interface EvaluationAnswer {
  readonly kind: 'evaluation';
  readonly ratings: {
    readonly [P in 'A' | 'B']: {
      readonly correct: number;
      readonly complete: number;
      readonly concise: number;
      readonly harm: 0 | 1;
      readonly harmReason: string | null;
    };
  };
  readonly preference: 'A' | 'B' | 'equal';
  readonly corrected: string | null;
}

/** One radiologist's decision on a feedback draft. */
export interface FeedbackAnswer {
  readonly kind: 'feedback';
  readonly decision: 'accepted' | 'corrected' | 'rejected';
  /** The corrected impression (set exactly when `decision` is `corrected`). */
  readonly corrected: string | null;
}

/** An answer with who gave it and when. */
export interface ReaderAnswer {
  /** Cognito `sub` of the worker (workerMetadata.identityData.sub), else `workerId`. */
  readonly workerId: string;
  readonly submittedAt: string | null;
  readonly answer: EvaluationAnswer | FeedbackAnswer;
}

/** Result of reading one output document. */
export type OutputReading = { readonly ok: true; readonly answers: readonly ReaderAnswer[] } | { readonly ok: false; readonly error: string };

/** Field names of the worker templates' forms (lib/constructs/worker-templates/*.liquid.html). */
export const ANSWER_FIELDS = {
  evaluation: {
    rating: (criterion: 'correct' | 'complete' | 'concise', position: 'A' | 'B') => `${criterion}_${position.toLowerCase()}`,
    harm: (position: 'A' | 'B') => `harm_${position.toLowerCase()}`,
    harmReason: (position: 'A' | 'B') => `harm_reason_${position.toLowerCase()}`,
    preference: 'preference',
    corrected: 'corrected_impression',
  },
  feedback: { decision: 'decision', corrected: 'corrected_impression' },
} as const;

class AnswerError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The chosen value of a choice field in either serialisation, or undefined when none is chosen. */
function choice(content: Record<string, unknown>, field: string): string | undefined {
  const v = content[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (isObject(v)) {
    const chosen = Object.entries(v).filter(([, on]) => on === true);
    if (chosen.length === 0) return undefined;
    if (chosen.length > 1) throw new AnswerError(`field ${field} has ${chosen.length} choices marked, expected one`);
    return chosen[0][0];
  }
  throw new AnswerError(`field ${field} must be a choice (a string or an object of booleans), got ${describe(v)}`);
}

function requiredChoice(content: Record<string, unknown>, field: string, allowed: readonly string[]): string {
  const v = choice(content, field);
  if (v === undefined) throw new AnswerError(`field ${field} is missing`);
  if (!allowed.includes(v)) throw new AnswerError(`field ${field} must be one of ${allowed.join(', ')}`);
  return v;
}

function text(content: Record<string, unknown>, field: string): string | null {
  const v = content[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new AnswerError(`field ${field} must be text, got ${describe(v)}`);
  return v.trim() === '' ? null : v.trim();
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const SCALE = ['1', '2', '3', '4', '5'];

function evaluationAnswer(content: Record<string, unknown>): EvaluationAnswer {
  const f = ANSWER_FIELDS.evaluation;
  const side = (position: 'A' | 'B') => {
    const harm = requiredChoice(content, f.harm(position), ['yes', 'no']) === 'yes' ? 1 : 0;
    const harmReason = text(content, f.harmReason(position));
    if (harm === 1 && harmReason === null) throw new AnswerError(`field ${f.harmReason(position)} is required when ${f.harm(position)} is yes`);
    return {
      correct: Number(requiredChoice(content, f.rating('correct', position), SCALE)),
      complete: Number(requiredChoice(content, f.rating('complete', position), SCALE)),
      concise: Number(requiredChoice(content, f.rating('concise', position), SCALE)),
      harm: harm as 0 | 1,
      harmReason: harm === 1 ? harmReason : null,
    };
  };
  return {
    kind: 'evaluation',
    ratings: { A: side('A'), B: side('B') },
    preference: requiredChoice(content, f.preference, ['A', 'B', 'equal']) as 'A' | 'B' | 'equal',
    corrected: text(content, f.corrected),
  };
}

function feedbackAnswer(content: Record<string, unknown>, draft: string): FeedbackAnswer {
  const f = ANSWER_FIELDS.feedback;
  const decision = requiredChoice(content, f.decision, ['accepted', 'corrected', 'rejected']) as FeedbackAnswer['decision'];
  const corrected = text(content, f.corrected);
  if (decision === 'corrected') {
    if (corrected === null) throw new AnswerError(`field ${f.corrected} is required when ${f.decision} is corrected`);
    if (corrected === draft.trim()) throw new AnswerError(`field ${f.corrected} equals the draft although ${f.decision} is corrected`);
    return { kind: 'feedback', decision, corrected };
  }
  return { kind: 'feedback', decision, corrected: null };
}

/**
 * Reads one output document for the loop `loopName` whose input was `input`.
 * Never throws for a bad document: the error comes back (naming `key` and the field) so the
 * caller records it. An answer that fails validation makes the whole document an error, since a
 * half-read document would bias the figures.
 */
export function readOutputDocument(body: string, key: string, loopName: string, input: TaskInput): OutputReading {
  const fail = (what: string): OutputReading => ({ ok: false, error: `${key}: ${what}` });
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return fail('not valid JSON');
  }
  if (!isObject(doc)) return fail(`expected a JSON object, got ${describe(doc)}`);
  if (doc.humanLoopName !== loopName)
    return fail(
      `humanLoopName is ${typeof doc.humanLoopName === 'string' ? JSON.stringify(doc.humanLoopName) : describe(doc.humanLoopName)}, expected ${JSON.stringify(loopName)}`,
    );
  // The input A2I stored must be the item's: a document of another item would mix up the hidden sources.
  if (isObject(doc.inputContent) && (doc.inputContent.review !== input.review || doc.inputContent.item !== input.item)) {
    return fail('inputContent is not the input of this item');
  }
  if (!Array.isArray(doc.humanAnswers)) return fail(`humanAnswers must be an array, got ${describe(doc.humanAnswers)}`);
  if (doc.humanAnswers.length === 0) return fail('humanAnswers is empty');
  const answers: ReaderAnswer[] = [];
  for (let i = 0; i < doc.humanAnswers.length; i += 1) {
    const h: unknown = doc.humanAnswers[i];
    const where = `humanAnswers[${i}]`;
    if (!isObject(h)) return fail(`${where} must be an object`);
    if (!isObject(h.answerContent)) return fail(`${where}.answerContent must be an object, got ${describe(h.answerContent)}`);
    const identity = isObject(h.workerMetadata) && isObject(h.workerMetadata.identityData) ? h.workerMetadata.identityData : undefined;
    const workerId = typeof identity?.sub === 'string' ? identity.sub : typeof h.workerId === 'string' ? h.workerId : undefined;
    if (workerId === undefined) return fail(`${where}: neither workerMetadata.identityData.sub nor workerId is a string`);
    const submittedAt = typeof h.submissionTime === 'string' && !Number.isNaN(Date.parse(h.submissionTime)) ? new Date(h.submissionTime).toISOString() : null;
    try {
      const answer = input.kind === 'evaluation' ? evaluationAnswer(h.answerContent) : feedbackAnswer(h.answerContent, input.draft);
      answers.push({ workerId, submittedAt, answer });
    } catch (error) {
      if (error instanceof AnswerError) return fail(`${where}.answerContent: ${error.message}`);
      throw error;
    }
  }
  return { ok: true, answers };
}
