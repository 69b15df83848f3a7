import { describe, expect, it } from 'vitest';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { normalizeCloudTrailRecord } from '../../src/sources/cloudtrail.js';
import { eventField, type StewardEvent } from '../../src/sources/steward-event.js';

/** A rule on AuthorizeSecurityGroupIngress with these conditions (YAML, indented under `all`). */
function rule(id: string, conditions: string) {
  const text = `id: ${id}
description: test
kind: audit
severity: low
triggers:
  - source: cloudtrail
    eventSource: ec2.amazonaws.com
    events: [AuthorizeSecurityGroupIngress]
conditions:
  all:
${conditions}
actions:
  - action: audit.record
`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const condition = (path: string, operator: string, value: unknown) =>
  `    - fact: event\n      path: '${path}'\n      operator: ${operator}\n      value: ${JSON.stringify(value)}`;

/** A CloudTrail record decoded as every source decodes it: its derived fields worked out when read. */
function decoded(userName: string): StewardEvent {
  const event = normalizeCloudTrailRecord(
    {
      eventVersion: '1.09',
      eventID: `e-${userName}`,
      eventTime: '2026-01-15T10:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'eu-west-1',
      recipientAccountId: '111122223333',
      sourceIPAddress: '10.1.2.3',
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::111122223333:user/${userName}`,
        userName,
      },
      requestParameters: { groupId: 'sg-0123456789abcdef0' },
    },
    'eventbridge',
    'test record',
  );
  if (!('raw' in event)) throw new Error(event.message);
  return event;
}

// Three rules on each user name: enough for the index to file them by `actor.userName`.
const byUser = ['alice', 'bob', 'carol'].map((user) =>
  rule(`user-${user}`, condition('$.actor.userName', 'equal', user)),
);
const index = new RuleIndex([
  ...byUser,
  rule('iam-user', condition('$.actor.arn', 'startsWith', 'arn:aws:iam::')),
  rule('group', condition('$.resources[0]', 'equal', 'sg-0123456789abcdef0')),
  rule('request-group', condition('$.request.groupId', 'equal', 'sg-0123456789abcdef0')),
  rule('from-10', condition('$.actor.sourceIp', 'inCidr', '10.0.0.0/8')),
  rule('no-mfa', condition('$.actor.mfaUsed', 'equal', false)),
  rule('other-group', condition('$.resources[0]', 'equal', 'sg-other')),
]);

async function fired(event: StewardEvent, explain: boolean): Promise<string[]> {
  const verdicts = await index.match(event, { explain });
  return verdicts.filter((verdict) => verdict.fires).map((verdict) => verdict.rule.id);
}

describe("conditions on a decoded CloudTrail event's derived fields", () => {
  const expected = ['user-bob', 'iam-user', 'group', 'request-group', 'from-10', 'no-mfa'];

  it('fire on the actor, resources and request fields, compiled and found by the index', async () => {
    expect(await fired(decoded('bob'), false)).toEqual(expected);
  });

  it('fire the same through json-rules-engine (explain)', async () => {
    expect(await fired(decoded('bob'), true)).toEqual(expected);
  });

  it('read only the fields of an event, never its prototype', () => {
    const event = decoded('bob');
    expect(eventField(event, 'actor')).toMatchObject({ userName: 'bob' });
    expect(eventField(event, 'resources')).toEqual(['sg-0123456789abcdef0']);
    expect(eventField(event, 'constructor')).toBeUndefined();
    expect(eventField(event, 'toJSON')).toBeUndefined();
    expect(eventField(event, 'raw')).toBeUndefined();
  });
});
