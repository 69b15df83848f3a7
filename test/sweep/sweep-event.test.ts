import { describe, expect, it } from 'vitest';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import type { ScheduleTrigger } from '../../src/rules/rule.js';
import { decodeDocument } from '../../src/sources/index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { periodStart, SweepPeriodError, sweepPeriodMs } from '../../src/sweep/period.js';
import { resourceQueries } from '../../src/sweep/queries.js';
import { sweepEvent, sweepEventId } from '../../src/sweep/sweep-event.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

function trigger(schedule: string, period?: string): ScheduleTrigger {
  return {
    source: 'schedule',
    schedule,
    resources: 'ec2-instances',
    ...(period === undefined ? {} : { period }),
  };
}

function rule(id: string, triggers: string) {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n${triggers}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const instance = {
  InstanceId: 'i-0123456789abcdef0',
  InstanceType: 't3.micro',
  LaunchTime: '2024-03-14T09:26:53Z',
  State: { Name: 'running' },
  MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' },
  SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0' }],
  Tags: [{ Key: 'Name', Value: 'web-1' }],
};

const document = {
  sweep: { rule: 'owners', periodStart: '2026-12-01T00:00:00.000Z' },
  kind: 'ec2-instances',
  account: '123456789012',
  region: 'us-east-1',
  time: '2026-12-01T06:00:00Z',
  described: instance,
};

describe('a sweep period', () => {
  it('is the trigger period, else the rate, else a day for cron', () => {
    expect(sweepPeriodMs(trigger('rate(6 hours)', '7d'))).toBe(7 * dayMs);
    expect(sweepPeriodMs(trigger('rate(6 hours)', '30m'))).toBe(30 * 60_000);
    expect(sweepPeriodMs(trigger('rate(6 hours)'))).toBe(6 * hourMs);
    expect(sweepPeriodMs(trigger('rate(1 minute)'))).toBe(60_000);
    expect(sweepPeriodMs(trigger('rate(2 days)'))).toBe(2 * dayMs);
    expect(sweepPeriodMs(trigger('cron(0 6 * * ? *)'))).toBe(dayMs);
  });

  it('that cannot be read is an error naming it', () => {
    expect(() => sweepPeriodMs(trigger('rate(1 day)', '1w'))).toThrow(
      new SweepPeriodError(
        'period "1w": expected a whole number of minutes, hours or days (30m, 1h, 7d)',
      ),
    );
    expect(() => sweepPeriodMs(trigger('rate(1 fortnight)'))).toThrow(
      'schedule "rate(1 fortnight)": expected rate(N minutes|hours|days) or cron(…)',
    );
    expect(() => sweepPeriodMs(trigger('rate(1 day)', '0h'))).toThrow(
      'period 0h: a period cannot be empty',
    );
  });

  it('starts at a multiple of its length since the epoch, the same for every sweep in it', () => {
    const first = periodStart(new Date('2026-12-01T06:00:00Z'), dayMs);
    expect(first).toBe('2026-12-01T00:00:00.000Z');
    expect(periodStart(new Date('2026-12-01T23:59:59.999Z'), dayMs)).toBe(first);
    expect(periodStart(new Date('2026-12-02T00:00:00Z'), dayMs)).toBe('2026-12-02T00:00:00.000Z');
    expect(periodStart(new Date('2026-12-01T06:59:00Z'), 6 * hourMs)).toBe(
      '2026-12-01T06:00:00.000Z',
    );
  });
});

describe('a sweep event', () => {
  const query = resourceQueries.get('ec2-instances');
  if (!query) throw new Error('no ec2-instances query');
  const scope = {
    rule: 'owners',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-12-01T06:00:00.000Z',
    periodStart: '2026-12-01T00:00:00.000Z',
  };

  it('carries the resource, where it was found, the sweep, and its fact', () => {
    const event = sweepEvent(query, query.found(instance), scope);
    expect(event).toEqual({
      id: 'sweep:owners:123456789012:us-east-1:i-0123456789abcdef0:2026-12-01T00:00:00.000Z',
      source: 'sweep',
      name: 'ec2-instances',
      time: scope.time,
      account: '123456789012',
      region: 'us-east-1',
      resources: ['i-0123456789abcdef0'],
      raw: instance,
      delivery: 'sweep',
      sweep: { rule: 'owners', periodStart: scope.periodStart },
      facts: {
        instance: expect.objectContaining({
          instanceId: 'i-0123456789abcdef0',
          tags: { Name: 'web-1' },
          launchTime: '2024-03-14T09:26:53.000Z',
          metadataOptions: { httpTokens: 'optional', httpEndpoint: 'enabled' },
          securityGroups: ['sg-0123456789abcdef0'],
        }) as unknown,
      },
    });
  });

  it('has the same id within a period, and another in the next or elsewhere', () => {
    const id = sweepEventId(scope, 'i-1');
    expect(sweepEventId({ ...scope }, 'i-1')).toBe(id);
    expect(sweepEventId({ ...scope, periodStart: '2026-12-02T00:00:00.000Z' }, 'i-1')).not.toBe(id);
    expect(sweepEventId({ ...scope, region: 'eu-west-1' }, 'i-1')).not.toBe(id);
    expect(sweepEventId({ ...scope, account: '222233334444' }, 'i-1')).not.toBe(id);
    expect(sweepEventId({ ...scope, rule: 'other' }, 'i-1')).not.toBe(id);
    expect(sweepEventId(scope, 'i-2')).not.toBe(id);
  });

  it('names a log group and a trail where their actions look for them', () => {
    const logGroups = resourceQueries.get('log-groups');
    const trails = resourceQueries.get('trails');
    if (!logGroups || !trails) throw new Error('queries missing');
    const group = sweepEvent(logGroups, logGroups.found({ logGroupName: '/app/web' }), scope);
    expect(group.request).toEqual({ logGroupName: '/app/web' });
    expect(group.facts).toEqual({
      logGroup: {
        name: '/app/web',
        retentionInDays: undefined,
        kmsKeyId: undefined,
        storedBytes: undefined,
        creationTime: undefined,
      },
    });
    const trail = sweepEvent(
      trails,
      trails.found({ Name: 'org', TrailStatus: { IsLogging: false } }),
      scope,
    );
    expect(trail.request).toEqual({ name: 'org' });
    expect(trail.facts?.trail).toEqual(expect.objectContaining({ name: 'org', isLogging: false }));
  });
});

describe('a sweep event in a file', () => {
  it('decodes from the operator, with the fact mapped from what was described', () => {
    const { events, errors } = decodeDocument(document, 'sweep.json');
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]?.id).toBe(
      'sweep:owners:123456789012:us-east-1:i-0123456789abcdef0:2026-12-01T00:00:00.000Z',
    );
    expect(events[0]?.facts?.instance).toEqual(
      expect.objectContaining({ state: 'running', tags: { Name: 'web-1' } }),
    );
  });

  it('takes the start of its day as the period when none is given', () => {
    const { events } = decodeDocument(
      { ...document, sweep: { rule: 'owners' }, time: '2026-12-03T17:00:00Z' },
      'sweep.json',
    );
    expect(events[0]?.sweep).toEqual({ rule: 'owners', periodStart: '2026-12-03T00:00:00.000Z' });
  });

  it('is refused from a Lambda payload, an SNS message or an SQS body', () => {
    const direct = decodeDocument(document, 'lambda event', { origin: 'aws' });
    expect(direct.events).toEqual([]);
    expect(direct.errors).toEqual([
      {
        where: 'lambda event',
        message: expect.stringMatching(
          /^a sweep event is made by steward's own describe calls and believed only from a local file or a rule test/,
        ) as unknown,
      },
    ]);
    const wrapped = decodeDocument(
      { Records: [{ eventSource: 'aws:sqs', body: JSON.stringify(document) }] },
      'local file',
    );
    expect(wrapped.events).toEqual([]);
    expect(wrapped.errors[0]?.where).toBe('local file: Records[0].body');
    expect(wrapped.errors[0]?.message).toMatch(/^a sweep event is made by steward's own/);
  });

  it.each([
    [{ sweep: { rule: '' } }, 'sweep event: sweep.rule: expected the id of the rule that swept'],
    [
      { kind: 'buckets' },
      'sweep event: kind: expected one of ec2-instances, security-groups, log-groups, trails; got a string',
    ],
    [{ account: '1234' }, 'sweep event: account: expected a 12-digit account id; got a string'],
    [
      { region: 'mars' },
      'sweep event: region: expected a region name such as us-east-1; got a string',
    ],
    [{ time: 'yesterday' }, 'sweep event: time: expected an ISO 8601 time; got a string'],
    [
      { sweep: { rule: 'owners', periodStart: '2026-12-02T00:00:00Z' } },
      'sweep event: sweep.periodStart: expected an ISO 8601 time no later than time; got a string',
    ],
    [
      { described: { InstanceType: 't3.micro' } },
      'sweep event: described: not one of ec2-instances as described: InstanceId is not a non-empty string',
    ],
    [
      { described: { InstanceId: 'i-0123456789abcdef0', Tags: 'Owner=alice' } },
      expect.stringMatching(
        /^sweep event: described: not one of ec2-instances as described: .*flatMap/,
      ) as unknown,
    ],
    [
      { kind: 'trails', described: { Name: 'org' } },
      'sweep event: described: not one of trails as described: TrailStatus is not an object',
    ],
  ])('that is wrong (%j) says what and where', (change, message) => {
    const { events, errors } = decodeDocument({ ...document, ...change }, 'sweep.json');
    expect(events).toEqual([]);
    expect(errors).toEqual([{ where: 'sweep.json', message }]);
  });
});

