import type { LedgerEntry } from '../ledger/entry.js';
import type { TraceLogLine } from './trace-line.js';

/** One action of the event: its ledger entry, and the log lines about it, in time order. */
export interface ActionTrace {
  action: string;
  resource?: string;
  mode?: string;
  /** The ledger key, from the entry or the log lines. */
  key?: string;
  /** Absent when only the logs know the action (the entry expired, or was never written). */
  entry?: LedgerEntry;
  log: TraceLogLine[];
}

/** One rule that matched the event: its actions, and its lines that name no one action. */
export interface RuleTrace {
  rule: string;
  actions: ActionTrace[];
  log: TraceLogLine[];
}

/** What the ledger or the logs say of the event itself. */
export interface TracedEvent {
  source?: string;
  eventName?: string;
  eventTime?: string;
  account?: string;
  region?: string;
  actor?: string;
  /** The event had no id of its own; the id was derived from its content. */
  idDerived?: boolean;
}

/**
 * Everything the ledger and the logs hold about one event: the rules it matched, each action
 * with its entry and its log lines, and the error lines that name no rule.
 */
export interface EventTrace {
  eventId: string;
  event: TracedEvent;
  rules: RuleTrace[];
  /** Lines that name no rule (an error decoding or evaluating the event). */
  log: TraceLogLine[];
}

/** Two ISO 8601 times in order, whatever their precision (`…:01Z` is before `…:01.500Z`). */
function byTime(a: string, b: string): number {
  return (Date.parse(a) || 0) - (Date.parse(b) || 0);
}

function firstTime(rule: RuleTrace): string {
  const times = [
    ...rule.actions.flatMap((action) => [
      ...(action.entry ? [action.entry.createdAt] : []),
      ...action.log.map((line) => line.time),
    ]),
    ...rule.log.map((line) => line.time),
  ];
  return times.reduce((first, time) => (byTime(time, first) < 0 ? time : first), times[0] ?? '');
}

/** The event's own fields: from its first ledger entry, else from its first line naming them. */
function tracedEvent(entries: readonly LedgerEntry[], lines: readonly TraceLogLine[]): TracedEvent {
  const entry = entries[0];
  if (entry !== undefined)
    return {
      source: entry.source,
      eventName: entry.eventName,
      eventTime: entry.eventTime,
      ...(entry.account === undefined || entry.account === '-' ? {} : { account: entry.account }),
      ...(entry.region === undefined || entry.region === '-' ? {} : { region: entry.region }),
      ...(entry.actor === undefined || entry.actor === '-' ? {} : { actor: entry.actor }),
      ...(entry.idDerived ? { idDerived: true } : {}),
    };
  const line = lines.find((each) => each.source !== undefined) ?? lines[0];
  if (line === undefined) return {};
  const { source, eventName, account, region } = line;
  return Object.fromEntries(
    Object.entries({ source, eventName, account, region }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/**
 * Puts an event's ledger entries and log lines together: each entry is an action of its rule;
 * an `action outcome` line joins the action of its ledger key (or, without one, of its rule,
 * action, resource and mode), or makes an action the ledger no longer holds; a `steward error`
 * line joins the one action its rule and action name, else its rule, else the event. Rules are
 * in the order the event reached them, actions in the order they were claimed.
 *
 * @example
 * const trace = eventTrace(eventId, await ledger.list({ event: eventId }), found.lines);
 * trace.rules[0]?.actions[0]?.entry?.status; // 'succeeded'
 */
export function eventTrace(
  eventId: string,
  entries: readonly LedgerEntry[],
  lines: readonly TraceLogLine[],
): EventTrace {
  const created = [...entries].sort(
    (a, b) => byTime(a.createdAt, b.createdAt) || a.pk.localeCompare(b.pk),
  );
  const rules = new Map<string, RuleTrace>();
  const ruleOf = (rule: string): RuleTrace => {
    let trace = rules.get(rule);
    if (trace === undefined) {
      trace = { rule, actions: [], log: [] };
      rules.set(rule, trace);
    }
    return trace;
  };
  for (const entry of created)
    ruleOf(entry.ruleId).actions.push({
      action: entry.action,
      resource: entry.resource,
      mode: entry.mode,
      key: entry.pk,
      entry,
      log: [],
    });
  const eventLog: TraceLogLine[] = [];
  const ordered = [...lines].sort((a, b) => byTime(a.time, b.time));
  for (const line of ordered) {
    if (line.rule === undefined) {
      eventLog.push(line);
      continue;
    }
    const rule = ruleOf(line.rule);
    if (line.message === 'action outcome') {
      const action =
        rule.actions.find((each) => line.ledgerKey !== undefined && each.key === line.ledgerKey) ??
        rule.actions.find(
          (each) =>
            (line.ledgerKey === undefined || each.key === undefined) &&
            each.action === line.action &&
            each.resource === line.resource &&
            each.mode === line.mode,
        );
      if (action !== undefined) action.log.push(line);
      else
        rule.actions.push({
          action: line.action ?? '-',
          ...(line.resource === undefined ? {} : { resource: line.resource }),
          ...(line.mode === undefined ? {} : { mode: line.mode }),
          ...(line.ledgerKey === undefined ? {} : { key: line.ledgerKey }),
          log: [line],
        });
      continue;
    }
    const named = rule.actions.filter(
      (each) =>
        each.action === line.action &&
        (line.resource === undefined || each.resource === line.resource),
    );
    if (line.action !== undefined && named.length === 1) named[0]?.log.push(line);
    else rule.log.push(line);
  }
  return {
    eventId,
    event: tracedEvent(created, ordered),
    rules: [...rules.values()].sort((a, b) => byTime(firstTime(a), firstTime(b))),
    log: eventLog,
  };
}
