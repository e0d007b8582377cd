/**
 * The two-thread bootstrap of `score` against one thread, with the worker bundle of the current
 * build (test/global-setup.cjs brings dist/ up to date), as the built CLI runs it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startStreamBootstrap } from '../../../lib/cli/stream-bootstrap';
import { Mt19937, resampleMeans } from '../../../lib/core/rouge';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function builtWorker(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli-build.json'), 'utf8')) as { build: string };
  return path.join(ROOT, 'dist', manifest.build, 'workers', 'bootstrap.js');
}

function columns(n: number, count: number): Float64Array[] {
  return Array.from({ length: count }, (_, c) => Float64Array.from({ length: n }, (_, i) => (((i + 1) * 7919 + c * 104729) % 1009) / 1009));
}

function oneThread(seed: number, cols: readonly Float64Array[], resamples: number): number[][] {
  const rng = new Mt19937(seed);
  return cols.map((c) => Array.from(resampleMeans(rng, [c], resamples)[0]));
}

test('the built worker exists where the command bundles look for it', () => {
  expect(fs.existsSync(builtWorker())).toBe(true);
});

test.each([
  [4, 6000],
  [3, 2500],
  [2, 7],
])('%i consumers of N = %i on two threads: the same means, in the same order, as one thread', async (consumers, n) => {
  const cols = columns(n, consumers);
  const bootstrap = startStreamBootstrap(5, n, consumers, 40, { workerFile: builtWorker(), minPairs: 1, spareCpu: true });
  expect(bootstrap.threads).toBe(2);
  const means = (await bootstrap.means(cols)).map((m) => Array.from(m));
  expect(means).toEqual(oneThread(5, cols, 40));
});

test('below the threshold, on a busy machine, or without a worker bundle (running from sources), one thread', async () => {
  const cols = columns(100, 4);
  expect(startStreamBootstrap(1, 100, 4, 10, { workerFile: builtWorker(), spareCpu: true }).threads).toBe(1);
  expect(startStreamBootstrap(1, 100, 4, 10, { workerFile: builtWorker(), minPairs: 1, spareCpu: false }).threads).toBe(1);
  const fromSources = startStreamBootstrap(1, 100, 4, 10, { minPairs: 1, workerFile: undefined });
  expect((await fromSources.means(cols)).map((m) => Array.from(m))).toEqual(oneThread(1, cols, 10));
});

test('a worker that fails is an error, not a silent wrong answer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-worker-'));
  try {
    const broken = path.join(dir, 'broken.js');
    fs.writeFileSync(broken, "throw new Error('worker broke');\n");
    const bootstrap = startStreamBootstrap(1, 10, 2, 5, { workerFile: broken, minPairs: 1, spareCpu: true });
    await expect(bootstrap.means(columns(10, 2))).rejects.toThrow('worker broke');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
