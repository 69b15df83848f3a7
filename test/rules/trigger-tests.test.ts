import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { compileRule } from '../../src/rules/load.js';
import type { RuleDocument, Trigger } from '../../src/rules/rule.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { candidates, lookupWork } from '../../bench/rule-work.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { outcome } from './support.js';

/**
 * `RuleIndex.match` files the rules that listen through a trigger's `match` or filter pattern
 * with the rest of their kind's rules, and tests the record or message only for those their
 * guards let through. These properties hold it to what the plain path decides: the rules whose
 * triggers match the event (`candidates`), each evaluated (`evaluateRules`).
 */

const names = ['CreateUser', 'DeleteTrail'] as const;
const services = ['iam.amazonaws.com', 'cloudtrail.amazonaws.com'] as const;
const groups = ['/var/log/secure', '/aws/lambda/orders'] as const;

const cloudTrailTrigger: fc.Arbitrary<Trigger> = fc.record(
  {
    source: fc.constant('cloudtrail' as const),
    events: fc.oneof(fc.subarray([...names], { minLength: 1 }), fc.constant<string[]>(['*'])),
    eventSource: fc.constantFrom(...services),
    includeFailedCalls: fc.boolean(),
    match: fc.constantFrom<Record<string, string[]>>(
      { 'userIdentity.type': ['Root'] },
      { 'userIdentity.type': ['Root', 'IAM*'] },
      { errorCode: ['AccessDenied*', '*Unauthorized'] },
    ),
  },
  { requiredKeys: ['source', 'events'] },
);

const logTrigger: fc.Arbitrary<Trigger> = fc.record(
  {
    source: fc.constant('cloudwatch-logs' as const),
    logGroups: fc.constantFrom<string[]>(['/var/log/secure'], ['/aws/lambda/*'], [...groups]),
    filter: fc.constantFrom('"Failed password" -CRON', '?ERROR ?FATAL', 'sshd'),
  },
  { requiredKeys: ['source', 'logGroups'] },
);

const awsSources = ['aws.guardduty', 'aws.securityhub'] as const;
const detailTypes = ['GuardDuty Finding', 'Security Hub Findings - Imported'] as const;

const eventBridgeTrigger: fc.Arbitrary<Trigger> = fc.record(
  {
    source: fc.constant('eventbridge' as const),
    sources: fc.subarray([...awsSources], { minLength: 1 }),
    detailTypes: fc.subarray([...detailTypes], { minLength: 1 }),
    match: fc.constantFrom<Record<string, string[]>>(
      { 'detail.findings.Compliance.Status': ['FAILED'] },
      { 'detail.severity': ['8'], 'detail.type': ['CryptoCurrency:*'] },
      { 'detail.type': ['*SSHBruteForce'] },
    ),
  },
  { requiredKeys: ['source', 'sources', 'detailTypes'] },
);

const condition = (fact: string, path: string, operator: string, value: unknown) => ({
  fact,
  path,
  operator,
  value,
});

/** Conditions with guards the index files rules under, and some it cannot run as a program. */
const conditions = fc.constantFrom(
  { all: [] },
  { all: [condition('event', '$.account', 'equal', '111')] },
  { all: [condition('event', '$.account', 'in', ['111', '222'])] },
  {
    all: [
      condition('event', '$.account', 'equal', '222'),
      condition('record', '$.userIdentity.userName', 'equal', 'bob'),
    ],
  },
  {
    any: [
      condition('event', '$.account', 'equal', '333'),
      condition('event', '$.region', 'equal', 'eu-west-1'),
    ],
  },
  // A lazy fact: evaluated outside the programs, and an error when it is not stubbed.
  {
    all: [
      condition('event', '$.account', 'equal', '111'),
      condition('instance', '$.state', 'equal', 'running'),
    ],
  },
  // A condition json-rules-engine alone evaluates (a path it does not compile).
  { all: [condition('record', '$..userName', 'equal', 'bob')] },
);

const ruleArbitrary = fc.record({
  triggers: fc.array(fc.oneof(cloudTrailTrigger, logTrigger, eventBridgeTrigger), {
    minLength: 1,
    maxLength: 2,
  }),
  conditions,
});

