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
