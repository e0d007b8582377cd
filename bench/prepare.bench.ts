/**
 * Benchmark of `impressions prepare` on a zip the size of the MIMIC-CXR release: 228,000 synthetic
 * reports shaped like data/mimic-sample (sentences from the Indiana dev set), one directory
 * entry per patient folder, deflated, ZIP64 end records; and a split of 93,544 of them (91,544
 * train, 2,000 dev) in random order. Generated in a temporary folder, deleted afterwards.
 *
 * Prints, per run (each in a child process, so its peak RSS is its own): the wall time of the
 * prepare call, its CPU time (user + system, all threads of the process: main, the zip-hash worker
 * and V8's GC helpers), the child's whole wall time and peak RSS, and the 1-minute load average
 * before the run. On a shared machine the CPU time is the steadier figure. Target: ≤ 2.5 s wall and
 * < 1 GB (the official Python script: 5.0 s, 261 MiB).
 * PREPARE_BENCH_DIR=<dir> keeps the corpus and the outputs of each run (`out-<n>`) in that folder.
 *
 * Parity: the records of the first run are compared with those of the plain reference of the
 * MEDIQA rules (test/helpers/mediqa-reference.ts) and, when MEDIQA_SCRIPT names a copy of the
 * official `make_mimic_data.py` (with its `section_parser.py` beside it) and `python3` runs, with
 * the official script's own output.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZipWriter } from '../test/helpers/zip-writer';
import { dataPath } from '../test/helpers/data';
import { referenceRecord } from '../test/helpers/mediqa-reference';
import { ReportZip } from '../lib/cli/mimic-zip/report-zip';
import { reportEntryName } from '../lib/core/mimic/mimic-record';
import type { EvalRecord } from '../lib/core/eval-record';
import { parseSplitCsv } from '../lib/core/mimic/split-csv';
import { readEntries } from '../test/helpers/zip-reading';

const REPORTS = 228_000;
const TRAIN = 91_544;
const DEV = 2_000;
const ROOT = path.resolve(__dirname, '..');

/** Deterministic PRNG (mulberry32), so every run benchmarks the same corpus. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wrap(text: string, width = 76): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line !== '') {
      lines.push(` ${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(` ${line}`);
  return lines.join('\n');
}

function sentences(text: string): string[] {
  return text.split(/(?<=\.)\s+/).filter((s) => s.length > 3);
}

function generate(dir: string): { zip: string; split: string } {
  const random = rng(20210601);
  const indiana = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as { findings: string; impression: string }[];
  const findingsPool = indiana.flatMap((r) => sentences(r.findings));
  const impressionPool = indiana.flatMap((r) => sentences(r.impression.replace(/\b\d\.\s/g, '')));
  const pick = (pool: string[], n: number): string[] => Array.from({ length: n }, () => pool[Math.floor(random() * pool.length)]);
  const titles = ['CHEST (PA AND LAT)', 'CHEST (PORTABLE AP)', 'CHEST (PA AND LAT) PA AND LATERAL VIEWS OF THE CHEST'];

  // Patients with 1-7 studies each, ids in the MIMIC-CXR ranges, entries sorted by name.
  const studies: { subject: string; study: string }[] = [];
  const usedStudies = new Set<number>();
  let subjectNumber = 10_000_000;
  while (studies.length < REPORTS) {
    subjectNumber += 1 + Math.floor(random() * 120);
    const count = Math.min(REPORTS - studies.length, 1 + Math.floor(random() * 7));
    const ids: string[] = [];
    while (ids.length < count) {
      const id = 50_000_000 + Math.floor(random() * 10_000_000);
      if (usedStudies.has(id)) continue;
      usedStudies.add(id);
      ids.push(String(id));
    }
    for (const study of ids.sort()) studies.push({ subject: String(subjectNumber), study });
  }

  const zip = path.join(dir, 'mimic-cxr-reports.zip');
  const writer = new ZipWriter(zip, { zip64: true, level: 6 });
  writer.add({ name: 'files/' });
  let lastPrefix = '';
  let lastSubject = '';
  for (const { subject, study } of studies) {
    const prefix = subject.slice(0, 2);
    if (prefix !== lastPrefix) writer.add({ name: `files/p${prefix}/` });
    if (subject !== lastSubject) writer.add({ name: `files/p${prefix}/p${subject}/` });
    lastPrefix = prefix;
    lastSubject = subject;
    const numbered = random() < 0.3;
    const impression = pick(impressionPool, 1 + Math.floor(random() * 3));
    // About 2 in 1,000 reports (chosen by study id, so the rest of the corpus does not change) carry
    // the irregular bullets of real MIMIC-CXR impressions that the greedy `\s[0-9]\.\s+` rule treats
    // specially: an empty list item ("2.  4.") and a lone CR inside the run after a number.
    const irregular = Number(study) % 1000;
    const text = [
      '                                 FINAL REPORT',
      ` EXAMINATION:  ${titles[Math.floor(random() * titles.length)]}`,
      ' ',
      ` INDICATION:  ___-year-old ${random() < 0.5 ? 'woman' : 'man'} with ${pick(['cough', 'dyspnea', 'fever', 'chest pain'], 1)[0]}.`,
      ' ',
      ' COMPARISON:  ___',
      ' ',
      ' FINDINGS: ',
      ' ',
      wrap(pick(findingsPool, 3 + Math.floor(random() * 6)).join(' ')),
      ' ',
      ' IMPRESSION: ',
      ' ',
      irregular === 7
        ? ` ${impression[0]} 2.  4.  ${impression.slice(1).join(' ') || 'No acute process.'}`
        : irregular === 8
          ? ` ${impression[0]} 1.\r 3.  ${impression.slice(1).join(' ') || 'No acute process.'}`
          : numbered
            ? impression.map((s, i) => ` ${i + 1}. ${s}`).join('\n \n')
            : wrap(impression.join(' ')),
      '',
    ].join('\n');
    writer.add({ name: `files/p${prefix}/p${subject}/s${study}.txt`, data: text });
  }
  writer.finish();

  // Split: a random 93,544 of the reports, in random order.
  const order = studies.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rows = ['study_id,subject_id,split'];
  order.slice(0, TRAIN + DEV).forEach((index, n) => {
    rows.push(`${studies[index].study},${studies[index].subject},${n < TRAIN ? 'train' : 'dev'}`);
  });
  const split = path.join(dir, 'split.csv');
  fs.writeFileSync(split, `${rows.join('\n')}\n`);
  return { zip, split };
}

function readJsonl(file: string): EvalRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EvalRecord);
}

/** Records of `got` that differ from `want` (position by position; a length difference counts too). */
function differing(got: readonly EvalRecord[], want: readonly EvalRecord[]): number {
  let count = Math.abs(got.length - want.length);
  for (let i = 0; i < Math.min(got.length, want.length); i += 1) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) count += 1;
  return count;
}

