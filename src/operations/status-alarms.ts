import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { StatusPartError } from './status-errors.js';

/** An alarm in the ALARM state. */
export interface FiringAlarm {
  name: string;
  /** CloudWatch's `StateReason`: what crossed the threshold. */
  reason: string;
  /** When it went into ALARM. */
  since: string;
  /** The metric it watches, for a metric alarm. */
  metric?: string;
}

/**
 * The alarms whose names start with `prefix` (a stage's `steward-<stage>-`) that are in ALARM,
 * metric and composite alike, by name. A refusal throws `StatusPartError`.
 *
 * @example
 * const firing = await alarmsInAlarm(cloudWatch, 'steward-prod-');
 */
export async function alarmsInAlarm(
  cloudWatch: CloudWatchClient,
  prefix: string,
): Promise<FiringAlarm[]> {
  const firing: FiringAlarm[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: prefix,
          StateValue: 'ALARM',
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        // Some servers apply only one of the filters; the result is held to both.
        if (alarm.StateValue !== 'ALARM' || !alarm.AlarmName?.startsWith(prefix)) continue;
        firing.push({
          name: alarm.AlarmName,
          reason: alarm.StateReason ?? '-',
          since: alarm.StateUpdatedTimestamp?.toISOString() ?? '-',
          ...('MetricName' in alarm && alarm.MetricName !== undefined
            ? { metric: alarm.MetricName }
            : {}),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
  } catch (error) {
    throw new StatusPartError('alarms', `cannot read the alarms named ${prefix}*`, error);
  }
  return firing.sort((a, b) => a.name.localeCompare(b.name));
}
