import { factCatalog, lazyFacts } from '../facts/catalog.js';
import { eventFields, type StewardEvent } from '../sources/steward-event.js';
import type { CompiledRule } from './rule.js';

/**
 * The facts a condition may read. `event` is the normalized event (id, source, name, time,
 * account, region, resources, eventSource, actor, error); `record` is the record as AWS sent
 * it (the CloudTrail record, the EventBridge envelope of an EC2 state change, or the log event
 * with its `message`). The lazy facts of `src/facts/` (`instance`, `securityGroup`,
 * `launchedBy`, `trail`, `logGroup`) call AWS when a condition reads them.
 */
export const factNames: ReadonlySet<string> = new Set(factCatalog.keys());

export type EventView = Omit<StewardEvent, 'raw' | 'facts'>;

/** The values of the event's facts, computed once per event and shared by every rule. */
export function eventFacts(event: StewardEvent): Record<string, unknown> {
  const { raw, ...view } = eventFields(event);
  // What the source already knew of the lazy facts is read as those facts, not as the event.
  delete view.facts;
  return { event: view satisfies EventView, record: raw };
}

function factsRead(condition: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(condition)) condition.forEach((child) => factsRead(child, into));
  else if (condition !== null && typeof condition === 'object') {
    const node = condition as Record<string, unknown>;
    if (typeof node.fact === 'string') into.add(node.fact);
    for (const key of ['all', 'any', 'not'] as const) if (key in node) factsRead(node[key], into);
  }
  return into;
}

/** IAM actions the lazy facts the rules' conditions read need. */
export function factPermissions(rules: readonly CompiledRule[]): string[] {
  const names = new Set<string>();
  for (const rule of rules) factsRead(rule.document.conditions, names);
  return [...names].flatMap((name) => lazyFacts.get(name)?.permissions ?? []);
}
