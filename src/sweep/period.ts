/**
 * A sweep's period: how often it may act on one resource. Periods start at multiples of their
 * length since the epoch, so every sweep within one, wherever and whenever it runs, names the
 * same start, and its events the same ids.
 */
import { StewardError } from '../errors.js';
import type { ScheduleTrigger } from '../rules/rule.js';

const minuteMs = 60_000;
const unitMs: Readonly<Record<string, number>> = {
  m: minuteMs,
  minute: minuteMs,
  minutes: minuteMs,
  h: 60 * minuteMs,
  hour: 60 * minuteMs,
  hours: 60 * minuteMs,
  d: 24 * 60 * minuteMs,
  day: 24 * 60 * minuteMs,
  days: 24 * 60 * minuteMs,
};

/** A cron schedule's period when the trigger names none: its times are not evenly spaced. */
const cronPeriodMs = unitMs.d as number;

/**
 * A period or schedule that cannot be read, saying which and why.
 *
 * @example
 * sweepPeriodMs({ source: 'schedule', schedule: 'rate(1 fortnight)', resources: 'trails' }); // throws
 */
export class SweepPeriodError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'SweepPeriodError';
  }
}

/**
 * The length of the trigger's period in milliseconds: its `period` (`30m`, `1h`, `7d`), else
 * its schedule's rate (`rate(6 hours)`), else a day for a cron schedule.
 *
 * @example
 * sweepPeriodMs({ source: 'schedule', schedule: 'rate(6 hours)', resources: 'ec2-instances' }); // 21_600_000
 */
export function sweepPeriodMs(trigger: ScheduleTrigger): number {
  if (trigger.period !== undefined) {
    const period = /^(\d+)\s*(m|h|d)$/.exec(trigger.period.trim());
    if (!period)
      throw new SweepPeriodError(
        `period ${JSON.stringify(trigger.period)}: expected a whole number of minutes, hours or days (30m, 1h, 7d)`,
      );
    return length(Number(period[1]), period[2] as string, `period ${trigger.period}`);
  }
  const schedule = trigger.schedule.trim();
  if (schedule.startsWith('cron(')) return cronPeriodMs;
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(schedule);
  if (!rate)
    throw new SweepPeriodError(
      `schedule ${JSON.stringify(trigger.schedule)}: expected rate(N minutes|hours|days) or cron(…)`,
    );
  return length(Number(rate[1]), rate[2] as string, `schedule ${trigger.schedule}`);
}

function length(count: number, unit: string, what: string): number {
  if (count === 0) throw new SweepPeriodError(`${what}: a period cannot be empty`);
  return count * (unitMs[unit] as number);
}

/**
 * The start of the period `now` falls in, as ISO 8601.
 *
 * @example
 * periodStart(new Date('2026-12-01T06:30:00Z'), 86_400_000); // '2026-12-01T00:00:00.000Z'
 */
export function periodStart(now: Date, periodMs: number): string {
  return new Date(Math.floor(now.getTime() / periodMs) * periodMs).toISOString();
}
