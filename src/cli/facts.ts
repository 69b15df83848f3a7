import { usages } from './usages.js';
import { factCatalog, lazyFacts } from '../facts/catalog.js';
import type { FactDescription } from '../facts/fact-description.js';
import { listCatalog, type CatalogListing } from './catalog-listing.js';
import type { Output } from './output.js';

function readBy(fact: FactDescription): string {
  return lazyFacts.has(fact.name) ? 'AWS call' : 'the event';
}

function detail(fact: FactDescription): string {
  const lazy = lazyFacts.has(fact.name);
  return [
    `${fact.name}: ${fact.description}`,
    '',
    `fields: ${fact.fields}`,
    `IAM permissions: ${fact.permissions.length === 0 ? 'none' : fact.permissions.join(', ')}`,
    lazy
      ? 'lazy: read from AWS only when a condition reads it, at most once an event; tests and steward run --facts give its value instead'
      : 'lazy: no, it comes with the event',
  ].join('\n');
}

const listing: CatalogListing<FactDescription> = {
  kind: 'fact',
  usage: usages.facts,
  entries: factCatalog,
  header: ['FACT', 'READ FROM', 'IAM', 'WHAT IT IS'],
  row: (fact) => [fact.name, readBy(fact), fact.permissions.join(', ') || '-', fact.description],
  detail,
  example: (fact) => fact.example,
  json: (fact) => ({
    name: fact.name,
    description: fact.description,
    fields: fact.fields,
    permissions: fact.permissions,
    lazy: lazyFacts.has(fact.name),
    example: fact.example,
  }),
};

/**
 * `steward facts [NAME] [--json]`: the facts a condition may read. Without a name, one line a
 * fact (where its value comes from, the IAM it needs); with a name, its fields and an example
 * condition.
 *
 * @example
 * await factsCommand(['instance'], processOutput); // 0
 */
export function factsCommand(args: string[], output: Output): Promise<number> {
  return listCatalog(listing, args, output);
}
