/**
 * Retries of endpoint calls: which failures are worth retrying, and jittered exponential back-off
 * up to a bound. The SDK client's own retries are switched off (`maxAttempts: 1`) so this policy is
 * the only one and its attempts are counted.
 */

/** How hard to retry. */
export interface RetryPolicy {
  /** Total attempts per call, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** Back-off before the second attempt; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Upper bound of one back-off. */
  readonly maxDelayMs: number;
}

/** Defaults: 6 attempts, 200 ms doubling to at most 10 s (worst case ≈ 16 s of waiting). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Waits `ms` milliseconds; injected so tests need no real time. */
export type Sleep = (ms: number) => Promise<void>;

/** The real sleep. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Validates a policy; returns the problems (empty when valid). */
export function retryPolicyProblems(policy: RetryPolicy): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 20)
    problems.push('maxAttempts must be a whole number from 1 to 20');
  if (!(policy.baseDelayMs >= 0)) problems.push('baseDelayMs must be ≥ 0');
  if (!(policy.maxDelayMs >= policy.baseDelayMs)) problems.push('maxDelayMs must be ≥ baseDelayMs');
  return problems;
}

/**
 * Back-off before attempt `attempt + 1` (attempt counts from 1): "full jitter", a uniform draw in
 * [0, min(maxDelay, base·2^(attempt-1))). `random` returns [0, 1).
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The fields of an SDK error this module reads (never its message text, which may quote the input). */
interface SdkErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly OriginalStatusCode?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: unknown;
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalDependencyException',
  'ModelNotReadyException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * Is this failure transient? Throttling (ThrottlingException, HTTP 429), any 5xx, a ModelError
 * whose container answered 5xx or timed out, and connection resets are; a 4xx ModelError or a
 * ValidationError is not (retrying cannot fix the request).
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (RETRYABLE_NAMES.has(name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  if (name === 'ModelError') {
    const original = typeof e.OriginalStatusCode === 'number' ? e.OriginalStatusCode : undefined;
    if (original !== undefined && (original >= 500 || original === 429 || original === 408)) return true;
    // The message is inspected, never recorded: a container time-out is retryable.
    return typeof e.message === 'string' && /timed? ?out/i.test(e.message);
  }
  if (status !== undefined) return status === 429 || status >= 500;
  return e.$retryable !== undefined && e.$retryable !== null;
}

/**
 * Did the invocation time out? SageMaker answers a container that gave no response within its
 * 60 s limit ("A customer's model containers must respond to requests within 60 seconds", API
 * reference of InvokeEndpoint) with a ModelError (HTTP 424, container status 0) whose message says
 * "Your invocation timed out while waiting for a response from container ..."; the SDK's own
 * request timeout is a `TimeoutError` (@smithy/node-http-handler), a socket one `ETIMEDOUT`.
 * The message is inspected, never recorded.
 */
export function isTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorLike & { readonly OriginalMessage?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout' || e.name === 'RequestTimeoutException' || e.code === 'ETIMEDOUT') return true;
  const text = [e.message, e.OriginalMessage].filter((m): m is string => typeof m === 'string').join(' ');
  return e.name === 'ModelError' && /timed? ?out/i.test(text);
}

/**
 * Client-side timeout of one InvokeEndpoint request: SageMaker gives a container 60 s to answer, and
 * the API reference of InvokeEndpoint recommends a 70 s socket timeout for models that take 50-60 s.
 */
export const INVOKE_TIMEOUT_MS = 70_000;

/** How long a failed call's attempts took (for a time-out's description). */
export interface AttemptTiming {
  /** The last attempt, from request to failure. */
  readonly lastAttemptMs: number;
  /** From the first request to the last failure, back-off included. */
  readonly totalMs: number;
}

/**
 * A short, text-free description of a failure for a row's `error`: the error's name, HTTP status
 * and the container's status, never its message. A time-out says so, and (given `timing`) after
 * how long: `invocation timed out: no answer from the model container within SageMaker's 60 s limit
 * (ModelError, HTTP 424, container status 0); 6 attempts, the last after 60.0 s, 6 min 25 s in all`.
 */
export function describeFailure(error: unknown, attempts: number, timing?: AttemptTiming): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === 'string' && /^[A-Za-z0-9_.]{1,60}$/.test(e.name) ? e.name : 'Error';
  const details: string[] = [name];
  if (typeof e.$metadata?.httpStatusCode === 'number') details.push(`HTTP ${e.$metadata.httpStatusCode}`);
  if (typeof e.OriginalStatusCode === 'number') details.push(`container status ${e.OriginalStatusCode}`);
  if (typeof e.code === 'string' && /^[A-Z_]{1,30}$/.test(e.code)) details.push(e.code);
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (isTimeout(error)) {
    const what = name === 'ModelError' ? "no answer from the model container within SageMaker's 60 s limit" : 'no answer from the endpoint in time';
    const when = timing === undefined ? '' : `, the last after ${duration(timing.lastAttemptMs)}, ${duration(timing.totalMs)} in all`;
    return `invocation timed out: ${what} (${details.join(', ')}); ${tries}${when}`;
  }
  const [first, ...rest] = details;
  return `${first}${rest.length > 0 ? ` (${rest.join(', ')})` : ''} after ${tries}`;
}

/** `60.0 s`, or `6 min 25 s` from two minutes on. */
function duration(ms: number): string {
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The outcome of a retried call. */
export type RetryOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number; readonly retryable: boolean };

/**
 * Calls `call` until it succeeds, fails with a non-retryable error, or `maxAttempts` is reached,
 * sleeping a jittered back-off between attempts. Never throws: the last error is returned.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  sleep: Sleep = realSleep,
  random: () => number = Math.random,
): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { ok: true, value: await call(attempt), attempts: attempt };
    } catch (error) {
      const retryable = isRetryable(error);
      if (!retryable || attempt >= policy.maxAttempts) return { ok: false, error, attempts: attempt, retryable };
      await sleep(backoffMs(policy, attempt, random));
    }
  }
}
