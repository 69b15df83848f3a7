import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionCatalog } from '../../src/actions/catalog.js';
import { factCatalog } from '../../src/facts/catalog.js';
import { operatorCatalog } from '../../src/rules/conditions/operator-catalog.js';
import { ruleFiles } from '../../src/rules/load.js';
import {
  withCatalogDefinitions,
  withCatalogNamesUnchecked,
  type JsonSchema,
} from '../../src/rules/rule-schema.js';
import { repoPath } from '../support/files.js';

let committed: JsonSchema;
let validate: ValidateFunction;

beforeAll(async () => {
  committed = JSON.parse(await readFile(repoPath('schema/rule.schema.json'), 'utf8')) as JsonSchema;
  validate = new Ajv({ allErrors: true, strict: false }).compile(committed);
});

const rule = (actions: string, conditions = '') => `id: schema-check
description: A rule for the schema.
kind: audit
severity: low
triggers:
  - source: ec2-state
    states: [running]
${conditions}actions:
${actions}
`;

/** The schema errors of a rule text, as `path keyword` pairs, as an editor would flag them. */
function editorErrors(text: string): string[] {
  validate(parse(text));
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.keyword}`);
}

describe('schema/rule.schema.json', () => {
  it('is what the catalogs generate (run `npm run schema` after changing an action, a fact or an operator)', () => {
    expect(committed).toEqual(withCatalogDefinitions(committed));
  });

  it("is valid JSON Schema, as is every action's parameter schema (rules are loaded without checking them)", () => {
    const strictAjv = new Ajv({ strict: true, discriminator: true, allErrors: true });
    expect(strictAjv.validateSchema(committed), JSON.stringify(strictAjv.errors)).toBe(true);
    expect(strictAjv.validateSchema(withCatalogNamesUnchecked(committed))).toBe(true);
    for (const action of actionCatalog.values())
      expect(strictAjv.validateSchema(action.paramsSchema), action.name).toBe(true);
    expect(strictAjv.validateSchema({ type: 'objekt' })).toBe(false);
  });

  it('enumerates every action, fact and operator of the catalogs', () => {
    const definitions = committed.definitions as Record<string, JsonSchema>;
    expect(definitions.actionName?.enum).toEqual([...actionCatalog.keys()]);
    expect(definitions.factName?.enum).toEqual([...factCatalog.keys()]);
    expect((definitions.operatorName?.anyOf as JsonSchema[])[0]?.enum).toEqual([
      ...operatorCatalog.keys(),
    ]);
  });

  it('accepts every shipped rule', async () => {
    for (const file of await ruleFiles(repoPath('rules'))) {
      expect({ file, errors: editorErrors(await readFile(file, 'utf8')) }).toEqual({
        file,
        errors: [],
      });
    }
  });

  it('flags a mistyped action, fact or operator where an editor shows it', () => {
    expect(editorErrors(rule('  - action: notify.snss'))).toContain('/actions/0/action enum');
    const condition = (fact: string, operator: string, value = 'x') =>
      `conditions:\n  all:\n    - {fact: ${fact}, path: $.a, operator: ${operator}, value: ${value}}\n`;
    expect(
      editorErrors(rule('  - action: audit.record', condition('instanse', 'equal'))),
    ).toContain('/conditions/all/0/fact enum');
    expect(
      editorErrors(rule('  - action: audit.record', condition('event', 'notInlist'))),
    ).toContain('/conditions/all/0/operator anyOf');
    expect(
      editorErrors(rule('  - action: audit.record', condition('event', 'not:matches'))),
    ).toEqual([]);
  });

  it("checks an action's parameters and an operator's value", () => {
    expect(
      editorErrors(
        rule('  - action: logs.put-retention-policy\n    params: {retentionInDays: 10}'),
      ),
    ).toContain('/actions/0/params/retentionInDays enum');
    expect(
      editorErrors(
        rule(
          '  - action: audit.record',
          'conditions:\n  all:\n    - {fact: event, path: $.a, operator: olderThan, value: 90 days}\n',
        ),
      ),
    ).toContain('/conditions/all/0/value pattern');
  });
});
