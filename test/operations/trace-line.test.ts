import { describe, expect, it } from 'vitest';
import { traceLine } from '../../src/operations/trace-line.js';

const eventId = '0e3f8a52-1b7c-4d2e-8f90-a1b2c3d4e5f6';
const found = {
  timestamp: Date.parse('2026-11-30T19:02:11.500Z'),
  logGroup: '/aws/lambda/steward-prod-cloudtrail',
  logStream: '2026/11/30/[$LATEST]abc',
  function: 'cloudtrail',
};

describe('a log line about the traced event', () => {
  it('keeps an action outcome with its fields, its time and request id', () => {
    const message = JSON.stringify({
      level: 'WARN',
      message: 'action outcome',
      timestamp: '2026-11-30T19:02:11.123Z',
      function_request_id: 'req-9',
      function: 'cloudtrail',
      eventId,
      rule: 'sg-world-open-revoke',
      action: 'ec2.revoke-security-group-ingress',
      resource: 'sg-0123',
      status: 'failed',
      mode: 'enforce',
      ledgerKey: 'act_0123',
      detail: 'UnauthorizedOperation',
      retries: 2,
      latencyMs: 310,
    });
    expect(traceLine({ ...found, message }, eventId)).toEqual({
      time: '2026-11-30T19:02:11.123Z',
      message: 'action outcome',
      function: 'cloudtrail',
      level: 'WARN',
      requestId: 'req-9',
      logGroup: found.logGroup,
      logStream: found.logStream,
      eventId,
      rule: 'sg-world-open-revoke',
      action: 'ec2.revoke-security-group-ingress',
      resource: 'sg-0123',
      status: 'failed',
      mode: 'enforce',
      ledgerKey: 'act_0123',
      detail: 'UnauthorizedOperation',
      retries: 2,
      latencyMs: 310,
    });
  });

  it("reads a line after Lambda's text prefix, with CloudWatch's time and its group's function", () => {
    const json = JSON.stringify({ message: 'steward error', eventId, kind: 'decode', error: 'x' });
    const line = traceLine(
      { ...found, message: `2026-11-30T19:02:11.500Z\treq-9\tERROR\t${json}` },
      eventId,
    );
    expect(line).toMatchObject({
      time: '2026-11-30T19:02:11.500Z',
      function: 'cloudtrail',
      kind: 'decode',
      error: 'x',
    });
  });

  it("drops what a term filter also finds: other events, other kinds of line, text that isn't JSON", () => {
    const other = (fields: Record<string, unknown>) =>
      traceLine(
        { ...found, message: JSON.stringify({ message: 'action outcome', ...fields }) },
        eventId,
      );
    expect(other({ eventId: `${eventId}-2` })).toBeUndefined();
    expect(other({ detail: `about ${eventId}` })).toBeUndefined();
    expect(
      traceLine(
        { ...found, message: JSON.stringify({ message: 'invocation report', eventId }) },
        eventId,
      ),
    ).toBeUndefined();
    expect(traceLine({ ...found, message: `START ${eventId} {not json` }, eventId)).toBeUndefined();
    expect(
      traceLine(
        { ...found, message: JSON.stringify({ message: 'action outcome', eventId, retries: 'x' }) },
        eventId,
      )?.retries,
    ).toBeUndefined();
  });
});
