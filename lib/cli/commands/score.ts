/**
 * `impressions score`: ROUGE-1/2/L/Lsum of prediction/reference pairs from a JSON Lines file (or a
 * JSON array), with the summary table of F-measures on stdout and optionally one line of scores per
 * pair. Input is validated completely before anything is written; messages name the file, the line
 * (or record) and the field, never the texts.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_ROUGE_TYPES, DEFAULT_SEED, RougeScorer, summarizeResampled } from '../../core/rouge';
import type { DefaultRougeType, RougeScores, Summary } from '../../core/rouge';
import { agreement, type AgreementReport, type LabelPair } from '../../core/labels/agreement';
import { labelReport } from '../../core/labels/labeler';
import { formatAgreementTable } from '../../core/labels/agreement-table';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { startProgress } from '../progress';
import { startStreamBootstrap, type StreamBootstrapOptions } from '../stream-bootstrap';
import { decodeUtf8File } from '../utf8';

/** One validated input pair. */
export interface ScorePair {
  readonly id: string;
  readonly prediction: string;
  readonly reference: string;
}

/** Arguments of {@link runScore}. */
export interface ScoreArgs {
  readonly input: string;
  readonly stemmer: boolean;
  readonly perRecord?: string;
  readonly json: boolean;
  readonly seed: number;
  /** Also label both texts of each pair and report clinical agreement (see lib/core/labels). */
  readonly labels?: boolean;
  readonly stdout: NodeJS.WritableStream;
  /** Starts the progress display (tests pass their own). @default startProgress: a bar on a terminal's stderr */
  readonly progress?: typeof startProgress;
  /** Threads of the bootstrap (tests pass their own worker file). @default two from 10,000 pairs when running from the build and a CPU is idle */
  readonly bootstrap?: StreamBootstrapOptions;
}

/** The `--json` document (also what the table shows). */
export interface ScoreReport {
  readonly pairs: number;
  readonly stemmer: boolean;
  readonly measure: 'fmeasure';
  readonly bootstrap: { readonly resamples: number; readonly confidence: number; readonly seed: number; readonly rng: 'mt19937' };
  readonly scores: { readonly [K in DefaultRougeType]: Summary };
  /** With `--labels`: agreement of the CheXpert-style labels of prediction and reference. */
  readonly labels?: AgreementReport;
}

/** At most this many problems are listed in one error. */
const MAX_LISTED_PROBLEMS = 20;
/** Inputs from this many pairs up show a progress bar (when stderr is a terminal). */
const PROGRESS_THRESHOLD = 5000;
/** With --labels, inputs of this many characters up show one too (labelling a long text takes a while). */
const PROGRESS_TEXT_THRESHOLD = 1_000_000;
/** Pairs between two progress updates. */
const PROGRESS_STEP = 100;