/** Prints how many of prepare's train and dev records differ from the plain reference and, if given, the official script. */
async function parity(dir: string, zipFile: string, splitFile: string, out: string): Promise<void> {
  const got = { train: readJsonl(path.join(out, 'train-records.jsonl')), dev: readJsonl(path.join(out, 'dev1.jsonl')) };
  const rows = parseSplitCsv(fs.readFileSync(splitFile, 'utf8'), splitFile);
  const zip = await ReportZip.open(zipFile);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const reference: Record<'train' | 'dev', EvalRecord[]> = { train: [], dev: [] };
  try {
    const entries = readEntries(
      zip,
      rows.map((r) => reportEntryName(r.studyId, r.subjectId)),
    );
    for (const row of rows) {
      if (row.split !== 'train' && row.split !== 'dev') continue;
      const entry = entries.get(reportEntryName(row.studyId, row.subjectId));
      const record = entry === undefined ? undefined : referenceRecord(decoder.decode(entry), row.studyId, row.subjectId);
      if (record === undefined) throw new Error(`reference: no record for study ${row.studyId}`);
      reference[row.split].push(record);
    }
  } finally {
    zip.close();
  }
  const total = got.train.length + got.dev.length;
  const against = (name: string, want: Record<'train' | 'dev', EvalRecord[]>): void => {
    const train = differing(got.train, want.train);
    const dev = differing(got.dev, want.dev);
    process.stdout.write(
      `parity with ${name}: ${train + dev} of ${total} records differ (train ${train} of ${got.train.length}, dev ${dev} of ${got.dev.length})\n`,
    );
  };
  against('the plain reference (test/helpers/mediqa-reference.ts)', reference);
  const script = process.env.MEDIQA_SCRIPT;
  if (script === undefined) {
    process.stdout.write('parity with the official script: skipped (set MEDIQA_SCRIPT to make_mimic_data.py)\n');
    return;
  }
  const train = path.join(dir, 'official-train.json');
  const dev = path.join(dir, 'official-dev.json');
  const run = spawnSync('python3', [script, zipFile, splitFile, '--train_file', train, '--dev_file', dev], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`official script failed: ${run.stderr}`);
  against('the official script', {
    train: JSON.parse(fs.readFileSync(train, 'utf8')) as EvalRecord[],
    dev: JSON.parse(fs.readFileSync(dev, 'utf8')) as EvalRecord[],
  });
}

