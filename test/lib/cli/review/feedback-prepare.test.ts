/**
 * `prepare --feedback`: accepted and corrected drafts of feedback reviews join train.jsonl, dev-set
 * reports are refused (by study id and by findings text), and prepare-report.json says how many
 * came from which review.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPrepare, type PrepareReport } from '../../../../lib/cli/commands/prepare';
import { localStore } from '../../../../lib/cli/run-results';
import { toJsonl } from '../../../../lib/core/evaluation/rows';
import type { ReviewItem } from '../../../../lib/core/review/items';
import { loopName, reviewRowsKey } from '../../../../lib/core/review/keys';
import { loopRows, type LoopOutcome } from '../../../../lib/core/review/rows';
import { dataPath } from '../../../helpers/data';

const SAMPLE = dataPath('mimic-sample');
const INDIANA = dataPath('indiana_dev.json');
const TEMPLATE = 'Summarise: {context}';
const REVIEW = 'fb-20260103-080000-00cc';
const OLDER = 'fb-20260101-080000-00dd';
/** A review that gives no pair: one rejected draft, one dev-set study. */
const NOTHING = 'fb-20260104-080000-00ff';

const dev1 = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-dev.json'), 'utf8')) as { study_id: string; findings: string }[];
const dev2 = JSON.parse(fs.readFileSync(INDIANA, 'utf8')) as { study_id: string; findings: string }[];

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedback-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function item(reviewId: string, index: number, studyId: string, findings: string, draft: string): ReviewItem {
  return {
    review_id: reviewId,
    kind: 'feedback',
    index,
    run_id: 'run-1',
    dataset: 'department',
    study_id: studyId,
    stratum: null,
    findings,
    background: '',
    impressions: [{ position: null, source: 'draft', text: draft, rougelsum: null, label_match: null }],
  };
}

function answered(decision: 'accepted' | 'corrected' | 'rejected', corrected: string | null = null, at = '2026-01-03T09:00:00.000Z'): LoopOutcome {
  return { status: 'answered', outputKey: 'k', answers: [{ workerId: 'w', submittedAt: at, answer: { kind: 'feedback', decision, corrected } }] };
}

/** A bucket-layout folder with the rows of two feedback reviews and one evaluation review. */
function reviews(): string {
  const root = path.join(dir, 'bucket');
  const write = (i: ReviewItem, outcome: LoopOutcome) => {
    const loop = loopName(i.review_id, i.index, 'feedback');
    const file = path.join(root, reviewRowsKey('run-1', i.review_id, loop));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, toJsonl(loopRows(i, 'feedback', loop, outcome, new Date('2026-01-03T10:00:00Z'))));
  };
  write(item(REVIEW, 0, 'new-1', 'Lungs are clear. Heart normal.', 'No acute process.'), answered('accepted'));
  write(item(REVIEW, 1, 'new-2', 'Small left effusion.', 'No acute process.'), answered('corrected', 'Small left pleural effusion.'));
  write(item(REVIEW, 2, 'new-3', 'Rotated film.', 'Pneumonia.'), answered('rejected'));
  write(item(REVIEW, 3, dev1[0].study_id, 'Other words entirely.', 'x'), answered('accepted'));
  write(item(REVIEW, 4, 'new-5', `  ${dev2[3].findings.toUpperCase().replace(/ /g, '  ')} `, 'y'), answered('corrected', 'z'));
  write(item(REVIEW, 5, 'new-6', 'Never answered.', 'w'), { status: 'stopped', error: 'not answered by the review deadline' });
  write(item(NOTHING, 0, 'new-7', 'Poor inspiration.', 'Pneumonia.'), answered('rejected'));
  write(item(NOTHING, 1, dev2[0].study_id, 'Different words.', 'x'), answered('accepted'));
  // The same study in an older review: the newer answer wins.
  write(item(OLDER, 0, 'new-1', 'Lungs are clear. Heart normal.', 'Old draft.'), answered('corrected', 'Old correction.', '2026-01-01T09:00:00.000Z'));
  const evaluation = path.join(root, 'prediction_data/reviews/run_id=run-1/review_id=ev-20260103-080000-00ee/rows/ev-20260103-080000-00ee-0000-r1.jsonl');
  fs.mkdirSync(path.dirname(evaluation), { recursive: true });
  const row = JSON.parse(fs.readFileSync(path.join(root, reviewRowsKey('run-1', REVIEW, loopName(REVIEW, 0, 'feedback'))), 'utf8').trim()) as Record<
    string,
    unknown
  >;
  fs.writeFileSync(
    evaluation,
    `${JSON.stringify({ ...row, review_id: 'ev-20260103-080000-00ee', kind: 'evaluation', loop_name: 'ev-20260103-080000-00ee-0000-r1' })}\n`,
  );
  return root;
}

