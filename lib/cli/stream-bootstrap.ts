/**
 * The bootstrap of several consumers of one seeded MT19937 stream (the four ROUGE types of `score`,
 * in evaluate's order: type t draws right after type t − 1), split over two threads with results
 * identical to one thread. The draws of a type depend only on the seed and N, not on the scores, so a
 * worker started as soon as N is known skips the first half of the types' draws (counting accepted
 * draws only, while the caller scores the pairs), then computes the second half's resample means;
 * the caller computes the first half's from the seed. Each mean is the same left-to-right sum over
 * the same indices as on one thread, so every interval is bit-identical.
 *
 * What it gains is the scoring time, and only on a machine with a CPU to spare: skipping draws costs
 * about as much as using them (the generator is sequential and the tempering is most of the work), so
 * the worker takes as long as the whole bootstrap would on one thread, while the caller scores the
 * pairs beside it. More threads would not help without jumping the generator ahead, and on a busy
 * machine the second thread only adds CPU time; so it is used only when the 1-minute load average
 * leaves a CPU idle.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Mt19937, resampleMeans } from '../core/rouge';
import type { BootstrapWorkerData } from './workers/bootstrap';

/**
 * From this many pairs a second thread pays: starting it costs about 40 ms, while scoring 10,000
 * pairs (the time it gains) takes about 0.08 s and their four types × 1,000 resamples about 0.15 s.
 */
export const PARALLEL_MIN_PAIRS = 10_000;

/**
 * The worker's bundle in a build (bin/cli-build.cjs): `workers/bootstrap.js` beside `commands/`,
 * which holds the bundle this module is part of. Run from the TypeScript sources (tsx, jest) there
 * is no such file, and the bootstrap stays on one thread.
 */
export const BUILT_WORKER = path.join(__dirname, '..', 'workers', 'bootstrap.js');

/** A started bootstrap: give it the columns (one per consumer, in stream order), get their resample means. */
export interface StreamBootstrap {
  /** Threads the means are computed on (1 or 2). */
  readonly threads: number;
  means(columns: readonly Float64Array[]): Promise<Float64Array[]>;
}

/** Options of {@link startStreamBootstrap}. */
export interface StreamBootstrapOptions {
  /** Worker bundle to run; without one (running from TypeScript sources), one thread. @default BUILT_WORKER when it exists */
  readonly workerFile?: string;
  /** Smallest N for two threads. @default PARALLEL_MIN_PAIRS */
  readonly minPairs?: number;
  /** Whether a CPU is idle. @default the 1-minute load average is at least one below the available parallelism */
  readonly spareCpu?: boolean;
}

/** True when the 1-minute load average leaves at least one CPU idle. */
export function cpuToSpare(): boolean {
  return os.loadavg()[0] <= os.availableParallelism() - 1;
}

/**
 * Starts the bootstrap of `consumers` columns of `n` values each, seeded with `seed`: the result of
 * `means` equals `columns.map((c) => resampleMeans(rng, [c], resamples)[0])` with one `rng = new
 * Mt19937(seed)` shared in order.
 */
export function startStreamBootstrap(seed: number, n: number, consumers: number, resamples: number, options: StreamBootstrapOptions = {}): StreamBootstrap {
  const workerFile = options.workerFile ?? (fs.existsSync(BUILT_WORKER) ? BUILT_WORKER : undefined);
  const sequential = (columns: readonly Float64Array[]): Float64Array[] => {
    const rng = new Mt19937(seed);
    return columns.map((column) => resampleMeans(rng, [column], resamples)[0]);
  };
  if (workerFile === undefined || n < (options.minPairs ?? PARALLEL_MIN_PAIRS) || consumers < 2 || !(options.spareCpu ?? cpuToSpare())) {
    return { threads: 1, means: async (columns) => sequential(columns) };
  }
  const split = Math.ceil(consumers / 2);
  const workerData: BootstrapWorkerData = { seed, n, resamples, skip: split };
  const worker = new Worker(workerFile, { workerData });
  // It must not keep the process alive if `means` is never called (the command failed first).
  worker.unref();
  const result = new Promise<Float64Array[]>((resolve, reject) => {
    worker.once('message', (means: Float64Array[]) => resolve(means));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`bootstrap worker exited with code ${code} before answering`)));
  });
  // Keep an early failure from surfacing as an unhandled rejection before `means` is called.
  result.catch(() => undefined);
  return {
    threads: 2,
    async means(columns) {
      if (columns.length !== consumers) throw new RangeError(`expected ${consumers} columns, got ${columns.length}`);
      worker.ref();
      worker.postMessage(columns.slice(split));
      const first = sequential(columns.slice(0, split));
      return [...first, ...(await result)];
    },
  };
}
