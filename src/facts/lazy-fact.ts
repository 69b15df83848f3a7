import type { AwsClients } from '../aws-clients.js';
import type { StewardEvent } from '../sources/steward-event.js';
import type { FactDescription } from './fact-description.js';

/**
 * A fact that needs an AWS call, fetched only when a condition reads it and at most once per
 * event. It declares the IAM permissions the call needs, so the deployed role gets them only
 * when a rule reads the fact.
 *
 * @example
 * const value = await instanceFact.fetch(event, clients);
 * console.log(value?.tags.Owner);
 */
export interface LazyFact extends FactDescription {
  /** The fact's value for the event; undefined when the event names no such resource. */
  fetch(event: StewardEvent, clients: AwsClients): Promise<unknown>;
}

/** The first of the event's resources that looks like an id of the given prefix (`i-`, `sg-`). */
export function resourceWithPrefix(event: StewardEvent, prefix: string): string | undefined {
  const id = new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);
  return event.resources.find((resource) => id.test(resource));
}

/** `[{Key, Value}]` as `{Key: Value}`, which conditions read as `$.tags.Owner`. */
export function tagMap(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])),
  );
}
