/**
 * A CloudWatch Logs filter pattern for unstructured log lines: every term must appear, a
 * "quoted phrase" matches as a whole, a term starting with `-` must not appear, and terms
 * starting with `?` match when any one of them appears. Matching is case-sensitive, as in
 * CloudWatch Logs, so the same pattern can go into a subscription filter unchanged.
 */
export interface LogFilter {
  pattern: string;
  /** How many terms and phrases the pattern has. */
  terms: number;
  matches(message: string): boolean;
}

export class LogFilterSyntaxError extends Error {}

const token = /"((?:[^"\\]|\\.)*)"|(\S+)/g;

export function compileLogFilter(pattern: string): LogFilter {
  if (/^\s*[{[]/.test(pattern)) {
    throw new LogFilterSyntaxError(
      'JSON and space-delimited filter patterns are not supported; use terms and "quoted phrases"',
    );
  }
  const required: string[] = [];
  const excluded: string[] = [];
  const anyOf: string[] = [];
  for (const match of pattern.matchAll(token)) {
    const quoted = match[1];
    const bare = match[2] ?? '';
    const [list, text] =
      quoted !== undefined
        ? [required, quoted.replace(/\\(.)/g, '$1')]
        : bare.startsWith('-') && bare.length > 1
          ? [excluded, bare.slice(1)]
          : bare.startsWith('?') && bare.length > 1
            ? [anyOf, bare.slice(1)]
            : [required, bare];
    list.push(text.replace(/^"(.*)"$/, '$1'));
  }
  if (required.length + excluded.length + anyOf.length === 0) {
    throw new LogFilterSyntaxError('the filter pattern has no terms');
  }
  return {
    pattern,
    terms: required.length + excluded.length + anyOf.length,
    matches: (message) =>
      every(required, message) &&
      !some(excluded, message) &&
      (anyOf.length === 0 || some(anyOf, message)),
  };
}

// Plain loops: a filter runs for every line of its log groups.
function every(terms: readonly string[], message: string): boolean {
  for (let i = 0; i < terms.length; i++) if (!message.includes(terms[i] as string)) return false;
  return true;
}

function some(terms: readonly string[], message: string): boolean {
  for (let i = 0; i < terms.length; i++) if (message.includes(terms[i] as string)) return true;
  return false;
}
