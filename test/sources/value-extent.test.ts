import { describe, expect, it } from 'vitest';
import { ValueExtent } from '../../src/sources/value-extent.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Scans `text` in chunks cut at `cuts`, from its first byte; the document offset just after the value. */
function endOf(text: string, cuts: number[]): number {
  const whole = bytes(text);
  const extent = new ValueExtent();
  extent.start(whole[0] as number);
  let from = 1;
  for (const to of [...cuts, whole.length]) {
    const chunk = whole.subarray(from, to);
    const end = extent.scan(chunk, extent.resume(chunk.length), chunk.length);
    if (end >= 0) return from + end;
    from = to;
  }
  return -1;
}

describe('ValueExtent', () => {
  it('ends an object after its closing brace, past braces and quotes inside its strings', () => {
    const text = '{"a": "}{\\"", "b": [1, {"c": "]"}]}, "next"';
    expect(endOf(text, [])).toBe(text.indexOf(', "next"'));
  });

  it('finds the same end wherever the chunks are cut, even between a backslash and what it escapes', () => {
    const text = '{"path": "C:\\\\dir\\"}", "n": [1, 2]} tail';
    const expected = text.indexOf(' tail');
    for (let cut = 1; cut < expected; cut += 1) expect(endOf(text, [cut])).toBe(expected);
    const backslash = text.indexOf('\\"');
    expect(endOf(text, [backslash + 1, backslash + 2])).toBe(expected);
  });

  it('ends a scalar before its delimiter, and a string after its closing quote', () => {
    expect(endOf('12345, 6', [3])).toBe(5);
    expect(endOf('true]', [])).toBe(4);
    expect(endOf('"a\\"b" ,', [2])).toBe(6);
  });

  it('says a value that the input never closes goes on', () => {
    expect(endOf('{"open": [1, 2', [5])).toBe(-1);
  });
});