const prepare = (out: string, reviewIds: string[], options: { indiana?: string | null } = {}): Promise<PrepareReport> =>
  runPrepare({
    split: path.join(SAMPLE, 'split.csv'),
    mimicZip: path.join(SAMPLE, 'reports.zip'),
    indiana: options.indiana === null ? undefined : INDIANA,
    out,
    template: TEMPLATE,
    progress: false,
    log: () => undefined,
    feedback: { reviewIds, store: localStore(reviews()) },
  });

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { prompt: string; completion: string });

test('accepted and corrected drafts join train.jsonl after the MIMIC pairs; dev-set reports are refused; the report says so', async () => {
  const out = path.join(dir, 'out');
  const report = await prepare(out, [OLDER, REVIEW]);
  const train = lines(path.join(out, 'train.jsonl'));
  expect(train).toHaveLength(252);
  expect(train.slice(250)).toEqual([
    { prompt: 'Summarise: Lungs are clear. Heart normal.', completion: 'No acute process.' },
    { prompt: 'Summarise: Small left effusion.', completion: 'Small left pleural effusion.' },
  ]);
  // The records of train.jsonl as written: the MIMIC pairs and the feedback pairs.
  expect(report.written['train.jsonl']).toBe(train.length);
  expect(report.outputs['train.jsonl'].bytes).toBe(fs.statSync(path.join(out, 'train.jsonl')).size);
  expect(report.feedback).toEqual({
    reviews: [
      { reviewId: OLDER, runId: 'run-1', answered: 1, accepted: 0, corrected: 1, rejected: 0, unanswered: 0 },
      { reviewId: REVIEW, runId: 'run-1', answered: 5, accepted: 2, corrected: 2, rejected: 1, unanswered: 1 },
    ],
    added: 2,
    accepted: 1,
    corrected: 1,
    refused: [
      { review_id: REVIEW, study_id: dev1[0].study_id, reason: 'study id in dev1' },
      { review_id: REVIEW, study_id: 'new-5', reason: 'findings text in dev2' },
    ],
    superseded: [{ review_id: OLDER, study_id: 'new-1' }],
  });
  expect(JSON.parse(fs.readFileSync(path.join(out, 'prepare-report.json'), 'utf8'))).toEqual(report);
});

test('refuses evaluation reviews, unknown reviews, a prepare run without both dev sets, and an empty result', async () => {
  const out = path.join(dir, 'out');
  await expect(prepare(out, ['ev-20260103-080000-00ee'])).rejects.toThrow(
    '--feedback: review ev-20260103-080000-00ee is an evaluation review: its dev-set reports never become training data',
  );
  await expect(prepare(out, ['fb-20250101-000000-0000'])).rejects.toThrow('--feedback: review fb-20250101-000000-0000: no rows found (has it finished?)');
  await expect(prepare(out, [REVIEW], { indiana: null })).rejects.toThrow(/--feedback: give --mimic-zip and --indiana too/);
  await expect(prepare(out, [NOTHING])).rejects.toThrow('--feedback: no accepted or corrected draft to add (1 refused as dev-set reports, 1 rejected)');
  await expect(prepare(out, ['not-a-review'])).rejects.toThrow('review id "not-a-review" is not valid');
  expect(fs.existsSync(out)).toBe(false);
});
