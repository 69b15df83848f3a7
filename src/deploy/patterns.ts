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
  // Grouped by service and by whether failed calls are wanted, since each group is one pattern shape.
  const groups = new Map<
    string,
    { eventSource?: string; includeFailedCalls: boolean; names: Set<string> }
  >();
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
  const cloudtrail: EventPattern[] = [];
  for (const group of [...groups.values()].sort((a, b) =>
    (a.eventSource ?? '').localeCompare(b.eventSource ?? ''),
  )) {
    const names = [...group.names].sort();
    const signIn = group.eventSource === 'signin.amazonaws.com';
    for (const part of chunk(names, namesPerPattern)) {
      cloudtrail.push({
        ...(group.eventSource ? { source: [eventBridgeSource(group.eventSource)] } : {}),
        'detail-type': signIn
          ? ['AWS Console Sign In via CloudTrail']
          : ['AWS API Call via CloudTrail'],
        detail: {
          ...(group.eventSource ? { eventSource: [group.eventSource] } : {}),
          eventName: part,
          ...(group.includeFailedCalls ? {} : { errorCode: [{ exists: false }] }),
        },
      });
    }
  }
  return { ec2State, cloudtrail };
}

function addCloudTrailTrigger(
  groups: Map<string, { eventSource?: string; includeFailedCalls: boolean; names: Set<string> }>,
  trigger: CloudTrailTrigger,
): void {
  const includeFailedCalls = trigger.includeFailedCalls === true;
  const id = `${trigger.eventSource ?? '*'}|${includeFailedCalls}`;
  let group = groups.get(id);
  if (!group) {
    group = { eventSource: trigger.eventSource, includeFailedCalls, names: new Set() };
    groups.set(id, group);
  }
  for (const name of trigger.events) group.names.add(name);
}
