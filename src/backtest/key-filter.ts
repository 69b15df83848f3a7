import { parseTime } from '../json/time.js';
import { parseLogKey } from './log-key.js';
import type { BacktestQuery } from './report.js';

const dayMs = 86_400_000;

/** The UTC day of epoch milliseconds, as CloudTrail's folders name it (`2026/10/31`). */
function dayFolder(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replaceAll('-', '/');
}

/**
 * Which log files a backtest lists, by what their key says: the accounts and regions asked
 * for, and the day folders that can hold events of `since`…`until`. CloudTrail files a log
 * file in the folder of its delivery, up to about a quarter of an hour after its events, so
 * the day after `until`'s is listed too; events outside the range are left out when read.
 *
 * @example
 * const filter = new LogKeyFilter({ sources: [], since: '2026-10-01', until: '2026-10-04' });
 * filter.dayFolders(); // ['2026/10/01', '2026/10/02', '2026/10/03', '2026/10/04']
 */
export class LogKeyFilter {
  private readonly first?: string;
  private readonly last?: string;
  private readonly accounts?: ReadonlySet<string>;
  private readonly regions?: ReadonlySet<string>;

  /** `now` (epoch milliseconds) ends a range that has no `until`. */
  constructor(
    query: BacktestQuery,
    private readonly now: number = Date.now(),
  ) {
    // A time that is not one is the evaluator's error to report (`BacktestQueryError`).
    const since = parseTime(query.since);
    const until = parseTime(query.until);
    if (since !== undefined) this.first = dayFolder(since);
    if (until !== undefined) this.last = dayFolder(until - 1 + dayMs);
    if (query.accounts !== undefined) this.accounts = new Set(query.accounts);
    if (query.regions !== undefined) this.regions = new Set(query.regions);
  }

  /**
   * The day folders (`YYYY/MM/DD`) to list, oldest first; undefined without `since`, when the
   * whole region is listed.
   */
  dayFolders(): string[] | undefined {
    if (this.first === undefined) return undefined;
    const last = this.last ?? dayFolder(this.now + dayMs);
    const days: string[] = [];
    for (
      let time = Date.parse(`${this.first.replaceAll('/', '-')}T00:00:00Z`);
      dayFolder(time) <= last;
      time += dayMs
    )
      days.push(dayFolder(time));
    return days;
  }

  admitsAccount(account: string): boolean {
    return this.accounts === undefined || this.accounts.has(account);
  }

  admitsRegion(region: string): boolean {
    return this.regions === undefined || this.regions.has(region);
  }

  /**
   * Whether a file is read: one in CloudTrail's layout when its account, region and day are
   * asked for; any other (an event file, a copy out of the layout) always, its events
   * filtered when read.
   */
  admitsKey(key: string): boolean {
    const parsed = parseLogKey(key);
    if (parsed === undefined) return true;
    const day = parsed.day.replaceAll('-', '/');
    return (
      this.admitsAccount(parsed.account) &&
      this.admitsRegion(parsed.region) &&
      (this.first === undefined || day >= this.first) &&
      (this.last === undefined || day <= this.last)
    );
  }
}

/** Whether a file's name is a log file's or an event file's: `.json` or `.json.gz`. */
export function looksLikeLogFile(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.json.gz');
}
