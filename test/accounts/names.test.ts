import { describe, expect, it } from 'vitest';
import { roleArnIn } from '../../src/accounts/member-sessions.js';
import { remember } from '../../src/accounts/recently-used.js';
import { sessionName } from '../../src/accounts/session-name.js';

describe('roleArnIn', () => {
  it('names the role in the partition of the region', () => {
    expect(roleArnIn('us-east-1', '222233334444', 'steward-member')).toBe(
      'arn:aws:iam::222233334444:role/steward-member',
    );
    expect(roleArnIn('cn-north-1', '222233334444', 'r')).toBe(
      'arn:aws-cn:iam::222233334444:role/r',
    );
    expect(roleArnIn('us-gov-west-1', '222233334444', 'r')).toBe(
      'arn:aws-us-gov:iam::222233334444:role/r',
    );
  });
});

describe('sessionName', () => {
  it('keeps to the characters and the 64 characters STS allows, the rule to 32', () => {
    const name = sessionName(`rule with spaces/and:colons-${'x'.repeat(40)}`, 'event#1');
    expect(name).toMatch(/^[\w+=,.@-]{1,64}$/);
    expect(name).toBe(`rule-with-spaces-and-colons-xxxx@event-1`);
    expect(sessionName('r', 'e'.repeat(100))).toHaveLength(64);
  });
});

describe('remember', () => {
  it('drops the entry added or used longest ago once the map is full', () => {
    const map = new Map<string, number>();
    remember(map, 'a', 1, 2);
    remember(map, 'b', 2, 2);
    map.delete('a');
    map.set('a', 1);
    remember(map, 'c', 3, 2);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });
});
