import { actionPermissions } from '../actions/origin-state.js';
import { factPermissions } from '../rules/facts.js';
import type { CompiledRule } from '../rules/rule.js';
import { resourceQueries } from '../sweep/queries.js';

/** A CloudFormation value: a string, or an intrinsic function such as `{"Fn::Sub": "..."}`. */
export type CfnValue = string | Record<string, unknown>;

/** One statement of an IAM policy, as CloudFormation takes it. */
export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
  Condition?: Record<string, Record<string, CfnValue | CfnValue[]>>;
}

/**
 * An ARN of the deploying account in any region: events of every region are acted on in their
 * own region. Snapshots carry no account in their ARN.
 */
const anyRegionArn = (service: string, resource: string, withAccount = true): CfnValue => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:*:${withAccount ? '${AWS::AccountId}' : ''}:${resource}`,
});

const instances = anyRegionArn('ec2', 'instance/*');

/**
 * The resources each IAM action can be limited to (the service supports resource-level
 * permissions for it); any action not listed here acts on `*` (Describe and List calls, which
 * AWS does not scope).
 */
const scopedResources: Record<string, CfnValue[]> = {
  'ec2:CreateTags': [
    instances,
    anyRegionArn('ec2', 'security-group/*'),
    anyRegionArn('ec2', 'snapshot/*', false),
  ],
  'ec2:DeleteTags': [instances],
  'ec2:StopInstances': [instances],
  'ec2:StartInstances': [instances],
  'ec2:TerminateInstances': [instances],
  'ec2:ModifyInstanceMetadataOptions': [instances],
  'ec2:CreateSnapshots': [
    instances,
    anyRegionArn('ec2', 'volume/*'),
    anyRegionArn('ec2', 'snapshot/*', false),
  ],
  'ec2:RevokeSecurityGroupIngress': [anyRegionArn('ec2', 'security-group/*')],
  'cloudtrail:StartLogging': [anyRegionArn('cloudtrail', 'trail/*')],
  'cloudtrail:GetTrailStatus': [anyRegionArn('cloudtrail', 'trail/*')],
  'logs:PutRetentionPolicy': [anyRegionArn('logs', 'log-group:*')],
  'events:PutEvents': [anyRegionArn('events', 'event-bus/*')],
};

/**
 * Permissions of the actions that report to the central account (`notify.sns`, `events.emit`):
 * they run with the function's own role wherever the event happened, so a member role never
 * needs them.
 */
const centralReportPermissions: ReadonlySet<string> = new Set(['sns:Publish', 'events:PutEvents']);

/** SNS topics are named in the rules: the role may publish to those and no others. */
function snsTopics(rules: readonly CompiledRule[]): CfnValue[] {
  const topics = rules.flatMap((rule) =>
    rule.actions.flatMap(({ definition, params }) =>
      definition.name === 'notify.sns' && typeof params.topicArn === 'string'
        ? [params.topicArn]
        : [],
    ),
  );
  return [...new Set(topics)].sort();
}

/**
 * The IAM actions the rules need: their actions' and the lazy facts their conditions read.
 *
 * @example
 * rulePermissions(rulesOf('cloudtrail', rules)); // ['cloudtrail:GetTrailStatus', ...]
 */
export function rulePermissions(rules: readonly CompiledRule[]): string[] {
  const permissions = new Set<string>(factPermissions(rules));
  for (const rule of rules) {
    for (const { definition, params } of rule.actions)
      actionPermissions(definition, params).forEach((permission) => permissions.add(permission));
  }
  return [...permissions].sort();
}

/**
 * The describe calls the rules' schedule triggers sweep with: those of each kind of resource
 * swept, and no other; none for rules without a schedule trigger.
 *
 * @example
 * sweepPermissions(rulesOf('sweep', rules)); // ['ec2:DescribeInstances', 'logs:DescribeLogGroups', ...]
 */
export function sweepPermissions(rules: readonly CompiledRule[]): string[] {
  const permissions = new Set<string>();
  for (const rule of rules)
    for (const trigger of rule.document.triggers)
      if (trigger.source === 'schedule')
        resourceQueries.get(trigger.resources)?.permissions.forEach((permission) => {
          permissions.add(permission);
        });
  return [...permissions].sort();
}

/**
 * The IAM actions a function's role needs for the rules it runs: their actions' and lazy
 * facts', and for `sweep` the describe calls of what its rules sweep.
 *
 * @example
 * functionPermissions('sweep', rulesOf('sweep', rules)); // ['ec2:CreateTags', 'ec2:DescribeInstances', ...]
 */
export function functionPermissions(
  functionName: string,
  rules: readonly CompiledRule[],
): string[] {
  return functionName === 'sweep' ? withSweeps(rules) : rulePermissions(rules);
}

/** The rules' permissions and their sweeps' describe calls. */
function withSweeps(rules: readonly CompiledRule[]): string[] {
  return [...new Set([...rulePermissions(rules), ...sweepPermissions(rules)])].sort();
}

/**
 * The IAM actions a member account's role needs for the rules: all the rules' permissions and
 * their sweeps' describe calls, but those of the actions that report to the central account
 * with the function's own role.
 *
 * @example
 * memberPermissions(rules); // ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging', ...]
 */
export function memberPermissions(rules: readonly CompiledRule[]): string[] {
  return withSweeps(rules).filter((permission) => !centralReportPermissions.has(permission));
}

/**
 * Statements granting `permissions` (by default all the rules'), one per distinct resource set,
 * each as narrow as AWS allows, in every region of the account that holds the role.
 *
 * @example
 * ruleStatements(rules, memberPermissions(rules)); // the member role's statements
 */
export function ruleStatements(
  rules: readonly CompiledRule[],
  permissions: readonly string[] = rulePermissions(rules),
): IamStatement[] {
  const byResources = new Map<string, IamStatement>();
  for (const permission of permissions) {
    const resources =
      permission === 'sns:Publish' ? snsTopics(rules) : (scopedResources[permission] ?? ['*']);
    const id = JSON.stringify(resources);
    const statement = byResources.get(id);
    if (statement) statement.Action.push(permission);
    else byResources.set(id, { Effect: 'Allow', Action: [permission], Resource: resources });
  }
  return [...byResources.values()];
}
