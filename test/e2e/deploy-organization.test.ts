import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  functionRoleName,
  functionSources,
  memberPermissions,
  rulesOf,
} from '../../src/deploy/iam.js';
import { eventBridgePatterns, type EventPattern } from '../../src/deploy/patterns.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { steward } from '../cli/support.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { ScratchProject, useMotoAsAws } from './deploy-project.js';
import { parsePolicyDocument } from './deploy-stack.js';
import { account, region } from './harness.js';

const organizationId = 'o-a1b2c3d4e5';
const stage = 'org';
const busName = `steward-${stage}-organization`;
const busArn = `arn:aws:events:${region}:${account}:event-bus/${busName}`;
/** A member account, reached as a StackSet reaches it: with credentials of a role there. */
const member = '222233334444';
const otherRegion = 'us-west-2';

let moto: MotoServer | undefined;
let project: ScratchProject;
let rules: CompiledRule[];

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

function allPatterns(): EventPattern[] {
  const patterns = eventBridgePatterns(rules);
  return [...patterns.ec2State, ...patterns.cloudtrail, ...patterns.findings].sort(byJson);
}

/** The EventBridge rules of one bus with a pattern (not the sweeps' schedules), and their targets. */
async function rulesOn(
  events: EventBridgeClient,
  eventBusName?: string,
): Promise<{ pattern: EventPattern; targets: Target[] }[]> {
  const { Rules: listed = [] } = await events.send(
    new ListRulesCommand({ EventBusName: eventBusName }),
  );
  return Promise.all(
    listed
      .filter((rule) => rule.ScheduleExpression === undefined)
      .map(async (rule) => ({
        pattern: JSON.parse(rule.EventPattern ?? '{}') as EventPattern,
        targets:
          (
            await events.send(
              new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: eventBusName }),
            )
          ).Targets ?? [],
      })),
  );
}

/**
 * Creates the member template's stack where `cloudFormation` points, as a StackSet instance,
 * checks that it completed, and returns the resources it created (moto lists a resource whose
 * condition is false without a type).
 */
async function createMemberStack(
  cloudFormation: CloudFormationClient,
  templateBody: string,
): Promise<StackResourceSummary[]> {
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: 'steward-member',
      TemplateBody: templateBody,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const { Stacks: stacks = [] } = await cloudFormation.send(
    new DescribeStacksCommand({ StackName: 'steward-member' }),
  );
  expect(stacks[0]?.StackStatus).toBe('CREATE_COMPLETE');
  const { StackResourceSummaries: resources = [] } = await cloudFormation.send(
    new ListStackResourcesCommand({ StackName: 'steward-member' }),
  );
  return resources.filter((resource) => resource.ResourceType);
}

beforeAll(async () => {
  // A moto server of its own, as test/e2e/deploy.test.ts explains.
  moto = await startMoto();
  project = await ScratchProject.create(useMotoAsAws(moto.endpoint, region));
  rules = await loadRules(project.rulesDir);
});

afterAll(async () => {
  await moto?.stop();
});

