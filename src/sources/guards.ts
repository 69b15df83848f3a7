/**
 * Small type guards for reading hostile, already-parsed JSON. Decoders read every field through
 * these, so a wrong type is treated like a missing field instead of crashing.
 */

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object: not null, not an array. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object[key]` when it is a non-empty string. */
export function stringAt(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `object[key]` when it is a JSON object. */
export function objectAt(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return isObject(value) ? value : undefined;
}

/** `object[key]` when it is an array. */
export function arrayAt(object: JsonObject | undefined, key: string): unknown[] | undefined {
  const value = object?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** Describes a value for an error message without echoing (possibly huge) content. */
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
