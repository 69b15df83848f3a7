import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/json/time.js';
import { parseDuration } from '../../src/rules/duration.js';
import {
  coversEveryAddress,
  parseIpRange,
  rangeContains,
  rangesOverlap,
} from '../../src/net/ip-range.js';
import { operatorValueProblem } from '../../src/rules/conditions/operator-values.js';
import type { customOperators } from '../../src/rules/conditions/operators.js';
import { Operators } from '../../src/rules/conditions/operators.js';
import { globPattern } from '../../src/rules/conditions/patterns.js';

const lists = new Map([['break-glass', new Set(['arn:aws:iam::123456789012:role/BreakGlass'])]]);
const operators = new Operators(lists);

function check(
  name: (typeof customOperators)[number],
  factValue: unknown,
  value: unknown,
): boolean {
  return operators.compare(name, factValue, value);
}

describe('regular expressions', () => {
  it('match with RE2 syntax, on a value or any element of a list', () => {
    expect(check('matches', 'Failed password for root', '^Failed password for (root|admin)')).toBe(
      true,
    );
    expect(check('matches', 'failed password', '(?i)^FAILED')).toBe(true);
    expect(check('matches', ['ok', 'AccessDenied'], '^AccessDenied$')).toBe(true);
    expect(check('notMatches', 'ok', '^AccessDenied')).toBe(true);
    expect(check('matches', undefined, '.*')).toBe(false);
  });

  it('stay linear on patterns that backtrack catastrophically elsewhere', () => {
    // (a+)+$ against 100,000 a's and a b takes exponential time in a backtracking engine.
    expect(check('matches', `${'a'.repeat(100_000)}b`, '(a+)+$')).toBe(false);
    expect(check('matches', `${'a'.repeat(100_000)}`, '^(a|a)*$')).toBe(true);
  });

  it('look at no more than the first MiB of a value', () => {
    expect(check('matches', `${'x'.repeat(2 * 1024 * 1024)}needle`, 'needle')).toBe(false);
    expect(check('matches', `needle${'x'.repeat(2 * 1024 * 1024)}`, 'needle')).toBe(true);
  });
});

