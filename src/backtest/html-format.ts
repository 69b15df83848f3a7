import { shownText } from './html-text.js';

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * A count as the page writes it, with thousands separators.
 *
 * @example
 * countText(1234567); // '1,234,567'
 */
export function countText(value: number): string {
  return wholeNumber.format(value);
}

/**
 * A count and the noun it counts, singular for one.
 *
 * @example
 * countOf(1, 'event'); // '1 event'
 * countOf(3, 'match', 'matches'); // '3 matches'
 */
export function countOf(value: number, noun: string, nouns = `${noun}s`): string {
  return `${wholeNumber.format(value)} ${value === 1 ? noun : nouns}`;
}

/**
 * A number of bytes in the unit that reads best (`55.2 MB`), with the exact count when a unit
 * rounded it.
 *
 * @example
 * bytesText(1536); // '1.5 KB (1,536 bytes)'
 */
export function bytesText(bytes: number): string {
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit < 0
    ? `${wholeNumber.format(bytes)} bytes`
    : `${oneDecimal.format(value)} ${units[unit]} (${wholeNumber.format(bytes)} bytes)`;
}

/**
 * A list of values from the report, each shown and escaped, or what an empty list means.
 *
 * @example
 * listText(['123456789012'], 'all accounts'); // '<code>123456789012</code>'
 */
export function listText(values: readonly string[] | undefined, whenEmpty: string): string {
  if (values === undefined || values.length === 0) return `<span class="none">${whenEmpty}</span>`;
  return values.map((value) => `<code>${shownText(value)}</code>`).join(', ');
}
