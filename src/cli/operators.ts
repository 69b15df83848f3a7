import { usages } from './usages.js';
import { operatorCatalog, type OperatorDescription } from '../rules/conditions/operator-catalog.js';
import { baseOperator, decorators } from '../rules/conditions/operators.js';
import { listCatalog, type CatalogListing } from './catalog-listing.js';
import type { Output } from './output.js';
import { schemaPhrase } from './schema-text.js';

const decorated = `also as ${decorators.map((decorator) => `${decorator}:`).join(', ')} before the name`;

function detail(operator: OperatorDescription): string {
  return [
    `${operator.name} (${operator.provider}): holds when ${operator.holds}`,
    '',
    `value: ${schemaPhrase(operator.value)}`,
    `decorators: ${decorated} (not:${operator.name} holds when ${operator.name} does not)`,
  ].join('\n');
}

const listing: CatalogListing<OperatorDescription> = {
  kind: 'operator',
  usage: usages.operators,
  entries: operatorCatalog,
  // A decorated name is its operator behind a decorator, which the detail names.
  resolve: (name) =>
    decorators.some((decorator) => name.startsWith(`${decorator}:`)) ? baseOperator(name) : name,
  header: ['OPERATOR', 'FROM', 'HOLDS WHEN'],
  row: (operator) => [operator.name, operator.provider, operator.holds],
  detail,
  example: (operator) => operator.example,
  json: (operator) => ({
    name: operator.name,
    provider: operator.provider,
    description: operator.holds,
    value: operator.value,
    example: operator.example,
  }),
};

/**
 * `steward operators [NAME] [--json]`: the operators a condition may use, json-rules-engine's
 * and steward's. Without a name, one line an operator; with a name, the value it takes and an
 * example condition.
 *
 * @example
 * await operatorsCommand(['inCidr'], processOutput); // 0
 */
export function operatorsCommand(args: string[], output: Output): Promise<number> {
  return listCatalog(listing, args, output);
}
