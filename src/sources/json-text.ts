import type { SourceError } from './steward-event.js';

/** The outcome of a decoding step that either yields a value or says what was wrong and where. */
export type DecodeResult<T = unknown> = { ok: true; value: T } | { ok: false; error: SourceError };

/**
 * Parses JSON text. On failure the message names the 1-based line and column and what the parser
 * expected there, e.g. `invalid JSON at line 3, column 7: expected ',' or '}'`.
 *
 * @example
 * const parsed = parseJsonText(text, 'events/ec2-running.json');
 * if (!parsed.ok) console.error(parsed.error.where, parsed.error.message);
 */
export function parseJsonText(text: string, where: string): DecodeResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (cause) {
    return { ok: false, error: { message: describeJsonFailure(text, cause), where } };
  }
}

function describeJsonFailure(text: string, cause: unknown): string {
  if (text.trim() === '') return 'empty input: expected a JSON document';
  const problem = locateJsonProblem(text);
  if (problem === undefined) {
    // Our scanner accepted what JSON.parse rejected; V8's own message is the best we have.
    return `invalid JSON: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
  const { line, column } = lineAndColumn(text, problem.offset);
  return `invalid JSON at line ${line}, column ${column}: ${problem.reason}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The first syntax error in a JSON text: its offset (in UTF-16 code units) and what was expected. */
export interface JsonProblem {
  offset: number;
  reason: string;
}

/** An open container, named by the character that closes it. */
type Container = ']' | '}';

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/**
 * A JSON syntax scanner that only finds the first error; it runs on the failure path alone, so
 * the success path keeps the speed of JSON.parse. It is iterative (an explicit container stack)
 * so that hostile input nested a million levels deep cannot overflow the call stack.
 *
 * @example
 * locateJsonProblem('{"a":}'); // { offset: 5, reason: 'expected a JSON value' }
 */
export function locateJsonProblem(text: string): JsonProblem | undefined {
  const length = text.length;
  const stack: Container[] = [];
  let i = 0;

  const skipWhitespace = (): void => {
    while (i < length) {
      const code = text.charCodeAt(i);
      if (code !== SPACE && code !== TAB && code !== LF && code !== CR) return;
      i += 1;
    }
  };
  const endOfInput = (): JsonProblem => ({ offset: length, reason: 'unexpected end of input' });

  // Each returns a problem, or undefined having advanced `i` past the token.
  const scanString = (): JsonProblem | undefined => {
    const start = i;
    i += 1;
    while (i < length) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        i += 1;
        return undefined;
      }
      if (code === BACKSLASH) {
        const escape = text[i + 1];
        if (escape === 'u') {
          for (let k = 2; k < 6; k += 1) {
            if (!isHexDigit(text.charCodeAt(i + k))) {
              return { offset: i, reason: 'invalid \\u escape: expected 4 hex digits' };
            }
          }
          i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          i += 2;
        } else {
          return { offset: i, reason: 'invalid escape sequence in string' };
        }
      } else if (code < SPACE) {
        return { offset: i, reason: 'unescaped control character in string' };
      } else {
        i += 1;
      }
    }
    return { offset: start, reason: 'unterminated string' };
  };

  const scanDigits = (): boolean => {
    const start = i;
    while (i < length && isDigit(text.charCodeAt(i))) i += 1;
    return i > start;
  };

  const scanNumber = (): JsonProblem | undefined => {
    const start = i;
    const invalid = { offset: start, reason: 'invalid number' };
    if (text.charCodeAt(i) === MINUS) i += 1;
    if (text.charCodeAt(i) === ZERO) i += 1;
    else if (!scanDigits()) return invalid;
    if (text.charCodeAt(i) === DOT) {
      i += 1;
      if (!scanDigits()) return invalid;
    }
    const exponent = text[i];
    if (exponent === 'e' || exponent === 'E') {
      i += 1;
      const sign = text[i];
      if (sign === '+' || sign === '-') i += 1;
      if (!scanDigits()) return invalid;
    }
    return undefined;
  };

  type State = 'value' | 'key' | 'after-value';
  let state: State = 'value';
  for (;;) {
    skipWhitespace();
    if (state === 'after-value') {
      const close = stack.at(-1);
      if (close === undefined) {
        return i < length
          ? { offset: i, reason: 'unexpected data after the JSON value' }
          : undefined;
      }
      if (i >= length) return endOfInput();
      const char = text[i];
      if (char === ',') {
        i += 1;
        state = close === ']' ? 'value' : 'key';
      } else if (char === close) {
        i += 1;
        stack.pop();
      } else {
        return { offset: i, reason: `expected ',' or '${close}'` };
      }
      continue;
    }
    if (i >= length) return endOfInput();
    if (state === 'key') {
      if (text.charCodeAt(i) !== QUOTE) {
        return { offset: i, reason: 'expected a property name in double quotes' };
      }
      const problem = scanString();
      if (problem !== undefined) return problem;
      skipWhitespace();
      if (i >= length) return endOfInput();
      if (text[i] !== ':') return { offset: i, reason: "expected ':'" };
      i += 1;
      state = 'value';
      continue;
    }
    const char = text[i];
    if (char === '{' || char === '[') {
      i += 1;
      skipWhitespace();
      const close = char === '{' ? '}' : ']';
      if (text[i] === close) {
        i += 1;
        state = 'after-value';
      } else {
        stack.push(close);
        state = char === '{' ? 'key' : 'value';
      }
      continue;
    }
    let problem: JsonProblem | undefined;
    if (char === '"') problem = scanString();
    else if (char === '-' || isDigit(text.charCodeAt(i))) problem = scanNumber();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else problem = { offset: i, reason: 'expected a JSON value' };
    if (problem !== undefined) return problem;
    state = 'after-value';
  }
}
