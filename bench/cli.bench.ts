/**
 * `npm run bench -- cli`: the CLI as users run it, whole processes. For 2,000 and 20,000 realistic
 * prediction/reference pairs built from data/indiana_dev.json, the wall time of `score` without and
 * with the stemmer and of `score --labels`; of `--version` through `node bin/impressions.cjs` and
 * through `npx impressions`; and of `score --labels` on one 1 MB and one 5 MB text (the labeler's
 * linear time). Each command runs 5 times (after one unmeasured warm-up run); the median is printed
 * with the range and the 1-minute load average before and after, since the machine may be shared.
 * Asserts nothing. The build is brought up to date first (bin/cli-build.cjs).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataPath } from '../test/helpers/data';

const ROOT = path.resolve(__dirname, '..');
const RUNS = 5;

interface IndianaRecord {
  readonly study_id: string;
  readonly findings: string;
  readonly impression: string;
}

/** Sentences of a text (split after `.`), for building predictions. */
function sentences(text: string): string[] {
  return text.split(/(?<=\.)\s+/).filter((s) => s.trim() !== '');
}

/**
 * `count` pairs: reference = an Indiana impression (cycled); prediction = what an impression model
 * tends to write, in turn: the reference with its last sentence dropped or a normal sentence added,
 * another report's impression, the first sentence of the findings, or a constant normal answer.
 */
function realisticPairs(count: number): string {
  const records = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as IndianaRecord[];
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const r = records[i % records.length];
    const other = records[(i * 7919 + 13) % records.length];
    const ref = sentences(r.impression);
    let prediction: string;
    switch (i % 5) {
      case 0:
        prediction = ref.length > 1 ? ref.slice(0, -1).join(' ') : r.impression;
        break;
      case 1:
        prediction = `${r.impression} No pneumothorax or pleural effusion.`;
        break;
      case 2:
        prediction = other.impression;
        break;
      case 3:
        prediction = sentences(r.findings)[0] ?? r.findings;
        break;
      default:
        prediction = 'No acute cardiopulmonary process.';
    }
    lines.push(JSON.stringify({ id: `${r.study_id}-${i}`, prediction, reference: r.impression }));
  }
  return `${lines.join('\n')}\n`;
}

/** One pair whose prediction is `bytes` of report text (Indiana findings and impressions, repeated). */
function longPair(bytes: number): string {
  const records = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as IndianaRecord[];
  const corpus = records.map((r) => `${r.findings}\n\n${r.impression}`).join('\n\n');
  let text = corpus;
  while (text.length < bytes) text += `\n\n${corpus}`;
  return `${JSON.stringify({ id: 'long', prediction: text.slice(0, bytes), reference: records[0].impression })}\n`;
}

const load = (): string => os.loadavg()[0].toFixed(1);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `command args` RUNS times (plus a warm-up) from the repository root; wall times in seconds. */
function measure(label: string, command: string, args: string[]): void {
  const before = load();
  const run = (): number => {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed (${result.status}): ${result.stderr}`);
    return seconds;
  };
  run();
  const times = Array.from({ length: RUNS }, run);
  const after = load();
  process.stdout.write(
    `${label.padEnd(52)} median ${median(times).toFixed(2)} s  (${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)})  load ${before} → ${after}\n`,
  );
}

function main(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'cli-build.cjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bench-'));
  try {
    const files: Record<string, string> = {};
    for (const n of [2_000, 20_000]) fs.writeFileSync((files[n] = path.join(dir, `pairs-${n}.jsonl`)), realisticPairs(n));
    for (const mb of [1, 5]) fs.writeFileSync((files[`${mb}mb`] = path.join(dir, `long-${mb}mb.jsonl`)), longPair(mb * 1_000_000));
    const cli = [path.join(ROOT, 'bin', 'impressions.cjs')];
    process.stdout.write(`whole-process wall time, median of ${RUNS} (after a warm-up run), ${os.cpus().length} CPUs, Node ${process.version}\n`);
    measure('node bin/impressions.cjs --version', process.execPath, [...cli, '--version']);
    measure('npx impressions --version', 'npx', ['impressions', '--version']);
    for (const n of [2_000, 20_000]) {
      const input = files[n];
      const pairs = n.toLocaleString('en-US');
      measure(`score, ${pairs} pairs, no stemmer`, process.execPath, [...cli, 'score', '--input', input]);
      measure(`score, ${pairs} pairs, stemmer`, process.execPath, [...cli, 'score', '--input', input, '--stemmer']);
      measure(`score --labels, ${pairs} pairs`, process.execPath, [...cli, 'score', '--input', input, '--labels']);
    }
    measure('npx impressions score, 20,000 pairs, no stemmer', 'npx', ['impressions', 'score', '--input', files[20_000]]);
    for (const mb of [1, 5]) measure(`score --labels, one ${mb} MB text`, process.execPath, [...cli, 'score', '--input', files[`${mb}mb`], '--labels']);
    process.stdout.write(
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
