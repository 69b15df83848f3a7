/**
 * IP address ranges as the rules' CIDR operators and the security-group actions read them. An
 * IPv4-mapped IPv6 range (`::ffff:10.1.2.3`, `::ffff:0:0/96`) is read as the IPv4 range it
 * maps, so a source address logged in that form is inside `10.0.0.0/8`.
 */

/** An IPv4 or IPv6 address range, as the first and last address. */
export interface IpRange {
  version: 4 | 6;
  first: bigint;
  last: bigint;
}

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A dotted-quad IPv4 address as its number: four parts of 0 to 255, written without leading
 * zeros. Read a character at a time: the split and a regular expression per part it replaced
 * made a CIDR check on an event's address (a new one with nearly every CloudTrail record) cost
 * about as much as parsing the record (BENCHMARKS.md).
 */
function parseIpv4(text: string): bigint | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else if (code >= ZERO && code <= NINE) {
      // A part may be `0`, but not start with one.
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (code - ZERO);
      digits += 1;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return BigInt(value * 256 + part);
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap !== -1) {
    if (text.indexOf('::', gap + 1) !== -1) return undefined;
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const groups = (part: string): bigint[] | undefined => {
    if (part === '') return [];
    const words: bigint[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      // The last piece may be an embedded IPv4 address (::ffff:192.0.2.1).
      if (index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        words.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        words.push(BigInt(`0x${piece}`));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const before = groups(head);
  const after = groups(tail);
  if (!before || !after) return undefined;
  const missing = 8 - before.length - after.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...before, ...Array<bigint>(gap === -1 ? 0 : missing).fill(0n), ...after];
  return words.reduce((value, word) => (value << 16n) | word, 0n);
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, or a single address; undefined when it is neither. An
 * IPv4-mapped range of prefix 96 or longer is the IPv4 range it maps.
 *
 * @example
 * parseIpRange('10.0.0.0/8'); // { version: 4, first: 167772160n, last: 184549375n }
 * parseIpRange('::ffff:10.1.2.3'); // the same as parseIpRange('10.1.2.3')
 */
export function parseIpRange(text: string): IpRange | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash < 0 ? undefined : trimmed.slice(slash + 1);
  if (prefixText?.includes('/') === true) return undefined;
  const version = address.includes(':') ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  const base = version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (base === undefined) return undefined;
  const prefix =
    prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  // `::ffff:0:0/96`: IPv6 addresses that carry an IPv4 address in their last 32 bits.
  if (version === 6 && prefix >= 96 && base >> 32n === 0xffffn) {
    return rangeOf(4, base & 0xffffffffn, bits - prefix);
  }
  return rangeOf(version, base, bits - prefix);
}

function rangeOf(version: 4 | 6, base: bigint, hostBitCount: number): IpRange {
  // One address, the commonest range of all (an event's source address).
  if (hostBitCount === 0) return { version, first: base, last: base };
  const hostBits = BigInt(hostBitCount);
  const first = (base >> hostBits) << hostBits;
  return { version, first, last: first + (1n << hostBits) - 1n };
}

/**
 * True when `inner` lies wholly inside `outer`.
 *
 * @example
 * rangeContains(parseIpRange('10.0.0.0/8')!, parseIpRange('::ffff:10.1.2.3')!); // true
 */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.version === inner.version && outer.first <= inner.first && inner.last <= outer.last;
}

/**
 * True when the two ranges share an address.
 *
 * @example
 * rangesOverlap(parseIpRange('10.0.0.0/8')!, parseIpRange('10.1.0.0/16')!); // true
 */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/**
 * True for 0.0.0.0/0 and ::/0: a range that covers every address of its version.
 *
 * @example
 * coversEveryAddress(parseIpRange('0.0.0.0/0')!); // true
 */
export function coversEveryAddress(range: IpRange): boolean {
  return (
    range.first === 0n && range.last === (range.version === 4 ? 2n ** 32n - 1n : 2n ** 128n - 1n)
  );
}

/**
 * True when a CIDR text opens to every address of its version: `0.0.0.0/0`, `::/0`, or any
 * address written with prefix length 0. The one world-open check, shared by the `worldOpen`
 * operator and the security-group actions.
 *
 * @example
 * isWorldOpen('0.0.0.0/0'); // true
 * isWorldOpen('10.0.0.0/8'); // false
 */
export function isWorldOpen(cidr: string): boolean {
  const range = parseIpRange(cidr);
  return range !== undefined && coversEveryAddress(range);
}
