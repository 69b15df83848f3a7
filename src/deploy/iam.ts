import { actionPermissions } from '../actions/origin-state.js';
import { factPermissions } from '../rules/facts.js';
import type { CompiledRule } from '../rules/rule.js';
import type { EventSource } from '../sources/steward-event.js';
import { DeployParameterError, type DeployParameters } from './parameters.js';

/** A CloudFormation value: a string, or an intrinsic function such as `{"Fn::Sub": "..."}`. */
export type CfnValue = string | Record<string, unknown>;

export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
  Condition?: Record<string, Record<string, CfnValue | CfnValue[]>>;
}

/** The Lambda functions and the event sources each one's rules may listen to. */
export const functionSources: Record<string, readonly EventSource[]> = {
  ec2State: ['ec2-state'],
  cloudtrail: ['cloudtrail'],
  cloudtrailLogs: ['cloudtrail'],
  // CloudTrail records reach it only from the log groups configured as CloudTrail's.
  cloudwatchLogs: ['cloudwatch-logs', 'cloudtrail'],
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
 * The IAM actions a member account's role needs for the rules: all the rules' permissions but
 * those of the actions that report to the central account with the function's own role.
 *
 * @example
 * memberPermissions(rules); // ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging', ...]
 */
export function memberPermissions(rules: readonly CompiledRule[]): string[] {
  return rulePermissions(rules).filter((permission) => !centralReportPermissions.has(permission));
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

/** What names a central deployment's roles: the service, the stage and the region. */
export interface CentralStack {
  service: string;
  stage: string;
  region: string;
}

/** IAM's limit on a role name's length. */
const roleNameLimit = 64;

/**
 * The fixed name of a function's role, `<service>-<stage>-<region>-<function>`: member accounts
 * trust exactly these names, and a stage deployed in two regions of one account gets two sets.
 *
 * @example
 * functionRoleName({ service: 'steward', stage: 'prod', region: 'us-east-1' }, 'cloudtrail');
 * // 'steward-prod-us-east-1-cloudtrail'
 */
export function functionRoleName(stack: CentralStack, functionName: string): string {
  const nameOf = (each: string) => `${stack.service}-${stack.stage}-${stack.region}-${each}`;
  const longest = Object.keys(functionSources)
    .map(nameOf)
    .reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > roleNameLimit)
    throw new DeployParameterError(
      'stage',
      `the role name ${longest} is ${longest.length} characters and IAM allows ${roleNameLimit}: in ${stack.region} a stage may have at most ${roleNameLimit - (longest.length - stack.stage.length)} characters`,
    );
  return nameOf(functionName);
}

/**
 * The permission to assume the member role in any account of the organization, and no other
 * role: `aws:ResourceOrgID` holds it to the organization's accounts.
 *
 * @example
 * assumeMemberStatement('o-a1b2c3d4e5', 'steward-member').Resource;
 * // [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/steward-member' }]
 */
export function assumeMemberStatement(
  organizationId: string,
  memberRoleName: string,
): IamStatement {
  return {
    Effect: 'Allow',
    Action: ['sts:AssumeRole'],
    Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/${memberRoleName}` }],
    Condition: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
  };
}

/**
 * One IAM role per function, with a fixed name (`functionRoleName`), allowed exactly what that
 * function's rules need in every region of this account, plus its own log group, the ledger
 * table and its indexes, the dead-letter queue, (for `cloudtrailLogs`) the CloudTrail log
 * files, and, in an organization, the member role of the other accounts when its rules act on
 * anything there.
 *
 * @example
 * const roles = functionRoles(rules, deployParameters({ organizationId: 'o-a1b2c3d4e5' },
 *   { service: 'steward', stage: 'prod', region: 'us-east-1' }));
 * Object.keys(roles); // ['Ec2StateRole', 'CloudtrailRole', 'CloudtrailLogsRole', 'CloudwatchLogsRole']
 */
export function functionRoles(
  rules: readonly CompiledRule[],
  parameters: DeployParameters,
): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const functionName of Object.keys(functionSources)) {
    const own = rulesOf(functionName, rules, parameters.cloudTrailLogGroups);
    const logGroup = `/aws/lambda/${parameters.service}-${parameters.stage}-${functionName}`;
    const statements: IamStatement[] = [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [
          {
            'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:*`,
          },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: [
          { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
          { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, 'index', '*']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }],
      },
      ...(functionName === 'cloudtrailLogs' && parameters.cloudTrailBucket
        ? [
            {
              Effect: 'Allow' as const,
              Action: ['s3:GetObject'],
              Resource: [
                {
                  'Fn::Sub': `arn:\${AWS::Partition}:s3:::${parameters.cloudTrailBucket}/AWSLogs/*`,
                },
              ],
            },
          ]
        : []),
      ...ruleStatements(own),
      ...(parameters.organizationId && memberPermissions(own).length > 0
        ? [assumeMemberStatement(parameters.organizationId, parameters.memberRoleName)]
        : []),
    ];
    resources[roleLogicalId(functionName)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: functionRoleName(parameters, functionName),
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: ['lambda.amazonaws.com'] },
              Action: ['sts:AssumeRole'],
            },
          ],
        },
        Policies: [
          {
            PolicyName: `${functionName}-rules`,
            PolicyDocument: { Version: '2012-10-17', Statement: statements },
          },
        ],
      },
    };
  }
  return resources;
}

/**
 * The logical id of a function's role in the central template.
 *
 * @example
 * roleLogicalId('ec2State'); // 'Ec2StateRole'
 */
export function roleLogicalId(functionName: string): string {
  return `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}Role`;
}
