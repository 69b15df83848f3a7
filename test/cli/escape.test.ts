import { describe, expect, it } from 'vitest';
import { escapeControls, escapeLines } from '../../src/cli/escape.js';
import { table } from '../../src/cli/output.js';

describe('escapeControls', () => {
  it.each([
    ['line\nforged', 'line\\nforged'],
    ['cr\rover', 'cr\\rover'],
    ['tab\there', 'tab\\there'],
    ['\u001b[2J\u001b]0;title\u0007', '\\u001b[2J\\u001b]0;title\\u0007'],
    ['nul\u0000del\u007f', 'nul\\u0000del\\u007f'],
    ['c1\u0085\u009b', 'c1\\u0085\\u009b'],
    ['txt.exe\u202Egpj', 'txt.exe\\u202egpj'],
    [
      '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c',
      '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    ],
    ['sep\u2028para\u2029', 'sep\\u2028para\\u2029'],
  ])('escapes %j', (text, escaped) => {
    expect(escapeControls(text)).toBe(escaped);
  });

  it('leaves ordinary text unchanged, backslashes, quotes and non-ASCII letters included', () => {
    const text = 'arn:aws:iam::123456789012:user/Zoë — C:\\temp "quoted" 日本 🚀';
    expect(escapeControls(text)).toBe(text);
  });
});

describe('escapeLines', () => {
  it('keeps the line breaks between lines and escapes what is inside each', () => {
    expect(escapeLines('usage: a\n       b \u202e\r')).toBe('usage: a\n       b \\u202e\\r');
  });
});

describe('table', () => {
  it('escapes its cells, so a newline in a value neither breaks the columns nor adds a row', () => {
    const printed = table([
      ['resource', 'status'],
      ['bucket\nforged-row', 'planned'],
      ['b', 'failed'],
    ]);
    expect(printed.split('\n')).toEqual([
      `${'resource'.padEnd(18)}  status`,
      'bucket\\nforged-row  planned',
      `${'b'.padEnd(18)}  failed`,
    ]);
  });
});
