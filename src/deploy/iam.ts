import { factPermissions } from '../rules/facts.js';
import type { CompiledRule } from '../rules/rule.js';
import type { EventSource } from '../sources/steward-event.js';

/** A CloudFormation value: a string, or an intrinsic function such as `{"Fn::Sub": "..."}`. */
export type CfnValue = string | Record<string, unknown>;

export interface IamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
}

/** The Lambda functions and the event sources each one's rules listen to. */
export const functionSources: Record<string, readonly EventSource[]> = {
  ec2State: ['ec2-state'],
  cloudtrail: ['cloudtrail'],
  cloudtrailLogs: ['cloudtrail'],
  // CloudTrail delivered into CloudWatch Logs arrives here too, as cloudtrail events.
  cloudwatchLogs: ['cloudwatch-logs', 'cloudtrail'],
};

/** An ARN in this stack's partition and region; snapshots carry no account in their ARN. */
const arn = (service: string, resource: string, withAccount = true): CfnValue => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:${withAccount ? '${AWS::AccountId}' : ''}:${resource}`,
});

const instances = arn('ec2', 'instance/*');

/**
 * The resources each IAM action can be limited to (the service supports resource-level
 * permissions for it); any action not listed here acts on `*` (Describe and List calls, which
 * AWS does not scope).
 */
const scopedResources: Record<string, CfnValue[]> = {
  'ec2:CreateTags': [instances, arn('ec2', 'security-group/*'), arn('ec2', 'snapshot/*', false)],
  'ec2:DeleteTags': [instances],
  'ec2:StopInstances': [instances],
  'ec2:StartInstances': [instances],
  'ec2:TerminateInstances': [instances],
  'ec2:ModifyInstanceMetadataOptions': [instances],
  'ec2:CreateSnapshots': [instances, arn('ec2', 'volume/*'), arn('ec2', 'snapshot/*', false)],
  'ec2:RevokeSecurityGroupIngress': [arn('ec2', 'security-group/*')],
  'cloudtrail:StartLogging': [arn('cloudtrail', 'trail/*')],
  'cloudtrail:GetTrailStatus': [arn('cloudtrail', 'trail/*')],
  'logs:PutRetentionPolicy': [arn('logs', 'log-group:*')],
  'events:PutEvents': [arn('events', 'event-bus/*')],
};

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

/** The IAM actions the rules need: their actions' and the lazy facts their conditions read. */
export function rulePermissions(rules: readonly CompiledRule[]): string[] {
  const permissions = new Set<string>(factPermissions(rules));
  for (const rule of rules) {
    for (const { definition } of rule.actions)
      definition.permissions.forEach((permission) => permissions.add(permission));
  }
  return [...permissions].sort();
}

/** Statements for the rules' permissions, one per distinct resource set, each as narrow as AWS allows. */
export function ruleStatements(rules: readonly CompiledRule[]): IamStatement[] {
  const byResources = new Map<string, IamStatement>();
  for (const permission of rulePermissions(rules)) {
    const resources =
      permission === 'sns:Publish' ? snsTopics(rules) : (scopedResources[permission] ?? ['*']);
    const id = JSON.stringify(resources);
    const statement = byResources.get(id);
    if (statement) statement.Action.push(permission);
    else byResources.set(id, { Effect: 'Allow', Action: [permission], Resource: resources });
  }
  return [...byResources.values()];
}

/** The rules a function runs: those listening to one of its sources. */
export function rulesOf(functionName: string, rules: readonly CompiledRule[]): CompiledRule[] {
  const sources = functionSources[functionName] ?? [];
  return rules.filter((rule) => sources.some((source) => rule.sources.has(source)));
}

export interface RoleOptions {
  service: string;
  stage: string;
  cloudTrailBucket: string;
}

/**
 * One IAM role per function, allowed exactly what that function's rules need, plus its own log
 * group, the ledger table and its indexes, the dead-letter queue, and (for `cloudtrailLogs`)
 * the CloudTrail log files.
 */
export function functionRoles(
  rules: readonly CompiledRule[],
  options: RoleOptions,
): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const functionName of Object.keys(functionSources)) {
    const logGroup = `/aws/lambda/${options.service}-${options.stage}-${functionName}`;
    const statements: IamStatement[] = [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [arn('logs', `log-group:${logGroup}:*`)],
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
      ...(functionName === 'cloudtrailLogs' && options.cloudTrailBucket
        ? [
            {
              Effect: 'Allow' as const,
              Action: ['s3:GetObject'],
              Resource: [
                { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${options.cloudTrailBucket}/AWSLogs/*` },
              ],
            },
          ]
        : []),
      ...ruleStatements(rulesOf(functionName, rules)),
    ];
    resources[roleName(functionName)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
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

/** The logical id of a function's role: `ec2State` → `Ec2StateRole`. */
export function roleName(functionName: string): string {
  return `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}Role`;
}
