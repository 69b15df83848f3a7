import fc from 'fast-check';
import { Almanac, Engine, type TopLevelCondition } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { lazyFacts } from '../../src/facts/catalog.js';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { eventFacts } from '../../src/rules/facts.js';
import { compileRule } from '../../src/rules/load.js';
import { operatorNames, Operators } from '../../src/rules/conditions/operators.js';
import { engineOperators } from '../../src/rules/engine.js';
import type { NamedLists } from '../../src/rules/lists.js';
import type { RuleDocument } from '../../src/rules/rule.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { candidates } from '../../bench/rule-work.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';

const lists: NamedLists = new Map([['people', new Set(['x', 'arn:aws:iam::1:user/a'])]]);

const scalar = fc.constantFrom<unknown>(
  'x',
  'y',
  '',
  'arn:aws:iam::1:user/a',
  '10.0.0.1',
  '0.0.0.0/0',
  '2020-01-01T00:00:00Z',
  0,
  1,
  2.5,
  -1,
  true,
  false,
  null,
);
const keys = fc.constantFrom('a', 'b', 'c', '*', '0');
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const paths = fc.constantFrom(
  undefined,
  '',
  '$.a',
  '$.b',
  '$.a.b',
  '$.a[0]',
  '$.a[*]',
  '$.a[*].b',
  '$.*',
  '$.a.*',
  '$.a.length',
  '$.a.b[*]',
  '$.*.b',
  '$.a[1].c',
  '$.name',
  '$.raw',
  "$['a']",
  '$..a',
);
const baseOperators = [...operatorNames].filter((name) => !name.includes(':'));
const operators = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...baseOperators) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('not', 'someFact', 'everyFact', 'someValue', 'swap'),
        fc.constantFrom(...baseOperators),
      )
      .map(([decorator, operator]) => `${decorator}:${operator}`),
  },
);
const values = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.constantFrom<unknown>('^x', 'a|y', '(', '*a*', ['10.0.0.0/8'], '1d', '100000d', 'people', {
    fact: 'record',
    path: '$.a',
  }),
);

const plainLeaf = fc.record({
  fact: fc.constantFrom('event', 'record', 'event', 'record', 'instance'),
  path: paths,
  operator: operators,
  value: values,
});
// A priority makes json-rules-engine evaluate in stages; steward leaves those rules to it.
const leaf = fc.oneof(
  { weight: 9, arbitrary: plainLeaf },
  {
    weight: 1,
    arbitrary: fc
      .tuple(plainLeaf, fc.constantFrom(1, 2))
      .map(([condition, priority]) => ({ ...condition, priority })),
  },
);
/** An equality or prefix steward can look rules up by, when the rest of the rule cannot fail. */
const guardLeaf = fc.record({
  fact: fc.constantFrom('event', 'record'),
  path: fc.constantFrom('$.a', '$.b', '$.a.b', '$.a[0]', '$.a[*]'),
  operator: fc.constantFrom('equal', 'in', 'startsWith'),
  value: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })),
});
const safeLeaf = fc.record({
  fact: fc.constantFrom('event', 'record'),
  path: fc.constantFrom('$.a', '$.b', '$.c', '$.a[*]'),
  operator: fc.constantFrom('equal', 'notEqual', 'startsWith', 'exists', 'not:equal', 'lessThan'),
  value: scalar,
});

