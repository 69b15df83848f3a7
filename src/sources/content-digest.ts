import { createHash, type Hash } from 'node:crypto';

/** A value still to serialize, or text to write as it is (punctuation, keys). */
type Step = { value: unknown } | string;

/**
 * The SHA-256 (hex) of a JSON value's canonical serialization: object keys sorted, no
 * whitespace, numbers and strings as `JSON.stringify` writes them. Two parses of the same
 * record give the same digest whatever order their keys came in, so a record delivered by
 * EventBridge and again in an S3 log file gets one digest.
 *
 * @example
 * contentDigest({ b: 1, a: [true, null] }) === contentDigest({ a: [true, null], b: 1 }); // true
 */
export function contentDigest(value: unknown): string {
  const hash = createHash('sha256');
  writeCanonical(value, hash);
  return hash.digest('hex');
}

/**
 * An explicit stack instead of recursion: a hostile record may nest far deeper than the call
 * stack allows, and JSON.parse accepts it.
 */
function writeCanonical(root: unknown, hash: Hash): void {
  const stack: Step[] = [{ value: root }];
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    if (typeof step === 'string') {
      hash.update(step);
      continue;
    }
    const { value } = step;
    if (Array.isArray(value)) {
      stack.push(']');
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index] ?? null });
        if (index > 0) stack.push(',');
      }
      stack.push('[');
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).filter(([, member]) => member !== undefined);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      stack.push('}');
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, member] = entries[index] as [string, unknown];
        stack.push({ value: member });
        stack.push(`${index > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      }
      stack.push('{');
    } else {
      hash.update(JSON.stringify(value) ?? 'null');
    }
  }
}
