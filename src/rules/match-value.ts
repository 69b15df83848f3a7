/**
 * A value of a CloudTrail trigger's `match`: exact (`Root`), a prefix (`AccessDenied*`) or a
 * suffix (`*UnauthorizedOperation`): the three forms EventBridge patterns can also express.
 */
export function matchesValue(pattern: string, value: string): boolean {
  if (pattern.length > 1 && pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.length > 1 && pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/** The same value as an EventBridge pattern element. */
export function eventBridgeMatch(
  pattern: string,
): string | { prefix: string } | { suffix: string } {
  if (pattern.length > 1 && pattern.endsWith('*')) return { prefix: pattern.slice(0, -1) };
  if (pattern.length > 1 && pattern.startsWith('*')) return { suffix: pattern.slice(1) };
  return pattern;
}