/** Validates one parsed record; pushes problems (naming `where` and the field) into `problems`. */
function toPair(value: unknown, where: string, defaultId: number, problems: string[]): ScorePair | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where}: expected an object with "prediction" and "reference"`);
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const before = problems.length;
  for (const field of ['prediction', 'reference'] as const) {
    if (!(field in record)) problems.push(`${where}: field "${field}" is missing`);
    else if (typeof record[field] !== 'string') problems.push(`${where}: field "${field}" must be a string, got ${describeType(record[field])}`);
  }
  if ('id' in record && typeof record.id !== 'string') problems.push(`${where}: field "id" must be a string when present, got ${describeType(record.id)}`);
  if (problems.length > before) return undefined;
  return { id: (record.id as string | undefined) ?? String(defaultId), prediction: record.prediction as string, reference: record.reference as string };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Reads and validates the pairs of `file`: JSON Lines (blank lines skipped, ids default to the
 * 1-based line number) or, when the first non-blank character is "[", one JSON array (ids default
 * to index + 1). Throws one CliError listing up to 20 problems, or naming the byte offset of the
 * first byte that is not UTF-8 (a leading BOM is skipped).
 */
export function readPairs(file: string): ScorePair[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? 'error'})`);
  }
  let text = decodeUtf8File(bytes, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const problems: string[] = [];
  const pairs: ScorePair[] = [];
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the input, which may be report text: say only where to look.
      throw new CliError(`${file}: invalid JSON (the file starts with "[" so it is read as one JSON array)`);
    }
    if (!Array.isArray(parsed)) throw new CliError(`${file}: expected a JSON array of records`);
    parsed.forEach((value, index) => {
      const pair = toPair(value, `${file}: record ${index + 1}`, index + 1, problems);
      if (pair !== undefined) pairs.push(pair);
    });
  } else {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const where = `${file}:${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problems.push(`${where}: invalid JSON`);
        return;
      }
      const pair = toPair(value, where, index + 1, problems);
      if (pair !== undefined) pairs.push(pair);
    });
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length - listed.length;
    throw new CliError(`invalid input:\n  ${listed.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}`);
  }
  if (pairs.length === 0) throw new CliError(`${file}: no records (expected JSON Lines of {"id"?, "prediction", "reference"})`);
  return pairs;
}

/** The aggregation statement printed above the table. */
export function describeAggregation(report: ScoreReport): string {
  const b = report.bootstrap;
  return (
    `ROUGE F-measure, mean over ${report.pairs} pairs, ${Math.round(b.confidence * 100)}% bootstrap CI ` +
    `(${b.resamples} resamples, seed ${b.seed}, MT19937), ${report.stemmer ? 'Porter stemmer (nltk variant)' : 'no stemming'}`
  );
}

/** Renders the summary table (4 decimals). */
export function formatTable(report: ScoreReport): string {
  const header = ['type', 'measure', 'count', 'mean', 'CI low', 'CI high', 'std', 'min', '25%', '50%', '75%', 'max'];
  const fmt = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(4));
  const rows = DEFAULT_ROUGE_TYPES.map((type) => {
    const s = report.scores[type];
    return [type, 'F', String(s.count), ...[s.mean, s.ciLow, s.ciHigh, s.std, s.min, s.p25, s.p50, s.p75, s.max].map(fmt)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [describeAggregation(report), line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Scores every pair of `args.input`, writes the per-record file if asked, prints table or JSON.
 * With `--labels`, each pair's two texts are labelled in the same pass, so the progress bar (large
 * inputs, on a terminal) reaches 100 % only when scoring and labelling are both done; the bootstrap
 * intervals that follow take a fraction of a second.
 */
export async function runScore(args: ScoreArgs): Promise<ScoreReport> {
  const pairs = readPairs(args.input);
  // The draws depend only on the seed and N: a second thread starts on them while the pairs are scored.
  const bootstrap = startStreamBootstrap(args.seed, pairs.length, DEFAULT_ROUGE_TYPES.length, DEFAULT_RESAMPLES, args.bootstrap);
  const scorer = new RougeScorer({ stemmer: args.stemmer });
  const withLabels = args.labels === true;
  let characters = 0;
  for (const pair of pairs) characters += pair.prediction.length + pair.reference.length;
  const large = pairs.length >= PROGRESS_THRESHOLD || (withLabels && characters >= PROGRESS_TEXT_THRESHOLD);
  const progress = large ? (args.progress ?? startProgress)(withLabels ? 'score + labels' : 'score', pairs.length, 'pairs') : undefined;
  const scores: RougeScores[] = new Array<RougeScores>(pairs.length);
  const labelPairs: LabelPair[] = withLabels ? new Array<LabelPair>(pairs.length) : [];
  try {
    for (let i = 0; i < pairs.length; i += 1) {
      const pair = pairs[i];
      scores[i] = scorer.score(pair.prediction, pair.reference);
      if (withLabels) labelPairs[i] = { prediction: labelReport(pair.prediction), reference: labelReport(pair.reference) };
      if (progress !== undefined && (i + 1) % PROGRESS_STEP === 0) progress.update(i + 1);
    }
    progress?.update(pairs.length);
  } finally {
    progress?.stop();
  }

  // One MT19937 stream shared by the types in evaluate's order, so seed S reproduces
  // np.random.seed(S) + evaluate's BootstrapAggregator.
  const columns = DEFAULT_ROUGE_TYPES.map((type) => {
    const values = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i += 1) values[i] = scores[i][type].fmeasure;
    return values;
  });
  const means = await bootstrap.means(columns);
  const summaries = {} as Record<DefaultRougeType, Summary>;
  DEFAULT_ROUGE_TYPES.forEach((type, t) => (summaries[type] = summarizeResampled(columns[t], means[t])));
  const report: ScoreReport = {
    pairs: pairs.length,
    stemmer: args.stemmer,
    measure: 'fmeasure',
    bootstrap: { resamples: DEFAULT_RESAMPLES, confidence: DEFAULT_CONFIDENCE, seed: args.seed, rng: 'mt19937' },
    scores: summaries,
    ...(withLabels ? { labels: agreement(labelPairs, { seed: args.seed }) } : {}),
  };

  if (args.perRecord !== undefined) {
    const lines = pairs.map((pair, i) => JSON.stringify({ id: pair.id, ...scores[i] }));
    writeFileAtomic(args.perRecord, lines.join('\n') + '\n');
  }
  if (args.json) {
    args.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    args.stdout.write(formatTable(report));
    if (report.labels !== undefined) args.stdout.write(`\nClinical agreement (rule-based CheXpert-style labels)\n${formatAgreementTable(report.labels)}`);
  }
  return report;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed) || seed > 0xffffffff) {
    throw new CliError(`--seed: expected an integer from 0 to 4294967295, got "${value}"`);
  }
  return seed;
}

/** Registers `impressions score`. */
export function register(program: Command): void {
  program
    .command('score')
    .description('ROUGE-1/2/L/Lsum (rouge-score 0.1.2, bit-exact) of prediction/reference pairs, with mean, bootstrap CI and distribution')
    .requiredOption('--input <pairs.jsonl>', 'JSON Lines of {"id"?, "prediction", "reference"} (or one JSON array of them)')
    .option('--stemmer', "stem words longer than 3 characters with nltk's Porter variant", false)
    .option('--per-record <out.jsonl>', "also write each pair's precision/recall/F per type, in input order")
    .option('--json', 'print the summary as JSON instead of a table', false)
    .option('--seed <n>', 'seed of the bootstrap (MT19937, as numpy.random.seed)', String(DEFAULT_SEED))
    .option('--labels', 'also label prediction and reference for the 14 CheXpert observations and report their agreement (F1)', false)
    .action(async (options: { input: string; stemmer: boolean; perRecord?: string; json: boolean; seed: string; labels: boolean }) => {
      await runScore({
        input: options.input,
        stemmer: options.stemmer,
        perRecord: options.perRecord,
        json: options.json,
        seed: parseSeed(options.seed),
        labels: options.labels,
        stdout: process.stdout,
      });
    });
}