describe('the listing of a sweep event', () => {
  const index = new RuleIndex([
    rule(
      'owners',
      "  - source: schedule\n    schedule: 'rate(1 day)'\n    resources: ec2-instances",
    ),
    rule(
      'imdsv2',
      "  - source: schedule\n    schedule: 'rate(1 day)'\n    resources: ec2-instances",
    ),
    rule(
      'retention',
      "  - source: schedule\n    schedule: 'rate(1 day)'\n    resources: log-groups",
    ),
    rule('running', '  - source: ec2-state\n    states: [running]'),
  ]);
  const decoded = (change: object): StewardEvent => {
    const { events, errors } = decodeDocument({ ...document, ...change }, 'sweep.json');
    if (!events[0]) throw new Error(JSON.stringify(errors));
    return events[0];
  };

  it('holds the rule that swept, and no other rule sweeping the same kind', () => {
    const listeners = index.listeners(decoded({}));
    expect(listeners.map((listed) => listed.id)).toEqual(['owners']);
    const other = index.listeners(decoded({ sweep: { rule: 'imdsv2' } }));
    expect(other.map((listed) => listed.id)).toEqual(['imdsv2']);
  });

  it('is empty for a rule that does not sweep that kind, or no rule at all', () => {
    expect(index.listeners(decoded({ sweep: { rule: 'retention' } }))).toEqual([]);
    expect(index.listeners(decoded({ sweep: { rule: 'running' } }))).toEqual([]);
    expect(index.listeners(decoded({ sweep: { rule: 'nobody' } }))).toEqual([]);
  });

  it('fires the rule through the described instance, without any AWS call', async () => {
    const owners = compileRule(
      parseRuleTextOrThrow(
        "id: owners\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n  - source: schedule\n    schedule: 'rate(1 day)'\n    resources: ec2-instances\nconditions:\n  all:\n    - fact: instance\n      path: $.tags.Owner\n      operator: absent\n      value: true\nactions:\n  - action: audit.record\n",
      ),
      'owners.yaml',
    );
    const verdicts = await new RuleIndex([owners]).match(decoded({}));
    expect(verdicts.map((verdict) => [verdict.rule.id, verdict.fires, verdict.error])).toEqual([
      ['owners', true, undefined],
    ]);
  });
});

function parseRuleTextOrThrow(text: string) {
  const loaded = parseRuleText(text, 'owners.yaml');
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return loaded.rule;
}
