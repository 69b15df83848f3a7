import { createHash } from 'node:crypto';

/**
 * Size limits of what the ledger writes, so an item always fits DynamoDB's (400 KB per item,
 * 2,048 bytes per index key) whatever an event carries: a log line of 200 KB as a resource, an
 * error message that quotes a whole request.
 */
export const ledgerBounds = {
  /** Attributes that are index keys (`resource`, `ruleId`) or identify the event. */
  keyBytes: 1_024,
  /** Free text: detail, error, actor, event name. */
  textBytes: 8_192,
  /** Structured data kept with an outcome, as JSON. */
  dataBytes: 64 * 1_024,
} as const;

const encoder = new TextEncoder();

/** A short, stable digest of a value too long to keep whole. */
export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * `text` when it fits in `maxBytes` of UTF-8; otherwise its start, cut at a character
 * boundary, followed by its full length and digest, so two long values stay told apart and the
 * full value can be recognised again.
 *
 * @example
 * boundText('x'.repeat(300_000), 1_024); // 'xxx…… [truncated: 300000 bytes, sha256 6f1d…]'
 */
export function boundText(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  const suffix = `… [truncated: ${bytes.length} bytes, sha256 ${digestOf(text)}]`;
  let end = Math.max(0, maxBytes - encoder.encode(suffix).length);
  // Back up to the start of a UTF-8 character: continuation bytes are 10xxxxxx.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return new TextDecoder().decode(bytes.subarray(0, end)) + suffix;
}

/**
 * Structured data as it is, when its JSON fits in `maxBytes`; otherwise a note of its size and
 * digest with the start of its JSON. Values that cannot be serialised (too deep, cyclic) are
 * replaced the same way.
 */
export function boundData(
  data: Record<string, unknown>,
  maxBytes: number,
): Record<string, unknown> {
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    return { truncated: true, reason: error instanceof Error ? error.message : String(error) };
  }
  const bytes = encoder.encode(json).length;
  if (bytes <= maxBytes) return data;
  return {
    truncated: true,
    bytes,
    sha256: digestOf(json),
    preview: boundText(json, Math.min(maxBytes, ledgerBounds.textBytes)),
  };
}
