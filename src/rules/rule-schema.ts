import { actionCatalog } from '../actions/catalog.js';
import { factCatalog } from '../facts/catalog.js';
import { isObject } from '../json/fields.js';
import { operatorCatalog } from './conditions/operator-catalog.js';
import { decorators } from './conditions/operators.js';

/** A JSON Schema document, as `schema/rule.schema.json` holds it. */
export type JsonSchema = Record<string, unknown>;

const generated = 'Generated from the catalogs by `npm run schema`; edit the catalogs, not this.';

/** The definitions of the rule schema that come from the catalogs, so editors complete and check them. */
function catalogDefinitions(): Record<string, JsonSchema> {
  const actions = [...actionCatalog.values()];
  const facts = [...factCatalog.values()];
  const operators = [...operatorCatalog.values()];
  const names = operators.map((operator) => operator.name);
  return {
    actionName: {
      $comment: generated,
      description: 'A name from the action catalog (steward actions).',
      enum: actions.map((action) => action.name),
      enumDescriptions: actions.map((action) => action.summary),
    },
    actionParams: {
      $comment: generated,
      allOf: actions.map((action) => ({
        if: { properties: { action: { const: action.name } }, required: ['action'] },
        then: { properties: { params: action.paramsSchema } },
      })),
    },
    factName: {
      $comment: generated,
      description: 'A fact from the fact catalog (steward facts).',
      enum: facts.map((fact) => fact.name),
      enumDescriptions: facts.map((fact) => fact.description),
    },
    operatorName: {
      $comment: generated,
      description:
        'An operator (steward operators), or one behind a json-rules-engine decorator: not:matches, everyFact:equal.',
      anyOf: [
        { enum: names, enumDescriptions: operators.map((operator) => operator.holds) },
        {
          type: 'string',
          pattern: `^(${decorators.join('|')}):(${names.join('|')})$`,
        },
      ],
    },
    operatorValue: {
      $comment: generated,
      allOf: operators.map((operator) => ({
        if: { properties: { operator: { const: operator.name } }, required: ['operator'] },
        then: { properties: { value: operator.value } },
      })),
    },
  };
}

function definitionsOf(schema: JsonSchema): JsonSchema {
  return isObject(schema.definitions) ? schema.definitions : {};
}

/**
 * The rule schema with its catalog definitions (action, fact and operator names, each action's
 * parameters, each operator's value) made again from the catalogs; the rest is kept as written.
 *
 * @example
 * const schema = withCatalogDefinitions(JSON.parse(await readFile('schema/rule.schema.json', 'utf8')));
 */
export function withCatalogDefinitions(schema: JsonSchema): JsonSchema {
  return { ...schema, definitions: { ...definitionsOf(schema), ...catalogDefinitions() } };
}

/**
 * The rule schema as the loader checks a file's shape: the catalog definitions loosened to any
 * name, because the loader's meaning checks report an unknown action, fact or operator, or bad
 * parameters, in their own words ("unknown action …; known actions: …") and with every other
 * problem of the file, where a schema error would stop at the first.
 *
 * @example
 * ajv.compile(withCatalogNamesUnchecked(ruleSchema));
 */
export function withCatalogNamesUnchecked(schema: JsonSchema): JsonSchema {
  const name = { type: 'string', minLength: 1 };
  return {
    ...schema,
    definitions: {
      ...definitionsOf(schema),
      actionName: name,
      actionParams: {},
      factName: name,
      operatorName: name,
      operatorValue: {},
    },
  };
}
