/**
 * The whole synthetic MIMIC-CXR-format sample against the records the official MEDIQA scripts wrote
 * for it (data/mimic-sample), read through the zip reader as prepare does; and reports written to
 * exercise the impression's bullet rule, against the records the official script writes for them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recordFromReport, reportEntryName } from '../../../../lib/core/mimic/mimic-record';
import { EvalRecord } from '../../../../lib/core/eval-record';
import { ReportZip } from '../../../../lib/cli/mimic-zip/report-zip';
import { parseSplitCsv } from '../../../../lib/core/mimic/split-csv';
import { ZipWriter } from '../../../helpers/zip-writer';
import { dataPath } from '../../../helpers/data';
import { readEntries } from '../../../helpers/zip-reading';
import { referenceRecord } from '../../../helpers/mediqa-reference';

const SAMPLE = dataPath('mimic-sample');

/** The record prepare's port makes of one report (undefined where it makes none). */
function portRecord(text: string, studyId: string, subjectId: string): EvalRecord | undefined {
  const outcome = recordFromReport(text, studyId, subjectId);
  return 'record' in outcome ? outcome.record : undefined;
}

/** The train and dev records of a split file, read from the zip and parsed as prepare does. */
async function readRecords(zipFile: string, splitCsv: string, parse = portRecord): Promise<{ train: EvalRecord[]; dev: EvalRecord[] }> {
  const rows = parseSplitCsv(splitCsv, 'split.csv');
  const zip = await ReportZip.open(zipFile);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    const entries = readEntries(
      zip,
      rows.map((r) => reportEntryName(r.studyId, r.subjectId)),
    );
    const records = (split: string): EvalRecord[] =>
      rows
        .filter((r) => r.split === split)
        .map((r) => {
          const data = entries.get(reportEntryName(r.studyId, r.subjectId));
          if (data === undefined) throw new Error(`no entry for ${r.studyId}`);
          const record = parse(decoder.decode(data), r.studyId, r.subjectId);
          if (record === undefined) throw new Error(`${r.studyId}: no record`);
          return record;
        });
    return { train: records('train'), dev: records('dev') };
  } finally {
    zip.close();
  }
}

/** Compares field by field first, so a failure names the study, then the whole lists. */
function expectSameRecords(got: readonly EvalRecord[], want: readonly EvalRecord[]): void {
  want.forEach((record, i) => expect({ id: record.study_id, ...got[i] }).toEqual({ id: record.study_id, ...record }));
  expect(got).toEqual(want);
}

test('every sample report yields exactly the official record', async () => {
  const { train: gotTrain, dev: gotDev } = await readRecords(path.join(SAMPLE, 'reports.zip'), fs.readFileSync(path.join(SAMPLE, 'split.csv'), 'utf8'));
  const train = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-train.json'), 'utf8')) as EvalRecord[];
  const dev = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-dev.json'), 'utf8')) as EvalRecord[];
  expect(train).toHaveLength(250);
  expect(dev).toHaveLength(50);
  expectSameRecords(gotTrain, train);
  expectSameRecords(gotDev, dev);
});

