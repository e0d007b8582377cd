/**
 * Runs the Lambda functions of a synthesized app locally: each invocation runs the esbuild bundle
 * `cdk synth` wrote (the code that deploys) in a worker thread whose `process.env` is the
 * environment the construct sets, plus what the Lambda runtime adds (`AWS_REGION`,
 * `AWS_LAMBDA_FUNCTION_NAME`, credentials) and the local endpoint setting. Like a Lambda execution
 * environment, a worker serves one invocation at a time and stays warm for the next (module-scope
 * clients are reused); concurrent invocations get more workers.
 *
 * A handler that throws gives a {@link LambdaFunctionError} carrying the Lambda error payload
 * (`errorType` = the error's `name`, `errorMessage`, `trace`), which is what Step Functions and
 * asynchronous invokers see. Not simulated: time-outs, memory limits, cold-start latency,
 * reserved-concurrency throttling.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { AssemblyFunction } from './cloud-assembly';

/** The error payload of a failed invocation, as Lambda returns it. */
export interface LambdaErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** A failed invocation. */
export class LambdaFunctionError extends Error {
  constructor(readonly payload: LambdaErrorPayload) {
    super(payload.errorMessage);
    this.name = payload.errorType;
  }
}

/** One invocation, for the rehearsal's summary. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly errorType?: string;
}

/** Settings shared by every function. */
export interface LambdaRuntimeOptions {
  /** Environment added to every function (endpoint setting, region). */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** Access key id a function signs with (so the local services know who called). */
  readonly accessKeyOf: (fn: AssemblyFunction) => string;
  /** Receives every line a function writes to stdout or stderr (its logs). */
  readonly onLog?: (functionName: string, line: string) => void;
  /** Most warm workers per function. @default 8 */
  readonly maxWorkersPerFunction?: number;
}

// The worker: loads the bundle once (as the runtime does at init) and runs the exported handler.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let handler;
parentPort.on('message', async ({ id, event, deadline }) => {
  const context = {
    functionName: workerData.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: workerData.functionArn,
    memoryLimitInMB: String(workerData.memoryMb),
    awsRequestId: id,
    logGroupName: '/aws/lambda/' + workerData.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    if (handler === undefined) {
      const mod = require(workerData.file);
      handler = mod[workerData.exportName];
      if (typeof handler !== 'function') {
        const e = new Error(workerData.file + ' does not export ' + workerData.exportName);
        e.name = 'Runtime.HandlerNotFound';
        throw e;
      }
    }
    const result = await handler(event, context);
    parentPort.postMessage({ id, ok: true, result: JSON.stringify(result === undefined ? null : result) });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    parentPort.postMessage({ id, ok: false, error: { errorType: error.name || 'Error', errorMessage: error.message, trace: String(error.stack || '').split('\\n') } });
  }
});
`;

interface PooledWorker {
  readonly worker: Worker;
  busy: boolean;
}

/** Runs functions by ARN or name. */
export class LambdaRuntime {
  /** Every invocation so far. */
  readonly invocations: InvocationRecord[] = [];
  private readonly pools = new Map<string, PooledWorker[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly functions: readonly AssemblyFunction[],
    private readonly options: LambdaRuntimeOptions,
  ) {}

  /** The function with this ARN (any qualifier) or name. */
  find(arnOrName: string): AssemblyFunction | undefined {
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    const parts = arnOrName.split(':');
    const base = parts.length === 8 ? parts.slice(0, 7).join(':') : arnOrName;
    return this.functions.find((f) => f.arn === base || f.name === base);
  }

  /** Invokes a function synchronously (RequestResponse) and returns its JSON result. */
  async invoke(arnOrName: string, event: unknown): Promise<unknown> {
    if (this.closed) throw new Error('the local Lambda runtime is closed');
    const fn = this.find(arnOrName);
    if (fn === undefined) {
      throw new LambdaFunctionError({ errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${arnOrName}`, trace: [] });
    }
    const pooled = await this.acquire(fn);
    const id = `local-${(this.nextId += 1)}`;
    const started = Date.now();
    try {
      const reply = await new Promise<{ ok: boolean; result?: string; error?: LambdaErrorPayload }>((resolve, reject) => {
        const onMessage = (message: { id: string; ok: boolean; result?: string; error?: LambdaErrorPayload }): void => {
          if (message.id !== id) return;
          pooled.worker.off('message', onMessage);
          pooled.worker.off('error', onError);
          resolve(message);
        };
        const onError = (error: Error): void => {
          pooled.worker.off('message', onMessage);
          reject(error);
        };
        pooled.worker.on('message', onMessage);
        pooled.worker.once('error', onError);
        pooled.worker.postMessage({ id, event, deadline: started + fn.timeoutSeconds * 1000 });
      });
      this.invocations.push({ functionName: fn.name, startedAt: started, durationMs: Date.now() - started, ok: reply.ok, errorType: reply.error?.errorType });
      if (!reply.ok) throw new LambdaFunctionError(reply.error!);
      return JSON.parse(reply.result ?? 'null') as unknown;
    } finally {
      this.release(fn, pooled);
    }
  }

  private spawn(fn: AssemblyFunction): PooledWorker {
    const [fileBase, exportName] = [fn.handler.slice(0, fn.handler.lastIndexOf('.')), fn.handler.slice(fn.handler.lastIndexOf('.') + 1)];
    const file = path.join(fn.bundleDir, `${fileBase}.js`);
    if (fn.bundleDir === '' || !fs.existsSync(file))
      throw new Error(`function ${fn.logicalId} (${fn.stack}): no bundle at ${file}; synthesize with bundling on`);
    const accessKeyId = this.options.accessKeyOf(fn);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      _HANDLER: fn.handler,
      ...this.options.baseEnvironment,
      ...fn.environment,
      // Lambda's own source-map flag costs start-up time here and adds nothing to local logs.
      NODE_OPTIONS: '',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'local-secret',
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env,
      stdout: true,
      stderr: true,
      workerData: { file, exportName, functionName: fn.name, functionArn: fn.arn, memoryMb: fn.memoryMb },
    });
    worker.unref();
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.options.onLog?.(fn.name, line);
    };
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    return { worker, busy: false };
  }

  private async acquire(fn: AssemblyFunction): Promise<PooledWorker> {
    const pool = this.pools.get(fn.name) ?? [];
    this.pools.set(fn.name, pool);
    for (;;) {
      const idle = pool.find((w) => !w.busy);
      if (idle !== undefined) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < (this.options.maxWorkersPerFunction ?? 8)) {
        const created = this.spawn(fn);
        created.busy = true;
        pool.push(created);
        return created;
      }
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(fn.name) ?? [];
        queue.push(resolve);
        this.waiting.set(fn.name, queue);
      });
    }
  }

  private release(fn: AssemblyFunction, pooled: PooledWorker): void {
    pooled.busy = false;
    this.waiting.get(fn.name)?.shift()?.();
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.pools.values()].flat();
    this.pools.clear();
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}