const eventArbitrary: fc.Arbitrary<StewardEvent> = fc.oneof(
  fc
    .record({
      name: fc.constantFrom(...names, 'StopLogging'),
      eventSource: fc.constantFrom(...services),
      account: fc.constantFrom('111', '222', '333'),
      region: fc.constantFrom('us-east-1', 'eu-west-1'),
      type: fc.constantFrom('Root', 'IAMUser', 'AssumedRole'),
      userName: fc.constantFrom('bob', 'carol'),
      errorCode: fc.option(fc.constantFrom('AccessDenied', 'Client.Unauthorized', 'Throttling')),
    })
    .map(({ errorCode, type, userName, ...fields }): StewardEvent => ({
      ...fields,
      id: 'e-1',
      source: 'cloudtrail',
      time: '2026-11-20T10:00:00Z',
      resources: [],
      ...(errorCode === null ? {} : { error: { code: errorCode } }),
      raw: { userIdentity: { type, userName }, ...(errorCode === null ? {} : { errorCode }) },
      delivery: 'direct',
    })),
  fc
    .record({
      name: fc.constantFrom(...groups, '/aws/ecs/orders'),
      account: fc.constantFrom('111', '222', '333'),
      message: fc.constantFrom(
        'sshd[1]: Failed password for root',
        'CRON: Failed password',
        'app: ERROR timeout',
        'app: INFO ok',
      ),
    })
    .map(({ message, ...fields }): StewardEvent => ({
      ...fields,
      id: 'e-1',
      source: 'cloudwatch-logs',
      time: '2026-11-20T10:00:00Z',
      resources: [],
      raw: { message },
      delivery: 'direct',
    })),
  fc
    .record({
      eventSource: fc.constantFrom(...awsSources),
      name: fc.constantFrom(...detailTypes, 'AWS Health Event'),
      account: fc.constantFrom('111', '222', '333'),
      type: fc.constantFrom(
        'CryptoCurrency:EC2/BitcoinTool.B!DNS',
        'UnauthorizedAccess:EC2/SSHBruteForce',
      ),
      severity: fc.constantFrom(8, 2, '8'),
      statuses: fc.subarray(['FAILED', 'PASSED']),
    })
    .map(({ type, severity, statuses, ...fields }): StewardEvent => ({
      ...fields,
      id: 'e-1',
      source: 'eventbridge',
      time: '2026-11-20T10:00:00Z',
      resources: [],
      raw: {
        detail: {
          type,
          severity,
          findings: statuses.map((Status) => ({ Compliance: { Status } })),
        },
      },
      delivery: 'eventbridge',
    })),
);

function document(id: string, rule: { triggers: Trigger[]; conditions: object }): RuleDocument {
  return {
    id,
    description: 'random',
    kind: 'audit',
    severity: 'low',
    triggers: rule.triggers,
    conditions: rule.conditions as RuleDocument['conditions'],
    actions: [],
  };
}

describe('rules listening through a trigger test', () => {
  it('are matched exactly as their candidates evaluate, whatever the events before', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArbitrary, { minLength: 1, maxLength: 12 }),
        fc.array(eventArbitrary, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (rules, events, stubbed) => {
          const compiled = rules.map((rule, i) =>
            compileRule(document(`r${i}`, rule), 'random.yaml'),
          );
          const index = new RuleIndex(compiled);
          const stubs = stubbed ? { instance: { state: 'running' } } : {};
          // One index for every event: listings and their blocks are shared once made.
          for (const event of events) {
            const expected = outcome(
              await evaluateRules(event, candidates(index, event), { stubs }),
            );
            expect(outcome(await index.match(event, { stubs }))).toEqual(expected);
            const work = lookupWork(index, event);
            expect(work.listeners).toBe(index.listeners(event).length);
            expect(work.triggerTests).toBeLessThanOrEqual(work.candidates);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('test the record only for the rules their guards let through', async () => {
    const scoped = (id: string, account: string, match: Record<string, string[]>) =>
      compileRule(
        document(id, {
          triggers: [{ source: 'cloudtrail', events: ['CreateUser'], match }],
          conditions: { all: [condition('event', '$.account', 'equal', account)] },
        }),
        'scoped.yaml',
      );
    const rules = [
      scoped('root-111', '111', { 'userIdentity.type': ['Root'] }),
      scoped('root-111-too', '111', { 'userIdentity.type': ['Root'] }),
      scoped('user-111', '111', { 'userIdentity.type': ['IAMUser'] }),
      scoped('root-222', '222', { 'userIdentity.type': ['Root'] }),
      scoped('root-222-too', '222', { 'userIdentity.type': ['Root'] }),
      scoped('user-222', '222', { 'userIdentity.type': ['IAMUser'] }),
    ];
    const index = new RuleIndex(rules);
    const call = (account: string, type: string): StewardEvent => ({
      id: 'e-1',
      source: 'cloudtrail',
      name: 'CreateUser',
      time: '2026-11-20T10:00:00Z',
      resources: [],
      account,
      raw: { userIdentity: { type } },
      delivery: 'direct',
    });
    const fired = async (event: StewardEvent) =>
      (await index.match(event)).map(({ rule }) => rule.id);
    expect(await fired(call('111', 'Root'))).toEqual(['root-111', 'root-111-too']);
    expect(await fired(call('222', 'IAMUser'))).toEqual(['user-222']);
    expect(await fired(call('333', 'Root'))).toEqual([]);
    // Every rule listens through a test (the four Root rules pass theirs); the account key
    // lets three rules through, each tested.
    expect(lookupWork(index, call('111', 'Root'))).toEqual({
      listeners: 4,
      triggerTests: 3,
      prerequisiteKeys: 1,
      candidates: 3,
    });
    expect(lookupWork(index, call('333', 'Root'))).toMatchObject({
      triggerTests: 0,
      candidates: 0,
    });
  });
});
