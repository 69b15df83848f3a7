import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentDigest } from '../../src/sources/content-digest.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('contentDigest', () => {
  it('is the SHA-256 of the JSON with sorted keys and no whitespace', () => {
    const value = { b: [1, 'two', null, true], a: { d: 1.5, c: 'é\n' } };
    expect(contentDigest(value)).toBe(sha256('{"a":{"c":"é\\n","d":1.5},"b":[1,"two",null,true]}'));
  });

  it('does not depend on the order of keys at any depth', () => {
    const one = JSON.parse('{"x":1,"y":{"p":[{"m":1,"n":2}],"q":"s"}}') as unknown;
    const other = JSON.parse('{"y":{"q":"s","p":[{"n":2,"m":1}]},"x":1}') as unknown;
    expect(contentDigest(one)).toBe(contentDigest(other));
  });

  it('tells apart values that differ in array order, type or one character', () => {
    const digests = [[1, 2], [2, 1], ['1', 2], { a: 'x' }, { a: 'y' }, { a: null }, {}, []].map(
      contentDigest,
    );
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('leaves out undefined members as JSON does, and writes undefined array items as null', () => {
    expect(contentDigest({ a: 1, b: undefined })).toBe(contentDigest({ a: 1 }));
    expect(contentDigest([undefined])).toBe(sha256('[null]'));
  });

  it('digests a value nested 100,000 deep, which JSON.parse accepts, without a stack overflow', () => {
    const depth = 100_000;
    const text = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    expect(contentDigest(JSON.parse(text))).toBe(sha256(text));
  });
});
