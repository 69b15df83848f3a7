import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { steward } from '../cli/support.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import type { NamedLists } from '../../src/rules/lists.js';
import { compileRulePack, rulePackFormat } from '../../src/rules/pack.js';
import { formatProblem } from '../../src/rules/problems.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { candidates, lookupWork } from '../../bench/rule-work.js';
import { outOfScope } from '../../src/rules/scope.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { stewardEvent } from './support.js';

const lists: NamedLists = new Map([
  ['prod-accounts', new Set(['111122223333', '444455556666'])],
  ['eu-regions', new Set(['eu-west-1', 'eu-central-1'])],
  ['mixed', new Set(['111122223333', 'not-an-account'])],
]);

function ruleText(id: string, extra: string, trigger = "events: ['*']"): string {
  return [
    `id: ${id}`,
    'description: test',
    'kind: audit',
    'severity: low',
    extra,
    'triggers:',
    `  - source: cloudtrail`,
    `    ${trigger}`,
    'actions:',
    '  - action: audit.record',
    '',
  ].join('\n');
}

function rule(id: string, extra: string, trigger?: string) {
  const loaded = parseRuleText(ruleText(id, extra, trigger), `${id}.yaml`, lists);
  if (!loaded.rule) throw new Error(loaded.problems.map(formatProblem).join('; '));
  expect(loaded.problems).toEqual([]);
  return compileRule(loaded.rule, `${id}.yaml`, lists);
}

function problems(extra: string): string[] {
  return parseRuleText(ruleText('rule-r', extra), 'r.yaml', lists).problems.map(formatProblem);
}

/** A CloudTrail event of a production account in us-east-1, by the root user. */
function event(overrides: Partial<StewardEvent>): StewardEvent {
  return stewardEvent({
    name: 'CreateBucket',
    account: '111122223333',
    region: 'us-east-1',
    raw: { userIdentity: { type: 'Root' } },
    ...overrides,
  });
}

const ids = (found: readonly { rule?: { id: string }; id?: string }[]) =>
  found.map((item) => item.rule?.id ?? item.id);

describe('a rule scope in the rule file', () => {
  it('accepts account ids, region names and named lists', () => {
    const scoped = rule(
      'scoped',
      "scope:\n  accounts: ['999988887777', prod-accounts]\n  regions: [us-east-1, eu-regions]",
    );
    expect([...(scoped.scope?.accounts ?? [])]).toEqual([
      '999988887777',
      '111122223333',
      '444455556666',
    ]);
    expect([...(scoped.scope?.regions ?? [])]).toEqual(['us-east-1', 'eu-west-1', 'eu-central-1']);
  });

  it('reports an account id that is not 12 digits where it stands', () => {
    expect(problems("scope:\n  accounts: ['12345']")).toEqual([
      'r.yaml:6:14: scope.accounts: "12345" is not an account id (12 digits)',
    ]);
  });

  it('reports an unquoted account id, which YAML reads as a number', () => {
    expect(problems('scope:\n  accounts: [012345678901]')).toEqual([
      "r.yaml:6:14: scope.accounts[0] must be string: quote account ids ('012345678901'), or YAML reads them as numbers",
    ]);
  });

  it('reports an entry that is neither a literal nor a known list', () => {
    expect(problems('scope:\n  regions: [us-east1, EU]')).toEqual([
      'r.yaml:6:13: scope.regions: "us-east1" is neither a region name (like us-east-1) nor a named list; lists defined: prod-accounts, eu-regions, mixed',
      'r.yaml:6:23: scope.regions: "EU" is neither a region name (like us-east-1) nor a named list; lists defined: prod-accounts, eu-regions, mixed',
    ]);
  });

  it('reports a list whose members are not what the scope needs', () => {
    expect(problems('scope:\n  accounts: [mixed]\n  regions: [prod-accounts]')).toEqual([
      'r.yaml:6:14: scope.accounts: list "mixed" holds "not-an-account", which is not an account id (12 digits)',
      'r.yaml:7:13: scope.regions: list "prod-accounts" holds "111122223333", which is not a region name (like us-east-1)',
    ]);
  });

  it('refuses an empty scope and unknown properties', () => {
    expect(problems('scope: {}')).toEqual([
      'r.yaml:5:8: scope must NOT have fewer than 1 properties',
    ]);
    expect(problems("scope:\n  account: ['111122223333']")).toEqual([
      'r.yaml:6:3: unknown property "account"',
    ]);
  });

  it('keeps its lists through a rule pack', () => {
    const loaded = parseRuleText(
      ruleText('packed', 'scope:\n  regions: [eu-regions]'),
      'p.yaml',
      lists,
    );
    const [compiled] = compileRulePack(
      {
        format: rulePackFormat,
        rules: [{ file: 'p.yaml', document: loaded.rule }],
        lists: { 'eu-regions': ['eu-west-1'] },
      },
      'pack.json',
    );
    expect([...(compiled?.scope?.regions ?? [])]).toEqual(['eu-west-1']);
    expect(() =>
      compileRulePack(
        { format: rulePackFormat, rules: [{ file: 'p.yaml', document: loaded.rule }], lists: {} },
        'pack.json',
      ),
    ).toThrow(
      'rule pack pack.json: rule packed is scoped by the list "eu-regions", which the named lists do not hold',
    );
  });
});

