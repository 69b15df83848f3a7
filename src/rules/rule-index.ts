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

/**
 * The entries one event name (or log group) reaches: those whose rule is decided by the key
 * alone, and those that also look at the record or the log message.
 */
interface Bucket<Entry> {
  entries: Entry[];
  /** Positions in `entries` of those that look at more than the key. */
  dynamic?: number[];
  /** Candidate lists already worked out for a key, shared between the events that have it. */
  lists: Map<string, CompiledRule[]>;
}

/** Bounds the per-bucket cache: keys come from events, and events come from outside. */
const maxCachedLists = 256;

const sharedLists = new WeakSet<readonly CompiledRule[]>();

/**
 * Whether `candidates` returned this list for every event with the same key (so it is worth
 * preparing an evaluation plan for it). Shared lists are frozen.
 */
export function isSharedCandidateList(list: readonly CompiledRule[]): boolean {
  return sharedLists.has(list);
}

function share(list: CompiledRule[]): CompiledRule[] {
  sharedLists.add(Object.freeze(list));
  return list;
}

function cached<Entry>(
  bucket: Bucket<Entry>,
  key: string,
  build: () => CompiledRule[],
): CompiledRule[] {
  let list = bucket.lists.get(key);
  if (!list) {
    list = build();
    if (bucket.lists.size >= maxCachedLists) return list;
    bucket.lists.set(key, share(list));
  }
  return list;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The trigger's `match`: each dotted path of the record holds one of its values. */
const matchPaths = new WeakMap<Record<string, string[]>, [string[], string[]][]>();

function matchesRecord(match: Record<string, string[]>, record: unknown): boolean {
  let paths = matchPaths.get(match);
  if (!paths) {
    paths = Object.entries(match).map(([path, values]) => [path.split('.'), values]);
    matchPaths.set(match, paths);
  }
  return paths.every(([keys, values]) => {
    let value: unknown = record;
    for (const key of keys) {
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
 * with the number of rules that cannot match it. Events with the same key (state, event name
 * and service, log group) share one candidate list, worked out once.
 *
 * @example
 * const ruleIndex = new RuleIndex(await loadRules('rules'));
 * for (const rule of ruleIndex.candidates(event)) console.log(rule.id);
 */
export class RuleIndex {
  readonly rules: readonly CompiledRule[];
  private readonly positions = new Map<CompiledRule, number>();
  private readonly ec2States = new Map<string, CompiledRule[]>();
  private readonly cloudTrailEvents = new Map<string, Bucket<CloudTrailEntry>>();
  /** Triggers with `events: ['*']`, which every CloudTrail event is checked against. */
  private readonly cloudTrailAnyEvent: Bucket<CloudTrailEntry> = { entries: [], lists: new Map() };
  private readonly logGroups = new Map<string, LogsEntry[]>();
  /** Prefix triggers (`/aws/lambda/*`) by prefix length, then by prefix. */
  private readonly logGroupPrefixes = new Map<number, Map<string, LogsEntry[]>>();
  private readonly logBuckets = new Map<string, Bucket<LogsEntry>>();

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    rules.forEach((rule, position) => {
      if (!this.positions.has(rule)) this.positions.set(rule, position);
    });
    const named = new Map<string, CloudTrailEntry[]>();
    const ec2 = new Map<string, CompiledRule[]>();
    for (const rule of rules) {
      for (const trigger of rule.document.triggers) {
        if (trigger.source === 'ec2-state') {
          for (const state of trigger.states) push(ec2, state, rule);
        } else if (trigger.source === 'cloudtrail') {
          for (const name of trigger.events) {
            if (name === '*') this.cloudTrailAnyEvent.entries.push({ rule, trigger });
            else push(named, name, { rule, trigger });
          }
        } else {
          const filter =
            trigger.filter === undefined ? undefined : compileLogFilter(trigger.filter);
          for (const group of trigger.logGroups) {
            if (group.endsWith('*')) {
              const prefix = group.slice(0, -1);
              let byPrefix = this.logGroupPrefixes.get(prefix.length);
              if (!byPrefix) {
                byPrefix = new Map();
                this.logGroupPrefixes.set(prefix.length, byPrefix);
              }
              push(byPrefix, prefix, { rule, filter });
            } else push(this.logGroups, group, { rule, filter });
          }
        }
      }
    }
    for (const [state, found] of ec2) this.ec2States.set(state, share(this.inRuleOrder(found)));
    for (const [name, entries] of named) {
      this.cloudTrailEvents.set(name, {
        entries: [...entries, ...this.cloudTrailAnyEvent.entries],
        lists: new Map(),
      });
    }
  }

  /**
   * The rules whose triggers match the event, each once, in rule-pack order. The list may be
   * shared with other events of the same key, and is then frozen: copy it to change it.
   */
  candidates(event: StewardEvent): CompiledRule[] {
    if (event.source === 'ec2-state') return this.ec2States.get(event.name) ?? [];
    if (event.source === 'cloudtrail') return this.cloudTrailCandidates(event);
    return this.logCandidates(event);
  }

  private cloudTrailCandidates(event: StewardEvent): CompiledRule[] {
    const bucket = this.cloudTrailEvents.get(event.name) ?? this.cloudTrailAnyEvent;
    const failed = event.error !== undefined;
    const reaches = ({ trigger }: CloudTrailEntry) =>
      (trigger.eventSource === undefined || trigger.eventSource === event.eventSource) &&
      (!failed || trigger.includeFailedCalls === true);
    const fixed = cached(bucket, `${failed ? 1 : 0}${event.eventSource ?? ''}`, () =>
      this.inRuleOrder(
        bucket.entries
          .filter((entry) => entry.trigger.match === undefined && reaches(entry))
          .map(({ rule }) => rule),
      ),
    );
    // Which `match` triggers the record meets is part of the key: one list per combination.
    bucket.dynamic ??= bucket.entries.flatMap((entry, i) =>
      entry.trigger.match === undefined ? [] : [i],
    );
    let matched = '';
    for (const i of bucket.dynamic) {
      const entry = bucket.entries[i] as CloudTrailEntry;
      if (reaches(entry) && matchesRecord(entry.trigger.match ?? {}, event.raw)) matched += `,${i}`;
    }
    if (matched === '') return fixed;
    return cached(bucket, `${failed ? 1 : 0}${event.eventSource ?? ''}\u0000${matched}`, () =>
      this.inRuleOrder([
        ...fixed,
        ...matched
          .slice(1)
          .split(',')
          .map((i) => (bucket.entries[Number(i)] as CloudTrailEntry).rule),
      ]),
    );
  }

  private logCandidates(event: StewardEvent): CompiledRule[] {
    let bucket = this.logBuckets.get(event.name);
    if (!bucket) {
      const entries = [...(this.logGroups.get(event.name) ?? [])];
      for (const [length, byPrefix] of this.logGroupPrefixes) {
        if (length <= event.name.length)
          entries.push(...(byPrefix.get(event.name.slice(0, length)) ?? []));
      }
      bucket = { entries, lists: new Map() };
      if (this.logBuckets.size < maxCachedLists * 16) this.logBuckets.set(event.name, bucket);
    }
    const fixed = cached(bucket, '', () =>
      this.inRuleOrder(bucket.entries.filter(({ filter }) => !filter).map(({ rule }) => rule)),
    );
    const message = logMessage(event);
    // Which filters the message meets is part of the key: one list per combination.
    const entries = bucket.entries;
    bucket.dynamic ??= entries.flatMap(({ filter }, i) => (filter ? [i] : []));
    let filtered = '';
    for (const i of bucket.dynamic) {
      if ((entries[i] as LogsEntry).filter?.matches(message) === true) filtered += `,${i}`;
    }
    if (filtered === '') return fixed;
    return cached(bucket, filtered, () =>
      this.inRuleOrder([
        ...fixed,
        ...filtered
          .slice(1)
          .split(',')
          .map((i) => (entries[Number(i)] as LogsEntry).rule),
      ]),
    );
  }

  /** Each rule once, in rule-pack order. */
  private inRuleOrder(found: readonly CompiledRule[]): CompiledRule[] {
    const unique = [...new Set(found)];
    if (unique.length > 1) {
      unique.sort((a, b) => (this.positions.get(a) ?? 0) - (this.positions.get(b) ?? 0));
    }
    return unique;
  }
}
