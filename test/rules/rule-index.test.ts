import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { compileLogFilter, LogFilterSyntaxError } from '../../src/rules/log-filter.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { candidates, lookupWork } from '../../bench/rule-work.js';
import { stewardEvent } from './support.js';

function rule(id: string, triggers: string) {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n${triggers}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const event = stewardEvent;

const index = new RuleIndex([
  rule('running', '  - source: ec2-state\n    states: [running, pending]'),
  rule(
    'stop-logging',
    '  - source: cloudtrail\n    eventSource: cloudtrail.amazonaws.com\n    events: [StopLogging, DeleteTrail]',
  ),
  rule(
    'any-service-delete',
    '  - source: cloudtrail\n    events: [DeleteTrail]\n    includeFailedCalls: true',
  ),
  rule('every-call', "  - source: cloudtrail\n    events: ['*']"),
  rule(
    'denied-calls',
    "  - source: cloudtrail\n    events: ['*']\n    includeFailedCalls: true\n    match:\n      errorCode: ['*UnauthorizedOperation', 'AccessDenied*']",
  ),
  rule(
    'root-calls',
    "  - source: cloudtrail\n    events: ['*']\n    match:\n      userIdentity.type: [Root]",
  ),
  rule(
    'secure',
    '  - source: cloudwatch-logs\n    logGroups: [/var/log/secure]\n    filter: \'"Failed password" -CRON\'',
  ),
  rule('lambda', '  - source: cloudwatch-logs\n    logGroups: [/aws/lambda/*]'),
]);

const ids = (found: readonly { id: string }[]) => found.map((item) => item.id);

describe('the rule index', () => {
  it('selects rules by EC2 state', () => {
    expect(ids(candidates(index, event({ source: 'ec2-state', name: 'running' })))).toEqual([
      'running',
    ]);
    expect(ids(candidates(index, event({ source: 'ec2-state', name: 'stopped' })))).toEqual([]);
  });

  it('selects rules by CloudTrail event name and event source, in rule-pack order', () => {
    expect(
      ids(
        candidates(index, event({ name: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com' })),
      ),
    ).toEqual(['stop-logging', 'any-service-delete', 'every-call']);
    expect(
      ids(candidates(index, event({ name: 'StopLogging', eventSource: 'ec2.amazonaws.com' }))),
    ).toEqual(['every-call']);
  });

  it('checks a trigger’s match against the record', () => {
    const root = event({ name: 'CreateBucket', raw: { userIdentity: { type: 'Root' } } });
    expect(ids(candidates(index, root))).toEqual(['every-call', 'root-calls']);
    const user = event({ name: 'CreateBucket', raw: { userIdentity: { type: 'IAMUser' } } });
    expect(ids(candidates(index, user))).toEqual(['every-call']);
  });

  it('matches prefix* and *suffix values', () => {
    const denied = (code: string) =>
      event({ name: 'PutBucketPolicy', error: { code }, raw: { errorCode: code } });
    expect(ids(candidates(index, denied('AccessDeniedException')))).toEqual(['denied-calls']);
    expect(ids(candidates(index, denied('Client.UnauthorizedOperation')))).toEqual([
      'denied-calls',
    ]);
    expect(ids(candidates(index, denied('ThrottlingException')))).toEqual([]);
  });

  it('leaves failed calls to the rules that opt in', () => {
    const failed = event({
      name: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
      error: { code: 'AccessDenied' },
    });
    expect(ids(candidates(index, failed))).toEqual(['any-service-delete']);
  });

  it('selects log rules by group, group prefix and filter', () => {
    const line = (name: string, message: string) =>
      event({ source: 'cloudwatch-logs', name, raw: { message } });
    expect(
      ids(candidates(index, line('/var/log/secure', 'sshd: Failed password for root'))),
    ).toEqual(['secure']);
    expect(ids(candidates(index, line('/var/log/secure', 'CRON: Failed password')))).toEqual([]);
    expect(ids(candidates(index, line('/var/log/secure', 'sshd: Accepted publickey')))).toEqual([]);
    expect(ids(candidates(index, line('/aws/lambda/orders', 'START')))).toEqual(['lambda']);
    expect(ids(candidates(index, line('/aws/ecs/orders', 'START')))).toEqual([]);
  });
});

function scoped(id: string, conditions: string, eventName = 'CreateUser') {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n  - source: cloudtrail\n    events: [${eventName}]\nconditions:\n${conditions}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

describe('narrowing the listeners by the values rules require', () => {
  const account = (id: string, operator: string, value: string) =>
    scoped(
      id,
      `  all:\n    - { fact: event, path: $.account, operator: ${operator}, value: ${value} }`,
    );
  const user = (id: string, value: string) =>
    scoped(
      id,
      `  all:\n    - { fact: record, path: $.userIdentity.userName, operator: equal, value: ${value} }`,
    );
  const narrowed = new RuleIndex([
    account('account-a', 'equal', "'111'"),
    account('accounts-ab', 'in', "['111', '222']"),
    account('account-b', 'equal', "'222'"),
    user('user-bob', 'bob'),
    user('user-bob-too', 'bob'),
    user('user-dan', 'dan'),
    account('not-a', 'notEqual', "'111'"),
    scoped(
      'any-of',
      "  any:\n    - { fact: event, path: $.account, operator: equal, value: '333' }\n    - { fact: event, path: $.region, operator: equal, value: eu-west-1 }",
    ),
    scoped(
      'lazy',
      "  all:\n    - { fact: event, path: $.account, operator: equal, value: '111' }\n    - { fact: instance, path: $.state, operator: equal, value: running }",
    ),
    scoped(
      'region-and-account',
      "  all:\n    - { fact: event, path: $.region, operator: equal, value: eu-west-1 }\n    - { fact: event, path: $.account, operator: in, value: ['111', '444'] }",
    ),
    scoped(
      'region-only',
      '  all:\n    - { fact: event, path: $.region, operator: equal, value: eu-west-1 }',
    ),
  ]);
  const call = (account: string, userName: string, region = 'us-east-1') =>
    event({
      name: 'CreateUser',
      account,
      region,
      raw: { userIdentity: { userName, type: 'IAMUser' } },
    });

  it('keeps only the rules whose equal and in conditions the event meets, in pack order', () => {
    expect(ids(candidates(narrowed, call('111', 'alice')))).toEqual([
      'account-a',
      'accounts-ab',
      'not-a',
      'any-of',
      'lazy',
      'region-and-account',
      'region-only',
    ]);
    expect(ids(candidates(narrowed, call('222', 'bob')))).toEqual([
      'accounts-ab',
      'account-b',
      'user-bob',
      'user-bob-too',
      'not-a',
      'any-of',
      'lazy',
      'region-only',
    ]);
    expect(ids(candidates(narrowed, call('999', 'carol')))).toEqual([
      'not-a',
      'any-of',
      'lazy',
      'region-only',
    ]);
  });

  it('files a rule under a guard other rules share rather than give a key to one rule', () => {
    // region-and-account's region is the rarer value, but only it and region-only are
    // filed by region: region-and-account goes under the account key, region-only under none.
    const inRegion = call('999', 'carol', 'eu-west-1');
    expect(ids(candidates(narrowed, inRegion))).toEqual(['not-a', 'any-of', 'lazy', 'region-only']);
  });

  it('matches them itself: the verdicts that fire or fail, in pack order', async () => {
    const event = call('111', 'bob', 'eu-west-1');
    const stubs = { instance: { state: 'running' } };
    const matched = await narrowed.match(event, { stubs });
    expect(matched.map(({ rule, fires }) => [rule.id, fires])).toEqual([
      ['account-a', true],
      ['accounts-ab', true],
      ['user-bob', true],
      ['user-bob-too', true],
      ['any-of', true],
      ['lazy', true],
      ['region-and-account', true],
      ['region-only', true],
    ]);
    const all = await evaluateRules(event, candidates(narrowed, event), { stubs });
    expect(all.find(({ rule }) => rule.id === 'not-a')?.fires).toBe(false);
    expect(matched).toEqual(all.filter(({ fires }) => fires));
    // Without the stub, the lazy rule's fact cannot be read: an error, not a silent miss.
    const [lazy] = (await narrowed.match(event)).filter(({ rule }) => rule.id === 'lazy');
    expect(lazy?.fires).toBe(false);
    expect(lazy?.error).toMatch(/fact instance could not be read/);
    // Explanations go through json-rules-engine, with every condition's result.
    const explained = await narrowed.match(event, { stubs, explain: true });
    expect(explained.map(({ rule }) => rule.id)).toEqual(matched.map(({ rule }) => rule.id));
    expect(explained[0]?.conditions).toMatchObject({ all: [{ result: true }] });
    // Another account and user: only not-a fires among the rules the event can match.
    const other = await narrowed.match(call('999', 'carol'), { stubs });
    expect(other.map(({ rule }) => rule.id)).toEqual(['not-a']);
  });

  it('gives its verdicts at once when every lazy fact read is given, by a stub or the event', async () => {
    const event = call('111', 'bob', 'eu-west-1');
    const stubbed = narrowed.matchNow(event, { stubs: { instance: { state: 'running' } } });
    expect(Array.isArray(stubbed)).toBe(true);
    const given = narrowed.matchNow({ ...event, facts: { instance: { state: 'stopped' } } });
    expect(Array.isArray(given) && given.map(({ rule }) => rule.id)).not.toContain('lazy');
    // Neither a stub nor the event gives it: the verdict waits on the (failing) fetch.
    const fetched = narrowed.matchNow(event);
    expect(fetched).toBeInstanceOf(Promise);
    expect((await fetched).find(({ rule }) => rule.id === 'lazy')?.error).toMatch(/instance/);
  });

  it('reports the work looking an event up takes', () => {
    // Listeners: all 11. Keys: account and user name (region has too few rules for one).
    // Candidates: account-a, accounts-ab, region-and-account (account 111), the rules without
    // a key (not-a, any-of, lazy, region-only), none by user name (alice).
    expect(lookupWork(narrowed, call('111', 'alice'))).toEqual({
      listeners: 11,
      triggerTests: 0,
      prerequisiteKeys: 2,
      candidates: 7,
    });
    // Listeners: any-service-delete and every-call. `match` also evaluates the two rules
    // listening through a trigger's match (denied-calls, root-calls), each testing it first.
    expect(lookupWork(index, event({ name: 'DeleteTrail', raw: { userIdentity: {} } }))).toEqual({
      listeners: 2,
      triggerTests: 2,
      prerequisiteKeys: 0,
      candidates: 4,
    });
  });

  it('finds rules by values first seen after many others (a sparse table)', async () => {
    const forAccount = (name: string, value: string) =>
      scoped(
        `${name.toLowerCase()}-${value}`,
        `  all:\n    - { fact: event, path: $.account, operator: equal, value: '${value}' }`,
        name,
      );
    const many = Array.from({ length: 200 }, (_, i) => forAccount('CreateRole', String(i)));
    const late = ['x', 'y', 'z'].map((value) => forAccount('DeleteRole', value));
    const sparse = new RuleIndex([...many, ...late]);
    const on = (name: string, value: string) => event({ name, account: value });
    // CreateRole's listing is narrowed first, so its 200 values take the first ids.
    expect(ids(candidates(sparse, on('CreateRole', '150')))).toEqual(['createrole-150']);
    expect(ids(candidates(sparse, on('DeleteRole', 'y')))).toEqual(['deleterole-y']);
    expect(ids(candidates(sparse, on('DeleteRole', '150')))).toEqual([]);
    expect(ids(candidates(sparse, on('CreateRole', 'y')))).toEqual([]);
    const [verdict] = await sparse.match(on('DeleteRole', 'z'));
    expect(verdict?.rule.id).toBe('deleterole-z');
  });

  it('still matches once its caches are full of event names seen from outside', async () => {
    const anyCall = (id: string, value: string) =>
      scoped(
        id,
        `  all:\n    - { fact: event, path: $.account, operator: equal, value: '${value}' }`,
        "'*'",
      );
    const bounded = new RuleIndex([anyCall('a-111', '111'), anyCall('b-111', '111')]);
    // 5,000 names: past the bound on cached buckets, later names get lists of their own.
    for (let i = 0; i < 5000; i++) {
      const name = `Call${i}`;
      const fired = await bounded.match(event({ name, account: i % 2 === 0 ? '111' : '222' }));
      expect(fired.map(({ rule }) => rule.id)).toEqual(i % 2 === 0 ? ['a-111', 'b-111'] : []);
    }
  });

  it('keeps no listing for calls no rule names', async () => {
    const named = new RuleIndex([scoped('create-user', '  all: []')]);
    const memo = () => named.listings.memos().find(({ name }) => name === 'cloudtrail listings');
    for (let i = 0; i < 100; i++)
      expect(await named.match(event({ name: `Describe${i}`, account: '111' }))).toEqual([]);
    expect(memo()?.size).toBe(0);
    expect((await named.match(event({ name: 'CreateUser' }))).map(({ rule }) => rule.id)).toEqual([
      'create-user',
    ]);
    expect(memo()?.size).toBe(1);
  });

  it('lists every rule listening, whatever its conditions, for explanations', () => {
    expect(ids(narrowed.listeners(call('999', 'carol')))).toHaveLength(11);
  });
});

describe('log filter patterns', () => {
  it('requires every term, excludes -terms and accepts any of the ?terms', () => {
    const filter = compileLogFilter('sshd "Failed password" -CRON');
    expect(filter.matches('sshd[12]: Failed password for root')).toBe(true);
    expect(filter.matches('sshd[12]: Failed  password for root')).toBe(false);
    expect(filter.matches('CRON sshd Failed password')).toBe(false);
    const anyOf = compileLogFilter('?ERROR ?FATAL');
    expect(anyOf.matches('level=FATAL')).toBe(true);
    expect(anyOf.matches('level=INFO')).toBe(false);
    expect(compileLogFilter('"Task timed out"').terms).toBe(1);
  });

  it('is case-sensitive, as in CloudWatch Logs', () => {
    expect(compileLogFilter('ERROR').matches('error')).toBe(false);
  });

  it('rejects patterns it cannot apply', () => {
    expect(() => compileLogFilter('{ $.level = "ERROR" }')).toThrow(LogFilterSyntaxError);
    expect(() => compileLogFilter('   ')).toThrow('the filter pattern has no terms');
  });
});
