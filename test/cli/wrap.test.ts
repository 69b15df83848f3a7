import { describe, expect, it } from 'vitest';
import { wrapLines, wrappedTable, wrapWords } from '../../src/cli/wrap.js';

describe('wrapping for the terminal', () => {
  it('breaks between words and lets a word longer than the line stand alone', () => {
    expect(wrapWords('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapWords('a arn:aws:sns:us-east-1:123456789012:topic b', 10)).toEqual([
      'a',
      'arn:aws:sns:us-east-1:123456789012:topic',
      'b',
    ]);
    expect(wrapWords('   ', 10)).toEqual([]);
  });

  it('wraps a long line two spaces deeper than it began and leaves short ones alone', () => {
    expect(wrapLines('fields: a, b, c\nok', 12)).toBe('fields: a,\n  b, c\nok');
    expect(wrapLines('  value: one two three', 14)).toBe('  value: one\n    two three');
  });

  it('wraps the last column under its start, never narrower than 30, and escapes every cell', () => {
    expect(
      wrappedTable(
        [
          ['NAME', 'WHAT'],
          ['in', 'one of the listed values, or any other'],
          ['x\u001b', 'y'],
        ],
        20,
      ),
    ).toBe(
      [
        'NAME     WHAT',
        'in       one of the listed values, or',
        '         any other',
        'x\\u001b  y',
      ].join('\n'),
    );
  });
});
