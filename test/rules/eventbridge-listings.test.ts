import { describe, expect, it } from 'vitest';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { decodeDocument } from '../../src/sources/index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { readEventFile } from '../fixtures/sources/files.js';
import { stewardEvent } from './support.js';

function rule(id: string, trigger: string) {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n  - source: eventbridge\n${trigger}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

function awsEvent(eventSource: string, name: string, raw: unknown): StewardEvent {
  return stewardEvent({ source: 'eventbridge', eventSource, name, raw, delivery: 'eventbridge' });
}

function listening(index: RuleIndex, event: StewardEvent): string[] {
  return index.listeners(event).map((listener) => listener.id);
}

describe('eventbridge triggers', () => {
  const index = new RuleIndex([
    rule('any-finding', '    sources: [aws.guardduty]\n    detailTypes: [GuardDuty Finding]'),
    rule(
      'crypto',
      "    sources: [aws.guardduty]\n    detailTypes: [GuardDuty Finding]\n    match:\n      detail.type: ['CryptoCurrency:*']\n      detail.severity: ['8', '8.5']",
    ),
    rule(
      'failed-controls',
      '    sources: [aws.securityhub]\n    detailTypes: [Security Hub Findings - Imported, Security Hub Findings - Custom Action]\n    match:\n      detail.findings.Compliance.Status: [FAILED]',
    ),
    rule(
      'cis-standard',
      "    sources: [aws.securityhub]\n    detailTypes: [Security Hub Findings - Imported]\n    match:\n      detail.findings.Compliance.AssociatedStandards.StandardsId: ['standards/cis-aws-foundations-benchmark/*']",
    ),
    rule('health', '    sources: [aws.health, aws.ec2]\n    detailTypes: [AWS Health Event]'),
  ]);

  it('list a rule by the source and detail-type it names', () => {
    const finding = { detail: { type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2 } };
    expect(listening(index, awsEvent('aws.guardduty', 'GuardDuty Finding', finding))).toEqual([
      'any-finding',
    ]);
    expect(listening(index, awsEvent('aws.health', 'AWS Health Event', {}))).toEqual(['health']);
    expect(listening(index, awsEvent('aws.ec2', 'AWS Health Event', {}))).toEqual(['health']);
    // A detail-type of another source, and a source's other detail-type, are other events.
    expect(listening(index, awsEvent('aws.health', 'GuardDuty Finding', finding))).toEqual([]);
    expect(listening(index, awsEvent('aws.guardduty', 'AWS Health Event', {}))).toEqual([]);
  });

  it('never list a CloudTrail or EC2 rule for an eventbridge event of the same name', () => {
    const mixed = new RuleIndex([
      compileRule(
        {
          id: 'ct',
          description: 'x',
          kind: 'audit',
          severity: 'low',
          triggers: [{ source: 'cloudtrail', events: ['GuardDuty Finding'] }],
          actions: [],
        },
        'ct.yaml',
      ),
    ]);
    expect(listening(mixed, awsEvent('aws.guardduty', 'GuardDuty Finding', {}))).toEqual([]);
  });

  it('test match on the envelope, a number by its JSON text', () => {
    const crypto = (severity: unknown, type = 'CryptoCurrency:EC2/BitcoinTool.B!DNS') =>
      awsEvent('aws.guardduty', 'GuardDuty Finding', { detail: { type, severity } });
    expect(listening(index, crypto(8))).toEqual(['any-finding', 'crypto']);
    expect(listening(index, crypto(8.5))).toEqual(['any-finding', 'crypto']);
    expect(listening(index, crypto('8'))).toEqual(['any-finding', 'crypto']);
    expect(listening(index, crypto(5))).toEqual(['any-finding']);
    expect(listening(index, crypto(8, 'Backdoor:EC2/C&CActivity.B'))).toEqual(['any-finding']);
    expect(listening(index, crypto(null))).toEqual(['any-finding']);
    expect(listening(index, crypto({ value: 8 }))).toEqual(['any-finding']);
  });

  it('match a path through an array when any element matches, as EventBridge does', () => {
    const hub = (...findings: unknown[]) =>
      awsEvent('aws.securityhub', 'Security Hub Findings - Imported', { detail: { findings } });
    const failed = { Compliance: { Status: 'FAILED' } };
    const passed = { Compliance: { Status: 'PASSED' } };
    expect(listening(index, hub(failed))).toEqual(['failed-controls']);
    expect(listening(index, hub(passed, failed))).toEqual(['failed-controls']);
    expect(listening(index, hub(passed))).toEqual([]);
    expect(listening(index, hub())).toEqual([]);
    // Arrays inside arrays, and an array at the path's end.
    const cis = {
      Compliance: {
        Status: 'PASSED',
        AssociatedStandards: [
          { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
          { StandardsId: 'standards/cis-aws-foundations-benchmark/v/1.4.0' },
        ],
      },
    };
    expect(listening(index, hub(cis))).toEqual(['cis-standard']);
    const statuses = { Compliance: { Status: ['WARNING', 'FAILED'] } };
    expect(listening(index, hub(statuses))).toEqual(['failed-controls']);
  });

  it('read only own members of the record on the path', () => {
    const hub = awsEvent('aws.securityhub', 'Security Hub Findings - Imported', {
      detail: Object.create({ findings: [{ Compliance: { Status: 'FAILED' } }] }) as object,
    });
    expect(listening(index, hub)).toEqual([]);
  });

  it('list each finding of events/securityhub-findings-imported.json by its own finding alone', () => {
    const batch = decodeDocument(readEventFile('securityhub-findings-imported.json'), 'hub');
    expect(batch.events.map((event) => listening(index, event))).toEqual([
      ['failed-controls'],
      ['failed-controls'],
      ['cis-standard'],
    ]);
  });
});
