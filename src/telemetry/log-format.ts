/**
 * How a log line's values are written, in Powertools Logger's conventions: keys with no value
 * (`undefined`, `null`, `''`) left out, errors as `name`, `location`, `message`, `stack`,
 * `cause`, big integers as text, and an object met again inside itself left out.
 */

/** A line's fields. */
export type LogAttributes = Record<string, unknown>;

/** An error as a log line writes it. */
export interface LoggedError {
  name: string;
  /** `file:line` of the first frame of its stack that names one, or `''`. */
  location: string;
  message: string;
  stack?: string;
  cause?: unknown;
  [key: string]: unknown;
}

/** A frame of a V8 stack that names its file: `at f (/var/task/index.js:12:34)`. */
const framePlace = /\(([^()]*?):(\d+):\d+\)\\?$/;

/**
 * An error as a log line writes it: its name, where it was thrown, message, stack and cause (an
 * error's cause in the same shape), and its other own fields.
 *
 * @example
 * loggedError(new Error('no table', { cause: 'throttled' }));
 * // { name: 'Error', location: '/var/task/index.js:12', message: 'no table', stack: '…', cause: 'throttled' }
 */
export function loggedError(error: Error): LoggedError {
  const { name, message, stack, cause } = error;
  const logged: LoggedError = {
    name,
    location: locationOf(stack),
    message,
    stack,
    cause: cause instanceof Error ? loggedError(cause) : cause,
  };
  for (const [key, value] of Object.entries(error)) if (!(key in logged)) logged[key] = value;
  return logged;
}

function locationOf(stack: string | undefined): string {
  for (const frame of stack?.split('\n') ?? []) {
    const place = framePlace.exec(frame);
    if (place !== null) return `${place[1]}:${Number(place[2])}`;
  }
  return '';
}

/**
 * Whether a field is left out of its line: it has no value.
 *
 * @example
 * isEmptyValue(''); // true
 */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Whether a value is written by `JSON.stringify` as it is, with nothing for the line's
 * conventions to change: a string with text, a number, a boolean, or nothing.
 *
 * @example
 * isPlainValue(12.3); // true
 * isPlainValue(new Error('x')); // false
 */
export function isPlainValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return value !== '';
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    default:
      return false;
  }
}

/**
 * JSON of a line's fields with the conventions applied at any depth: errors as `loggedError`
 * writes them, big integers as text, and an object inside itself left out rather than thrown on.
 *
 * @example
 * jsonOfFields({ error: new Error('no table'), count: 3n }); // '{"error":{"name":"Error",…},"count":"3"}'
 */
export function jsonOfFields(fields: LogAttributes): string {
  const ancestors: object[] = [];
  return JSON.stringify(fields, function (this: unknown, _key: string, value: unknown) {
    const written = value instanceof Error ? loggedError(value) : value;
    if (typeof written === 'bigint') return written.toString();
    if (typeof written !== 'object' || written === null) return written;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(written)) return undefined;
    ancestors.push(written);
    return written;
  });
}
