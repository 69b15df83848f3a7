import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isWorldOpen,
  parseIpRange,
  rangeContains,
  rangesOverlap,
  type IpRange,
} from '../../src/net/ip-range.js';

function range(text: string): IpRange {
  const parsed = parseIpRange(text);
  if (parsed === undefined) throw new Error(`${text} does not parse`);
  return parsed;
}

describe('IPv4-mapped IPv6 addresses', () => {
  it('are the IPv4 address they map, so they fall inside IPv4 ranges', () => {
    expect(range('::ffff:10.1.2.3')).toEqual(range('10.1.2.3'));
    expect(range('::FFFF:0a01:0203')).toEqual(range('10.1.2.3'));
    expect(rangeContains(range('10.0.0.0/8'), range('::ffff:10.1.2.3'))).toBe(true);
    expect(rangeContains(range('10.0.0.0/8'), range('::ffff:11.1.2.3'))).toBe(false);
    expect(rangesOverlap(range('10.1.0.0/16'), range('::ffff:10.0.0.0/104'))).toBe(true);
  });

  it('keep their prefix as an IPv4 prefix, and stay IPv6 below prefix 96', () => {
    expect(range('::ffff:10.0.0.0/104')).toEqual(range('10.0.0.0/8'));
    expect(range('::ffff:0:0/96')).toEqual(range('0.0.0.0/0'));
    expect(range('::ffff:0:0/95').version).toBe(6);
    expect(range('::fffe:10.1.2.3').version).toBe(6);
    expect(rangeContains(range('10.0.0.0/8'), range('::fffe:10.1.2.3'))).toBe(false);
  });
});

describe('isWorldOpen', () => {
  it('is true for a range of prefix 0 however written, false otherwise', () => {
    for (const open of ['0.0.0.0/0', '::/0', '10.1.2.3/0', '2001:db8::/0']) {
      expect(isWorldOpen(open), open).toBe(true);
    }
    for (const closed of ['10.0.0.0/8', '0.0.0.0/1', '::/1', '0.0.0.0', 'not a range', '/0']) {
      expect(isWorldOpen(closed), closed).toBe(false);
    }
  });
});

describe('parseIpRange', () => {
  it('reads IPv4 addresses and ranges', () => {
    expect(range('10.1.2.3')).toEqual({ version: 4, first: 0x0a010203n, last: 0x0a010203n });
    expect(range(' 192.0.2.0/24 ')).toEqual({ version: 4, first: 0xc0000200n, last: 0xc00002ffn });
    expect(range('10.1.2.3/8')).toEqual(range('10.0.0.0/8'));
    expect(range('0.0.0.0')).toEqual({ version: 4, first: 0n, last: 0n });
    expect(range('255.255.255.255/32')).toEqual({
      version: 4,
      first: 2n ** 32n - 1n,
      last: 2n ** 32n - 1n,
    });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.2.3',
    '1.2.3.1000',
    '01.2.3.4',
    '1.2.3.00',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.a',
    '1.2.3.4 5',
    '+1.2.3.4',
    '1.2.3.4/33',
    '1.2.3.4/-1',
    '1.2.3.4//8',
    '1.2.3.4/8/8',
    '1.2.3.4/',
    'ec2.amazonaws.com',
  ])('refuses %j', (text) => {
    expect(parseIpRange(text)).toBeUndefined();
  });

  it('reads every IPv4 address as its four parts say', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        const parts = address.split('.').map(Number);
        const value = parts.reduce((sum, part) => sum * 256 + part, 0);
        expect(parseIpRange(address)).toEqual({
          version: 4,
          first: BigInt(value),
          last: BigInt(value),
        });
      }),
    );
  });
});
