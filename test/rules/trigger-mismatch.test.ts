import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/rules/load.js';
import { triggerMismatches } from '../../src/rules/index/trigger-mismatch.js';
import type { Trigger } from '../../src/rules/rule.js';
import { stewardEvent } from './support.js';

function rule(...triggers: Trigger[]) {
  return compileRule(
    { id: 'r', description: 'x', kind: 'audit', severity: 'low', triggers, actions: [] },
    'r.yaml',
  );
}

describe('why triggers let an event pass by', () => {
  it('names the kind of event each trigger listens to', () => {
    const event = stewardEvent({ source: 'ec2-state', name: 'stopped' });
    expect(
      triggerMismatches(
        rule(
          { source: 'ec2-state', states: ['running', 'pending'] },
          { source: 'cloudwatch-logs', logGroups: ['/var/log/secure'] },
          { source: 'schedule', schedule: 'rate(1 day)', resources: 'ec2-instances' },
        ),
        event,
      ),
    ).toEqual([
      'trigger 1: listens to running, pending, not "stopped"',
      'trigger 2: listens to cloudwatch-logs events, not ec2-state',
      'trigger 3: listens to sweep events, not ec2-state',
    ]);
  });

  it('walks a CloudTrail trigger as the index does: name, service, failed call, match', () => {
    const call = stewardEvent({
      name: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
      error: { code: 'AccessDenied' },
      raw: { userIdentity: { type: 'IAMUser' } },
    });
    expect(
      triggerMismatches(
        rule(
          { source: 'cloudtrail', events: ['StopLogging'] },
          { source: 'cloudtrail', events: ['*'], eventSource: 'iam.amazonaws.com' },
          { source: 'cloudtrail', events: ['DeleteTrail'] },
          {
            source: 'cloudtrail',
            events: ['DeleteTrail'],
            includeFailedCalls: true,
            match: { 'userIdentity.type': ['Root'], errorCode: ['AccessDenied*'] },
          },
        ),
        call,
      ),
    ).toEqual([
      'trigger 1: listens to StopLogging, not "DeleteTrail"',
      'trigger 2: listens to iam.amazonaws.com, not "cloudtrail.amazonaws.com"',
      'trigger 3: the call failed (AccessDenied) and the trigger does not include failed calls',
      'trigger 4: match userIdentity.type: the record holds "IAMUser", not Root',
    ]);
  });

  it('shows what an eventbridge record holds at a match path: every element, at most five, or nothing', () => {
    const hub = stewardEvent({
      source: 'eventbridge',
      eventSource: 'aws.securityhub',
      name: 'Security Hub Findings - Imported',
      raw: {
        detail: {
          findings: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ Severity: { Normalized: n * 10 } })),
        },
      },
    });
    const eventbridge = (
      match: Record<string, string[]>,
      sources = ['aws.securityhub'],
    ): Trigger => ({
      source: 'eventbridge',
      sources,
      detailTypes: ['Security Hub Findings - Imported'],
      match,
    });
    expect(
      triggerMismatches(
        rule(
          eventbridge({ 'detail.findings.Severity.Normalized': ['90'] }),
          eventbridge({ 'detail.findings.Compliance.Status': ['FAILED'] }),
          eventbridge({ 'detail.findings.Severity.Normalized': ['70'] }),
          eventbridge({}, ['aws.guardduty']),
          {
            source: 'eventbridge',
            sources: ['aws.securityhub'],
            detailTypes: ['Security Hub Insight Results'],
          },
        ),
        hub,
      ),
    ).toEqual([
      'trigger 1: match detail.findings.Severity.Normalized: the record holds 10, 20, 30, 40, 50, … (7), not 90',
      'trigger 2: match detail.findings.Compliance.Status: the record holds nothing there, not FAILED',
      'trigger 3: matches',
      'trigger 4: listens to aws.guardduty, not "aws.securityhub"',
      'trigger 5: listens to Security Hub Insight Results, not "Security Hub Findings - Imported"',
    ]);
  });
});
