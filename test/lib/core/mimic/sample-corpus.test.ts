/**
 * The whole synthetic MIMIC-CXR-format sample against the records the official MEDIQA scripts wrote
 * for it (data/mimic-sample), read through the zip reader as prepare does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordFromReport, reportEntryName } from '../../../../lib/core/mimic/mimic-record';
import { EvalRecord } from '../../../../lib/core/eval-record';
import { ReportZip } from '../../../../lib/cli/mimic-zip/report-zip';
import { parseSplitCsv } from '../../../../lib/core/mimic/split-csv';
import { dataPath } from '../../../helpers/data';
import { readEntries } from '../../../helpers/zip-reading';

const SAMPLE = dataPath('mimic-sample');

test('every sample report yields exactly the official record', async () => {
  const rows = parseSplitCsv(fs.readFileSync(path.join(SAMPLE, 'split.csv'), 'utf8'), 'split.csv');
  const zip = await ReportZip.open(path.join(SAMPLE, 'reports.zip'));
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
          const outcome = recordFromReport(decoder.decode(data), r.studyId, r.subjectId);
          if (!('record' in outcome)) throw new Error(`${r.studyId}: ${outcome.reason}`);
          return outcome.record;
        });
    const train = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-train.json'), 'utf8')) as EvalRecord[];
    const dev = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'expected-dev.json'), 'utf8')) as EvalRecord[];
    expect(train).toHaveLength(250);
    expect(dev).toHaveLength(50);
    const gotTrain = records('train');
    const gotDev = records('dev');
    // Field by field first, so a failure names the study.
    for (const [got, want] of [
      [gotTrain, train],
      [gotDev, dev],
    ] as const) {
      want.forEach((record, i) => expect({ id: record.study_id, ...got[i] }).toEqual({ id: record.study_id, ...record }));
    }
    expect(gotTrain).toEqual(train);
    expect(gotDev).toEqual(dev);
  } finally {
    zip.close();
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
