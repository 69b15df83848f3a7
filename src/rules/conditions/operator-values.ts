import { parseDuration } from '../duration.js';
import { parseIpRange } from '../../net/ip-range.js';
import type { NamedLists } from '../lists.js';
import { baseOperator } from './operators.js';
import { compilePattern } from './patterns.js';

/**
 * What is wrong with a condition's `value` for its operator, checked when rules load so a bad
 * pattern, range, duration or list name is a validation error rather than a silent non-match.
 *
 * @example
 * operatorValueProblem('olderThan', '90 days', lists);
 * // 'olderThan needs a duration such as 90d, 12h, 30m as its value'
 */
export function operatorValueProblem(
  operator: string,
  value: unknown,
  lists: NamedLists,
): string | undefined {
  switch (baseOperator(operator)) {
    case 'matches':
    case 'notMatches':
      if (typeof value !== 'string') return `${operator} needs a regular expression as its value`;
      try {
        compilePattern(value);
        return undefined;
      } catch (error) {
        return `the regular expression does not compile: ${error instanceof Error ? error.message : String(error)}`;
      }
    case 'glob':
    case 'startsWith':
    case 'endsWith':
      return typeof value === 'string' ? undefined : `${operator} needs a string as its value`;
    case 'inCidr':
    case 'cidrOverlaps': {
      const texts = Array.isArray(value) ? value : [value];
      const bad = texts.find(
        (text) => typeof text !== 'string' || parseIpRange(text) === undefined,
      );
      return texts.length > 0 && bad === undefined
        ? undefined
        : `${operator} needs CIDR ranges as its value; ${JSON.stringify(bad)} is not one`;
    }
    case 'worldOpen':
    case 'exists':
    case 'absent':
      return typeof value === 'boolean'
        ? undefined
        : `${operator} needs true or false as its value`;
    case 'olderThan':
    case 'newerThan':
      return parseDuration(value) !== undefined
        ? undefined
        : `${operator} needs a duration such as 90d, 12h, 30m as its value`;
    case 'inList':
    case 'notInList':
      if (typeof value === 'string' && lists.has(value)) return undefined;
      return `unknown list ${JSON.stringify(value)}; lists defined: ${[...lists.keys()].join(', ') || 'none'}`;
    default:
      return undefined;
  }
}
