/**
 * What a condition's `fact` names, as `steward facts` and the rule schema describe it: what the
 * value is, the fields a `path` can read in it, the IAM the deployed role needs to read it, and
 * a condition that reads it.
 *
 * @example
 * const fact: FactDescription = factCatalog.get('instance')!;
 * console.log(fact.fields); // 'instanceId, state, instanceType, tags …'
 */
export interface FactDescription {
  name: string;
  /** One line: what the value is and where it comes from. */
  description: string;
  /** The fields of the value a condition's `path` reads, in a sentence. */
  fields: string;
  /** IAM actions the deployed role needs to read it: none for the event's own facts. */
  permissions: readonly string[];
  /** A rule's `conditions:` reading the fact; tests load it through the rule loader. */
  example: string;
}
