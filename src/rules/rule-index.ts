import type { StewardEvent } from '../sources/steward-event.js';
import { compileLogFilter, type LogFilter } from './log-filter.js';
import { matchesValue } from './match-value.js';
import type { CloudTrailTrigger, CompiledRule } from './rule.js';

interface CloudTrailEntry {
  rule: CompiledRule;
  trigger: CloudTrailTrigger;
}

interface LogsEntry {
  rule: CompiledRule;
  filter?: LogFilter;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The trigger's `match`: each dotted path of the record holds one of its values. */
function matchesRecord(match: Record<string, string[]>, record: unknown): boolean {
  return Object.entries(match).every(([path, values]) => {
    let value: unknown = record;
    for (const key of path.split('.')) {
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    return typeof value === 'string' && values.some((pattern) => matchesValue(pattern, value));
  });
}

function logMessage(event: StewardEvent): string {
  const raw = event.raw as { message?: unknown } | null;
  return raw !== null && typeof raw === 'object' && typeof raw.message === 'string'
    ? raw.message
    : '';
}

/**
 * The rules, indexed by their triggers: an event is looked up by its source and name and is
 * evaluated only against the rules that listen to it, so the cost of an event does not grow
 * with the number of rules that cannot match it.
 *
 * @example
 * const ruleIndex = new RuleIndex(await loadRules('rules'));
 * for (const rule of ruleIndex.candidates(event)) console.log(rule.id);
 */
export class RuleIndex {
  readonly rules: readonly CompiledRule[];
  private readonly ec2States = new Map<string, CompiledRule[]>();
  private readonly cloudTrailEvents = new Map<string, CloudTrailEntry[]>();
  /** Triggers with `events: ['*']`, which every CloudTrail event is checked against. */
  private readonly cloudTrailAnyEvent: CloudTrailEntry[] = [];
  private readonly logGroups = new Map<string, LogsEntry[]>();
  private readonly logGroupPrefixes: (LogsEntry & { prefix: string })[] = [];

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    for (const rule of rules) {
      for (const trigger of rule.document.triggers) {
        if (trigger.source === 'ec2-state') {
          for (const state of trigger.states) push(this.ec2States, state, rule);
        } else if (trigger.source === 'cloudtrail') {
          for (const name of trigger.events) {
            if (name === '*') this.cloudTrailAnyEvent.push({ rule, trigger });
            else push(this.cloudTrailEvents, name, { rule, trigger });
          }
        } else {
          const filter =
            trigger.filter === undefined ? undefined : compileLogFilter(trigger.filter);
          for (const group of trigger.logGroups) {
            if (group.endsWith('*'))
              this.logGroupPrefixes.push({ rule, filter, prefix: group.slice(0, -1) });
            else push(this.logGroups, group, { rule, filter });
          }
        }
      }
    }
  }

  /** The rules whose triggers match the event, each once, in rule-pack order. */
  candidates(event: StewardEvent): CompiledRule[] {
    const found = new Set<CompiledRule>();
    if (event.source === 'ec2-state') {
      for (const rule of this.ec2States.get(event.name) ?? []) found.add(rule);
    } else if (event.source === 'cloudtrail') {
      const entries = [
        ...(this.cloudTrailEvents.get(event.name) ?? []),
        ...this.cloudTrailAnyEvent,
      ];
      for (const { rule, trigger } of entries) {
        if (trigger.eventSource !== undefined && trigger.eventSource !== event.eventSource)
          continue;
        if (event.error !== undefined && trigger.includeFailedCalls !== true) continue;
        if (trigger.match !== undefined && !matchesRecord(trigger.match, event.raw)) continue;
        found.add(rule);
      }
    } else {
      const message = logMessage(event);
      const entries = [
        ...(this.logGroups.get(event.name) ?? []),
        ...this.logGroupPrefixes.filter(({ prefix }) => event.name.startsWith(prefix)),
      ];
      for (const { rule, filter } of entries) {
        if (!filter || filter.matches(message)) found.add(rule);
      }
    }
    return found.size > 1 ? this.rules.filter((rule) => found.has(rule)) : [...found];
  }
}
