import { describe, expect, it } from 'vitest';
import { failureDecision, resumed } from '../../src/execution/decision.js';
import { RetriesExhaustedError } from '../../src/retry.js';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('failureDecision', () => {
  it('leaves the outcome unknown after server or network errors, since a try may have acted', () => {
    const error = new RetriesExhaustedError(named('InternalError', 'boom'), 3, 'server');
    expect(failureDecision(error, 'ec2.stop-instances', 'i-0123')).toEqual({
      unknown:
        'ec2.stop-instances on i-0123: outcome unknown: InternalError: boom (after 3 retries)',
    });
    const network = new RetriesExhaustedError(named('TimeoutError', 'slow'), 2, 'network');
    expect(failureDecision(network, 'ec2.stop-instances', 'i-0123')).toHaveProperty('unknown');
  });

  it('defers an action AWS throttled on every try to the next delivery', () => {
    const error = new RetriesExhaustedError(named('Throttling', 'slow down'), 7, 'throttled');
    expect(failureDecision(error, 'ec2.stop-instances', 'i-0123')).toEqual({
      deferred:
        'ec2.stop-instances on i-0123: not done, throttled: Throttling: slow down (after 7 retries)',
    });
  });

  it('records any other error as a failure, with its retries', () => {
    expect(
      failureDecision(
        named('UnauthorizedOperation', 'not allowed'),
        'ec2.stop-instances',
        'i-0123',
      ),
    ).toEqual({
      completion: {
        status: 'failed',
        detail: 'ec2.stop-instances failed on i-0123: UnauthorizedOperation: not allowed',
        error: 'UnauthorizedOperation: not allowed',
        retries: 0,
      },
    });
    const late = new RetriesExhaustedError(
      named('InvalidInstanceID.NotFound', 'gone'),
      2,
      'permanent',
    );
    expect(failureDecision(late, 'ec2.stop-instances', 'i-0123')).toMatchObject({
      completion: { status: 'failed', retries: 2 },
    });
  });
});

describe('resumed', () => {
  it('says a skip may be steward’s own work, and leaves any other outcome as it is', () => {
    expect(resumed({ status: 'skipped', detail: 'i-0123 is stopped' }, 'a try failed')).toEqual({
      status: 'skipped',
      detail: "i-0123 is stopped; it may be steward's own work (a try failed)",
    });
    const done = { status: 'succeeded' as const, detail: 'stopped i-0123' };
    expect(resumed(done, 'a try failed')).toBe(done);
  });
});
