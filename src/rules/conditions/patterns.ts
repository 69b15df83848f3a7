import { RE2JS } from 're2js';
import { BoundedMemo, type MemoCounts } from '../memo.js';

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
  /** Recent results by pattern, then by input: keyed by strings whose hashes are kept. */
  private readonly results = new BoundedMemo<string, BoundedMemo<string, boolean>>(
    'patterns with results',
    4096,
  );

  /** Whether the pattern compiles (a pattern that does not makes its operator throw). */
  compiles(pattern: string): boolean {
    try {
      this.compiled.get(pattern, compilePattern);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The test of one pattern: whether a value is a string it matches. Throws, when called,
   * if the pattern does not compile.
   */
  matcher(pattern: unknown): (value: unknown) => boolean {
    if (typeof pattern !== 'string') return () => false;
    let regex: RE2JS | undefined;
    let results: BoundedMemo<string, boolean> | undefined;
    const test = (value: string) => (regex as RE2JS).test(value);
    return (value) => {
      if (typeof value !== 'string') return false;
      regex ??= this.compiled.get(pattern, compilePattern);
      if (value.length > maxRememberedInput)
        return regex.test(value.length > maxMatchInput ? value.slice(0, maxMatchInput) : value);
      results ??= this.results.get(pattern, newResults);
      return results.get(value, test);
    };
  }

  /** The results memos' counts, summed over patterns. */
  resultCounts(): MemoCounts {
    const sum: MemoCounts = { name: 'pattern results', hits: 0, misses: 0, size: 0 };
    for (const memo of this.results.kept()) {
      const { hits, misses, size } = memo.counts();
      sum.hits += hits;
      sum.misses += misses;
      sum.size += size;
    }
    return sum;
  }
}

function newResults(): BoundedMemo<string, boolean> {
  return new BoundedMemo('pattern results', 1024);
}
