import { gunzipSync } from 'node:zlib';
import { parseJsonText, type DecodeResult } from './json-text.js';

/** A gzip bomb stops here instead of exhausting the Lambda's memory. */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

type Step<T> = { ok: true; value: T } | { ok: false; reason: string };

function gunzip(bytes: Uint8Array): Step<Uint8Array> {
  try {
    return { ok: true, value: gunzipSync(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES }) };
  } catch (cause) {
    // zlib reports hitting maxOutputLength as a RangeError (ERR_BUFFER_TOO_LARGE).
    if (cause instanceof RangeError) {
      return { ok: false, reason: `it expands to more than ${MAX_DECOMPRESSED_BYTES} bytes` };
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
 * the gzip magic (CloudTrail log files are gzipped, hand-written samples usually are not).
 *
 * @example
 * const decoded = decodeBytes(await readFile(path), path);
 * if (decoded.ok) console.log(decodeDocument(decoded.value, path));
 */
export function decodeBytes(bytes: Uint8Array, where: string): DecodeResult {
  let plain = bytes;
  if (isGzip(bytes)) {
    const inflated = gunzip(bytes);
    if (!inflated.ok) {
      return { ok: false, error: { message: `not valid gzip: ${inflated.reason}`, where } };
    }
    plain = inflated.value;
  }
  const text = decodeUtf8(plain);
  if (text === undefined) return { ok: false, error: { message: 'not valid UTF-8 text', where } };
  return parseJsonText(text, where);
}

/**
 * Decodes the `awslogs.data` of a CloudWatch Logs subscription event: base64, then gzip, then
 * JSON. Each step that fails gives its own message, so a broken producer is easy to tell apart.
 *
 * @example
 * const message = decodeAwslogsData(event.awslogs.data, 'lambda event');
 * if (message.ok) console.log(message.value);
 */
export function decodeAwslogsData(data: unknown, where: string): DecodeResult {
  const fail = (message: string): DecodeResult => ({ ok: false, error: { message, where } });
  if (typeof data !== 'string') return fail('awslogs.data is missing or not a string');
  if (data === '') return fail('awslogs.data is empty');
  // Buffer.from(..., 'base64') silently skips characters outside the alphabet, so check first.
  if (data.length % 4 !== 0 || !BASE64.test(data)) return fail('awslogs.data is not valid base64');
  const compressed = Buffer.from(data, 'base64');
  if (!isGzip(compressed)) {
    return fail('awslogs.data is not gzip: the decoded bytes do not start with 1f 8b');
  }
  const inflated = gunzip(compressed);
  if (!inflated.ok) return fail(`awslogs.data is not gzip: ${inflated.reason}`);
  const text = decodeUtf8(inflated.value);
  if (text === undefined) return fail('awslogs.data is not UTF-8 text');
  const parsed = parseJsonText(text, where);
  if (!parsed.ok) return fail(`awslogs.data is not JSON: ${parsed.error.message}`);
  return parsed;
}
