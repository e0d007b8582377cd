/**
 * Evaluation throughput against a local SageMaker runtime stand-in (loopback only): 4,000 records
 * (the Indiana dev set twice) run through the evaluate Lambda's code path (S3 in memory, the real
 * SDK client pointed at the stand-in with dummy credentials), shards pulled by `maxConcurrency`
 * workers as the Distributed Map would. Prints records/s, endpoint utilisation against its
 * capacity, retries, rows written against expected, and the evaluate Lambda's bundle size.
 * Latency and back-off are scaled down together (40 ms per request, 6 ms first back-off: about the
 * ratio of a ~1.5 s beam-search call to the 200 ms production back-off). Asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { evaluate } from '../lambda/evaluate';
import { fanOutShape, planShards, toJsonl, type ShardItem } from '../lib/core/evaluation';
import { standInClient, startStandIn, type StandInOptions } from '../lib/local/sagemaker-runtime';
import { dataPath } from '../test/helpers/data';

const BUCKET = 'bench-bucket';
const indiana = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as object[];
const body = toJsonl([...indiana, ...indiana]);
const CAPACITY = 4;
const LATENCY_MS = 40;

function memoryS3(): { client: S3Client; written: Map<string, string> } {
  const client = new S3Client({ region: 'us-east-1' });
  const written = new Map<string, string>();
  const mock = mockClient(client);
  mock.on(GetObjectCommand).resolves({ Body: { transformToString: async () => body } } as never);
  mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: string }) => {
    written.set(input.Key, input.Body);
    return {};
  });
  return { client, written };
}

async function scenario(name: string, shape: { maxConcurrency: number; requestsPerLambda: number }, faults: StandInOptions, records = 4000): Promise<void> {
  const standIn = await startStandIn({ capacity: CAPACITY, latencyMs: LATENCY_MS, overflow: 'queue', seed: 11, ...faults });
  const runtime = standInClient(standIn);
  const s3 = memoryS3();
  process.env.REQUESTS_PER_LAMBDA = String(shape.requestsPerLambda);
  const items = planShards({
    runId: 'bench',
    model: 'fine-tuned',
    modelVersion: 'x',
    endpointName: 'impressions-bench-ft',
    contract: 'tgi',
    datasets: [{ dataset: 'dev2', evalDataUri: `s3://${BUCKET}/eval_data/dev2.jsonl`, recordCount: records }],
    shardSize: 100,
    includeBaselines: false,
  });
  let next = 0;
  let retries = 0;
  let rows = 0;
  let errors = 0;
  standIn.resetClock();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let item: ShardItem | undefined = items[next++]; item !== undefined; item = items[next++]) {
      const r = await evaluate(item, { s3: s3.client, runtime });
      retries += r.retries;
      rows += r.rows;
      errors += r.errors;
    }
  };
  await Promise.all(Array.from({ length: shape.maxConcurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const utilisation = standIn.utilisation();
  const written = [...s3.written.values()].reduce((n, text) => n + text.trim().split('\n').length, 0);
  await standIn.close();
  process.stdout.write(
    `${name.padEnd(48)} map ${shape.maxConcurrency} x ${shape.requestsPerLambda} in flight | ${(rows / seconds).toFixed(0).padStart(4)} records/s | ` +
      `utilisation ${(utilisation * 100).toFixed(1)}% of ${CAPACITY} | peak ${standIn.stats.peakInFlight} | retries ${retries} ` +
      `(429 ${standIn.stats.throttled}, 5xx ${standIn.stats.serverErrors}) | rows ${written}/${records} written, ${errors} with error | ${seconds.toFixed(1)} s\n`,
  );
}

async function bundleSize(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evaluate-bundle-'));
  const outfile = path.join(dir, 'index.js');
  await build({
    entryPoints: [path.join(__dirname, '..', 'lambda', 'evaluate', 'index.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  const size = fs.statSync(outfile).size;
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`evaluate Lambda bundle (esbuild, minified, SDK included): ${(size / 1024).toFixed(0)} KiB\n`);
}

async function main(): Promise<void> {
  process.env.DATA_BUCKET = BUCKET;
  process.env.PROMPT_TEMPLATE = 'Generate radiology report impressions based on the following findings. Findings: {context}';
  process.env.RETRY_BASE_DELAY_MS = '6';
  process.env.RETRY_MAX_DELAY_MS = '300';
  process.env.RETRY_MAX_ATTEMPTS = '8';
  process.stdout.write(
    `4,000 records (shape comparisons: the first 1,000), shard size 100, stand-in capacity ${CAPACITY} (queue beyond), latency ${LATENCY_MS} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs (stand-in and client share them)\n`,
  );
  const chosen = fanOutShape(CAPACITY);
  await scenario('clean, chosen shape', chosen, {});
  await scenario('clean, one Lambda with every request (1,000)', { maxConcurrency: 1, requestsPerLambda: CAPACITY }, {}, 1000);
  await scenario('clean, one request per Lambda (1,000)', { maxConcurrency: CAPACITY, requestsPerLambda: 1 }, {}, 1000);
  await scenario('10% throttling + 2% 5xx, chosen shape', chosen, { throttleRate: 0.1, serverErrorRate: 0.02 });
  await bundleSize();
}

void main();
