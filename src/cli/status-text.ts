import type { NamedCount, StageStatus, StatusPart } from '../operations/status.js';
import { escapeControls } from './escape.js';
import { table } from './output.js';

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

/** A part's lines, or the one line saying why it could not be read. */
function partLines<T>(title: string, part: StatusPart<T>, lines: (value: T) => string[]): string[] {
  if (!part.available) return [`${title}: unavailable: ${escapeControls(part.reason)}`];
  return lines(part.value);
}

/** A heading with its total, then a two-column table of the counts (or `none`). */
function countSection(title: string, column: string, counts: readonly NamedCount[]): string[] {
  const total = counts.reduce((sum, count) => sum + count.count, 0);
  if (counts.length === 0) return [`${title}: none`];
  return [
    `${title}: ${total}`,
    indent(table([[column, 'count'], ...counts.map((count) => [count.name, String(count.count)])])),
  ];
}

function namespaceLine(status: StageStatus): string {
  const { namespace, from, note } = status.namespace;
  const source =
    from === 'option'
      ? '--namespace'
      : from === 'stack'
        ? "the stack's MetricsNamespace output"
        : `the default${note === undefined ? '' : `: ${note}`}`;
  return `metrics namespace ${namespace} (${source})`;
}

/**
 * A stage's status as one screen of text: the window, the metrics (events, errors, matches,
 * actions), the last failures from the ledger, the dead-letter queue and the alarms in ALARM;
 * a part that could not be read says so and why. Control characters from AWS are escaped.
 *
 * @example
 * output.out(describeStatus(await stageStatus(clients, request)));
 */
export function describeStatus(status: StageStatus): string {
  const lines = [
    escapeControls(`${status.stack} in ${status.region}, ${status.since} to ${status.until}`),
    escapeControls(namespaceLine(status)),
    '',
    ...partLines('metrics', status.metrics, (metrics) => [
      ...countSection('events received by function', 'function', metrics.eventsByFunction),
      ...countSection('events received by source', 'source', metrics.eventsBySource),
      ...countSection('decode errors by function', 'function', metrics.decodeErrorsByFunction),
      ...countSection(
        'evaluation errors by function',
        'function',
        metrics.evaluationErrorsByFunction,
      ),
      ...countSection('matches by rule', 'rule', metrics.matchesByRule),
      ...countSection('actions by status', 'status', metrics.actionsByStatus),
      ...countSection('failed actions by rule', 'rule', metrics.failedByRule),
    ]),
    '',
    ...partLines('last failures', status.failures, (failures) =>
      failures.length === 0
        ? ['last failures: none']
        : [
            `last failures (newest first): ${failures.length}`,
            indent(
              table([
                ['time', 'rule', 'action', 'resource', 'account', 'region', 'reason'],
                ...failures.map((failure) => [
                  failure.time,
                  failure.rule,
                  failure.action,
                  failure.resource,
                  failure.account,
                  failure.region,
                  failure.reason,
                ]),
              ]),
            ),
          ],
    ),
    '',
    ...partLines('dead-letter queue', status.deadLetters, (queue) => [
      `dead-letter queue ${escapeControls(queue.queue)}: ${queue.messages} ${queue.messages === 1 ? 'message' : 'messages'} waiting, ${queue.inFlight} in flight`,
      ...(queue.messages > 0
        ? [escapeControls(`  once the cause is fixed: steward replay --dlq ${queue.url}`)]
        : []),
    ]),
    ...partLines('alarms in ALARM', status.alarms, (alarms) =>
      alarms.length === 0
        ? ['alarms in ALARM: none']
        : [
            `alarms in ALARM: ${alarms.length}`,
            indent(
              table([
                ['alarm', 'since', 'reason'],
                ...alarms.map((alarm) => [alarm.name, alarm.since, alarm.reason]),
              ]),
            ),
          ],
    ),
  ];
  return lines.join('\n');
}
