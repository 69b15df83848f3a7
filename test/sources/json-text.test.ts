import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/sources/json-text.js';

function failure(text: string): string | undefined {
  const result = parseJsonText(text, 'input.json');
  return result.ok ? undefined : result.error.message;
}

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1, 2.5e3, true, null, "x\\u00e9"]}', 'w')).toEqual({
      ok: true,
      value: { a: [1, 2500, true, null, 'xé'] },
    });
  });

  it('names the line and column of a missing comma, and where', () => {
    const text = '{\n  "a": 1,\n  "b": 2 "c": 3\n}';
    expect(parseJsonText(text, 'events/bad.json')).toEqual({
      ok: false,
      error: {
        message: "invalid JSON at line 3, column 10: expected ',' or '}'",
        where: 'events/bad.json',
      },
    });
  });

  it.each([
    ['', 'empty input: expected a JSON document'],
    [' \n\t', 'empty input: expected a JSON document'],
    ['[1, 2', 'invalid JSON at line 1, column 6: unexpected end of input'],
    ['[1 2]', "invalid JSON at line 1, column 4: expected ',' or ']'"],
    ['[1, 2,]', 'invalid JSON at line 1, column 7: expected a JSON value'],
    ['{"a": 1,}', 'invalid JSON at line 1, column 9: expected a property name in double quotes'],
    ["{'a': 1}", 'invalid JSON at line 1, column 2: expected a property name in double quotes'],
    ['{"a" 1}', "invalid JSON at line 1, column 6: expected ':'"],
    ['{"a": tru}', 'invalid JSON at line 1, column 7: expected a JSON value'],
    ['{"a": NaN}', 'invalid JSON at line 1, column 7: expected a JSON value'],
    ['{"a": "b\\x"}', 'invalid JSON at line 1, column 9: invalid escape sequence in string'],
    ['"\\u12G4"', 'invalid JSON at line 1, column 2: invalid \\u escape: expected 4 hex digits'],
    ['"a\tb"', 'invalid JSON at line 1, column 3: unescaped control character in string'],
    ['{"a": "open', 'invalid JSON at line 1, column 7: unterminated string'],
    ['-', 'invalid JSON at line 1, column 1: invalid number'],
    ['1.', 'invalid JSON at line 1, column 1: invalid number'],
    ['1e+', 'invalid JSON at line 1, column 1: invalid number'],
    ['{} {}', 'invalid JSON at line 1, column 4: unexpected data after the JSON value'],
    ['{\r\n"a":\r\n}', 'invalid JSON at line 3, column 1: expected a JSON value'],
    ['\ufeff{}', 'invalid JSON at line 1, column 1: expected a JSON value'],
  ])('reports %j as %j', (text, message) => {
    expect(failure(text)).toBe(message);
  });

  it('locates an error in input nested far deeper than the call stack allows', () => {
    const text = '['.repeat(200_000) + ']'.repeat(199_999) + ',';
    expect(failure(text)).toBe('invalid JSON at line 1, column 400001: unexpected end of input');
  });
});
