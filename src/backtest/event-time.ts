/**
 * Event times as a backtest compares them. CloudTrail writes `eventTime` as
 * `YYYY-MM-DDTHH:MM:SSZ`; texts of that one shape compare as the times they name, so the
 * millions of records of a backtest are placed and filtered without parsing a date each. A
 * time of another shape is parsed.
 */

/** The number the two digits at `at` write; out of 0 to 99 when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >>> 0 > 9 || ones >>> 0 > 9 ? -1 : tens * 10 + ones;
}

/**
 * Whether the text is a time as CloudTrail writes one, `YYYY-MM-DDTHH:MM:SSZ`, with a month,
 * day, hour, minute and second in range (so that `Date.parse` reads it).
 *
 * @example
 * isTrailTime('2026-10-31T12:00:00Z'); // true
 * isTrailTime('2026-10-31T12:00:00.000Z'); // false: it is parsed instead
 */
export function isTrailTime(text: string): boolean {
  if (
    text.length !== 20 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 90 ||
    twoDigits(text, 0) < 0 ||
    twoDigits(text, 2) < 0
  )
    return false;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    hour >= 0 &&
    hour <= 24 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

/**
 * The time in CloudTrail's shape of the first whole second at or after `ms`: an event time
 * of that shape is at or after `ms` exactly when its text is at or after this one.
 *
 * @example
 * secondAtOrAfter(Date.parse('2026-10-31T12:00:00.250Z')); // '2026-10-31T12:00:01Z'
 */
export function secondAtOrAfter(ms: number): string {
  return `${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * The earliest and latest of the event times seen: texts of CloudTrail's shape compared as
 * text, others by their epoch milliseconds. Reported in ISO 8601 with milliseconds, as every
 * time of a report is.
 *
 * @example
 * const range = new TimeRange();
 * range.add('2026-10-31T12:00:00Z');
 * range.first(); // '2026-10-31T12:00:00.000Z'
 */
export class TimeRange {
  private firstText?: string;
  private lastText?: string;
  private firstMs = Infinity;
  private lastMs = -Infinity;

  /** Adds a time: `ms`, its epoch milliseconds, when it is not of CloudTrail's shape. */
  add(time: string, ms?: number): void {
    if (ms === undefined) {
      if (this.firstText === undefined || time < this.firstText) this.firstText = time;
      if (this.lastText === undefined || time > this.lastText) this.lastText = time;
    } else {
      if (ms < this.firstMs) this.firstMs = ms;
      if (ms > this.lastMs) this.lastMs = ms;
    }
  }

  first(): string | undefined {
    return this.bound(this.firstText, this.firstMs, Math.min);
  }

  last(): string | undefined {
    return this.bound(this.lastText, this.lastMs, Math.max);
  }

  private bound(
    text: string | undefined,
    ms: number,
    pick: (a: number, b: number) => number,
  ): string | undefined {
    const candidates = [text === undefined ? NaN : Date.parse(text), ms].filter(Number.isFinite);
    return candidates.length === 0
      ? undefined
      : new Date(candidates.reduce((a, b) => pick(a, b))).toISOString();
  }
}
