import { gunzipSync } from 'node:zlib';
import { parseJsonText, type DecodeResult } from './json-text.js';
import { formatBytes, sourceLimits, type SourceLimits } from './limits.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A failed step says why; `overCap` when the input was fine but too large, not broken. */
type Step<T> = { ok: true; value: T } | { ok: false; reason: string; overCap?: boolean };

/** Why a payload decoded whole is refused, naming the cap. */
function overCap(maxBytes: number, verb: string): string {
  return `${verb} more than ${formatBytes(maxBytes)} (${maxBytes} bytes), the cap for a payload decoded whole`;
}

/** A gzip bomb stops at the cap instead of exhausting the function's memory. */
function gunzip(bytes: Uint8Array, maxBytes: number): Step<Uint8Array> {
  try {
    return { ok: true, value: gunzipSync(bytes, { maxOutputLength: maxBytes }) };
  } catch (cause) {
    // zlib reports hitting maxOutputLength as a RangeError (ERR_BUFFER_TOO_LARGE).
    if (cause instanceof RangeError) {
      return { ok: false, reason: overCap(maxBytes, 'expands to'), overCap: true };
    }
    return { ok: false, reason: cause instanceof Error ? cause.message : String(cause) };
  }
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Turns the bytes of a file or S3 object into parsed JSON, gunzipping first when they start with
 * the gzip magic (CloudTrail log files are gzipped, hand-written samples usually are not). The
 * whole payload is held at once, so it is refused past `limits.maxBufferedBytes`; log files of
 * any size go through `decodeCloudTrailLogStream` instead.
 *
 * @example
 * const decoded = decodeBytes(await readFile(path), path);
 * if (decoded.ok) console.log(decodeDocument(decoded.value, path));
 */
export function decodeBytes(
  bytes: Uint8Array,
  where: string,
  limits: SourceLimits = sourceLimits(),
): DecodeResult {
  const maxBytes = limits.maxBufferedBytes;
  let plain = bytes;
  if (isGzip(bytes)) {
    const inflated = gunzip(bytes, maxBytes);
    if (!inflated.ok) {
      const message = inflated.overCap
        ? `it ${inflated.reason}`
        : `not valid gzip: ${inflated.reason}`;
      return { ok: false, error: { message, where } };
    }
    plain = inflated.value;
  } else if (bytes.length > maxBytes) {
    return { ok: false, error: { message: `it ${overCap(maxBytes, 'is')}`, where } };
  }
  const text = decodeUtf8(plain);
  if (text === undefined) return { ok: false, error: { message: 'not valid UTF-8 text', where } };
  return parseJsonText(text, where);
}

/**
 * Decodes the `awslogs.data` of a CloudWatch Logs subscription event: base64, then gzip, then
 * JSON. Each step that fails gives its own message, so a broken producer is easy to tell apart;
 * a payload expanding past `limits.maxBufferedBytes` is refused, naming the cap.
 *
 * @example
 * const message = decodeAwslogsData(event.awslogs.data, 'lambda event');
 * if (message.ok) console.log(message.value);
 */
export function decodeAwslogsData(
  data: unknown,
  where: string,
  limits: SourceLimits = sourceLimits(),
): DecodeResult {
  const fail = (message: string): DecodeResult => ({ ok: false, error: { message, where } });
  if (typeof data !== 'string') return fail('awslogs.data is missing or not a string');
  if (data === '') return fail('awslogs.data is empty');
  // Buffer.from(..., 'base64') silently skips characters outside the alphabet, so check first.
  if (data.length % 4 !== 0 || !BASE64.test(data)) return fail('awslogs.data is not valid base64');
  const compressed = Buffer.from(data, 'base64');
  if (!isGzip(compressed)) {
    return fail('awslogs.data is not gzip: the decoded bytes do not start with 1f 8b');
  }
  const inflated = gunzip(compressed, limits.maxBufferedBytes);
  if (!inflated.ok) {
    return fail(`awslogs.data ${inflated.overCap ? '' : 'is not gzip: '}${inflated.reason}`);
  }
  const text = decodeUtf8(inflated.value);
  if (text === undefined) return fail('awslogs.data is not UTF-8 text');
  const parsed = parseJsonText(text, where);
  if (!parsed.ok) return fail(`awslogs.data is not JSON: ${parsed.error.message}`);
  return parsed;
}
