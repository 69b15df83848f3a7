import type { CompiledRule } from '../rules/rule.js';
import { functionSources } from './function-rules.js';
import { functionRoleName, type CentralStack } from './role-names.js';
import { memberPermissions, ruleStatements, type CfnValue } from './rule-statements.js';
import { organizationBusName } from './organization.js';
import { accountIdPattern, regionPattern } from '../aws-ids.js';
import { checkedOrganizationId, checkedRoleName, DeployParameterError } from './parameters.js';
import { eventBridgePatterns } from './patterns.js';
import type { CloudFormationResource, CloudFormationTemplate } from './template.js';

/** What a member account's template is generated for: the central deployment it serves. */
export interface MemberTemplateOptions extends CentralStack {
  /** The central account's id; the template's `CentralAccountId` parameter has no default without it. */
  centralAccountId?: string;
  /** The organization; the template's `OrganizationId` parameter defaults to none without it. */
  organizationId?: string;
  /** The member role's name, as the central stack's `memberRoleName`. */
  memberRoleName: string;
}

/** The logical ids of the member template's resources, for readers of the template. */
export const memberLogicalIds = {
  memberRole: 'StewardMemberRole',
  forwardingRole: 'StewardForwardingRole',
  /** Followed by 1, 2, …: one EventBridge rule per pattern. */
  forwardingRulePrefix: 'StewardForwardRule',
} as const;

/**
 * The name of the role EventBridge uses to forward a member account's events to the central
 * bus: fixed, since the forwarding rules of every region name it and it exists in one.
 *
 * @example
 * forwardingRoleName('steward-member'); // 'steward-member-forwarding'
 */
export function forwardingRoleName(memberRoleName: string): string {
  const name = `${memberRoleName}-forwarding`;
  if (name.length > 64)
    throw new DeployParameterError(
      'member-role-name',
      `the forwarding role's name ${name} is ${name.length} characters and IAM allows 64: use a member role name of at most ${64 - '-forwarding'.length} characters`,
    );
  return name;
}

/**
 * The ARNs of the central functions' roles, which alone may assume the member role.
 *
 * @example
 * centralRoleArns({ service: 'steward', stage: 'prod', region: 'us-east-1' })[0];
 * // { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:role/steward-prod-us-east-1-ec2State' }
 */
export function centralRoleArns(stack: CentralStack): CfnValue[] {
  return Object.keys(functionSources).map((functionName) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:iam::\${CentralAccountId}:role/${functionRoleName(stack, functionName)}`,
  }));
}

function parameters(options: MemberTemplateOptions): Record<string, unknown> {
  const { centralAccountId, organizationId } = options;
  if (centralAccountId !== undefined && !accountIdPattern.test(centralAccountId))
    throw new DeployParameterError(
      'central-account',
      `"${centralAccountId}" is not an AWS account id (12 digits)`,
    );
  return {
    CentralAccountId: {
      Type: 'String',
      Description: 'The account steward is deployed in',
      AllowedPattern: accountIdPattern.source,
      ...(centralAccountId === undefined ? {} : { Default: centralAccountId }),
    },
    OrganizationId: {
      Type: 'String',
      Description: 'The organization (o-...) whose accounts alone may use the member role',
      AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
      Default: checkedOrganizationId(organizationId ?? '', 'organization-id'),
    },
    RoleRegion: {
      Type: 'String',
      Description: 'The one region whose stack instance creates the account-wide IAM roles',
      AllowedPattern: regionPattern.source,
      Default: options.region,
    },
  };
}

/**
 * In a StackSet the template is deployed once per region: the IAM roles, which are global,
 * exist only in `RoleRegion`. The central account holds no member role (its own events use the
 * functions' roles) and forwards nothing from the central region (its default bus already
 * delivers there).
 */
function conditions(centralRegion: string): Record<string, unknown> {
  const isCentralAccount = {
    'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'CentralAccountId' }],
  };
  return {
    InRoleRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RoleRegion' }] },
    HasOrganization: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] },
    CreateMemberRole: {
      'Fn::And': [{ Condition: 'InRoleRegion' }, { 'Fn::Not': [isCentralAccount] }],
    },
    ForwardEvents: {
      'Fn::Not': [
        {
          'Fn::And': [isCentralAccount, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, centralRegion] }],
        },
      ],
    },
  };
}

function memberRole(
  rules: readonly CompiledRule[],
  options: MemberTemplateOptions,
): CloudFormationResource {
  return {
    Type: 'AWS::IAM::Role',
    Condition: 'CreateMemberRole',
    Properties: {
      RoleName: options.memberRoleName,
      Description: 'Lets steward act on this account for its rules',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: centralRoleArns(options) },
            Action: 'sts:AssumeRole',
            Condition: {
              'Fn::If': [
                'HasOrganization',
                { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
                { Ref: 'AWS::NoValue' },
              ],
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'steward-rules',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: ruleStatements(rules, memberPermissions(rules)),
          },
        },
      ],
    },
  };
}

function forwardingResources(
  rules: readonly CompiledRule[],
  options: MemberTemplateOptions,
): Record<string, CloudFormationResource> {
  const busArn = {
    'Fn::Sub': `arn:\${AWS::Partition}:events:${options.region}:\${CentralAccountId}:event-bus/${organizationBusName(options)}`,
  };
  const roleName = forwardingRoleName(options.memberRoleName);
  const patterns = eventBridgePatterns(rules);
  const rulesByPattern = [...patterns.ec2State, ...patterns.cloudtrail, ...patterns.findings].map(
    (pattern, index): [string, CloudFormationResource] => [
      `${memberLogicalIds.forwardingRulePrefix}${index + 1}`,
      {
        Type: 'AWS::Events::Rule',
        Condition: 'ForwardEvents',
        Properties: {
          Description: "Forwards the events steward's rules listen to to the central bus",
          EventPattern: pattern,
          State: 'ENABLED',
          Targets: [
            {
              Id: 'steward-central-bus',
              Arn: busArn,
              RoleArn: {
                'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${roleName}`,
              },
            },
          ],
        },
      },
    ],
  );
  return {
    [memberLogicalIds.forwardingRole]: {
      Type: 'AWS::IAM::Role',
      Condition: 'InRoleRegion',
      Properties: {
        RoleName: roleName,
        Description: "Lets EventBridge forward the events steward's rules listen to",
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'put-events-on-central-bus',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }],
            },
          },
        ],
      },
    },
    ...Object.fromEntries(rulesByPattern),
  };
}

/**
 * The CloudFormation template of a member account, generated from the rules as the central
 * roles are: the member role with exactly the permissions the rules' actions and lazy facts
 * declare (in every region of the member account), trusting only the central functions' roles,
 * and per region the EventBridge rules that forward the rules' events to the central bus, with
 * the role EventBridge needs to put them there. Deployable as a StackSet across regions.
 *
 * @example
 * const template = memberTemplate(await loadRules('rules'), { service: 'steward',
 *   stage: 'prod', region: 'us-east-1', memberRoleName: 'steward-member',
 *   centralAccountId: '111122223333', organizationId: 'o-a1b2c3d4e5' });
 */
export function memberTemplate(
  rules: readonly CompiledRule[],
  options: MemberTemplateOptions,
): CloudFormationTemplate {
  checkedRoleName(options.memberRoleName, 'member-role-name');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `steward member account: the role ${options.service}-${options.stage} in ${options.region} assumes, and the forwarding of its rules' events`,
    Parameters: parameters(options),
    Conditions: conditions(options.region),
    Resources: {
      [memberLogicalIds.memberRole]: memberRole(rules, options),
      ...forwardingResources(rules, options),
    },
  };
}
