import { JSONPath } from 'jsonpath-plus';

/**
 * How conditions' JSONPaths that do not compile to property reads are resolved: as
 * json-rules-engine's own resolver does (jsonpath-plus, unwrapped), except that a filter which
 * cannot be evaluated at a node (`@.Effect` where the node is `null`) does not select that node,
 * instead of failing the whole rule. A path through `null` then reads as `undefined`, as a path
 * through a missing value does, and the other nodes are still tested: a `null` statement
 * beside a public one neither hides it nor breaks the rule.
 *
 * @example
 * const almanac = new Almanac({ allowUndefinedFacts: false, pathResolver: resolveJsonPath });
 * resolveJsonPath({ s: [null, { e: 'A' }] }, '$.s[?(@.e==="A")].e'); // 'A'
 */
export function resolveJsonPath(value: object, path: string): unknown {
  return JSONPath({ path, json: value, wrap: false, ignoreEvalErrors: true });
}
