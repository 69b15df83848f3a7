/**
 * The one reader of dotted paths (`requestParameters.groupId`) in parsed JSON, for rule
 * triggers, action templates, actions and facts. Only a value's own members are read, so a
 * path can never reach `constructor` or `__proto__` of an event.
 */

/** `value[key]` when `value` is an object or array that has `key` as its own member. */
export function ownMember(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The value at a path's segments; undefined when any step is missing or not an object.
 *
 * @example
 * readPath(record, ['requestParameters', 'groupId']); // 'sg-0123…'
 * readPath(record, 'responseElements.instancesSet.items.0.instanceId'.split('.'));
 */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    current = ownMember(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}
