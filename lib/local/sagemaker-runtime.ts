/**
 * A local HTTP stand-in for the SageMaker runtime (`POST /endpoints/<name>/invocations`) on the
 * loopback interface, for the rehearsal, the tests and the evaluation benchmark. It speaks both
 * container formats (hf-text2text and tgi, recognised from the request body), answers after a
 * configurable latency, serves at most `capacity` requests at once (beyond that it queues or answers
 * 429), and injects throttling and 5xx errors with a seeded random source. It measures utilisation:
 * busy slot-time over capacity × wall time. Its answers are a deterministic function of the prompt
 * (and of the endpoint, when `generate` looks at it), nothing more: a stand-in "model".
 *
 * With `endpoint`, it asks who hosts the endpoint (the local control plane) and answers as SageMaker
 * does for an endpoint that does not exist or is not InService: HTTP 400 `ValidationError`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/** Options of the stand-in. */
export interface StandInOptions {
  /** Milliseconds a request takes once served. @default 0 */
  readonly latencyMs?: number;
  /** Requests served at once. @default 4 */
  readonly capacity?: number;
  /** Beyond capacity: wait for a slot (`queue`) or answer 429 ThrottlingException (`reject`). @default 'queue' */
  readonly overflow?: 'queue' | 'reject';
  /** Share of requests answered with a ThrottlingException (HTTP 429). @default 0 */
  readonly throttleRate?: number;
  /** Share of requests answered with an InternalFailure (HTTP 500). @default 0 */
  readonly serverErrorRate?: number;
  /** Seed of the injection. @default 1 */
  readonly seed?: number;
  /** The impression written for a prompt by an endpoint. @default the findings' first `.`-terminated chunk */
  readonly generate?: (prompt: string, endpointName: string) => string;
  /** The endpoint's status (e.g. from the local control plane); undefined when it does not exist. @default every endpoint is InService */
  readonly endpoint?: (endpointName: string) => { readonly status: string } | undefined;
  /** Body returned instead of a valid answer, for malformed-response tests. */
  readonly malformedBody?: (prompt: string) => string | undefined;
  /**
   * Prompts whose container "times out": answered as SageMaker answers when the container gives no
   * response within its 60 s limit, HTTP 424 ModelError with OriginalStatusCode 0 and SageMaker's
   * message (as quoted in aws/amazon-sagemaker-examples#799 and aws/sagemaker-python-sdk#1119).
   */
  readonly timesOut?: (prompt: string) => boolean;
}

/** Counters of the stand-in. */
export interface StandInStats {
  requests: number;
  served: number;
  throttled: number;
  serverErrors: number;
  rejectedOverCapacity: number;
  peakInFlight: number;
  /** Sum over served requests of their service time, ms. */
  busyMs: number;
  /** By endpoint name. */
  byEndpoint: Record<string, number>;
  bodies: string[];
}

/** A running stand-in. */
export interface StandIn {
  readonly url: string;
  readonly stats: StandInStats;
  /** Busy slot-time / (capacity × elapsed) since `resetClock`. */
  utilisation(): number;
  resetClock(): void;
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32) so injected failures are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The default answer: the first sentence-like chunk of what follows "Findings:" in the prompt. */
export function echoFirstChunk(prompt: string): string {
  const findings = prompt.includes('Findings:') ? prompt.slice(prompt.lastIndexOf('Findings:') + 9) : prompt;
  const m = /^\s*([^.]*\.?)/.exec(findings);
  return (m?.[1] ?? '').trim();
}

/** Starts the stand-in on 127.0.0.1 (a free port). */
export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const capacity = options.capacity ?? 4;
  const latency = options.latencyMs ?? 0;
  const random = seeded(options.seed ?? 1);
  const generate = options.generate ?? echoFirstChunk;
  const stats: StandInStats = {
    requests: 0,
    served: 0,
    throttled: 0,
    serverErrors: 0,
    rejectedOverCapacity: 0,
    peakInFlight: 0,
    busyMs: 0,
    byEndpoint: {},
    bodies: [],
  };
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  let clockStart = performance.now();

  const acquire = async (): Promise<boolean> => {
    if (inFlight < capacity) {
      inFlight += 1;
      return true;
    }
    if ((options.overflow ?? 'queue') === 'reject') return false;
    await new Promise<void>((resolve) => waiting.push(resolve));
    return true; // the releaser handed its slot over
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next !== undefined) next();
    else inFlight -= 1;
  };

  const error = (res: http.ServerResponse, status: number, type: string, message = `${type} (stand-in)`): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message }));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const m = /^\/endpoints\/([^/]+)\/invocations$/.exec(req.url ?? '');
        if (req.method !== 'POST' || m === null) return error(res, 404, 'UnknownOperationException');
        stats.requests += 1;
        const endpoint = decodeURIComponent(m[1]);
        const hosted = options.endpoint === undefined ? { status: 'InService' } : options.endpoint(endpoint);
        if (hosted === undefined || hosted.status !== 'InService') {
          // SageMaker's answer for a missing endpoint, or one that is not (or no longer) in service.
          return error(res, 400, 'ValidationError', `Endpoint ${endpoint} of account 123456789012 not found.`);
        }
        stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
        const body = Buffer.concat(chunks).toString('utf8');
        stats.bodies.push(body);
        const draw = random();
        if (draw < (options.throttleRate ?? 0)) {
          stats.throttled += 1;
          return error(res, 429, 'ThrottlingException');
        }
        if (draw < (options.throttleRate ?? 0) + (options.serverErrorRate ?? 0)) {
          stats.serverErrors += 1;
          return error(res, 500, 'InternalFailure');
        }
        if (!(await acquire())) {
          stats.rejectedOverCapacity += 1;
          return error(res, 429, 'ThrottlingException');
        }
        stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
        const started = performance.now();
        try {
          if (latency > 0) await new Promise((r) => setTimeout(r, latency));
          let payload: Record<string, unknown>;
          try {
            payload = JSON.parse(body) as Record<string, unknown>;
          } catch {
            return error(res, 400, 'ValidationError');
          }
          const prompt = typeof payload.text_inputs === 'string' ? payload.text_inputs : typeof payload.inputs === 'string' ? payload.inputs : undefined;
          if (prompt === undefined) return error(res, 400, 'ValidationError');
          if (options.timesOut?.(prompt) === true) {
            const original =
              'Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.';
            res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
            res.end(
              JSON.stringify({
                ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
                LogStreamArn: `arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/${endpoint}`,
                Message: `Received server error (0) from primary with message "${original}". See the log stream for more information.`,
                OriginalMessage: original,
                OriginalStatusCode: 0,
              }),
            );
            return;
          }
          const malformed = options.malformedBody?.(prompt);
          const text = generate(prompt, endpoint);
          const answer =
            malformed ?? (typeof payload.text_inputs === 'string' ? JSON.stringify({ generated_texts: [text] }) : JSON.stringify([{ generated_text: text }]));
          stats.served += 1;
          res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' });
          res.end(answer);
        } finally {
          stats.busyMs += performance.now() - started;
          release();
        }
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    utilisation: () => stats.busyMs / (capacity * (performance.now() - clockStart)),
    resetClock: () => {
      clockStart = performance.now();
      stats.busyMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A SageMaker runtime client pointed at the stand-in: dummy credentials, SDK retries off. */
export function standInClient(standIn: StandIn): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({
    endpoint: standIn.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
    maxAttempts: 1,
  });
}
