import type { StewardEvent } from '../sources/steward-event.js';

/**
 * The facts a condition may read. `event` is the normalized event (id, source, name, time,
 * account, region, resources, eventSource, actor, error); `record` is the record as AWS sent
 * it (the CloudTrail record, the EventBridge envelope of an EC2 state change, or the log event
 * with its `message`).
 */
export const factNames: ReadonlySet<string> = new Set(['event', 'record']);

export type EventView = Omit<StewardEvent, 'raw'>;

/** The values of the event's facts, computed once per event and shared by every rule. */
export function eventFacts(event: StewardEvent): Record<string, unknown> {
  const { raw, ...view } = event;
  return { event: view satisfies EventView, record: raw };
}
