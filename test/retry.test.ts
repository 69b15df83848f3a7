import { describe, expect, it } from 'vitest';
import { classifyError, RetriesExhaustedError, withRetries } from '../src/retry.js';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('classifyError', () => {
  it('tells throttling, server, network and permanent errors apart', () => {
    expect(classifyError(named('ThrottlingException'))).toBe('throttled');
    expect(classifyError(named('RequestLimitExceeded'))).toBe('throttled');
    expect(classifyError(named('Whatever', { $metadata: { httpStatusCode: 429 } }))).toBe(
      'throttled',
    );
    expect(
      classifyError(
        named('InternalError', { $fault: 'server', $metadata: { httpStatusCode: 500 } }),
      ),
    ).toBe('server');
    expect(classifyError(named('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe('server');
    expect(classifyError(named('Error', { code: 'ECONNRESET' }))).toBe('network');
    expect(classifyError(named('TimeoutError'))).toBe('network');
    expect(classifyError(named('AccessDenied', { $metadata: { httpStatusCode: 403 } }))).toBe(
      'permanent',
    );
    expect(classifyError(named('InvalidInstanceID.NotFound'))).toBe('permanent');
    expect(classifyError('a string')).toBe('permanent');
  });

  it("follows the AWS SDK's own lists of throttling and transient errors", () => {
    expect(classifyError(named('LimitExceededException'))).toBe('throttled');
    expect(classifyError(named('Whatever', { $retryable: { throttling: true } }))).toBe(
      'throttled',
    );
    expect(classifyError(named('Error', { code: 'EHOSTUNREACH' }))).toBe('network');
    expect(classifyError(named('RequestTimeout'))).toBe('network');
    expect(classifyError(named('AbortError', { code: 'ECONNRESET' }))).toBe('permanent');
  });
});

describe('withRetries', () => {
  const clock = () => {
    let now = 0;
    const sleeps: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      sleeps,
    };
  };

  it('says when a retried try may have taken effect: a server or network error, not throttling', async () => {
    const time = clock();
    const after = async (errors: Error[]) => {
      let calls = 0;
      return withRetries(
        async () => {
          const error = errors[calls++];
          if (error) throw error;
          return 'done';
        },
        { deadline: 60_000, now: time.now, sleep: time.sleep, random: () => 0.5 },
      );
    };
    expect(await after([named('RequestLimitExceeded')])).toEqual({ value: 'done', retries: 1 });
    expect(await after([named('TimeoutError'), named('RequestLimitExceeded')])).toEqual({
      value: 'done',
      retries: 2,
      uncertain: 'TimeoutError: TimeoutError',
    });
  });

  it('backs off exponentially with full jitter until the call succeeds', async () => {
    const time = clock();
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls <= 3) throw named('ThrottlingException');
        return 'done';
      },
      { deadline: 100_000, now: time.now, sleep: time.sleep, random: () => 0.5, baseDelayMs: 100 },
    );
    expect(result).toEqual({ value: 'done', retries: 3 });
    expect(time.sleeps).toEqual([50, 100, 200]);
  });

  it('throws a permanent error at once', async () => {
    let calls = 0;
    const denied = named('AccessDenied');
    await expect(
      withRetries(
        async () => {
          calls++;
          throw denied;
        },
        { deadline: 100_000 },
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it('stops when the next wait would pass the deadline, saying how often it retried', async () => {
    const time = clock();
    const error = await withRetries(
      async () => {
        throw named('InternalError', { $fault: 'server' });
      },
      { deadline: 1_000, now: time.now, sleep: time.sleep, random: () => 1, baseDelayMs: 100 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({
      retries: 3,
      errorClass: 'server',
      message: 'InternalError: InternalError (after 3 retries)',
    });
    expect(time.sleeps).toEqual([100, 200, 400]);
  });

  it('stops after maxAttempts', async () => {
    const time = clock();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw named('SlowDown');
        },
        { deadline: 1e12, now: time.now, sleep: time.sleep, maxAttempts: 4 },
      ),
    ).rejects.toMatchObject({ retries: 3, errorClass: 'throttled' });
    expect(calls).toBe(4);
  });
});
