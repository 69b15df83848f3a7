import { describe, expect, it } from 'vitest';
import { RecordError } from '../../src/sources/log-file-errors.js';
import { RecordBytes, type ScannedRecord } from '../../src/sources/record-bytes.js';

const text = (record: ScannedRecord | RecordError) =>
  record instanceof RecordError ? record : Buffer.from(record.bytes).toString('utf8');

describe('RecordBytes', () => {
  it('gives a record within one chunk as it is, and one across chunks joined, with index and offset', () => {
    const record = new RecordBytes('s3://bucket/key', 1024);
    const first = Buffer.from('[{"a":1},{"b":');
    record.nextChunk();
    record.begin(1, 1);
    const one = record.end(first, 8);
    expect(one).toMatchObject({ index: 0, offset: 1 });
    expect(text(one)).toBe('{"a":1}');
    record.begin(9, 9);
    record.keepPart(first);
    first.fill(0);
    const second = Buffer.from('2}]');
    record.nextChunk();
    const two = record.end(second, 2);
    expect(two).toMatchObject({ index: 1, offset: 9 });
    expect(text(two)).toBe('{"b":2}');
  });

  it('reports a record over the cap with its size, offset and place, and goes on counting', () => {
    const record = new RecordBytes('s3://bucket/key', 8);
    const chunk = Buffer.from('{"big": "0123456789"}');
    record.nextChunk();
    record.begin(100, 0);
    record.keepPart(chunk.subarray(0, 10));
    record.nextChunk();
    const error = record.end(chunk.subarray(10), 11);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).message).toMatch(
      /^record at byte offset 100 is 21 bytes, over the 8 bytes cap/,
    );
    expect((error as RecordError).where).toBe('s3://bucket/key: Records[0]');
    expect(record.index).toBe(1);
  });
});