test("the plain reference of the benchmark's parity figure (test/helpers/mediqa-reference.ts) also gives every official record", async () => {
  const csv = fs.readFileSync(path.join(SAMPLE, 'split.csv'), 'utf8');
  const { train, dev } = await readRecords(path.join(SAMPLE, 'reports.zip'), csv, referenceRecord);
  expectSameRecords(train, JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-train.json'), 'utf8')) as EvalRecord[]);
  expectSameRecords(dev, JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-dev.json'), 'utf8')) as EvalRecord[]);
});

/**
 * Reports whose impressions exercise the bullet rule `re.sub(r'\s[0-9]\.\s+', ' ', t)` with its
 * greedy whitespace run, in the MIMIC-CXR format (one with CRLF line endings). The expected
 * impressions are what `make_mimic_data.py` (MEDIQA2021 Task3, run with Python 3.11 on exactly these
 * reports) writes; each is also derived by hand below. Steps: strip, delete `\n`, drop a leading
 * `<digit>.` and its whitespace run, replace each `<ws><digit>.<ws run>` with one space (left to
 * right; the run a match eats cannot start the next match), collapse runs of 2+ whitespace.
 */
const BULLET_HEAD = [
  '                                 FINAL REPORT',
  ' EXAMINATION:  CHEST (PA AND LAT)',
  ' ',
  ' INDICATION:  ___-year-old man with cough.',
  ' ',
  ' COMPARISON:  ___',
  ' ',
  ' FINDINGS: ',
  ' ',
  ' The lungs are clear. No pleural effusion or pneumothorax.',
  ' ',
  ' IMPRESSION: ',
  ' ',
  '',
].join('\n');

const BULLET_REPORTS: readonly { study: string; subject: string; split: 'train' | 'dev'; text: string; impression: string }[] = [
  // " 2.  " takes both spaces, so " 4." has no whitespace of its own before it and stays.
  {
    study: '50000101',
    subject: '10000101',
    split: 'train',
    text: `${BULLET_HEAD} COPD. 2.  4.  No acute cardiopulmonary process.\n`,
    impression: 'COPD. 4. No acute cardiopulmonary process.',
  },
  // A lone CR is kept by the newline deletion; " 1.\r " is one match, so " 3." stays.
  {
    study: '50000102',
    subject: '10000102',
    split: 'train',
    text: `${BULLET_HEAD} Old fracture of the left foot 1.\r 3.  No acute process.\n`,
    impression: 'Old fracture of the left foot 3. No acute process.',
  },
  // CRLF: "1.  Small left effusion.\r \r 2.  4.  No pneumothorax." after newline deletion; the leading
  // "1.  " goes, " 2.  " eats the spaces before "4.", and "\r \r " collapses to one space.
  {
    study: '50000103',
    subject: '10000103',
    split: 'train',
    text: `${BULLET_HEAD} 1.  Small left effusion.\n \n 2.  4.  No pneumothorax.\n`.replace(/\n/g, '\r\n'),
    impression: 'Small left effusion. 4. No pneumothorax.',
  },
  // MIMIC's usual list: every number has whitespace of its own before it, so all go.
  {
    study: '50000104',
    subject: '10000104',
    split: 'train',
    text: `${BULLET_HEAD} 1.  Mild cardiomegaly.\n \n 2.  No focal consolidation.\n \n 3.  No effusion.\n`,
    impression: 'Mild cardiomegaly. No focal consolidation. No effusion.',
  },
  // A run of two tabs is eaten whole; "5." stays.
  { study: '50000105', subject: '10000105', split: 'train', text: `${BULLET_HEAD} Stable. 2.\t\t5. Resolved.\n`, impression: 'Stable. 5. Resolved.' },
  // U+0085 is Python whitespace (not JavaScript's): " 2.\u0085 " is one match, "3." stays.
  { study: '50000106', subject: '10000106', split: 'dev', text: `${BULLET_HEAD} Stable. 2.\u0085 3.  Clear.\n`, impression: 'Stable. 3. Clear.' },
  // The leading rule is greedy too: "1.\r " goes, and "2." (nothing before it now) stays.
  { study: '50000107', subject: '10000107', split: 'dev', text: `${BULLET_HEAD} 1.\r 2.  Normal chest.\n`, impression: '2. Normal chest.' },
  // Alternate numbers go; two-digit numbers always stay.
  {
    study: '50000108',
    subject: '10000108',
    split: 'dev',
    text: `${BULLET_HEAD} Lines 1. 2. 3. 4. unchanged. 10.  11. Tubes.\n`,
    impression: 'Lines 2. 4. unchanged. 10. 11. Tubes.',
  },
];

test('bullet-rule reports yield exactly the records the official script writes for them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bullets-'));
  try {
    const zipFile = path.join(dir, 'reports.zip');
    const writer = new ZipWriter(zipFile);
    for (const r of BULLET_REPORTS) writer.add({ name: reportEntryName(r.study, r.subject), data: r.text });
    writer.finish();
    const csv = ['study_id,subject_id,split', ...BULLET_REPORTS.map((r) => `${r.study},${r.subject},${r.split}`)].join('\n') + '\n';
    const got = await readRecords(zipFile, csv);
    const reference = await readRecords(zipFile, csv, referenceRecord);
    const expected = (split: 'train' | 'dev'): EvalRecord[] =>
      BULLET_REPORTS.filter((r) => r.split === split).map((r) => ({
        study_id: r.study,
        subject_id: r.subject,
        findings: 'The lungs are clear. No pleural effusion or pneumothorax.',
        impression: r.impression,
        background: 'EXAMINATION: CHEST (PA AND LAT) INDICATION: ___-year-old man with cough. COMPARISON: ___',
      }));
    expectSameRecords(got.train, expected('train'));
    expectSameRecords(got.dev, expected('dev'));
    expectSameRecords(reference.train, expected('train'));
    expectSameRecords(reference.dev, expected('dev'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('names are exact: each split row names its own entry, and the zip has all of them among its others', async () => {
  expect(reportEntryName('50000001', '10123456')).toBe('files/p10/p10123456/s50000001.txt');
  const rows = parseSplitCsv(fs.readFileSync(path.join(SAMPLE, 'split.csv'), 'utf8'), 'split.csv');
  const zip = await ReportZip.open(path.join(SAMPLE, 'reports.zip'));
  try {
    // The others (folders, and reports outside the split: Latin-1, no sections) are never read above.
    const names = new Set(rows.map((r) => reportEntryName(r.studyId, r.subjectId)));
    expect(names.size).toBe(rows.length);
    const located = zip.locateEntries([...names]);
    expect(located.order.length).toBe(rows.length);
    expect(zip.entryCount).toBeGreaterThan(rows.length);
  } finally {
    zip.close();
  }
});
