import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterError,
  functionOfArn,
  parseInvocationRecord,
  STACK_FUNCTIONS,
} from '../../src/replay/invocation-record.js';

function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/replay/${name}`, import.meta.url), 'utf8');
}

/** The error `parseInvocationRecord` throws for a body, to assert on its message and place. */
function refusal(
  body: { text: string } | { value: unknown },
  where = 'message m-1',
): DeadLetterError {
  try {
    parseInvocationRecord(body, where);
  } catch (error) {
    if (error instanceof DeadLetterError) return error;
    throw error;
  }
  throw new Error('the record was accepted');
}

const ec2Arn = 'arn:aws:lambda:us-east-1:123456789012:function:steward-prod-ec2State:$LATEST';

describe('parseInvocationRecord', () => {
  it.each(STACK_FUNCTIONS)('reads the record Lambda sent for %s, as text', (name) => {
    const record = parseInvocationRecord(
      { text: fixtureText(`invocation-record-${name}.json`) },
      'message m-1',
    );
    expect(record.function).toBe(name);
    expect(record.functionArn).toBe(
      `arn:aws:lambda:us-east-1:123456789012:function:steward-prod-${name}:$LATEST`,
    );
    expect(record.condition).toBe('RetriesExhausted');
    expect(record.approximateInvokeCount).toBe(3);
    expect(record.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.lastError).toMatch(
      name === 'sweep'
        ? /^SweepIncompleteError: the sweep of rule sweep-instances-without-owner is incomplete: /
        : /^BatchIncompleteError: 1 event\(s\) or action\(s\) must be delivered again: /,
    );
    expect(record.requestPayload).toBeTypeOf('object');
  });

  it('takes an already parsed record, as a file holds it', () => {
    const payload = { 'detail-type': 'EC2 Instance State-change Notification' };
    const record = parseInvocationRecord(
      { value: { requestContext: { functionArn: ec2Arn }, requestPayload: payload } },
      'dlq.json',
    );
    expect(record).toEqual({ function: 'ec2State', functionArn: ec2Arn, requestPayload: payload });
  });

  it('refuses a body that is not JSON, saying where the JSON breaks', () => {
    const error = refusal({ text: '{"requestContext": ' });
    expect(error.where).toBe('message m-1');
    expect(error.message).toMatch(/^the body is not JSON: invalid JSON at line 1, column 20: /);
  });

  it('refuses JSON that is not an invocation record', () => {
    const error = refusal({ text: '{"detail-type": "EC2 Instance State-change Notification"}' });
    expect(error.message).toBe(
      'not a Lambda invocation record: expected an object with requestContext and requestPayload, as Lambda sends to an on-failure destination',
    );
    expect(refusal({ value: [1, 2] }).message).toMatch(/^not a Lambda invocation record/);
  });

  it('refuses a record of a function outside the stack, naming it', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:payments-prod-worker';
    const error = refusal({ value: { requestContext: { functionArn: arn }, requestPayload: {} } });
    expect(error.message).toBe(
      `"${arn}" is not one of the stack's functions (a name ending in -ec2State, -cloudtrail, -cloudtrailLogs, -cloudwatchLogs, -findings, -sweep): refused`,
    );
  });

  it('refuses a record without a functionArn', () => {
    expect(refusal({ value: { requestContext: {}, requestPayload: {} } }).message).toBe(
      'the invocation record has no requestContext.functionArn',
    );
  });

  it('refuses a record without its payload, naming the request to look for', () => {
    const error = refusal({
      value: { requestContext: { functionArn: ec2Arn, requestId: 'req-7' }, responsePayload: {} },
    });
    expect(error.message).toBe(
      "the invocation record of ec2State has no requestPayload (Lambda leaves it out when it is too large for the queue): look for request req-7 in the function's logs",
    );
  });
});

describe('functionOfArn', () => {
  it('tells the functions apart by the whole suffix of their name', () => {
    const arn = (name: string) => `arn:aws:lambda:eu-west-1:111122223333:function:${name}`;
    expect(functionOfArn(arn('steward-dev-cloudtrail'))).toBe('cloudtrail');
    expect(functionOfArn(arn('steward-dev-cloudtrailLogs'))).toBe('cloudtrailLogs');
    expect(functionOfArn(arn('steward-dev-cloudwatchLogs:prod'))).toBe('cloudwatchLogs');
    expect(functionOfArn(arn('steward-dev-ec2StateX'))).toBeUndefined();
    expect(functionOfArn(arn('ec2State'))).toBeUndefined();
    expect(
      functionOfArn('arn:aws:sqs:us-east-1:111122223333:steward-dev-ec2State'),
    ).toBeUndefined();
  });
});
