/**
 * Worker thread of lib/cli/stream-bootstrap.ts: skips the draws of the consumers before its share
 * of one MT19937 stream (count only), then receives its columns and returns their resample means,
 * each continuing the stream where the previous one stopped. Built to `workers/bootstrap.js` beside
 * the command bundles by bin/cli-build.cjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Mt19937 } from '../../core/rouge/random';
import { resampleMeans, skipResamples } from '../../core/rouge/resample';

/** What the worker is started with. */
export interface BootstrapWorkerData {
  readonly seed: number;
  readonly n: number;
  readonly resamples: number;
  /** Consumers (ROUGE types) of the stream before this worker's share. */
  readonly skip: number;
}

const { seed, n, resamples, skip } = workerData as BootstrapWorkerData;
const rng = new Mt19937(seed);
skipResamples(rng, n, resamples * skip);
parentPort!.once('message', (columns: Float64Array[]) => {
  const means = columns.map((column) => resampleMeans(rng, [column], resamples)[0]);
  parentPort!.postMessage(
    means,
    means.map((m) => m.buffer as ArrayBuffer),
  );
});
