import { describe, expect, it } from 'vitest';
import {
  boundedJson,
  boundedText,
  defaultJsonBounds,
  truncationMark,
} from '../../src/actions/bounded-json.js';

/** `{"a":{"a":…{"a":1}…}}`, `depth` objects deep, as JSON.parse builds it from text. */
function nested(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

describe('boundedJson', () => {
  it('writes a small value exactly as JSON.stringify does', () => {
    const value = { s: 'x"\n', n: -1.5, b: false, z: null, list: [1, { k: [] }], e: {} };
    expect(boundedJson(value)).toBe(JSON.stringify(value));
  });

  it('writes containers deeper than the depth bound as {…} and […]', () => {
    expect(boundedJson(nested(4), { maxDepth: 2, maxLength: 100 })).toBe('{"a":{"a":{…}}}');
    expect(boundedJson([[[[1]]]], { maxDepth: 3, maxLength: 100 })).toBe('[[[[…]]]]');
    expect(boundedJson(nested(20))).toBe(JSON.stringify(nested(20)));
  });

  it('writes a value nested 100,000 deep, where JSON.stringify throws RangeError', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(boundedJson(deep)).toBe(`${'{"a":'.repeat(20)}{…}${'}'.repeat(20)}`);
  });

  it('cuts a long value at the length bound and marks it, without reading the rest', () => {
    const long = { items: Array.from({ length: 1_000_000 }, (_, index) => index) };
    const text = boundedJson(long);
    expect(text).toHaveLength(defaultJsonBounds.maxLength);
    expect(text.startsWith('{"items":[0,1,2,')).toBe(true);
    expect(text.endsWith(truncationMark)).toBe(true);
    const huge = boundedJson({ message: 'y'.repeat(10_000_000) }, { maxDepth: 20, maxLength: 40 });
    expect(huge).toBe(`{"message":"yyyyyyyyyyyyyyyy${truncationMark}`);
  });

  it('reads only own enumerable data properties of plain objects, and leaves out what is not JSON', () => {
    const withPrototype = Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 });
    const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });
    let getterRan = false;
    const getter = Object.defineProperty({ plain: 1 }, 'computed', {
      enumerable: true,
      get: () => (getterRan = true),
    });
    expect(boundedJson({ a: withPrototype, b: hidden, c: getter })).toBe(
      '{"b":{"shown":1},"c":{"plain":1}}',
    );
    expect(getterRan).toBe(false);
    expect(boundedJson({ d: new Date(0), f: () => 1, u: undefined, big: 1n, keep: 1 })).toBe(
      '{"keep":1}',
    );
    expect(boundedJson([undefined, () => 1, Number.NaN, 1n, 'x'])).toBe(
      '[null,null,null,null,"x"]',
    );
  });

  it('keeps a "__proto__" member that JSON.parse made an own property', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    expect(boundedJson(parsed)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});

describe('boundedText', () => {
  it('leaves a text within the bound as it is', () => {
    expect(boundedText('short', 5)).toBe('short');
  });

  it('cuts a longer text to the bound, the mark included, without splitting a surrogate pair', () => {
    expect(boundedText('abcdefghijklmnopqrstuvwxyz', 20)).toBe(`abcdefgh${truncationMark}`);
    const cut = boundedText(`abcdefg${'🚀'.repeat(10)}`, 20);
    expect(cut).toBe(`abcdefg${truncationMark}`);
    expect(cut.length).toBeLessThanOrEqual(20);
  });
});
