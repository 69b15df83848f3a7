/**
 * A value of a CloudTrail trigger's `match`: exact (`Root`), a prefix (`AccessDenied*`) or a
 * suffix (`*UnauthorizedOperation`): the three forms EventBridge patterns can also express.
 */
export function matchesValue(pattern: string, value: string): boolean {
  if (pattern.length > 1 && pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.length > 1 && pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/**
 * The same value as EventBridge pattern elements: a value written as a number or a boolean
 * (`8`, `true`) also as that JSON value, since EventBridge tells `"8"` from `8` and the
 * trigger's matcher takes either.
 *
 * @example
 * eventBridgeValues('AccessDenied*'); // [{ prefix: 'AccessDenied' }]
 * eventBridgeValues('8'); // ['8', 8]
 */
export function eventBridgeValues(
  pattern: string,
): (string | number | boolean | { prefix: string } | { suffix: string })[] {
  const element = eventBridgeMatch(pattern);
  if (typeof element !== 'string') return [element];
  if (pattern === 'true' || pattern === 'false') return [pattern, pattern === 'true'];
  return JSON_NUMBER.test(pattern) && JSON.stringify(Number(pattern)) === pattern
    ? [pattern, Number(pattern)]
    : [pattern];
}

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** The same value as an EventBridge pattern element. */
function eventBridgeMatch(pattern: string): string | { prefix: string } | { suffix: string } {
  if (pattern.length > 1 && pattern.endsWith('*')) return { prefix: pattern.slice(0, -1) };
  if (pattern.length > 1 && pattern.startsWith('*')) return { suffix: pattern.slice(1) };
  return pattern;
}
