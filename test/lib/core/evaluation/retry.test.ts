import { backoffMs, describeFailure, isRetryable, isTimeout, retryPolicyProblems, withRetries } from '../../../../lib/core/evaluation/retry';
import { mapPool } from '../../../../lib/core/evaluation/pool';

const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} with PATIENT text`), { name, ...extra });

describe('isRetryable', () => {
  it.each([
    [err('ThrottlingException', { $metadata: { httpStatusCode: 400 } }), true],
    [err('Error', { $metadata: { httpStatusCode: 429 } }), true],
    [err('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }), true],
    [err('InternalFailure', { $metadata: { httpStatusCode: 500 } }), true],
    [err('Unknown', { $metadata: { httpStatusCode: 502 } }), true],
    [err('ModelError', { OriginalStatusCode: 500, $metadata: { httpStatusCode: 424 } }), true],
    [
      Object.assign(new Error('Received server error... Your invocation timed out while waiting for a response'), {
        name: 'ModelError',
        $metadata: { httpStatusCode: 424 },
      }),
      true,
    ],
    [err('ModelError', { OriginalStatusCode: 400, $metadata: { httpStatusCode: 424 } }), false],
    [err('ValidationError', { $metadata: { httpStatusCode: 400 } }), false],
    [Object.assign(new Error('socket'), { code: 'ECONNRESET' }), true],
    ['a string', false],
  ])('%#', (e, expected) => {
    expect(isRetryable(e)).toBe(expected);
  });
});

describe('describeFailure', () => {
  it('names the error and statuses, never the message', () => {
    const d = describeFailure(err('ModelError', { OriginalStatusCode: 400, $metadata: { httpStatusCode: 424 } }), 1);
    expect(d).toBe('ModelError (HTTP 424, container status 400) after 1 attempt');
    expect(describeFailure(err('ThrottlingException', { $metadata: { httpStatusCode: 429 } }), 6)).toBe('ThrottlingException (HTTP 429) after 6 attempts');
  });
});

describe('backoffMs', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles the ceiling per attempt up to the bound, with full jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(policy, a, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(policy, 3, () => 0)).toBe(0);
    expect(backoffMs(policy, 3, () => 0.5)).toBe(200);
  });
  it('validates a policy', () => {
    expect(retryPolicyProblems({ maxAttempts: 0, baseDelayMs: 10, maxDelayMs: 5 })).toEqual([
      'maxAttempts must be a whole number from 1 to 20',
      'maxDelayMs must be ≥ baseDelayMs',
    ]);
  });
});

describe('withRetries', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
  it('retries throttling until success, sleeping the jittered back-off', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const out = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw err('ThrottlingException', { $metadata: { httpStatusCode: 400 } });
        return 'ok';
      },
      policy,
      async (ms) => {
        sleeps.push(ms);
      },
      () => 0.5,
    );
    expect(out).toEqual({ ok: true, value: 'ok', attempts: 3 });
    expect(sleeps).toEqual([50, 100]);
  });
  it('stops at maxAttempts and returns the last error', async () => {
    const sleeps: number[] = [];
    const out = await withRetries(
      async () => {
        throw err('Error', { $metadata: { httpStatusCode: 503 } });
      },
      policy,
      async (ms) => {
        sleeps.push(ms);
      },
      () => 0.999,
    );
    expect(out.ok).toBe(false);
    expect(out.attempts).toBe(4);
    expect(sleeps).toEqual([99, 199, 249]);
  });
  it('does not retry a client error', async () => {
    let calls = 0;
    const out = await withRetries(
      async () => {
        calls += 1;
        throw err('ValidationError', { $metadata: { httpStatusCode: 400 } });
      },
      policy,
      async () => undefined,
    );
    expect(calls).toBe(1);
    expect(out).toMatchObject({ ok: false, attempts: 1, retryable: false });
  });
});

describe('mapPool', () => {
  it('keeps order and never exceeds the concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 0], 3, async (n, i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight -= 1;
      return n * 10 + i;
    });
    expect(out).toEqual([50, 11, 42, 23, 34, 5]);
    expect(peak).toBe(3);
  });
  it('rethrows the first failure and rejects a bad concurrency', async () => {
    await expect(
      mapPool([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    await expect(mapPool([1], 0, async (n) => n)).rejects.toThrow(/concurrency must be/);
  });
});

describe('describeFailure of a time-out', () => {
  const sageMakerTimeout = {
    name: 'ModelError',
    message: 'Received server error (0) from primary with message "Your invocation timed out while waiting for a response from container primary."',
    OriginalStatusCode: 0,
    $metadata: { httpStatusCode: 424 },
  };
  it('says the invocation timed out, with the attempts, and the durations when known; never the message', () => {
    expect(describeFailure(sageMakerTimeout, 6)).toBe(
      "invocation timed out: no answer from the model container within SageMaker's 60 s limit (ModelError, HTTP 424, container status 0); 6 attempts",
    );
    expect(describeFailure(sageMakerTimeout, 6, { lastAttemptMs: 60_020, totalMs: 385_400 })).toBe(
      "invocation timed out: no answer from the model container within SageMaker's 60 s limit (ModelError, HTTP 424, container status 0); 6 attempts, the last after 60.0 s, 6 min 25 s in all",
    );
    expect(describeFailure(sageMakerTimeout, 6)).not.toContain('primary');
  });
  it('recognises the forms a time-out takes: SageMaker, the SDK request timeout, a socket timeout', () => {
    expect(isTimeout(sageMakerTimeout)).toBe(true);
    expect(isTimeout({ name: 'ModelError', message: 'x', OriginalMessage: 'Your invocation timed out while waiting' })).toBe(true);
    expect(isTimeout({ name: 'TimeoutError', message: 'the request socket timed out after 70000 ms of inactivity' })).toBe(true);
    expect(isTimeout({ name: 'Error', code: 'ETIMEDOUT' })).toBe(true);
    expect(isTimeout({ name: 'ModelError', message: 'Received client error (400) from primary', OriginalStatusCode: 400 })).toBe(false);
    expect(isTimeout({ name: 'ThrottlingException' })).toBe(false);
  });
});