async function child(zip: string, split: string, out: string): Promise<void> {
  const { runPrepare } = await import('../lib/cli/commands/prepare.js');
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await runPrepare({ split, mimicZip: zip, out, template: 'Findings: {context}', force: true, progress: false, log: () => undefined });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  // CPU time of all threads of the process (main, zip-hash worker, GC helpers) during the run.
  const usage = process.resourceUsage();
  process.stdout.write(`${JSON.stringify({ ms, userMs: used.user / 1000, sysMs: used.system / 1000, maxRssKb: usage.maxRSS })}\n`);
}

async function main(): Promise<void> {
  // PREPARE_BENCH_DIR keeps the generated corpus in that folder between runs (for profiling).
  const keep = process.env.PREPARE_BENCH_DIR;
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'prepare-bench-'));
  try {
    const t0 = Date.now();
    const reuse = keep !== undefined && fs.existsSync(path.join(dir, 'split.csv'));
    if (keep !== undefined) fs.mkdirSync(dir, { recursive: true });
    const { zip, split } = reuse ? { zip: path.join(dir, 'mimic-cxr-reports.zip'), split: path.join(dir, 'split.csv') } : generate(dir);
    const size = fs.statSync(zip).size;
    process.stdout.write(`generated ${REPORTS} reports, zip ${(size / 2 ** 20).toFixed(1)} MiB (ZIP64) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const runs: { ms: number; userMs: number; sysMs: number; maxRssKb: number; wallMs: number; load: number }[] = [];
    for (let run = 0; run < 3; run += 1) {
      const out = path.join(dir, `out-${run}`);
      const load = os.loadavg()[0];
      const began = Date.now();
      const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', zip, split, out], { encoding: 'utf8', cwd: ROOT });
      const wallMs = Date.now() - began;
      if (result.status !== 0) throw new Error(`prepare failed: ${result.stderr}`);
      runs.push({
        ...(JSON.parse(result.stdout.trim().split('\n').pop() as string) as { ms: number; userMs: number; sysMs: number; maxRssKb: number }),
        wallMs,
        load,
      });
    }
    const s = (ms: number): string => (ms / 1000).toFixed(2);
    for (const [i, r] of runs.entries()) {
      process.stdout.write(
        `run ${i + 1}: prepare wall ${s(r.ms)} s, CPU ${s(r.userMs + r.sysMs)} s (user ${s(r.userMs)}, system ${s(r.sysMs)}), ` +
          `process wall ${s(r.wallMs)} s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MiB, load average before ${r.load.toFixed(1)}\n`,
      );
    }
    const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const leastCpu = Math.min(...runs.map((r) => r.userMs + r.sysMs));
    const peak = Math.max(...runs.map((r) => r.maxRssKb)) / 1024;
    process.stdout.write(
      `load average after the runs: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} CPUs\n`,
    );
    process.stdout.write(
      `prepare (best of 3): wall ${s(best.ms)} s (target ≤ 2.5 s; official Python 5.0 s), CPU ${s(leastCpu)} s; ` +
        `peak RSS ${peak.toFixed(0)} MiB (target < 1024 MiB)\n`,
    );
    await parity(dir, zip, split, path.join(dir, 'out-0'));
  } finally {
    if (keep === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  void child(process.argv[3], process.argv[4], process.argv[5]);
} else {
  void main();
}
