import type { ErrorObject } from 'ajv';
import type { RuleProblem } from './problems.js';
import type { PathSegment, SourceMap } from './source-map.js';

function pathOf(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * JSON Schema errors as problems at their place in the file. Keeps the most specific errors:
 * `oneOf` summaries hide the error that matters. `prefix` is where the validated value sits
 * (an action's `params`).
 *
 * @example
 * if (!validate(value)) problems.push(...schemaProblems(validate.errors ?? [], source));
 */
export function schemaProblems(
  errors: ErrorObject[],
  source: SourceMap,
  prefix: PathSegment[] = [],
): RuleProblem[] {
  const specific = errors.filter((error) => error.keyword !== 'oneOf' && error.keyword !== 'if');
  const kept = (specific.length > 0 ? specific : errors).filter(
    (error, index, all) =>
      all.findIndex(
        (other) => other.instancePath === error.instancePath && other.message === error.message,
      ) === index,
  );
  return kept.map((error) => {
    const path = [...prefix, ...pathOf(error.instancePath)];
    if (error.keyword === 'additionalProperties') {
      const extra = String(error.params.additionalProperty);
      return source.problem([...path, extra], `unknown property "${extra}"`, true);
    }
    if (error.keyword === 'required') {
      return source.problem(
        path,
        `missing required property "${String(error.params.missingProperty)}"`,
      );
    }
    if (error.keyword === 'enum') {
      const allowed = (error.params.allowedValues as unknown[])
        .map((value) => JSON.stringify(value))
        .join(', ');
      return source.problem(path, `${describePath(path)} must be one of ${allowed}`);
    }
    if (
      error.keyword === 'pattern' &&
      path[0] === 'triggers' &&
      path[2] === 'sources' &&
      typeof path[3] === 'number'
    ) {
      return source.problem(
        path,
        `${describePath(path)} is not an AWS source: an eventbridge trigger listens to aws.* sources only (aws.guardduty, aws.securityhub…), which AWS alone can put on a bus`,
      );
    }
    // YAML reads an unquoted account id as a number, and drops a leading zero.
    const quote =
      error.keyword === 'type' && path[0] === 'scope' && path[1] === 'accounts'
        ? ": quote account ids ('012345678901'), or YAML reads them as numbers"
        : '';
    return source.problem(path, `${describePath(path)} ${error.message ?? 'is invalid'}${quote}`);
  });
}

function describePath(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the rule';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}
