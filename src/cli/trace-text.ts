import type { LedgerEntry } from '../ledger/entry.js';
import type { TraceLogLine } from '../operations/trace-line.js';
import type { LogGroupSearch } from '../operations/trace-logs.js';
import type { ActionTrace, EventTrace } from '../operations/trace.js';
import { escapeControls } from './escape.js';
import { humanTime } from './ledger-format.js';

/** Where a trace looked: the ledger, and a deployed stage's logs or why none were searched. */
export interface TraceSources {
  /** The ledger, for people: "DynamoDB table steward-prod-ledger". */
  ledger: string;
  logs:
    | { stage: string; region: string; since: string; groups: LogGroupSearch[] }
    | { searched: false; reason: string };
}

/** `steward trace --json`: the trace and where it looked, one document. */
export type TraceDocument = EventTrace & TraceSources;

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Where the trace looked, one line each for the ledger and the logs.
 *
 * @example
 * describeSources(document, 3); // ['ledger: DynamoDB table steward-prod-ledger: 3 entries', 'logs: …']
 */
export function describeSources(sources: TraceSources, entries: number): string[] {
  const ledger = `ledger: ${sources.ledger}: ${plural(entries, 'entry', 'entries')}`;
  if ('searched' in sources.logs) return [ledger, `logs: none searched (${sources.logs.reason})`];
  const { stage, region, since, groups } = sources.logs;
  const searched = groups.flatMap((group) => (group.outcome === 'searched' ? [group] : []));
  const lines = searched.reduce((sum, group) => sum + group.lines, 0);
  const withLines = searched.filter((group) => group.lines > 0).length;
  const parts = [
    `logs of stage ${stage} in ${region} since ${humanTime(since)}: ${plural(lines, 'line')} in ${withLines} of ${plural(groups.length, 'log group')}`,
    ...groups.flatMap((group) =>
      group.outcome === 'missing'
        ? [`no log group ${group.logGroup}`]
        : group.outcome === 'refused'
          ? [`${group.logGroup} refused: ${group.error}`]
          : [],
    ),
  ];
  return [ledger, parts.join('; ')];
}

function describeLine(line: TraceLogLine): string {
  const start = `${humanTime(line.time)}  ${line.function}  `;
  const notes = [
    ...(line.retries ? [plural(line.retries, 'retry', 'retries')] : []),
    ...(line.latencyMs === undefined ? [] : [`${line.latencyMs} ms`]),
    ...(line.requestId === undefined ? [] : [`request ${line.requestId}`]),
  ];
  const suffix = notes.length === 0 ? '' : ` (${notes.join(', ')})`;
  if (line.message === 'action outcome')
    return `${start}${line.status ?? '-'}${line.detail === undefined ? '' : `: ${line.detail}`}${suffix}`;
  const where = line.where === undefined ? '' : ` at ${line.where}`;
  return `${start}error${line.kind === undefined ? '' : ` (${line.kind})`}${where}: ${line.error ?? '-'}${suffix}`;
}

/** The fields of an entry that tell its story beyond its status. */
function describeEntry(entry: LedgerEntry): string[] {
  const lines = [
    `key ${entry.pk}; created ${humanTime(entry.createdAt)}, updated ${humanTime(entry.updatedAt)}`,
  ];
  if (entry.status === 'claimed')
    lines.push(
      `claimed until ${humanTime(entry.leaseUntil)}${entry.owner ? ` by ${entry.owner.host} pid ${entry.owner.pid}` : ''}`,
    );
  if (entry.detail !== undefined) lines.push(`detail: ${entry.detail}`);
  // A failure's reason; on any other status, why an earlier attempt's claim was released.
  if (entry.error !== undefined)
    lines.push(
      `${entry.status === 'failed' ? 'error' : entry.status === 'claimed' ? 'released' : 'earlier attempt'}: ${entry.error}`,
    );
  if (entry.data !== undefined) lines.push(`data: ${JSON.stringify(entry.data)}`);
  return lines;
}

function describeAction(action: ActionTrace): string[] {
  const on = action.resource === undefined ? '' : ` on ${action.resource}`;
  const mode = action.mode === undefined ? '' : ` (${action.mode})`;
  const entry = action.entry;
  const outcome =
    entry === undefined
      ? `no ledger entry${action.key === undefined ? '' : ` ${action.key}`}`
      : [
          entry.status,
          plural(entry.attempts, 'attempt'),
          ...(entry.retries ? [plural(entry.retries, 'retry', 'retries')] : []),
        ].join(', ');
  return [
    `  ${action.action}${on}${mode}: ${outcome}`,
    ...(entry === undefined ? [] : describeEntry(entry)).map((line) => `    ${line}`),
    ...action.log.map((line) => `    ${describeLine(line)}`),
  ];
}

/**
 * A trace as `steward trace` prints it: the event, where the trace looked, then each rule with
 * each action's ledger entry and log lines, then the event's errors that name no rule. Every line is
 * escaped: an event's text can neither break the layout nor forge a line.
 *
 * @example
 * output.out(describeTrace(document));
 */
export function describeTrace(document: TraceDocument): string {
  const { event } = document;
  const entries = document.rules.reduce(
    (sum, rule) => sum + rule.actions.filter((action) => action.entry !== undefined).length,
    0,
  );
  const what = [event.source, event.eventName].filter((part) => part !== undefined).join(' ');
  const lines = [
    `event ${document.eventId}`,
    ...(what === ''
      ? []
      : [
          `  ${what}${event.eventTime === undefined ? '' : ` at ${humanTime(event.eventTime)}`}${event.account === undefined && event.region === undefined ? '' : ` in ${event.account ?? '-'}/${event.region ?? '-'}`}`,
        ]),
    ...(event.actor === undefined ? [] : [`  actor ${event.actor}`]),
    ...(event.idDerived ? ["  (no id of its own: derived from the record's content)"] : []),
    ...describeSources(document, entries),
  ];
  for (const rule of document.rules) {
    lines.push('', `rule ${rule.rule} (${plural(rule.actions.length, 'action')})`);
    for (const action of rule.actions) lines.push(...describeAction(action));
    for (const line of rule.log) lines.push(`  ${describeLine(line)}`);
  }
  if (document.log.length > 0) {
    lines.push('', 'event errors');
    for (const line of document.log) lines.push(`  ${describeLine(line)}`);
  }
  return lines.map(escapeControls).join('\n');
}