const condition: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: leaf },
    fc.record({ all: fc.array(tie('node'), { maxLength: 4 }) }),
    fc.record({ any: fc.array(tie('node'), { maxLength: 4 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const topLevel = fc.oneof(
  fc
    .tuple(guardLeaf, fc.array(fc.oneof(guardLeaf, safeLeaf), { maxLength: 3 }))
    .map(([guard, rest]) => ({ all: [guard, ...rest] })),
  fc.record({ all: fc.array(condition, { maxLength: 5 }) }),
  fc.record({ any: fc.array(condition, { maxLength: 5 }) }),
  fc.record({ not: condition }),
) as fc.Arbitrary<TopLevelCondition>;

/** Objects whose fields are mostly scalars, so conditions often see the values they compare with. */
const fieldsLike = (() => {
  const field = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: json });
  return fc.record({ a: field, b: field, c: field }, { requiredKeys: [] });
})();
const eventArbitrary = fc
  .record({
    fields: fieldsLike,
    raw: fc.oneof({ weight: 3, arbitrary: fieldsLike }, { weight: 1, arbitrary: json }),
    instance: json,
  })
  .map(({ fields, raw, instance }) => ({
    event: {
      ...fields,
      id: 'e-1',
      source: 'ec2-state',
      name: 'running',
      time: '2025-01-01T00:00:00.000Z',
      resources: ['i-1'],
      raw,
      delivery: 'eventbridge',
    } as StewardEvent,
    instance,
  }));

function ruleDocument(id: string, conditions: TopLevelCondition): RuleDocument {
  return {
    id,
    description: 'random',
    kind: 'audit',
    severity: 'low',
    triggers: [{ source: 'ec2-state', states: ['running'] }],
    conditions,
    actions: [],
  };
}

async function engineFires(
  documents: RuleDocument[],
  event: StewardEvent,
  stubs: Record<string, unknown>,
): Promise<string[] | 'error'> {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const operator of engineOperators(new Operators(lists))) engine.addOperator(operator);
  for (const document of documents) {
    engine.addRule({
      name: document.id,
      conditions: document.conditions as TopLevelCondition,
      event: { type: document.id },
    });
  }
  const almanac = new Almanac({ allowUndefinedFacts: false });
  for (const [name, value] of Object.entries(eventFacts(event)))
    almanac.addRuntimeFact(name, value);
  for (const fact of lazyFacts.values()) {
    almanac.addFact(fact.name, () =>
      Object.hasOwn(stubs, fact.name)
        ? stubs[fact.name]
        : Promise.reject(new Error(`fact ${fact.name} is not stubbed`)),
    );
  }
  try {
    const { results } = await engine.run({}, { almanac });
    return results.map((result) => result.name as string).sort();
  } catch {
    return 'error';
  }
}

describe('steward evaluation', () => {
  it('fires exactly the rules a plain json-rules-engine run fires', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(topLevel, { minLength: 1, maxLength: 6 }),
        eventArbitrary,
        fc.boolean(),
        async (conditions, { event, instance }, stubbed) => {
          const documents = conditions.map((tree, i) => ruleDocument(`r${i}`, tree));
          // Frozen: evaluation keeps what it compiles in its pack, never on the rules.
          const rules = documents.map((document) =>
            Object.freeze(compileRule(document, 'random.yaml', lists)),
          );
          const stubs: Record<string, unknown> = stubbed ? { instance: instance ?? null } : {};
          // Through the index, so listings and their narrowing by index prerequisites are
          // exercised too, and the index's own evaluation (checks that leave out the
          // prerequisite looked up) must fire and fail exactly those.
          const index = new RuleIndex(rules);
          const verdicts = await evaluateRules(event, candidates(index, event), { stubs });
          const matched = await index.match(event, { stubs });
          expect(matched.map(({ rule, fires, error }) => [rule.id, fires, error])).toEqual(
            verdicts
              .filter(({ fires, error }) => fires || error !== undefined)
              .map(({ rule, fires, error }) => [rule.id, fires, error]),
          );
          const ours = verdicts.some((verdict) => verdict.error !== undefined)
            ? 'error'
            : verdicts
                .filter((verdict) => verdict.fires)
                .map((verdict) => verdict.rule.id)
                .sort();
          expect(ours).toEqual(await engineFires(documents, event, stubs));
          // json-rules-engine on every rule (explain): the same verdicts, and every rule the
          // index left out is one that neither fires nor fails.
          const explained = await evaluateRules(event, rules, { stubs, explain: true });
          expect(
            explained.map((verdict) => [verdict.rule.id, verdict.fires, verdict.error]),
          ).toEqual(
            rules.map((rule) => {
              const verdict = verdicts.find((candidate) => candidate.rule === rule);
              return [rule.id, verdict?.fires ?? false, verdict?.error];
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives each event of a stream what a fresh evaluation gives, its memos shared', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(topLevel, { minLength: 1, maxLength: 6 }),
        fc.array(eventArbitrary, { minLength: 2, maxLength: 8 }),
        async (conditions, events) => {
          const rules = conditions.map((tree, i) =>
            compileRule(ruleDocument(`r${i}`, tree), 'random.yaml', lists),
          );
          const index = new RuleIndex(rules);
          for (const { event, instance } of events) {
            const stubs = { instance: instance ?? null };
            const fresh = await evaluateRules(event, rules, { stubs });
            const matched = await index.match(event, { stubs });
            expect(matched.map(({ rule, fires, error }) => [rule.id, fires, error])).toEqual(
              fresh
                .filter(({ fires, error }) => fires || error !== undefined)
                .map(({ rule, fires, error }) => [rule.id, fires, error]),
            );
          }
          const counts = index.pack.memos();
          expect(counts.map(({ name }) => name)).toContain('conditions');
          for (const { hits, misses, size } of counts)
            expect(size).toBeLessThanOrEqual(misses + hits);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shares one condition between in lists that differ only in order, never across types', async () => {
    const inList = (id: string, value: unknown[]) =>
      compileRule(
        ruleDocument(id, {
          all: [{ fact: 'event', path: '$.region', operator: 'in', value }],
        } as TopLevelCondition),
        'in.yaml',
        lists,
      );
    const rules = [
      inList('ab', ['eu-west-1', 'us-east-1']),
      inList('ba', ['us-east-1', 'eu-west-1']),
      inList('aba', ['eu-west-1', 'us-east-1', 'eu-west-1']),
      inList('number', [1, 2]),
      inList('text', ['1', '2']),
    ];
    const fired = async (region: unknown) => {
      const event = {
        id: 'e-1',
        source: 'ec2-state',
        name: 'running',
        time: '2025-01-01T00:00:00.000Z',
        resources: ['i-1'],
        region,
        raw: {},
        delivery: 'eventbridge',
      } as StewardEvent;
      const verdicts = await evaluateRules(event, rules);
      return verdicts.filter(({ fires }) => fires).map(({ rule }) => rule.id);
    };
    expect(await fired('us-east-1')).toEqual(['ab', 'ba', 'aba']);
    expect(await fired('eu-west-1')).toEqual(['ab', 'ba', 'aba']);
    expect(await fired('sa-east-1')).toEqual([]);
    expect(await fired(1)).toEqual(['number']);
    expect(await fired('1')).toEqual(['text']);
  });
});
