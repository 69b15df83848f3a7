import { eventBridgeMatch } from '../rules/match-value.js';
import type { CompiledRule, CloudTrailTrigger } from '../rules/rule.js';

/** An EventBridge event pattern. */
export type EventPattern = Record<string, unknown>;

export interface FunctionPatterns {
  ec2State: EventPattern[];
  cloudtrail: EventPattern[];
}

/** EventBridge caps a pattern's size; this many names keeps every pattern well inside it. */
const namesPerPattern = 40;

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/** `ec2.amazonaws.com` → `aws.ec2`: the EventBridge source of a service's CloudTrail events. */
function eventBridgeSource(eventSource: string): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

/**
 * The EventBridge patterns that deliver to each function exactly the events some rule's
 * triggers listen to, so AWS drops every other event before a Lambda runs. `serverless.yml`
 * takes its patterns from here; `steward patterns` prints them.
 */
export function eventBridgePatterns(rules: readonly CompiledRule[]): FunctionPatterns {
  const states = new Set<string>();
  const groups = new Map<string, CloudTrailGroup>();
  for (const rule of rules) {
    for (const trigger of rule.document.triggers) {
      if (trigger.source === 'ec2-state') trigger.states.forEach((state) => states.add(state));
      if (trigger.source === 'cloudtrail') addCloudTrailTrigger(groups, trigger);
    }
  }
  const ec2State: EventPattern[] =
    states.size === 0
      ? []
      : [
          {
            source: ['aws.ec2'],
            'detail-type': ['EC2 Instance State-change Notification'],
            detail: { state: [...states].sort() },
          },
        ];
  const all = [...groups.values()];
  const cloudtrail = all
    .map((group) => ({
      ...group,
      names: new Set(
        [...group.names].filter((name) => !all.some((wide) => covers(wide, group, name))),
      ),
    }))
    .filter((group) => group.names.size > 0)
    .sort((a, b) => a.id.localeCompare(b.id))
    .flatMap(cloudTrailPatterns);
  return { ec2State, cloudtrail };
}

/** Triggers that share a service, a stance on failed calls and `match` share patterns. */
interface CloudTrailGroup {
  id: string;
  eventSource?: string;
  includeFailedCalls: boolean;
  match?: Record<string, string[]>;
  names: Set<string>;
}

function addCloudTrailTrigger(
  groups: Map<string, CloudTrailGroup>,
  trigger: CloudTrailTrigger,
): void {
  const includeFailedCalls = trigger.includeFailedCalls === true;
  const match = trigger.match;
  const id = JSON.stringify([trigger.eventSource ?? '', includeFailedCalls, match ?? {}]);
  let group = groups.get(id);
  if (!group) {
    group = { id, eventSource: trigger.eventSource, includeFailedCalls, match, names: new Set() };
    groups.set(id, group);
  }
  for (const name of trigger.events) group.names.add(name);
}

/**
 * Whether `wide` already delivers the event `name` of `narrow`: then `narrow`'s pattern for it
 * would only make EventBridge invoke the function twice for the same event. `wide` must be
 * no more selective: no `match`, the same service or any, and failed calls if `narrow` wants them.
 */
function covers(wide: CloudTrailGroup, narrow: CloudTrailGroup, name: string): boolean {
  return (
    wide !== narrow &&
    wide.match === undefined &&
    (wide.names.has('*') || (name !== '*' && wide.names.has(name))) &&
    (wide.eventSource === undefined || wide.eventSource === narrow.eventSource) &&
    (wide.includeFailedCalls || !narrow.includeFailedCalls)
  );
}

/** `{"userIdentity.type": ["Root"]}` → `{userIdentity: {type: ["Root"]}}`. */
function nestedMatch(match: Record<string, string[]>): EventPattern {
  const nested: EventPattern = {};
  for (const [path, values] of Object.entries(match)) {
    const keys = path.split('.');
    let level = nested;
    for (const key of keys.slice(0, -1)) level = (level[key] ??= {}) as EventPattern;
    level[keys[keys.length - 1] as string] = values.map(eventBridgeMatch);
  }
  return nested;
}

function cloudTrailPatterns(group: CloudTrailGroup): EventPattern[] {
  const anyEvent = group.names.has('*');
  const signIn = group.eventSource === 'signin.amazonaws.com';
  const detailTypes =
    anyEvent && group.eventSource === undefined
      ? ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail']
      : signIn
        ? ['AWS Console Sign In via CloudTrail']
        : ['AWS API Call via CloudTrail'];
  // A group listening to every event name needs no eventName filter, whatever else it names.
  const nameChunks: (string[] | undefined)[] = anyEvent
    ? [undefined]
    : chunk([...group.names].sort(), namesPerPattern);
  return nameChunks.map((names) => {
    const detail: EventPattern = {
      ...(group.match ? nestedMatch(group.match) : {}),
      ...(group.eventSource ? { eventSource: [group.eventSource] } : {}),
      ...(names ? { eventName: names } : {}),
      ...(group.includeFailedCalls ? {} : { errorCode: [{ exists: false }] }),
    };
    return {
      ...(group.eventSource ? { source: [eventBridgeSource(group.eventSource)] } : {}),
      'detail-type': detailTypes,
      // EventBridge rejects an empty object in a pattern.
      ...(Object.keys(detail).length > 0 ? { detail } : {}),
    };
  });
}
