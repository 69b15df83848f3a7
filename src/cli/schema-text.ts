import { isObject, type JsonObject } from '../json/fields.js';

function typeOf(schema: JsonObject): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`;
  if (Array.isArray(schema.oneOf))
    return schema.oneOf
      .filter(isObject)
      .map((branch) => typeOf(branch))
      .join(' or ');
  const type = typeof schema.type === 'string' ? schema.type : 'any value';
  if (type === 'array' && isObject(schema.items)) return `list of ${typeOf(schema.items)}`;
  if (type === 'object' && isObject(schema.additionalProperties))
    return `map of ${typeOf(schema.additionalProperties)}`;
  return type;
}

function range(low: unknown, high: unknown, unit: string): string | undefined {
  const has = (value: unknown): value is number => typeof value === 'number';
  if (has(low) && has(high)) return `${low} to ${high}${unit}`;
  if (has(low)) return `at least ${low}${unit}`;
  if (has(high)) return `at most ${high}${unit}`;
  return undefined;
}

/**
 * One JSON Schema as a short phrase: its type, bounds, pattern, default and description.
 *
 * @example
 * schemaPhrase({ type: 'integer', minimum: 1, maximum: 64 }); // 'integer, 1 to 64'
 */
export function schemaPhrase(schema: JsonObject): string {
  const parts = [
    typeOf(schema),
    range(schema.minimum, schema.maximum, ''),
    range(schema.minLength, schema.maxLength, ' characters'),
    range(schema.minItems, schema.maxItems, ' items'),
    range(schema.minProperties, schema.maxProperties, ' entries'),
    typeof schema.pattern === 'string' ? `matching ${schema.pattern}` : undefined,
    'default' in schema ? `default ${JSON.stringify(schema.default)}` : undefined,
    typeof schema.description === 'string' ? schema.description : undefined,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

/**
 * An object schema's properties, one `[name, phrase]` row each, required ones marked; no rows
 * for a schema without properties.
 *
 * @example
 * propertyRows({ type: 'object', required: ['keys'], properties: { keys: { type: 'array' } } });
 * // [['keys', 'required, array']]
 */
export function propertyRows(schema: JsonObject): string[][] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties).map(([name, property]) => [
    name,
    (required.has(name) ? 'required, ' : '') + (isObject(property) ? schemaPhrase(property) : ''),
  ]);
}
