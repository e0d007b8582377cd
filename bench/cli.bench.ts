/**
 * `npm run bench -- cli`: the CLI as users run it, whole processes. For 2,000 and 20,000 realistic
 * prediction/reference pairs built from data/indiana_dev.json, the wall time of `score` without and
 * with the stemmer and of `score --labels`; of `--version` through `node bin/impressions.cjs` and
 * through `npx impressions`; and of `score --labels` on one 1 MB and one 5 MB text (the labeler's
 * linear time). Each command runs 5 times (after one unmeasured warm-up run); the median wall time is
 * printed with its range, the median CPU time (user + system, from GNU time when installed) and the
 * 1-minute load average before and after, since the machine may be shared.
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

/** GNU time, when installed, gives each run's CPU time (user + system, all threads and children). */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs `command args` RUNS times (plus a warm-up) from the repository root; prints wall (and CPU) medians in seconds. */
function measure(label: string, command: string, args: string[], scratch: string): void {
  const before = load();
  const cpuFile = path.join(scratch, 'cpu.txt');
  const run = (): { wall: number; cpu: number } => {
    const [file, argv] = GNU_TIME === undefined ? [command, args] : [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args]];
    const start = process.hrtime.bigint();
    const result = spawnSync(file, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed (${result.status}): ${result.stderr}`);
    const [user, system] = GNU_TIME === undefined ? [NaN, NaN] : fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
    return { wall, cpu: user + system };
  };
  run();
  const runs = Array.from({ length: RUNS }, run);
  const walls = runs.map((r) => r.wall);
  const after = load();
  const cpu = GNU_TIME === undefined ? '' : `  CPU ${median(runs.map((r) => r.cpu)).toFixed(2)} s`;
  process.stdout.write(
    `${label.padEnd(48)} wall ${median(walls).toFixed(2)} s (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)})${cpu}  load ${before} → ${after}\n`,
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
    measure('node bin/impressions.cjs --version', process.execPath, [...cli, '--version'], dir);
    measure('npx impressions --version', 'npx', ['impressions', '--version'], dir);
    for (const n of [2_000, 20_000]) {
      const input = files[n];
      const pairs = n.toLocaleString('en-US');
      measure(`score, ${pairs} pairs, no stemmer`, process.execPath, [...cli, 'score', '--input', input], dir);
      measure(`score, ${pairs} pairs, stemmer`, process.execPath, [...cli, 'score', '--input', input, '--stemmer'], dir);
      measure(`score --labels, ${pairs} pairs`, process.execPath, [...cli, 'score', '--input', input, '--labels'], dir);
    }
    measure('npx impressions score, 20,000 pairs, no stemmer', 'npx', ['impressions', 'score', '--input', files[20_000]], dir);
    for (const mb of [1, 5]) measure(`score --labels, one ${mb} MB text`, process.execPath, [...cli, 'score', '--input', files[`${mb}mb`], '--labels'], dir);
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
