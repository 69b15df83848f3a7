import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { compileRule } from '../../src/rules/load.js';
import type { RuleDocument } from '../../src/rules/rule.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { lookupWork } from '../../bench/rule-work.js';
import { outcome, stewardEvent } from './support.js';

const prefixes = ['', 'a', 'ab', 'abc', 'b', 'arn:aws:sts::1:assumed-role/Admin/'];

/** A rule filed under a prefix of `a` (or of each of its elements), maybe with another check. */
interface PrefixRule {
  fact: string;
  path: string;
  prefix: string;
  also: string | undefined;
}

const ruleArbitrary: fc.Arbitrary<PrefixRule> = fc.record({
  fact: fc.constantFrom('event', 'record'),
  path: fc.constantFrom('$.a', '$.a[*]'),
  prefix: fc.constantFrom(...prefixes),
  also: fc.constantFrom(undefined, 'x', 'y'),
});

const valueArbitrary = fc.constantFrom<unknown>(
  'abc',
  'abd',
  'ab',
  'a',
  'b',
  'x',
  '',
  'arn:aws:sts::1:assumed-role/Admin/session',
  ['x', 'abd'],
  ['b', 'abc'],
  [],
  5,
  null,
  undefined,
);

function document(id: string, rule: PrefixRule): RuleDocument {
  const condition = (path: string, operator: string, value: unknown) => ({
    fact: rule.fact,
    path,
    operator,
    value,
  });
  return {
    id,
    description: 'random',
    kind: 'audit',
    severity: 'low',
    triggers: [{ source: 'cloudtrail', events: ['CreateUser'] }],
    conditions: {
      all: [
        condition(rule.path, 'startsWith', rule.prefix),
        ...(rule.also === undefined ? [] : [condition('$.b', 'equal', rule.also)]),
      ],
    } as RuleDocument['conditions'],
    actions: [],
  };
}

describe('narrowing by prefix', () => {
  it('fires exactly the rules every listener evaluated fires', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ruleArbitrary, { minLength: 3, maxLength: 14 }),
        fc.array(fc.record({ a: valueArbitrary, b: fc.constantFrom('x', 'y') }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (rules, values) => {
          const index = new RuleIndex(
            rules.map((rule, i) => compileRule(document(`r${i}`, rule), 'random.yaml')),
          );
          for (const fields of values) {
            const event = stewardEvent({ name: 'CreateUser', ...fields, raw: fields });
            const every = await evaluateRules(event, index.listeners(event));
            expect(outcome(await index.match(event))).toEqual(outcome(every));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches only the rules whose prefix the value starts with', () => {
    const rule = (id: string, prefix: string) =>
      compileRule(
        document(id, { fact: 'event', path: '$.a', prefix, also: undefined }),
        'prefix.yaml',
      );
    const roles = ['Admin', 'Developer', 'ReadOnly', 'Audit'];
    const index = new RuleIndex(
      roles.map((role) => rule(role, `arn:aws:sts::1:assumed-role/${role}/`)),
    );
    const event = stewardEvent({
      name: 'CreateUser',
      a: 'arn:aws:sts::1:assumed-role/ReadOnly/session',
    } as never);
    expect(lookupWork(index, event)).toMatchObject({ listeners: 4, candidates: 1 });
  });
});
