/**
 * The server-side filters each kind of sweep takes. Free of the AWS SDK, so that checking a
 * rule (`steward validate`) loads none of it.
 */
import { StewardError } from '../errors.js';
import type { SweepResourceKind } from '../rules/rule.js';

/**
 * The filter names each kind's describe call takes: EC2's `Filters` take any name EC2 knows
 * (`instance-state-name`, `tag-key`, `tag:Owner`, …); CloudWatch Logs a name prefix; trails none.
 *
 * @example
 * sweepFilterNames['log-groups']; // ['logGroupNamePrefix']
 */
export const sweepFilterNames: Readonly<Record<SweepResourceKind, 'any' | readonly string[]>> = {
  'ec2-instances': 'any',
  'security-groups': 'any',
  'log-groups': ['logGroupNamePrefix'],
  trails: [],
};

/**
 * A trigger's filters that its kind's describe call does not take, naming the filter and the
 * kind.
 *
 * @example
 * checkSweepFilters('log-groups', { tag: ['x'] }); // throws SweepFilterError
 */
export class SweepFilterError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'SweepFilterError';
  }
}

/**
 * Throws `SweepFilterError` when the kind's describe call does not take one of the filters,
 * or when a filter allows no value or, for a single-valued one, more than one.
 *
 * @example
 * checkSweepFilters('ec2-instances', { 'tag-key': ['Owner'] }); // fine
 */
export function checkSweepFilters(
  kind: SweepResourceKind,
  filters: Record<string, string[]> | undefined,
): void {
  const taken = sweepFilterNames[kind];
  for (const [name, values] of Object.entries(filters ?? {})) {
    if (taken !== 'any' && !taken.includes(name)) {
      const names =
        taken.length === 0
          ? 'it takes none'
          : `it takes ${taken.map((known) => JSON.stringify(known)).join(', ')}`;
      throw new SweepFilterError(
        `filter ${JSON.stringify(name)}: a sweep of ${kind} cannot filter by it (${names})`,
      );
    }
    if (values.length === 0)
      throw new SweepFilterError(`filter ${JSON.stringify(name)} of ${kind}: no value given`);
    if (taken !== 'any' && values.length > 1)
      throw new SweepFilterError(
        `filter ${JSON.stringify(name)} of ${kind}: takes one value, got ${values.length}`,
      );
  }
}
