/**
 * ROUGE engine benchmark: pairs/s on the 2,000 Indiana dev reports (reference = impression,
 * prediction = findings, all four types), with and without the stemmer, beside the targets (3× the
 * Python rouge-score 0.1.2 figures of shared/notes/rouge.md); then time and peak memory for
 * 100,000 pairs and for a pair of 3,000-word texts, each phase in its own process so that maxRSS
 * belongs to it. Prints figures, asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DEFAULT_ROUGE_TYPES, Mt19937, RougeScorer, summarize } from '../lib/core/rouge';
import { dataPath } from '../test/helpers/data';

const DATA = dataPath('indiana_dev.json');
const TARGETS = { plain: 44_700, stemmed: 11_700 };
const PYTHON = { plain: 14_900, stemmed: 3_900 };

interface Pair {
  prediction: string;
  reference: string;
}

function loadPairs(): Pair[] {
  const records = JSON.parse(fs.readFileSync(DATA, 'utf8')) as { findings: string; impression: string }[];
  return records.map((r) => ({ prediction: r.findings, reference: r.impression }));
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function memoryLine(): string {
  const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
  const usage = process.memoryUsage();
  return `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, heap used now ${mb(usage.heapUsed)}, array buffers ${mb(usage.arrayBuffers)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function throughput(): void {
  const pairs = loadPairs();
  const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;
  const avg = (f: (p: Pair) => number): string => (pairs.reduce((a, p) => a + f(p), 0) / pairs.length).toFixed(1);
  console.log(
    `input: ${pairs.length} Indiana dev reports, prediction = findings (${avg((p) => words(p.prediction))} words avg), reference = impression (${avg((p) => words(p.reference))} words avg); rouge1, rouge2, rougeL, rougeLsum per pair`,
  );
  for (const stemmer of [false, true]) {
    const scorer = new RougeScorer({ stemmer });
    let start = process.hrtime.bigint();
    for (const p of pairs) scorer.score(p.prediction, p.reference);
    const cold = pairs.length / seconds(start);
    for (let w = 0; w < 5; w += 1) for (const p of pairs) scorer.score(p.prediction, p.reference);
    const rates: number[] = [];
    for (let k = 0; k < 9; k += 1) {
      start = process.hrtime.bigint();
      for (const p of pairs) scorer.score(p.prediction, p.reference);
      rates.push(pairs.length / seconds(start));
    }
    const target = stemmer ? TARGETS.stemmed : TARGETS.plain;
    const python = stemmer ? PYTHON.stemmed : PYTHON.plain;
    console.log(
      `${stemmer ? 'stemmer   ' : 'no stemmer'}: ${Math.round(median(rates)).toLocaleString('en-US')} pairs/s (median of 9 passes; first cold pass ${Math.round(cold).toLocaleString('en-US')}) | target ≥ ${target.toLocaleString('en-US')} (3× Python ≈ ${python.toLocaleString('en-US')}) ${median(rates) >= target ? 'MET' : 'NOT MET'}`,
    );
  }
  const scorer = new RougeScorer();
  const scores = pairs.map((p) => scorer.score(p.prediction, p.reference));
  const start = process.hrtime.bigint();
  const rng = new Mt19937(0);
  for (const type of DEFAULT_ROUGE_TYPES)
    summarize(
      scores.map((s) => s[type].fmeasure),
      { rng },
    );
  console.log(
    `aggregation (bootstrap 1000 resamples × 4 types + distribution) over ${pairs.length} pairs: ${(seconds(start) * 1000).toFixed(0)} ms (Python BootstrapAggregator ≈ 200 ms)`,
  );
}

function hundredThousand(): void {
  const pairs = loadPairs();
  for (const stemmer of [false, true]) {
    const scorer = new RougeScorer({ stemmer });
    const f1 = new Float64Array(100_000);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i += 1) {
      const p = pairs[i % pairs.length];
      f1[i] = scorer.score(p.prediction, p.reference).rouge1.fmeasure;
    }
    const scoring = seconds(start);
    const aggStart = process.hrtime.bigint();
    summarize(f1, { seed: 0 });
    console.log(
      `100,000 pairs (the 2,000 cycled), ${stemmer ? 'stemmer' : 'no stemmer'}: scoring ${scoring.toFixed(2)} s (${Math.round(100_000 / scoring).toLocaleString('en-US')} pairs/s), summarize one type ${seconds(aggStart).toFixed(2)} s`,
    );
  }
  console.log(`  ${memoryLine()}`);
}

function longTexts(): void {
  const pairs = loadPairs();
  const build = (offset: number): string => {
    const out: string[] = [];
    let count = 0;
    for (let i = offset; count < 3000; i += 1) {
      const ws = pairs[i % pairs.length].prediction.split(/\s+/).filter(Boolean);
      for (const w of ws) {
        if (count >= 3000) break;
        out.push(w);
        count += 1;
      }
    }
    return out.join(' ');
  };
  const a = build(0);
  const b = build(1000);
  const multiA = a.replace(/\. /g, '.\n');
  const multiB = b.replace(/\. /g, '.\n');
  for (const [label, p, r] of [
    ['one line each', a, b],
    [`one sentence per line (${multiA.split('\n').length} and ${multiB.split('\n').length} lines)`, multiA, multiB],
  ] as const) {
    const scorer = new RougeScorer();
    scorer.score(p, r);
    const start = process.hrtime.bigint();
    const runs = 5;
    for (let k = 0; k < runs; k += 1) scorer.score(p, r);
    console.log(`pair of 3,000-word texts, ${label}: ${((seconds(start) / runs) * 1000).toFixed(1)} ms per pair, all four types`);
  }
  console.log(`  ${memoryLine()}`);
}

const phases: Record<string, () => void> = { throughput, '100k': hundredThousand, long: longTexts };
const phase = process.argv[2];
if (phase !== undefined) {
  phases[phase]();
} else {
  for (const name of Object.keys(phases)) {
    spawnSync(process.execPath, [...process.execArgv, __filename, name], { stdio: 'inherit' });
  }
}