describe('the rule index and a rule scope', () => {
  const rules = [
    rule('everywhere', ''),
    rule('prod', 'scope:\n  accounts: [prod-accounts]'),
    rule('in-eu', 'scope:\n  regions: [eu-regions]'),
    rule('prod-in-eu', "scope:\n  accounts: ['111122223333']\n  regions: [eu-west-1]"),
    rule(
      'root-in-prod',
      'scope:\n  accounts: [prod-accounts]',
      "events: ['*']\n    match:\n      userIdentity.type: [Root]",
    ),
    rule(
      'prod-with-condition',
      'scope:\n  accounts: [prod-accounts]\nconditions:\n  all:\n    - fact: event\n      path: $.name\n      operator: equal\n      value: CreateBucket',
    ),
    rule(
      'prod-reading-a-trail',
      'scope:\n  accounts: [prod-accounts]\nconditions:\n  all:\n    - fact: trail\n      path: $.isLogging\n      operator: equal\n      value: false',
    ),
  ];
  const index = new RuleIndex(rules);

  it('leaves out the rules whose scope the event is outside', async () => {
    const home = event({});
    expect(ids(candidates(index, home))).toEqual([
      'everywhere',
      'prod',
      'root-in-prod',
      'prod-with-condition',
      'prod-reading-a-trail',
    ]);
    const elsewhere = event({ account: '999988887777', region: 'eu-west-1' });
    expect(ids(candidates(index, elsewhere))).toEqual(['everywhere', 'in-eu']);
    const inEu = event({ region: 'eu-west-1' });
    expect(ids(await index.match(inEu, { stubs: { trail: { isLogging: true } } }))).toEqual([
      'everywhere',
      'prod',
      'in-eu',
      'prod-in-eu',
      'root-in-prod',
      'prod-with-condition',
    ]);
  });

  it('reads no lazy fact for a rule out of scope', async () => {
    // Without stubs or AWS access, reading `trail` is an error: out of scope, nothing reads it.
    const verdicts = await index.match(event({ account: '999988887777' }));
    expect(ids(verdicts)).toEqual(['everywhere']);
    const inside = await index.match(event({}));
    expect(inside.find((verdict) => verdict.rule.id === 'prod-reading-a-trail')?.error).toBe(
      'fact trail could not be read: it is not stubbed, and no AWS access was given',
    );
  });

  it('fails closed for an event that names no account or region', async () => {
    const nowhere = event({ account: undefined, region: undefined });
    expect(ids(candidates(index, nowhere))).toEqual(['everywhere']);
    expect(ids(await index.match(nowhere))).toEqual(['everywhere']);
    expect(ids(await index.match(nowhere, { explain: true }))).toEqual(['everywhere']);
  });

  it('agrees with explain, which evaluates through json-rules-engine', async () => {
    for (const overrides of [
      {},
      { region: 'eu-west-1' },
      { account: '444455556666', region: 'eu-central-1' },
      { account: undefined },
    ]) {
      const item = event(overrides);
      const options = { stubs: { trail: { isLogging: false } } };
      expect(ids(await index.match(item, options))).toEqual(
        ids(await index.match(item, { ...options, explain: true })),
      );
    }
  });

  it('says why an event is out of scope', () => {
    const prod = { accounts: new Set(['111122223333', '444455556666']) };
    const eu = { regions: new Set(['eu-west-1', 'eu-central-1']) };
    expect(outOfScope(prod, event({ account: '999988887777' }))).toBe(
      'account 999988887777 is not in its scope (111122223333, 444455556666)',
    );
    expect(outOfScope(eu, event({ region: undefined }))).toBe(
      'the event names no region, and its scope names regions (eu-west-1, eu-central-1)',
    );
    expect(outOfScope(eu, event({ region: 'eu-west-1' }))).toBeUndefined();
  });
});

