import { describe, expect, it } from 'vitest';
import { evaluateRules, type RuleVerdict } from '../../src/rules/evaluate.js';
import { compileRule, loadRules, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { repoPath } from '../support/files.js';

/** A PutBucketPolicy record, as CloudTrail writes one, with the given policy. */
function putBucketPolicy(bucketPolicy: unknown): StewardEvent {
  return {
    id: 'e-1',
    source: 'cloudtrail',
    name: 'PutBucketPolicy',
    time: '2026-11-20T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    resources: ['example-site-123456789012'],
    raw: {
      eventVersion: '1.10',
      eventTime: '2026-11-20T10:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketPolicy',
      requestParameters: { bucketName: 'example-site-123456789012', bucketPolicy },
      responseElements: null,
    },
    delivery: 'direct',
  };
}

const publicStatement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' };
const privateStatement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 's3:GetObject',
};

const verdictsOf = (verdicts: readonly RuleVerdict[]) =>
  verdicts.map(({ rule, fires, error }) => ({ rule: rule.id, fires, error }));

describe('a rule path meeting null', async () => {
  const rules = await loadRules(repoPath('rules'));
  const madePublic = rules.filter((rule) => rule.id === 's3-bucket-made-public');
  const index = new RuleIndex(madePublic);

  it.each([
    ['a null statement beside a public one', { Statement: [null, publicStatement] }, true],
    [
      'a statement whose Principal is null, beside a public one',
      { Statement: [{ ...publicStatement, Principal: null }, publicStatement] },
      true,
    ],
    ['a null statement beside a private one', { Statement: [null, privateStatement] }, false],
    ['a null Statement', { Version: '2012-10-17', Statement: null }, false],
    ['a null policy', null, false],
    [
      'a statement whose Condition is null',
      { Statement: [{ ...privateStatement, Condition: null }] },
      false,
    ],
    [
      'a public statement with a null member of its Principal list',
      { Statement: [{ ...publicStatement, Principal: { AWS: [null, '*'] } }] },
      true,
    ],
  ])('reads as undefined, not as an error: %s', async (_name, policy, fires) => {
    const event = putBucketPolicy(policy);
    expect(verdictsOf(await evaluateRules(event, madePublic))).toEqual([
      { rule: 's3-bucket-made-public', fires, error: undefined },
    ]);
    expect(verdictsOf(await index.match(event))).toEqual(
      fires ? [{ rule: 's3-bucket-made-public', fires, error: undefined }] : [],
    );
  });

  it('still explains the rule through json-rules-engine, with what each condition saw', async () => {
    const [verdict] = await evaluateRules(
      putBucketPolicy({ Statement: [null, publicStatement] }),
      madePublic,
      {
        explain: true,
      },
    );
    expect(verdict?.error).toBeUndefined();
    expect(verdict?.fires).toBe(true);
  });
});

function rule(id: string, conditions: string) {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n    states: [running]\nconditions:\n${conditions}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

describe('an exception while evaluating one rule', () => {
  // Records come from JSON and hold no getters; a getter that throws stands for any fault in
  // one rule's evaluation.
  const raw = Object.defineProperties(
    { b: 'y' },
    {
      a: {
        enumerable: true,
        get: () => {
          throw new Error('the record could not be read');
        },
      },
    },
  );
  const event: StewardEvent = {
    id: 'e-2',
    source: 'ec2-state',
    name: 'running',
    time: '2026-11-20T10:00:00Z',
    resources: ['i-1'],
    raw,
    delivery: 'eventbridge',
  };
  const rules = [
    rule('reads-a', '  all:\n    - { fact: record, path: $.a, operator: exists, value: true }'),
    rule(
      'reads-a-later',
      '  any:\n    - { fact: record, path: $.b, operator: equal, value: n }\n    - { fact: record, path: $.a, operator: startsWith, value: x }',
    ),
    rule('reads-b', '  all:\n    - { fact: record, path: $.b, operator: equal, value: y }'),
    rule('reads-b-too', '  all:\n    - { fact: record, path: $.b, operator: notEqual, value: z }'),
  ];

  it('is an evaluation error of that rule, and the other rules still give their verdicts', async () => {
    const expected = [
      {
        rule: 'reads-a',
        fires: false,
        error: expect.stringContaining('the record could not be read'),
      },
      {
        rule: 'reads-a-later',
        fires: false,
        error: expect.stringContaining('the record could not be read'),
      },
      { rule: 'reads-b', fires: true, error: undefined },
      { rule: 'reads-b-too', fires: true, error: undefined },
    ];
    expect(verdictsOf(await evaluateRules(event, rules))).toEqual(expected);
    expect(verdictsOf(await new RuleIndex(rules).match(event))).toEqual(expected);
  });
});
