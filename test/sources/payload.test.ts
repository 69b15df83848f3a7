import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_LIMITS } from '../../src/sources/limits.js';
import { decodeAwslogsData, decodeBytes } from '../../src/sources/payload.js';

const smallCap = { ...DEFAULT_SOURCE_LIMITS, maxBufferedBytes: 1024 };

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeBytes', () => {
  it('parses plain JSON bytes', () => {
    expect(decodeBytes(bytes('{"a":1}'), 'w')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('gunzips bytes that start with the gzip magic', () => {
    expect(decodeBytes(gzipSync('{"Records":[]}'), 'w')).toEqual({
      ok: true,
      value: { Records: [] },
    });
  });

  it('drops a UTF-8 byte-order mark', () => {
    expect(decodeBytes(bytes('\ufeff[1]'), 'w')).toEqual({ ok: true, value: [1] });
  });

  it('reports corrupt gzip', () => {
    expect(decodeBytes(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 's3://b/k.json.gz')).toEqual({
      ok: false,
      error: { message: 'not valid gzip: unknown compression method', where: 's3://b/k.json.gz' },
    });
  });

  it('reports truncated gzip', () => {
    const gz = gzipSync('{"Records":[]}');
    expect(decodeBytes(gz.subarray(0, gz.length - 6), 'w')).toEqual({
      ok: false,
      error: { message: 'not valid gzip: unexpected end of file', where: 'w' },
    });
  });

  it('reports invalid UTF-8', () => {
    expect(decodeBytes(Uint8Array.from([0x22, 0xff, 0x22]), 'w')).toEqual({
      ok: false,
      error: { message: 'not valid UTF-8 text', where: 'w' },
    });
  });

  it('reports malformed JSON inside gzip with line and column', () => {
    expect(decodeBytes(gzipSync('{\n"Records": [}'), 'w')).toEqual({
      ok: false,
      error: { message: 'invalid JSON at line 2, column 13: expected a JSON value', where: 'w' },
    });
  });

  it('refuses gzip that expands past the cap, naming it', () => {
    expect(decodeBytes(gzipSync(' '.repeat(4096)), 'w', smallCap)).toEqual({
      ok: false,
      error: {
        message: 'it expands to more than 1 KiB (1024 bytes), the cap for a payload decoded whole',
        where: 'w',
      },
    });
  });

  it('refuses plain bytes past the cap, naming it', () => {
    expect(decodeBytes(bytes(`[${'1,'.repeat(600)}1]`), 'w', smallCap)).toEqual({
      ok: false,
      error: {
        message: 'it is more than 1 KiB (1024 bytes), the cap for a payload decoded whole',
        where: 'w',
      },
    });
  });

  it('takes its cap from the function memory in Lambda', () => {
    const before = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '128';
    try {
      const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x20));
      expect(decodeBytes(bomb, 'w')).toEqual({
        ok: false,
        error: {
          message:
            'it expands to more than 16 MiB (16777216 bytes), the cap for a payload decoded whole',
          where: 'w',
        },
      });
    } finally {
      if (before === undefined) delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
      else process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = before;
    }
  });

  it('reports empty input', () => {
    expect(decodeBytes(new Uint8Array(), 'w')).toEqual({
      ok: false,
      error: { message: 'empty input: expected a JSON document', where: 'w' },
    });
  });
});

describe('decodeAwslogsData', () => {
  const encode = (payload: string | Uint8Array): string => Buffer.from(payload).toString('base64');
  const fails = (data: unknown): string | undefined => {
    const result = decodeAwslogsData(data, 'lambda event');
    return result.ok ? undefined : result.error.message;
  };

  it('decodes base64(gzip(JSON))', () => {
    expect(decodeAwslogsData(encode(gzipSync('{"messageType":"CONTROL_MESSAGE"}')), 'w')).toEqual({
      ok: true,
      value: { messageType: 'CONTROL_MESSAGE' },
    });
  });

  it.each([
    [undefined, 'awslogs.data is missing or not a string'],
    [42, 'awslogs.data is missing or not a string'],
    ['', 'awslogs.data is empty'],
    ['H4sI!AAA', 'awslogs.data is not valid base64'],
    ['H4sIAAA', 'awslogs.data is not valid base64'],
    ['H4sI AAA', 'awslogs.data is not valid base64'],
    [
      encode('{"not":"gzip"}'),
      'awslogs.data is not gzip: the decoded bytes do not start with 1f 8b',
    ],
    [
      encode(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])),
      'awslogs.data is not gzip: unexpected end of file',
    ],
    [
      encode(gzipSync('not json')),
      'awslogs.data is not JSON: invalid JSON at line 1, column 1: expected a JSON value',
    ],
    [encode(gzipSync('')), 'awslogs.data is not JSON: empty input: expected a JSON document'],
  ])('rejects %j: %s', (data, message) => {
    expect(fails(data)).toBe(message);
  });

  it('refuses data that expands past the cap, naming it', () => {
    const data = encode(gzipSync(' '.repeat(4096)));
    expect(decodeAwslogsData(data, 'lambda event', smallCap)).toEqual({
      ok: false,
      error: {
        message:
          'awslogs.data expands to more than 1 KiB (1024 bytes), the cap for a payload decoded whole',
        where: 'lambda event',
      },
    });
  });

  it('names where the data came from', () => {
    expect(decodeAwslogsData('%%%%', 'lambda event')).toEqual({
      ok: false,
      error: { message: 'awslogs.data is not valid base64', where: 'lambda event' },
    });
  });
});