describe('many rules scoped to accounts', () => {
  // One rule template instantiated per account, the way organizations grow rule packs; every
  // other one reads a lazy fact, whose conditions give the index no guard of their own.
  const accounts = Array.from({ length: 40 }, (_, i) => String(100000000000 + i));
  const rules = accounts.map((account, i) =>
    rule(
      `per-account-${i}`,
      i % 2 === 0
        ? `scope:\n  accounts: ['${account}']\n  regions: [us-east-1]`
        : `scope:\n  accounts: ['${account}']\nconditions:\n  all:\n    - fact: trail\n      path: $.isLogging\n      operator: equal\n      value: false`,
    ),
  );
  const index = new RuleIndex(rules);
  const options = { stubs: { trail: { isLogging: false } } };

  it('are looked up by the event’s account, not each evaluated', async () => {
    for (const [i, account] of accounts.entries()) {
      const item = event({ account });
      expect(lookupWork(index, item).candidates).toBe(1);
      expect(ids(await index.match(item, options))).toEqual([`per-account-${i}`]);
      expect(ids(await index.match(item, { ...options, explain: true }))).toEqual([
        `per-account-${i}`,
      ]);
    }
  });

  it('reach no rule from an account outside them, or from an event that names none', async () => {
    for (const overrides of [{ account: '999988887777' }, { account: undefined }]) {
      const item = event(overrides);
      expect(lookupWork(index, item).candidates).toBe(0);
      expect(await index.match(item)).toEqual([]);
      expect(candidates(index, item)).toEqual([]);
    }
  });

  it('still check the region of a rule filed by its account', async () => {
    const elsewhere = event({ account: accounts[0], region: 'eu-west-1' });
    expect(await index.match(elsewhere, options)).toEqual([]);
    expect(candidates(index, elsewhere)).toEqual([]);
  });
});

describe('conditions on the event’s account and region', () => {
  it('read event.account and event.region with equal, in and inList', async () => {
    const conditions = [
      'conditions:',
      '  all:',
      '    - fact: event',
      '      path: $.account',
      '      operator: inList',
      '      value: prod-accounts',
      '    - fact: event',
      '      path: $.region',
      '      operator: in',
      '      value: [us-east-1, us-west-2]',
    ].join('\n');
    const index = new RuleIndex([rule('by-condition', conditions)]);
    expect(ids(await index.match(event({})))).toEqual(['by-condition']);
    expect(ids(await index.match(event({ region: 'eu-west-1' })))).toEqual([]);
    expect(ids(await index.match(event({ account: '999988887777' })))).toEqual([]);
    expect(ids(await index.match(event({ account: undefined }), { explain: true }))).toEqual([]);
  });
});

describe('steward explain and a rule scope', () => {
  it('says a rule is out of scope, and why, without evaluating it', async () => {
    const project = await mkdtemp(join(tmpdir(), 'steward-scope-'));
    try {
      await mkdir(join(project, 'rules'));
      await mkdir(join(project, 'config'));
      await writeFile(join(project, 'config', 'lists.yaml'), "lists:\n  prod: ['111122223333']\n");
      await writeFile(
        join(project, 'rules', 'prod.yaml'),
        ruleText('prod-only', 'scope:\n  accounts: [prod]\n  regions: [us-east-1]'),
      );
      const record = (account: string) => ({
        eventVersion: '1.10',
        eventSource: 's3.amazonaws.com',
        eventName: 'CreateBucket',
        awsRegion: 'us-east-1',
        eventID: `e-${account}`,
        eventTime: '2026-11-20T10:00:00Z',
        recipientAccountId: account,
      });
      const file = join(project, 'events.json');
      await writeFile(
        file,
        JSON.stringify({ Records: [record('111122223333'), record('999988887777')] }),
      );
      const explained = await steward('explain', file, '--rules', join(project, 'rules'));
      expect(explained.code).toBe(0);
      expect(explained.stdout.split('\n')).toEqual([
        'cloudtrail CreateBucket (event e-111122223333)',
        '  rule prod-only: fires',
        '    ✓ all',
        'cloudtrail CreateBucket (event e-999988887777)',
        '  rule prod-only: not a candidate: out of scope: account 999988887777 is not in its scope (111122223333)',
        '',
      ]);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
