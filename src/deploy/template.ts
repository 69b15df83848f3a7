/** A CloudFormation template, as far as its resources' dependencies go. */
export interface CloudFormationTemplate {
  Resources?: Record<string, CloudFormationResource>;
  [section: string]: unknown;
}

export interface CloudFormationResource {
  Type: string;
  DependsOn?: string | string[];
  [attribute: string]: unknown;
}

/** `${Name}` or `${Name.Attribute}` in an `Fn::Sub` string; `${!Literal}` is no reference. */
const subReference = /\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g;

/** Every logical id `value` names through `Ref`, `Fn::GetAtt` or `Fn::Sub`, however deep. */
function referencedIds(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
    return into;
  }
  if (typeof value !== 'object' || value === null) return into;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') into.add(inner);
    else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(inner) ? inner[0] : String(inner).split('.')[0];
      if (typeof target === 'string') into.add(target);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? inner[0] : inner;
      if (typeof text === 'string')
        for (const match of text.matchAll(subReference)) into.add(match[1] as string);
    }
    referencedIds(inner, into);
  }
  return into;
}

/**
 * Drops from each resource's `DependsOn` the resources it already references with `Ref`,
 * `Fn::GetAtt` or `Fn::Sub`: CloudFormation orders those by the reference alone. The Serverless
 * Framework writes such a `DependsOn` on every function whose role is a resource of the stack,
 * which cfn-lint reports (W3005) and CloudFormation emulators that validate with it, such as
 * moto, reject. Returns how many entries it dropped; the template is changed in place, as the
 * framework's own hooks change it.
 *
 * @example
 * const template = { Resources: { Fn: { Type: 'AWS::Lambda::Function', DependsOn: ['Role'],
 *   Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } } } };
 * dropRedundantDependsOn(template); // 1, and Fn has no DependsOn left
 */
export function dropRedundantDependsOn(template: CloudFormationTemplate): number {
  let dropped = 0;
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.DependsOn === undefined) continue;
    const { DependsOn: dependsOn, ...rest } = resource;
    const referenced = referencedIds(rest, new Set());
    const kept = [dependsOn].flat().filter((id) => !referenced.has(id));
    dropped += [dependsOn].flat().length - kept.length;
    if (kept.length === 0) delete resource.DependsOn;
    else resource.DependsOn = typeof dependsOn === 'string' ? (kept[0] as string) : kept;
  }
  return dropped;
}
