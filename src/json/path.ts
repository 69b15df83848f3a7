/**
 * The one reader of dotted paths (`requestParameters.groupId`) in parsed JSON, for rule
 * triggers, action templates, actions and facts. Only own data members of plain objects and
 * arrays are read, so a path can never reach `constructor` or `__proto__` of an event, nor run
 * a getter.
 */

/**
 * An array or an object whose prototype is `Object.prototype` or null: what JSON.parse makes.
 *
 * @example
 * isPlainContainer(JSON.parse('{"a":1}')); // true
 * isPlainContainer(new Date()); // false
 */
export function isPlainContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `holder[key]` when `holder` is a plain object or array and `key` is its own enumerable data
 * member; undefined otherwise.
 *
 * @example
 * ownMember({ a: 1 }, 'a'); // 1
 * ownMember({ a: 1 }, 'constructor'); // undefined
 */
export function ownMember(holder: unknown, key: string): unknown {
  if (!isPlainContainer(holder) || !Object.hasOwn(holder, key)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  return descriptor?.enumerable === true && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * The value at a path's segments; undefined when any step is missing or not a plain container.
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
