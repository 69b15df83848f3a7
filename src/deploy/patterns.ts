import { eventBridgeValues } from '../rules/match-value.js';
import type { CompiledRule, CloudTrailTrigger, EventBridgeTrigger } from '../rules/rule.js';

/** An EventBridge event pattern. */
export type EventPattern = Record<string, unknown>;

export interface FunctionPatterns {
  ec2State: EventPattern[];
  cloudtrail: EventPattern[];
  /** The `findings` function's: events of AWS services for the rules' eventbridge triggers. */
  findings: EventPattern[];
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
  const awsEventGroups = new Map<string, AwsEventGroup>();
  for (const rule of rules) {
    for (const trigger of rule.document.triggers) {
      if (trigger.source === 'ec2-state') trigger.states.forEach((state) => states.add(state));
      if (trigger.source === 'cloudtrail') addCloudTrailTrigger(groups, trigger);
      if (trigger.source === 'eventbridge') addAwsEventTrigger(awsEventGroups, trigger);
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
  return { ec2State, cloudtrail, findings: awsEventPatterns([...awsEventGroups.values()]) };
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
    level[keys[keys.length - 1] as string] = values.flatMap(eventBridgeValues);
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

/** Eventbridge triggers that share a source and `match` share a pattern. */
interface AwsEventGroup {
  id: string;
  source: string;
  match?: Record<string, string[]>;
  detailTypes: Set<string>;
}

function addAwsEventTrigger(groups: Map<string, AwsEventGroup>, trigger: EventBridgeTrigger): void {
  const { match } = trigger;
  for (const source of trigger.sources) {
    const id = JSON.stringify([source, sortedMatch(match)]);
    let group = groups.get(id);
    if (!group) {
      group = { id, source, ...(match ? { match } : {}), detailTypes: new Set() };
      groups.set(id, group);
    }
    for (const detailType of trigger.detailTypes) group.detailTypes.add(detailType);
  }
}

/** The same `match` whatever the order its paths were written in. */
function sortedMatch(match: Record<string, string[]> | undefined): [string, string[]][] {
  return Object.entries(match ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
}

/**
 * One pattern per source and `match`, naming its detail-types, with `match` as content
 * filtering on the envelope (`detail.type` filters `detail: {type: [...]}`). A detail-type that
 * a pattern without `match` already delivers is left out of the patterns with one, so
 * EventBridge does not invoke the function twice for the same event.
 */
function awsEventPatterns(groups: readonly AwsEventGroup[]): EventPattern[] {
  const unfiltered = new Map(
    groups.filter((group) => !group.match).map((group) => [group.source, group.detailTypes]),
  );
  return groups
    .map((group) => ({
      group,
      detailTypes: group.match
        ? [...group.detailTypes].filter((type) => !unfiltered.get(group.source)?.has(type))
        : [...group.detailTypes],
    }))
    .filter(({ detailTypes }) => detailTypes.length > 0)
    .sort((a, b) => a.group.id.localeCompare(b.group.id))
    .flatMap(({ group, detailTypes }) =>
      chunk(detailTypes.sort(), namesPerPattern).map((types) => ({
        source: [group.source],
        'detail-type': types,
        ...(group.match ? nestedMatch(group.match) : {}),
      })),
    );
}
