import { RE2JS } from 're2js';
import { BoundedMemo } from '../memo.js';

/** Regular expressions run on attacker-controlled strings: RE2 matches in linear time, and inputs are capped. */
const maxMatchInput = 1024 * 1024;
/** Longer inputs are matched every time: remembering them would hold large strings. */
const maxRememberedInput = 512;

/**
 * Compiles a regular expression; throws with RE2's message when it does not compile.
 *
 * @example
 * compilePattern(':(role|assumed-role)/admin').test('arn:aws:sts::1:assumed-role/admin/x'); // true
 */
export function compilePattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/**
 * `*` any run of characters, `?` one character; everything else literal. Anchored at both ends.
 *
 * @example
 * globPattern('*.example.com'); // '^.*\\.example\\.com$'
 */
export function globPattern(glob: string): string {
  const parts = [...glob].map((char) =>
    char === '*' ? '.*' : char === '?' ? '.' : RE2JS.quote(char),
  );
  return `^${parts.join('')}$`;
}

/**
 * Matches patterns of one rule pack: each compiled once, and recent results remembered by
 * pattern and input. The same principals, agents and addresses come back event after event,
 * and RE2's matcher, written in JavaScript, costs microseconds per input.
 *
 * @example
 * const patterns = new PatternMatcher();
 * patterns.matches('^arn:aws:iam::', 'arn:aws:iam::1:user/a'); // true
 */
export class PatternMatcher {
  readonly compiled = new BoundedMemo<string, RE2JS>('compiled patterns', 4096);
  readonly results = new BoundedMemo<string, boolean>('pattern results', 16_384);

  /** Whether the pattern compiles (a pattern that does not makes its operator throw). */
  compiles(pattern: string): boolean {
    try {
      this.compiled.get(pattern, compilePattern);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether `value` is a string the pattern matches; throws when the pattern does not compile. */
  matches(pattern: unknown, value: unknown): boolean {
    if (typeof value !== 'string' || typeof pattern !== 'string') return false;
    const regex = this.compiled.get(pattern, compilePattern);
    if (value.length > maxRememberedInput)
      return regex.test(value.length > maxMatchInput ? value.slice(0, maxMatchInput) : value);
    return this.results.get(`${pattern}\u0000${value}`, () => regex.test(value));
  }
}
