/**
 * Reading recorded A2I output documents (test/fixtures/review/a2i-output/, written after the public
 * format of https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-output-data.html): answers in both
 * plausible serialisations of a choice, and every bad document returned as an error naming its key
 * and field, never a text the reader typed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOutputDocument } from '../../../../lib/core/review/answers';
import type { EvaluationTaskInput, FeedbackTaskInput } from '../../../../lib/core/review/items';

const DIR = path.join(__dirname, '..', '..', '..', 'fixtures', 'review');
const doc = (name: string) => fs.readFileSync(path.join(DIR, 'a2i-output', name), 'utf8');
const input = JSON.parse(fs.readFileSync(path.join(DIR, 'task-inputs', 'ev-20260102-090000-00aa-0002-r1.json'), 'utf8')) as EvaluationTaskInput;
const feedbackInput = JSON.parse(fs.readFileSync(path.join(DIR, 'task-inputs', 'fb-20260102-090000-00bb-0000-fb.json'), 'utf8')) as FeedbackTaskInput;
const LOOP = 'ev-20260102-090000-00aa-0002-';
const KEY = 'reviews/a2i-output/impressions-review-reader-1/2026/01/02/09/00/05/x/output.json';

describe('readOutputDocument', () => {
  it('reads string values, with the Cognito sub as the worker and the submission time', () => {
    expect(readOutputDocument(doc('answered-strings.json'), KEY, `${LOOP}r1`, input)).toEqual({
      ok: true,
      answers: [
        {
          workerId: '0f6c3a8e-1111-4c2e-9a6b-000000000001',
          submittedAt: '2026-01-02T10:05:47.381Z',
          answer: {
            kind: 'evaluation',
            ratings: {
              A: { correct: 4, complete: 3, concise: 5, harm: 0, harmReason: null },
              B: { correct: 2, complete: 2, concise: 4, harm: 1, harmReason: 'Misses the pleural effusion.' },
            },
            preference: 'A',
            corrected: 'Small left pleural effusion. No pneumothorax.',
          },
        },
      ],
    });
  });

  it('reads choices serialised as crowd radio buttons are ({name: {value: bool}})', () => {
    const read = readOutputDocument(doc('answered-radio-objects.json'), KEY, `${LOOP}r2`, input);
    expect(read.ok && read.answers[0].answer).toEqual({
      kind: 'evaluation',
      ratings: {
        A: { correct: 4, complete: 3, concise: 5, harm: 0, harmReason: null },
        B: { correct: 2, complete: 2, concise: 4, harm: 1, harmReason: 'Misses the pleural effusion.' },
      },
      preference: 'equal',
      corrected: null,
    });
  });

  it.each([
    ['invalid-not-json.json', 'r1', `${KEY}: not valid JSON`],
    ['invalid-missing-preference.json', 'r1', `${KEY}: humanAnswers[0].answerContent: field preference is missing`],
    ['invalid-harm-without-reason.json', 'r1', `${KEY}: humanAnswers[0].answerContent: field harm_reason_b is required when harm_b is yes`],
    ['invalid-two-choices.json', 'r2', `${KEY}: humanAnswers[0].answerContent: field correct_a has 2 choices marked, expected one`],
    ['invalid-rating-out-of-range.json', 'r1', `${KEY}: humanAnswers[0].answerContent: field correct_b must be one of 1, 2, 3, 4, 5`],
    ['invalid-other-loop.json', 'r1', `${KEY}: humanLoopName is "ev-20260102-090000-00aa-0003-r1", expected "ev-20260102-090000-00aa-0002-r1"`],
    ['invalid-no-answers.json', 'r1', `${KEY}: humanAnswers is empty`],
  ])('%s is an error naming the document and the field', (name, slot, error) => {
    const read = readOutputDocument(doc(name), KEY, `${LOOP}${slot}`, input);
    expect(read).toEqual({ ok: false, error });
    // Never a text the reader typed.
    expect(JSON.stringify(read)).not.toMatch(/pleural effusion|pneumothorax/i);
  });

  it('refuses the document of another item and answer content that is not an object', () => {
    const other = { ...input, item: '0003' };
    expect(readOutputDocument(doc('answered-strings.json'), KEY, `${LOOP}r1`, other)).toEqual({
      ok: false,
      error: `${KEY}: inputContent is not the input of this item`,
    });
    const body = JSON.parse(doc('answered-strings.json')) as { humanAnswers: { answerContent: unknown }[] };
    body.humanAnswers[0].answerContent = 'text';
    expect(readOutputDocument(JSON.stringify(body), KEY, `${LOOP}r1`, input)).toEqual({
      ok: false,
      error: `${KEY}: humanAnswers[0].answerContent must be an object, got a string`,
    });
  });

  it('reads feedback decisions, and requires a real correction', () => {
    const loop = 'fb-20260102-090000-00bb-0000-fb';
    expect(readOutputDocument(doc('feedback-corrected.json'), KEY, loop, feedbackInput)).toMatchObject({
      ok: true,
      answers: [{ answer: { kind: 'feedback', decision: 'corrected', corrected: 'Mild cardiomegaly. No acute process.' } }],
    });
    expect(readOutputDocument(doc('feedback-accepted.json'), KEY, loop, feedbackInput)).toMatchObject({
      ok: true,
      answers: [{ answer: { kind: 'feedback', decision: 'accepted', corrected: null } }],
    });
    const same = JSON.parse(doc('feedback-corrected.json')) as { humanAnswers: { answerContent: Record<string, string> }[] };
    same.humanAnswers[0].answerContent.corrected_impression = feedbackInput.draft;
    expect(readOutputDocument(JSON.stringify(same), KEY, loop, feedbackInput)).toEqual({
      ok: false,
      error: `${KEY}: humanAnswers[0].answerContent: field corrected_impression equals the draft although decision is corrected`,
    });
  });
});
