import { StewardError } from '../errors.js';
import { parseTime } from '../json/time.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { secondAtOrAfter } from './event-time.js';
import type { BacktestQuery } from './report.js';

/**
 * A backtest query that cannot be run: a time that is not one, a rule the pack does not hold.
 * The message names the option and the value.
 *
 * @example
 * throw new BacktestQueryError('since: "last week" is not an ISO 8601 time');
 */
export class BacktestQueryError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestQueryError';
  }
}

function boundOf(query: BacktestQuery, name: 'since' | 'until'): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const time = parseTime(value);
  if (time === undefined)
    throw new BacktestQueryError(`${name}: ${JSON.stringify(value)} is not an ISO 8601 time`);
  return time;
}

/**
 * Which events a backtest evaluates: those with `since <= time < until`, of the accounts and
 * regions asked for (all when not asked). An event outside is counted as filtered out.
 *
 * @example
 * const filter = new EventFilter({ sources: [], since: '2026-10-01', regions: ['us-east-1'] });
 * filter.admits(event); // false for an event of eu-west-1
 */
export class EventFilter {
  private readonly since?: number;
  private readonly until?: number;
  /** The bounds as CloudTrail writes times, to compare its event times as text. */
  private readonly sinceText?: string;
  private readonly untilText?: string;
  private readonly accounts?: ReadonlySet<string>;
  private readonly regions?: ReadonlySet<string>;

  constructor(query: BacktestQuery) {
    this.since = boundOf(query, 'since');
    this.until = boundOf(query, 'until');
    if (this.since !== undefined) this.sinceText = secondAtOrAfter(this.since);
    if (this.until !== undefined) this.untilText = secondAtOrAfter(this.until);
    if (query.accounts !== undefined) this.accounts = new Set(query.accounts);
    if (query.regions !== undefined) this.regions = new Set(query.regions);
  }

  /**
   * Whether the event is one the query asks about; `ms` is its time in epoch milliseconds
   * when its text is not of CloudTrail's shape (`isTrailTime`), which is then compared as text.
   */
  admits(event: StewardEvent, ms?: number): boolean {
    if (ms === undefined) {
      if (this.sinceText !== undefined && event.time < this.sinceText) return false;
      if (this.untilText !== undefined && event.time >= this.untilText) return false;
    } else {
      if (this.since !== undefined && ms < this.since) return false;
      if (this.until !== undefined && ms >= this.until) return false;
    }
    if (this.accounts !== undefined && !this.accounts.has(event.account ?? '')) return false;
    if (this.regions !== undefined && !this.regions.has(event.region ?? '')) return false;
    return true;
  }
}
