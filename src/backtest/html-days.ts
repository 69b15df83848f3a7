import type { BacktestReport } from './report.js';

const msPerDay = 86_400_000;

/** The UTC days a chart spans, both included, as days since 1970-01-01. */
export interface DaySpan {
  first: number;
  last: number;
}

/**
 * The day number of a UTC day written `YYYY-MM-DD`, or `undefined` for anything else (a
 * `perDay` key that is not a real day is left out of the chart rather than misplaced).
 *
 * @example
 * dayNumber('1970-01-02'); // 1
 */
export function dayNumber(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || dayName(ms / msPerDay) !== day ? undefined : ms / msPerDay;
}

/**
 * The `YYYY-MM-DD` of a day number.
 *
 * @example
 * dayName(1); // '1970-01-02'
 */
export function dayName(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/** The UTC day of an ISO 8601 instant, minus `offsetMs`; `undefined` when it is not one. */
function dayOf(instant: string | undefined, offsetMs = 0): number | undefined {
  if (instant === undefined) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : Math.floor((ms - offsetMs) / msPerDay);
}

/**
 * The days a report's charts show: the query's range when it has one (`until` excluded), each
 * open end taken from the events evaluated, and widened to any day a rule matched on, so every
 * rule's chart has the same days and no match falls outside them. `undefined` when there is no
 * day at all (no range asked and no event read).
 *
 * @example
 * reportDaySpan(report); // { first: dayNumber('2026-10-01'), last: dayNumber('2026-10-10') }
 */
export function reportDaySpan(report: BacktestReport): DaySpan | undefined {
  let first = dayOf(report.query.since) ?? dayOf(report.totals.firstEvent);
  // `until` is excluded: an until of midnight ends the range on the day before.
  let last = dayOf(report.query.until, 1) ?? dayOf(report.totals.lastEvent);
  for (const rule of report.rules) {
    for (const key of Object.keys(rule.perDay)) {
      const day = dayNumber(key);
      if (day === undefined) continue;
      first = first === undefined ? day : Math.min(first, day);
      last = last === undefined ? day : Math.max(last, day);
    }
  }
  const start = first ?? last;
  if (start === undefined) return undefined;
  return { first: start, last: Math.max(start, last ?? start) };
}
