/**
 * Typed reads of fields of hostile, already-parsed JSON. Decoders and actions read every field
 * through these, so a wrong type is treated like a missing field instead of crashing.
 */

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/**
 * True for a JSON object: not null, not an array.
 *
 * @example
 * isObject(JSON.parse('{"a":1}')); // true
 * isObject([1]); // false
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `object[key]` when it is a non-empty string.
 *
 * @example
 * stringAt({ name: 'trail' }, 'name'); // 'trail'
 */
export function stringAt(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `object[key]` when it is a JSON object.
 *
 * @example
 * objectAt(record, 'requestParameters')?.groupId;
 */
export function objectAt(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return isObject(value) ? value : undefined;
}

/**
 * `object[key]` when it is an array.
 *
 * @example
 * arrayAt(logFile, 'Records') ?? [];
 */
export function arrayAt(object: JsonObject | undefined, key: string): unknown[] | undefined {
  const value = object?.[key];
  return Array.isArray(value) ? value : undefined;
}

/**
 * Describes a value for an error message without echoing (possibly huge) content.
 *
 * @example
 * describeValue({ a: 1 }); // 'an object with keys "a"'
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 10).map((key) => JSON.stringify(key));
    const more = keys.length > shown.length ? `, ... (${keys.length} keys)` : '';
    return `an object with keys ${shown.join(', ')}${more}`;
  }
  return `a ${typeof value}`;
}
