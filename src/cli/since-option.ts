import { parseTime } from '../json/time.js';
import { parseDuration } from '../rules/duration.js';
import { UsageError } from './output.js';

/**
 * `--since` as `steward ledger`, `steward status` and `steward trace` take it: an ISO 8601 time, epoch
 * milliseconds, or a time ago (`30m`, `12h`, `7d`, `2w`) from `now`.
 *
 * @example
 * sinceTime('12h', Date.parse('2026-11-30T12:00:00Z')); // '2026-11-30T00:00:00.000Z'
 */
export function sinceTime(value: string, now: number): string {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now - ago).toISOString();
  if (parseTime(value) === undefined)
    throw new UsageError(
      `--since must be an ISO 8601 time, epoch milliseconds or a time ago such as 30m, 12h or 7d, got "${value}"`,
    );
  return value;
}
