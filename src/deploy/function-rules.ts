import type { CompiledRule } from '../rules/rule.js';
import type { EventSource } from '../sources/steward-event.js';

/** The Lambda functions and the event sources each one's rules may listen to. */
export const functionSources: Record<string, readonly EventSource[]> = {
  ec2State: ['ec2-state'],
  cloudtrail: ['cloudtrail'],
  cloudtrailLogs: ['cloudtrail'],
  // CloudTrail records reach it only from the log groups configured as CloudTrail's.
  cloudwatchLogs: ['cloudwatch-logs', 'cloudtrail'],
  // GuardDuty, Security Hub, Config, Health and any other AWS service's events.
  findings: ['eventbridge'],
  // Invoked by the schedules of the rules' schedule triggers, one rule a run.
  sweep: ['sweep'],
};

/**
 * The sources a function's rules listen to in a deployment: `cloudwatchLogs` runs the
 * CloudTrail rules only when log groups are configured as CloudTrail's, since no other log
 * group's lines are believed as CloudTrail records.
 *
 * @example
 * sourcesOf('cloudwatchLogs', []); // ['cloudwatch-logs']
 * sourcesOf('cloudwatchLogs', ['/aws/cloudtrail/org']); // ['cloudwatch-logs', 'cloudtrail']
 */
export function sourcesOf(
  functionName: string,
  cloudTrailLogGroups: readonly string[],
): EventSource[] {
  const sources = functionSources[functionName] ?? [];
  return functionName === 'cloudwatchLogs' && cloudTrailLogGroups.length === 0
    ? sources.filter((source) => source !== 'cloudtrail')
    : [...sources];
}

/**
 * The rules a function runs: those listening to one of its sources in a deployment with these
 * CloudTrail log groups (none: `cloudwatchLogs` runs only log-group rules).
 *
 * @example
 * rulesOf('cloudwatchLogs', rules, ['/aws/cloudtrail/org']); // log-group and CloudTrail rules
 */
export function rulesOf(
  functionName: string,
  rules: readonly CompiledRule[],
  cloudTrailLogGroups: readonly string[] = [],
): CompiledRule[] {
  const sources = sourcesOf(functionName, cloudTrailLogGroups);
  return rules.filter((rule) => sources.some((source) => rule.sources.has(source)));
}
