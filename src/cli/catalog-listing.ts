import { parseArgs } from 'node:util';
import { didYouMean } from '../rules/did-you-mean.js';
import { UsageError, type Output } from './output.js';
import { wrapLines, wrappedTable } from './wrap.js';

/**
 * What one discovery command (`steward actions|operators|facts`) shows of its catalog: the
 * compact table without a name, the detail of one entry with a name, and the JSON of either.
 *
 * @example
 * const listing: CatalogListing<LazyFact> = { kind: 'fact', entries: factCatalog, … };
 * return listCatalog(listing, args, output);
 */
export interface CatalogListing<E> {
  /** The entries' kind in the singular, as error messages name it: `action`. */
  kind: string;
  usage: string;
  entries: ReadonlyMap<string, E>;
  /** The compact table's header and one row an entry. */
  header: string[];
  row(entry: E): string[];
  /** The entry's name for another name that means it (`not:matches` → `matches`), if any. */
  resolve?(name: string): string;
  /** What `steward <command> NAME` says of the entry before its example. */
  detail(entry: E): string;
  /** A rule fragment that uses the entry, printed as it is (never wrapped). */
  example(entry: E): string;
  /** What `--json` prints of an entry, in the table and alone. */
  json(entry: E): Record<string, unknown>;
}

/**
 * Runs a discovery command: `[NAME] [--json]`. An unknown name is a usage error naming the
 * closest known one, so the exit status is 2.
 *
 * @example
 * await listCatalog(actionListing, ['ec2.stop-instance'], output);
 * // throws UsageError('unknown action "ec2.stop-instance"; did you mean "ec2.stop-instances"?\nknown actions: …')
 */
export async function listCatalog<E>(
  listing: CatalogListing<E>,
  args: string[],
  output: Output,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  if (positionals.length > 1) throw new UsageError(`usage: ${listing.usage}`);
  const [name] = positionals;
  if (name === undefined) {
    const entries = [...listing.entries.values()];
    output.out(
      values.json
        ? JSON.stringify(entries.map(listing.json), null, 2)
        : wrappedTable([listing.header, ...entries.map(listing.row)]),
    );
    return 0;
  }
  const entry = listing.entries.get(listing.resolve?.(name) ?? name);
  if (entry === undefined) throw new UsageError(unknownName(listing, name));
  output.out(
    values.json
      ? JSON.stringify(listing.json(entry), null, 2)
      : `${wrapLines(listing.detail(entry))}\n\nexample:\n${indented(listing.example(entry))}`,
  );
  return 0;
}

function unknownName<E>(listing: CatalogListing<E>, name: string): string {
  const near = didYouMean(name, listing.entries.keys());
  return wrapLines(
    `unknown ${listing.kind} ${JSON.stringify(name)}` +
      (near === undefined ? '' : `; did you mean "${near}"?`) +
      `\nknown ${listing.kind}s: ${[...listing.entries.keys()].join(', ')}`,
  );
}

/**
 * The lines of a YAML snippet indented under a heading, as the detail views show examples.
 *
 * @example
 * indented('actions:\n  - action: audit.record'); // '  actions:\n    - action: audit.record'
 */
export function indented(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${by}${line}`))
    .join('\n');
}