describe.sequential(
  'an organization on moto: the central stack, and the member template in another account',
  () => {
    const stepTimeout = 300_000;

    it(
      'sls deploy with organizationId creates the organization bus with the rules’ patterns, and roles that may assume only the member role',
      async () => {
        await project.sls(
          'deploy',
          '--stage',
          stage,
          `--param=organizationId=${organizationId}`,
          '--param=cloudTrailLogGroups=/aws/cloudtrail/organization',
        );
        const events = new EventBridgeClient({});
        expect((await events.send(new DescribeEventBusCommand({ Name: busName }))).Arn).toBe(
          busArn,
        );

        const lambda = new LambdaClient({});
        const targetsOf = async (fn: string) =>
          (
            await lambda.send(
              new GetFunctionConfigurationCommand({ FunctionName: `steward-${stage}-${fn}` }),
            )
          ).FunctionArn;
        const byFunction = new Map<string | undefined, string>();
        for (const fn of ['ec2State', 'cloudtrail', 'findings'])
          byFunction.set(await targetsOf(fn), fn);
        for (const bus of [undefined, busName]) {
          const onBus = await rulesOn(events, bus);
          expect(onBus.map((rule) => rule.pattern).sort(byJson), bus ?? 'default').toEqual(
            allPatterns(),
          );
          const patterns = eventBridgePatterns(rules);
          for (const rule of onBus) {
            const fn = byFunction.get(rule.targets[0]?.Arn);
            expect(rule.targets, JSON.stringify(rule.pattern)).toHaveLength(1);
            expect(patterns[fn as 'ec2State' | 'cloudtrail' | 'findings']).toContainEqual(
              rule.pattern,
            );
          }
        }

        const iam = new IAMClient({});
        for (const fn of Object.keys(functionSources)) {
          const name = functionRoleName({ service: 'steward', stage, region }, fn);
          await iam.send(new GetRoleCommand({ RoleName: name }));
          const policy = await iam.send(
            new GetRolePolicyCommand({ RoleName: name, PolicyName: `${fn}-rules` }),
          );
          const document = parsePolicyDocument(policy.PolicyDocument ?? '') as {
            Statement: { Action: string[] }[];
          };
          const assuming = document.Statement.filter((statement) =>
            statement.Action.includes('sts:AssumeRole'),
          );
          // A function whose rules only record findings never acts in a member account.
          const actsInMembers =
            memberPermissions(rulesOf(fn, rules, ['/aws/cloudtrail/organization'])).length > 0;
          expect(assuming, fn).toEqual(
            actsInMembers
              ? [
                  {
                    Effect: 'Allow',
                    Action: ['sts:AssumeRole'],
                    Resource: ['arn:aws:iam::*:role/steward-member'],
                    Condition: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
                  },
                ]
              : [],
          );
          const configuration = await lambda.send(
            new GetFunctionConfigurationCommand({ FunctionName: `steward-${stage}-${fn}` }),
          );
          expect(configuration.Role).toBe(`arn:aws:iam::${account}:role/${name}`);
          expect(configuration.Environment?.Variables).toMatchObject({
            STEWARD_MEMBER_ROLE_NAME: 'steward-member',
            STEWARD_CLOUDTRAIL_LOG_GROUPS: '/aws/cloudtrail/organization',
          });
        }
      },
      stepTimeout,
    );

    it(
      'the member template, as a StackSet would deploy it in two regions of a member account: the roles once, forwarding in both',
      async () => {
        const written = await steward(
          'member-template',
          '--central-account',
          account,
          '--organization-id',
          organizationId,
          '--stage',
          stage,
          '--region',
          region,
          project.rulesDir,
        );
        expect(written.code, written.stderr).toBe(0);

        const assumed = await new STSClient({}).send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
            RoleSessionName: 'stackset',
          }),
        );
        const credentials = {
          accessKeyId: assumed.Credentials?.AccessKeyId as string,
          secretAccessKey: assumed.Credentials?.SecretAccessKey as string,
          sessionToken: assumed.Credentials?.SessionToken,
        };
        const created: Record<string, string[]> = {};
        for (const where of [region, otherRegion]) {
          const cloudFormation = new CloudFormationClient({ region: where, credentials });
          const resources = await createMemberStack(cloudFormation, written.stdout);
          created[where] = resources.map((resource) => resource.ResourceType as string).sort();

          const forwarding = await rulesOn(new EventBridgeClient({ region: where, credentials }));
          expect(forwarding.map((rule) => rule.pattern).sort(byJson), where).toEqual(allPatterns());
          for (const rule of forwarding)
            expect(rule.targets, where).toEqual([
              {
                Id: 'steward-central-bus',
                Arn: busArn,
                RoleArn: `arn:aws:iam::${member}:role/steward-member-forwarding`,
              },
            ]);
        }
        const forwardingRules = allPatterns().map(() => 'AWS::Events::Rule');
        expect(created).toEqual({
          [region]: ['AWS::IAM::Role', 'AWS::IAM::Role', ...forwardingRules].sort(),
          [otherRegion]: forwardingRules,
        });

        const iam = new IAMClient({ credentials });
        const role = (await iam.send(new GetRoleCommand({ RoleName: 'steward-member' }))).Role;
        expect(role?.Arn).toBe(`arn:aws:iam::${member}:role/steward-member`);
        const trust = parsePolicyDocument(role?.AssumeRolePolicyDocument ?? '') as {
          Statement: { Principal: { AWS: string[] }; Condition: unknown }[];
        };
        expect(trust.Statement).toHaveLength(1);
        expect(trust.Statement[0]?.Principal.AWS).toEqual(
          Object.keys(functionSources).map(
            (fn) =>
              `arn:aws:iam::${account}:role/${functionRoleName({ service: 'steward', stage, region }, fn)}`,
          ),
        );
        expect(trust.Statement[0]?.Condition).toEqual({
          StringEquals: { 'aws:PrincipalOrgID': organizationId },
        });
        const policy = await iam.send(
          new GetRolePolicyCommand({ RoleName: 'steward-member', PolicyName: 'steward-rules' }),
        );
        const granted = (
          parsePolicyDocument(policy.PolicyDocument ?? '') as { Statement: { Action: string[] }[] }
        ).Statement.flatMap((statement) => statement.Action);
        expect(granted.sort()).toEqual(memberPermissions(rules));

        // In the central account's own region the StackSet's instance adds only the forwarding
        // role: no member role (its events use the functions' roles), nothing forwarded.
        const central = await createMemberStack(new CloudFormationClient({}), written.stdout);
        expect(central.map((resource) => resource.LogicalResourceId)).toEqual([
          'StewardForwardingRole',
        ]);
        await expect(
          new IAMClient({}).send(new GetRoleCommand({ RoleName: 'steward-member' })),
        ).rejects.toThrow(/steward-member/);
      },
      stepTimeout,
    );
  },
);