describe('string operators', () => {
  it('give the same answers for inputs they have seen, long inputs and after forgetting', () => {
    const pattern = '^user-(\\d+)$';
    const inputs = Array.from({ length: 2500 }, (_, i) =>
      i % 3 === 0 ? `user-${i}` : `role-${i}`,
    );
    // Twice over more inputs than are remembered per pattern: the second pass mixes remembered
    // results with inputs evaluated again after the memory was cleared.
    for (let pass = 0; pass < 2; pass++) {
      expect(inputs.filter((input) => check('matches', input, pattern)).length).toBe(834);
    }
    const long = `user-${'1'.repeat(600)}`;
    expect(check('matches', long, pattern)).toBe(true);
    expect(check('matches', `${long}x`, pattern)).toBe(false);
    expect(check('glob', long, 'user-*1')).toBe(true);
    expect(check('glob', long, 'user-*2')).toBe(false);
  });

  it('glob, startsWith and endsWith', () => {
    expect(globPattern('prod-*.log?')).toBe('^prod-.*\\.log.$');
    expect(check('glob', 'prod-orders.log1', 'prod-*.log?')).toBe(true);
    expect(check('glob', 'staging-orders.log1', 'prod-*')).toBe(false);
    expect(check('glob', 'a.b', 'a?b')).toBe(true);
    expect(check('glob', 'a(b', 'a(b')).toBe(true);
    expect(check('startsWith', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::')).toBe(true);
    expect(check('endsWith', ['x.json', 'y.json.gz'], '.gz')).toBe(true);
    expect(check('endsWith', 42, '2')).toBe(false);
  });
});

describe('CIDR operators', () => {
  it('parse IPv4 and IPv6 ranges and addresses', () => {
    expect(parseIpRange('10.1.2.3/8')).toEqual({
      version: 4,
      first: 10n << 24n,
      last: (11n << 24n) - 1n,
    });
    expect(parseIpRange('2001:db8::/32')?.version).toBe(6);
    expect(parseIpRange('::ffff:192.0.2.1')).toEqual(parseIpRange('0:0:0:0:0:ffff:c000:201'));
    for (const bad of [
      '10.0.0.256/8',
      '10.0.0.0/33',
      '1:2:3',
      '1::2::3',
      'x',
      '10.0.0.0/8/1',
      '::/129',
    ]) {
      expect(parseIpRange(bad), bad).toBeUndefined();
    }
  });

  it('tell containment, overlap and world-open ranges', () => {
    const range = (text: string) =>
      parseIpRange(text) ??
      (() => {
        throw new Error(text);
      })();
    expect(rangeContains(range('10.0.0.0/8'), range('10.20.0.0/16'))).toBe(true);
    expect(rangeContains(range('10.20.0.0/16'), range('10.0.0.0/8'))).toBe(false);
    expect(rangesOverlap(range('10.0.0.0/8'), range('10.255.0.0/16'))).toBe(true);
    expect(rangesOverlap(range('10.0.0.0/8'), range('2001:db8::/32'))).toBe(false);
    expect(coversEveryAddress(range('0.0.0.0/0'))).toBe(true);
    expect(coversEveryAddress(range('::/0'))).toBe(true);
    expect(coversEveryAddress(range('0.0.0.0/1'))).toBe(false);
    expect(check('inCidr', '203.0.113.7', ['198.51.100.0/24', '203.0.113.0/24'])).toBe(true);
    expect(check('inCidr', '203.0.114.7', '203.0.113.0/24')).toBe(false);
    expect(check('cidrOverlaps', '10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(check('worldOpen', ['10.0.0.0/8', '::/0'], true)).toBe(true);
    expect(check('worldOpen', ['10.0.0.0/8'], true)).toBe(false);
    expect(check('worldOpen', ['10.0.0.0/8'], false)).toBe(true);
    expect(check('worldOpen', 'not an address', true)).toBe(false);
  });
});

describe('presence, time and list operators', () => {
  it('exists and absent', () => {
    expect(check('exists', 'x', true)).toBe(true);
    expect(check('exists', undefined, true)).toBe(false);
    expect(check('exists', [], true)).toBe(false);
    expect(check('absent', null, true)).toBe(true);
    expect(check('absent', 'x', false)).toBe(true);
  });

  it('olderThan and newerThan a duration', () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    expect(check('olderThan', twoDaysAgo, '1d')).toBe(true);
    expect(check('olderThan', twoDaysAgo, '3d')).toBe(false);
    expect(check('newerThan', Date.now() - 60_000, '5m')).toBe(true);
    expect(check('newerThan', 'not a time', '5m')).toBe(false);
    expect(check('olderThan', 'not a time', '5m')).toBe(false);
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('90 days')).toBeUndefined();
    expect(parseTime('2026-11-20T10:00:00Z')).toBe(Date.parse('2026-11-20T10:00:00Z'));
  });

  it('inList and notInList consult the named lists', () => {
    expect(check('inList', 'arn:aws:iam::123456789012:role/BreakGlass', 'break-glass')).toBe(true);
    expect(check('inList', 'arn:aws:iam::123456789012:role/Dev', 'break-glass')).toBe(false);
    expect(check('notInList', 'arn:aws:iam::123456789012:role/Dev', 'break-glass')).toBe(true);
    expect(check('inList', 'x', 'no-such-list')).toBe(false);
  });
});

describe('operator values checked when rules load', () => {
  it('name what is wrong', () => {
    expect(operatorValueProblem('matches', '(a', lists)).toBe(
      'the regular expression does not compile: error parsing regexp: missing closing ): `(a`',
    );
    expect(operatorValueProblem('not:matches', '(?<=a)b', lists)).toMatch(
      /^the regular expression does not compile/,
    );
    expect(operatorValueProblem('matches', '^ok$', lists)).toBeUndefined();
    expect(operatorValueProblem('inCidr', ['10.0.0.0/8', '10.0.0.0/99'], lists)).toBe(
      'inCidr needs CIDR ranges as its value; "10.0.0.0/99" is not one',
    );
    expect(operatorValueProblem('olderThan', '90 days', lists)).toBe(
      'olderThan needs a duration such as 90d, 12h, 30m as its value',
    );
    expect(operatorValueProblem('inList', 'admins', lists)).toBe(
      'unknown list "admins"; lists defined: break-glass',
    );
    expect(operatorValueProblem('exists', 'yes', lists)).toBe(
      'exists needs true or false as its value',
    );
    expect(operatorValueProblem('equal', { anything: true }, lists)).toBeUndefined();
  });
});

describe('operators prepared for their condition value', () => {
  it('keep each value apart, whether a string, a list or a list of the same content', () => {
    const fresh = new Operators(lists);
    expect(fresh.compare('startsWith', 'arn:aws:iam::1', 'arn:')).toBe(true);
    expect(fresh.compare('startsWith', 'arn:aws:iam::1', 'urn:')).toBe(false);
    expect(fresh.compare('startsWith', 'arn:aws:iam::1', 'arn:')).toBe(true);
    const private8 = ['10.0.0.0/8'];
    const other = ['192.168.0.0/16'];
    expect(fresh.compare('inCidr', '10.1.2.3', private8)).toBe(true);
    expect(fresh.compare('inCidr', '10.1.2.3', other)).toBe(false);
    expect(fresh.compare('inCidr', '10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(fresh.compare('olderThan', '2000-01-01T00:00:00Z', '1d')).toBe(true);
    expect(fresh.compare('olderThan', '2000-01-01T00:00:00Z', '100000d')).toBe(false);
    expect(
      fresh.compare('inList', 'arn:aws:iam::123456789012:role/BreakGlass', 'break-glass'),
    ).toBe(true);
    expect(
      fresh.compare('inList', 'arn:aws:iam::123456789012:role/BreakGlass', 'no-such-list'),
    ).toBe(false);
  });

  it('remember pattern results in the memos of their pack, counted', () => {
    const pack = new Operators(lists);
    for (let i = 0; i < 3; i++) pack.compare('matches', 'arn:aws:iam::1:root', ':root$');
    expect(pack.patterns.resultCounts()).toEqual({
      name: 'pattern results',
      hits: 2,
      misses: 1,
      size: 1,
    });
  });

  it('still decide values that cannot be prepared, such as a pattern that does not compile', () => {
    expect(() => check('matches', 'x', '(')).toThrow();
    expect(check('glob', 'x', 42)).toBe(false);
    expect(check('olderThan', '2000-01-01T00:00:00Z', 'soon')).toBe(false);
  });
});
