import type { CompiledRule } from '../rules/rule.js';
import { functionSources, rulesOf } from './function-rules.js';
import type { DeployParameters } from './parameters.js';
import { functionRoleName, roleLogicalId } from './role-names.js';
import {
  functionPermissions,
  memberPermissions,
  ruleStatements,
  type IamStatement,
} from './rule-statements.js';

export { functionSources, rulesOf } from './function-rules.js';
export { functionRoleName, roleLogicalId } from './role-names.js';
export {
  functionPermissions,
  memberPermissions,
  rulePermissions,
  sweepPermissions,
} from './rule-statements.js';

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
 * What X-Ray's active tracing needs of a function's role: sending its segments. X-Ray has no
 * resources to scope these to.
 *
 * @example
 * tracingStatement().Action; // ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']
 */
export function tracingStatement(): IamStatement {
  return {
    Effect: 'Allow',
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Resource: ['*'],
  };
}

/**
 * One IAM role per function, with a fixed name (`functionRoleName`), allowed exactly what that
 * function's rules need in every region of this account (for `sweep`, with the describe calls
 * of what they sweep), plus its own log group, the ledger table and its indexes, the
 * dead-letter queue, (for `cloudtrailLogs`) the CloudTrail log files, and, in an organization,
 * the member role of the other accounts when its rules act on anything there, and X-Ray's
 * when the deployment traces.
 *
 * @example
 * const roles = functionRoles(rules, deployParameters({ organizationId: 'o-a1b2c3d4e5' },
 *   { service: 'steward', stage: 'prod', region: 'us-east-1' }));
 * Object.keys(roles); // ['Ec2StateRole', 'CloudtrailRole', 'CloudtrailLogsRole', 'CloudwatchLogsRole', 'SweepRole']
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
      ...ruleStatements(own, functionPermissions(functionName, own)),
      ...(parameters.organizationId && memberPermissions(own).length > 0
        ? [assumeMemberStatement(parameters.organizationId, parameters.memberRoleName)]
        : []),
      ...(parameters.tracing ? [tracingStatement()] : []),
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
