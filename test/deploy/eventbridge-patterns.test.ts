import { describe, expect, it } from 'vitest';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { deployParameters } from '../../src/deploy/parameters.js';
import { serverlessRuleConfig } from '../../src/deploy/serverless.js';
import { compileRule } from '../../src/rules/load.js';
import type { EventBridgeTrigger, Trigger } from '../../src/rules/rule.js';

function rules(...triggers: Trigger[][]) {
  return triggers.map((each, index) =>
    compileRule(
      {
        id: `r${index}`,
        description: 'x',
        kind: 'audit',
        severity: 'low',
        triggers: each,
        actions: [{ action: 'audit.record' }],
      },
      `r${index}.yaml`,
    ),
  );
}

function eventbridge(
  sources: string[],
  detailTypes: string[],
  match?: Record<string, string[]>,
): EventBridgeTrigger {
  return { source: 'eventbridge', sources, detailTypes, ...(match ? { match } : {}) };
}

describe("the findings function's EventBridge patterns", () => {
  it("name each source's detail-types, and filter on match as EventBridge content filtering", () => {
    const { findings, cloudtrail, ec2State } = eventBridgePatterns(
      rules([
        eventbridge(['aws.guardduty'], ['GuardDuty Finding'], {
          'detail.type': ['CryptoCurrency:*', '*SSHBruteForce', 'Backdoor:EC2/C&CActivity.B'],
          'detail.severity': ['8', '8.5'],
          'detail.service.archived': ['false'],
          region: ['us-east-1'],
        }),
      ]),
    );
    expect(findings).toEqual([
      {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        region: ['us-east-1'],
        detail: {
          type: [
            { prefix: 'CryptoCurrency:' },
            { suffix: 'SSHBruteForce' },
            'Backdoor:EC2/C&CActivity.B',
          ],
          // EventBridge tells "8" from 8; the trigger's matcher takes either.
          severity: ['8', 8, '8.5', 8.5],
          service: { archived: ['false', false] },
        },
      },
    ]);
    expect([cloudtrail, ec2State]).toEqual([[], []]);
  });

  it("merge the detail-types of triggers that share a source and match, whatever the order of match's paths", () => {
    const { findings } = eventBridgePatterns(
      rules(
        [eventbridge(['aws.securityhub', 'aws.config'], ['B type'], { a: ['1'], 'b.c': ['x'] })],
        [eventbridge(['aws.securityhub'], ['A type'], { 'b.c': ['x'], a: ['1'] })],
        [eventbridge(['aws.health'], ['AWS Health Event'])],
      ),
    );
    expect(findings).toEqual([
      {
        source: ['aws.config'],
        'detail-type': ['B type'],
        a: ['1', 1],
        b: { c: ['x'] },
      },
      { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
      {
        source: ['aws.securityhub'],
        'detail-type': ['A type', 'B type'],
        a: ['1', 1],
        b: { c: ['x'] },
      },
    ]);
  });

  it('leave out a detail-type a pattern without match already delivers, so no event comes twice', () => {
    const { findings } = eventBridgePatterns(
      rules(
        [eventbridge(['aws.guardduty'], ['GuardDuty Finding'], { 'detail.severity': ['8'] })],
        [eventbridge(['aws.guardduty'], ['GuardDuty Finding'])],
        [
          eventbridge(
            ['aws.guardduty'],
            ['GuardDuty Finding', 'GuardDuty Runtime Protection Unhealthy'],
            {
              'detail.type': ['Recon:*'],
            },
          ),
        ],
      ),
    );
    expect(findings).toEqual([
      {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Runtime Protection Unhealthy'],
        detail: { type: [{ prefix: 'Recon:' }] },
      },
      { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] },
    ]);
  });

  it('are none without eventbridge triggers, and findings then has no events', () => {
    const onlyEc2 = rules([{ source: 'ec2-state', states: ['running'] }]);
    expect(eventBridgePatterns(onlyEc2).findings).toEqual([]);
    const parameters = deployParameters(
      {},
      { service: 'steward', stage: 'dev', region: 'us-east-1' },
    );
    expect(serverlessRuleConfig(onlyEc2, parameters).events.findings).toEqual([]);
  });

  it('subscribe the findings function on the default bus, and on the organization bus too', () => {
    const pack = rules([eventbridge(['aws.health'], ['AWS Health Event'])]);
    const pattern = { source: ['aws.health'], 'detail-type': ['AWS Health Event'] };
    const single = serverlessRuleConfig(
      pack,
      deployParameters({}, { service: 'steward', stage: 'dev', region: 'us-east-1' }),
    );
    expect(single.events.findings).toEqual([{ eventBridge: { pattern } }]);
    const organization = serverlessRuleConfig(
      pack,
      deployParameters(
        { organizationId: 'o-abc1234567' },
        { service: 'steward', stage: 'dev', region: 'us-east-1' },
      ),
    );
    expect(organization.events.findings).toEqual([
      { eventBridge: { pattern } },
      {
        eventBridge: {
          eventBus: { 'Fn::GetAtt': [expect.any(String), 'Name'] },
          pattern,
        },
      },
    ]);
  });

  it('give the findings function a role with only its rules’ permissions', () => {
    const pack = rules(
      [eventbridge(['aws.guardduty'], ['GuardDuty Finding'])],
      [{ source: 'ec2-state', states: ['running'] }],
    );
    const config = serverlessRuleConfig(
      pack,
      deployParameters({}, { service: 'steward', stage: 'dev', region: 'us-east-1' }),
    );
    expect(config.resources.Resources.FindingsRole).toMatchObject({
      Type: 'AWS::IAM::Role',
      Properties: { RoleName: 'steward-dev-us-east-1-findings' },
    });
  });
});
