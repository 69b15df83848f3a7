import { describe, expect, it } from 'vitest';
import { ownMember, readPath } from '../src/json/path.js';

describe('readPath', () => {
  const record = JSON.parse(
    '{"requestParameters":{"groupId":"sg-1","items":[{"id":"a"}]},"__proto__":{"x":1}}',
  ) as unknown;

  it('reads own members of objects and arrays along the path', () => {
    expect(readPath(record, ['requestParameters', 'groupId'])).toBe('sg-1');
    expect(readPath(record, ['requestParameters', 'items', '0', 'id'])).toBe('a');
    expect(readPath(record, [])).toBe(record);
  });

  it('is undefined for a missing step, a step through a scalar or null, or an inherited member', () => {
    expect(readPath(record, ['requestParameters', 'missing', 'deeper'])).toBeUndefined();
    expect(readPath(record, ['requestParameters', 'groupId', 'length'])).toBeUndefined();
    expect(readPath({ a: null }, ['a', 'b'])).toBeUndefined();
    expect(readPath(record, ['constructor'])).toBeUndefined();
    expect(readPath(record, ['requestParameters', 'toString'])).toBeUndefined();
    // A parsed `__proto__` key is an own member like any other.
    expect(readPath(record, ['__proto__', 'x'])).toBe(1);
    expect(ownMember('text', 'length')).toBeUndefined();
  });
});

describe('ownMember', () => {
  it('reads own data properties of plain objects and arrays only', () => {
    const record = JSON.parse('{"a":{"b":1},"list":["x"],"constructor":"data"}') as unknown;
    expect(ownMember(record, 'a')).toEqual({ b: 1 });
    expect(ownMember(ownMember(record, 'list'), '0')).toBe('x');
    expect(ownMember(record, 'constructor')).toBe('data');
    expect(ownMember({}, 'constructor')).toBeUndefined();
    expect(ownMember({}, '__proto__')).toBeUndefined();
    expect(ownMember({}, 'toString')).toBeUndefined();
    expect(ownMember(['x'], 'length')).toBeUndefined();
    expect(ownMember('text', 'length')).toBeUndefined();
    expect(ownMember(new Map([['a', 1]]), 'size')).toBeUndefined();
    expect(ownMember(null, 'a')).toBeUndefined();
  });

  it('never runs a getter and skips members that are not enumerable', () => {
    const withGetter = Object.defineProperty({}, 'secret', { get: () => 'ran', enumerable: true });
    const hidden = Object.defineProperty({}, 'hidden', { value: 1, enumerable: false });
    expect(ownMember(withGetter, 'secret')).toBeUndefined();
    expect(ownMember(hidden, 'hidden')).toBeUndefined();
    expect(ownMember(new Date(0), 'getTime')).toBeUndefined();
    expect(ownMember(Object.assign(Object.create(null) as object, { a: 2 }), 'a')).toBe(2);
  });
});
