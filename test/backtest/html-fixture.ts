import type { BacktestReport, CountedValues, RuleResult } from '../../src/backtest/report.js';

/** Text no page may render as markup: a script, both quotes, the end of the style sheet. */
export const hostile = {
  script: '<script>document.title="pwned"</script>',
  quotes: `"onmouseover="alert(1)" x='y'`,
  endStyle: '</style><img src="http://127.0.0.1:9/x.png">',
  controls: 'line\nforged\u0000\u001b[2J\u202egnol',
  huge: `{"userData":"${'A'.repeat(200_000)}"}`,
};

/** The days the report covers: 2026-10-01 to 2026-10-10. */
export const days = Array.from(
  { length: 10 },
  (_, index) => `2026-10-${String(index + 1).padStart(2, '0')}`,
);

function counted(counts: Record<string, number>, extra?: Partial<CountedValues>): CountedValues {
  return {
    counts,
    distinct: Object.keys(counts).length,
    otherCount: 0,
    capped: false,
    ...extra,
  };
}

const openToWorld: RuleResult = {
  rule: 'ec2-security-group-open-to-world',
  mode: 'enforce',
  matches: 19,
  plannedActions: { 'ec2.revoke-security-group-ingress': 19, 'audit.record': 19 },
  resources: counted(
    Object.fromEntries(
      Array.from({ length: 12 }, (_, index) => [
        `sg-0${String(index).padStart(16, '0')}`,
        index < 7 ? 2 : 1,
      ]),
    ),
  ),
  actors: counted({
    'arn:aws:iam::123456789012:user/alice': 12,
    [`arn:aws:iam::123456789012:user/${hostile.quotes}`]: 6,
    [hostile.endStyle]: 1,
  }),
  firstSeen: '2026-10-01T08:15:00Z',
  lastSeen: '2026-10-10T22:40:00Z',
  perDay: { '2026-10-01': 2, '2026-10-03': 5, '2026-10-04': 1, '2026-10-07': 8, '2026-10-10': 3 },
  needsLiveState: 0,
  liveFacts: [],
  evaluationErrors: 0,
  samples: [
    {
      id: '7a1f9c2e-0000-4000-8000-000000000001',
      time: '2026-10-01T08:15:00Z',
      name: 'AuthorizeSecurityGroupIngress',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['sg-00000000000000000', hostile.endStyle],
      actor: 'arn:aws:iam::123456789012:user/alice',
      where:
        's3://trail/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-east-1/2026/10/01/x.json.gz: Records[12]',
      explanation: [
        '✓ any',
        `  ✓ record $.requestParameters.cidrIp worldOpen true: saw "0.0.0.0/0"`,
        `  · record $.requestParameters.ipPermissions worldOpen true: not evaluated`,
        `  ✗ record $.requestParameters.userData equal "": saw ${hostile.huge}`,
      ],
      planned: [
        {
          action: 'ec2.revoke-security-group-ingress',
          resource: 'sg-00000000000000000',
          detail: 'tcp 22 from 0.0.0.0/0',
        },
        { action: 'audit.record', resource: 'sg-00000000000000000' },
      ],
    },
  ],
};

const userWithoutMfa: RuleResult = {
  rule: 'iam-console-login-without-mfa',
  mode: 'dry-run',
  matches: 11,
  plannedActions: { 'notify.sns': 11 },
  resources: counted(
    Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [`arn:aws:iam::123456789012:user/u${index}`, 1]),
    ),
    { distinct: 10_000, otherCount: 1, capped: true },
  ),
  actors: counted({ [hostile.controls]: 11 }),
  firstSeen: '2026-10-02T01:00:00Z',
  lastSeen: '2026-10-09T12:00:00Z',
  perDay: { '2026-10-02': 1, '2026-10-05': 4, '2026-10-06': 4, '2026-10-09': 2 },
  needsLiveState: 3,
  liveFacts: ['user'],
  evaluationErrors: 1,
  samples: [
    {
      id: hostile.script,
      time: '2026-10-02T01:00:00Z',
      name: hostile.script,
      resources: [],
      where: `local-logs/${hostile.controls}.json: Records[0]`,
      explanation: ['✓ all', `  ✓ event $.name equal "ConsoleLogin": saw ${hostile.quotes}`],
      planned: [{ action: 'notify.sns', resource: hostile.script, detail: hostile.quotes }],
    },
  ],
};

const runningWithoutOwner: RuleResult = {
  rule: 'ec2-running-without-owner',
  mode: 'enforce',
  matches: 0,
  plannedActions: {},
  resources: counted({}),
  actors: counted({}),
  perDay: {},
  needsLiveState: 42,
  liveFacts: ['instance'],
  evaluationErrors: 0,
  samples: [],
};

/**
 * A report of three rules over ten days, one rule that never fired, and hostile text throughout.
 *
 * @example
 * const page = renderHtmlReport(handMadeReport());
 */
export function handMadeReport(): BacktestReport {
  return {
    version: 1,
    query: {
      sources: ['s3://trail/AWSLogs/o-a1b2c3d4e5/', `local-logs/${hostile.script}`],
      since: '2026-10-01T00:00:00Z',
      until: '2026-10-11T00:00:00Z',
      accounts: ['123456789012'],
      regions: ['us-east-1', 'eu-west-1'],
    },
    totals: {
      files: 240,
      unreadableFiles: 1,
      bytes: 55_200_000,
      records: 500_000,
      badRecords: 2,
      filteredOut: 1_000,
      events: 499_000,
      matchedEvents: 30,
      firstEvent: '2026-10-01T00:00:04Z',
      lastEvent: '2026-10-10T23:59:58Z',
    },
    rules: [openToWorld, userWithoutMfa, runningWithoutOwner],
    errors: [
      { where: `local-logs/${hostile.endStyle}.json.gz`, message: `not gzip: ${hostile.script}` },
      { where: 's3://trail/x.json.gz: Records[4]', message: hostile.controls },
    ],
    moreErrors: 5,
  };
}
