/** The operators json-rules-engine provides; custom operators are added to the same set. */
const builtInOperators = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
];

/** json-rules-engine's operator decorators, usable as `everyFact:equal` and the like. */
const decorators = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

export const operatorNames: ReadonlySet<string> = new Set([
  ...builtInOperators,
  ...decorators.flatMap((decorator) =>
    builtInOperators.map((operator) => `${decorator}:${operator}`),
  ),
]);
