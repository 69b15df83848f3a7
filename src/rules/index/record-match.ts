/**
 * A trigger's `match` on the record (a CloudTrail or an eventbridge trigger's), read as an
 * EventBridge pattern reads it, so that what the deployed pattern delivers and what the rule
 * index lets through agree.
 */
import { ownMember } from '../../json/path.js';
import type { StewardEvent } from '../../sources/steward-event.js';
import { matchesValue } from '../match-value.js';

/**
 * The test of a trigger's `match`: each dotted path of the record holds one of its values. A
 * path through an array matches when any element matches, and so does an array at the path's
 * end; a number or a boolean matches the value written as its JSON text (`8`, `true`).
 *
 * @example
 * const test = recordMatcher({ 'detail.findings.Compliance.Status': ['FAILED'] });
 * test(event); // true when any finding of the envelope failed
 */
export function recordMatcher(match: Record<string, string[]>): (event: StewardEvent) => boolean {
  const paths = Object.entries(match).map(([path, values]) => [path.split('.'), values] as const);
  return (event) => paths.every(([keys, values]) => matchesAt(event.raw, keys, 0, values));
}

/**
 * The first path of `match` the record does not match, with the values found there (strings,
 * numbers and booleans, every element of the arrays on the way); undefined when all match.
 *
 * @example
 * matchMismatch({ 'detail.type': ['Recon:*'] }, event); // { path: 'detail.type', found: ['Backdoor:EC2/…'], values: ['Recon:*'] }
 */
export function matchMismatch(
  match: Record<string, string[]>,
  raw: unknown,
): { path: string; found: unknown[]; values: string[] } | undefined {
  for (const [path, values] of Object.entries(match)) {
    const keys = path.split('.');
    if (matchesAt(raw, keys, 0, values)) continue;
    const found: unknown[] = [];
    collectAt(raw, keys, 0, found);
    return { path, found, values };
  }
  return undefined;
}

function matchesAt(
  value: unknown,
  keys: readonly string[],
  at: number,
  values: readonly string[],
): boolean {
  if (Array.isArray(value)) return value.some((element) => matchesAt(element, keys, at, values));
  if (at === keys.length) return matchesLeaf(value, values);
  const next = ownMember(value, keys[at] as string);
  return next !== undefined && matchesAt(next, keys, at + 1, values);
}

function matchesLeaf(value: unknown, values: readonly string[]): boolean {
  if (typeof value === 'string') return values.some((pattern) => matchesValue(pattern, value));
  if (typeof value === 'number' || typeof value === 'boolean') {
    const text = JSON.stringify(value);
    return values.some((pattern) => pattern === text);
  }
  return false;
}

function collectAt(value: unknown, keys: readonly string[], at: number, found: unknown[]): void {
  if (Array.isArray(value)) {
    for (const element of value) collectAt(element, keys, at, found);
    return;
  }
  if (at === keys.length) {
    if (value !== undefined) found.push(value);
    return;
  }
  const next = ownMember(value, keys[at] as string);
  if (next !== undefined) collectAt(next, keys, at + 1, found);
}
