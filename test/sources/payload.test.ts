import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeAwslogsData, decodeBytes } from '../../src/sources/payload.js';

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

  it('names where the data came from', () => {
    expect(decodeAwslogsData('%%%%', 'lambda event')).toEqual({
      ok: false,
      error: { message: 'awslogs.data is not valid base64', where: 'lambda event' },
    });
  });
});
