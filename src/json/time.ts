/**
 * The one reader of a point in time as JSON values and the command line carry it: an ISO 8601
 * text, or epoch milliseconds as a number or a text of digits.
 */

/**
 * An ISO 8601 time or epoch milliseconds as epoch milliseconds; undefined when it is neither.
 *
 * @example
 * parseTime('2026-11-20T10:00:00Z'); // 1795168800000
 * parseTime('1795168800000'); // 1795168800000
 * parseTime('yesterday'); // undefined
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const time = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(time) || Math.abs(time) > maxTime ? undefined : time;
}

/** The largest epoch milliseconds a JavaScript Date holds. */
const maxTime = 8.64e15;
