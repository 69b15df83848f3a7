import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memberPermissions, rulePermissions } from '../../src/deploy/iam.js';
import { memberTemplate, type MemberTemplateOptions } from '../../src/deploy/member-template.js';
import { deployParameters } from '../../src/deploy/parameters.js';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { serverlessRuleConfig } from '../../src/deploy/serverless.js';
import type { CloudFormationTemplate } from '../../src/deploy/template.js';
import { compileRule, loadRules, parseRuleText } from '../../src/rules/load.js';
import { steward } from '../cli/support.js';
import { repoPath } from '../support/files.js';
import { ensurePythonTool } from '../support/python-tools.js';

const rules = await loadRules(repoPath('rules'));
const central = '111122223333';
const options: MemberTemplateOptions = {
  service: 'steward',
  stage: 'prod',
  region: 'eu-west-1',
  memberRoleName: 'steward-member',
  centralAccountId: central,
  organizationId: 'o-a1b2c3d4e5',
};

interface Statement {
  Effect: string;
  Principal?: { AWS?: unknown[]; Service?: string };
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}
interface Role {
  Type: string;
  Condition?: string;
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
}

/** `Fn::Sub` of the member template resolved for one member account, as CloudFormation would. */
function resolved(value: unknown, account = '222233334444'): unknown {
  return JSON.parse(
    JSON.stringify(value).replace(
      /\{"Fn::Sub":"([^"]*)"\}/g,
      (_, text: string) =>
        `"${text
          .replaceAll('${AWS::Partition}', 'aws')
          .replaceAll('${CentralAccountId}', central)
          .replaceAll('${AWS::AccountId}', account)}"`,
    ),
  );
}

function resourcesOf(template: CloudFormationTemplate): Record<string, Role> {
  return template.Resources as unknown as Record<string, Role>;
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat());

function ruleWith(id: string, actions: string): ReturnType<typeof compileRule> {
  const text = `id: ${id}\ndescription: t\nkind: remediation\nseverity: low\ntriggers:\n  - source: cloudtrail\n    events: [RunInstances]\nactions:\n${actions}\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

describe('the member account template', () => {
  it('gives the member role exactly the permissions the rules’ actions and facts declare, in every region of the member account', () => {
    const role = resourcesOf(memberTemplate(rules, options)).StewardMemberRole;
    const statements = role?.Properties.Policies.flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    expect(actionsOf(statements ?? []).sort()).toEqual(memberPermissions(rules));
    expect(role?.Properties.RoleName).toBe('steward-member');
    const resources = (resolved(statements) as Statement[]).flatMap((statement) =>
      [statement.Resource].flat(),
    ) as string[];
    for (const resource of resources)
      expect(resource, resource).toMatch(/^(\*|arn:aws:[a-z0-9]+:\*:(222233334444)?:.+)$/);
    expect(resources).toContain('arn:aws:ec2:*:222233334444:security-group/*');
  });

  it('gives the member role the describe calls of what the rules sweep, and none for rules that sweep nothing', () => {
    const text = [
      'id: trails-not-logging',
      'description: t',
      'kind: audit',
      'severity: high',
      'triggers:',
      '  - source: schedule',
      '    schedule: rate(1 hour)',
      '    resources: trails',
      'actions:',
      '  - action: audit.record',
    ].join('\n');
    const loaded = parseRuleText(text, 'trails-not-logging.yaml');
    if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
    const sweeping = [compileRule(loaded.rule, 'trails-not-logging.yaml')];
    const statementsOf = (pack: typeof rules) =>
      resourcesOf(memberTemplate(pack, options)).StewardMemberRole?.Properties.Policies.flatMap(
        (policy) => policy.PolicyDocument.Statement,
      ) ?? [];
    expect(statementsOf(sweeping)).toEqual([
      {
        Effect: 'Allow',
        Action: ['cloudtrail:DescribeTrails'],
        Resource: ['*'],
      },
      {
        Effect: 'Allow',
        Action: ['cloudtrail:GetTrailStatus'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' }],
      },
    ]);
    expect(
      actionsOf(statementsOf([ruleWith('record-launch', '  - action: audit.record')])),
    ).toEqual([]);
  });

  it('leaves out of the member role what reports to the central account with the function’s own role', () => {
    const reporting = [
      ruleWith(
        'stop-and-report',
        [
          '  - action: ec2.stop-instances',
          '  - action: notify.sns',
          `    params: { topicArn: 'arn:aws:sns:eu-west-1:${central}:security' }`,
          '  - action: events.emit',
        ].join('\n'),
      ),
    ];
    expect(rulePermissions(reporting)).toEqual([
      'ec2:DescribeInstances',
      'ec2:StopInstances',
      'events:PutEvents',
      'sns:Publish',
    ]);
    const role = resourcesOf(memberTemplate(reporting, options)).StewardMemberRole;
    const statements = role?.Properties.Policies.flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    expect(actionsOf(statements ?? []).sort()).toEqual(memberPermissions(reporting));
    expect(memberPermissions(reporting)).toEqual(['ec2:DescribeInstances', 'ec2:StopInstances']);
  });

  it('lets only the central stack’s function roles assume the member role, from inside the organization', () => {
    const role = resourcesOf(memberTemplate(rules, options)).StewardMemberRole;
    const trust = role?.Properties.AssumeRolePolicyDocument.Statement ?? [];
    expect(trust).toHaveLength(1);
    const centralRoles = serverlessRuleConfig(
      rules,
      deployParameters(
        { organizationId: 'o-a1b2c3d4e5' },
        { service: 'steward', stage: 'prod', region: 'eu-west-1' },
      ),
    ).resources.Resources;
    const centralRoleNames = Object.values(centralRoles)
      .filter((resource) => (resource as Role).Type === 'AWS::IAM::Role')
      .map((resource) => (resource as Role).Properties.RoleName);
    expect(resolved(trust[0]?.Principal)).toEqual({
      AWS: centralRoleNames.map((name) => `arn:aws:iam::${central}:role/${name}`),
    });
    expect(centralRoleNames).toEqual([
      'steward-prod-eu-west-1-ec2State',
      'steward-prod-eu-west-1-cloudtrail',
      'steward-prod-eu-west-1-cloudtrailLogs',
      'steward-prod-eu-west-1-cloudwatchLogs',
      'steward-prod-eu-west-1-findings',
      'steward-prod-eu-west-1-sweep',
    ]);
    expect(trust[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
    expect(trust[0]?.Condition).toEqual({
      'Fn::If': [
        'HasOrganization',
        { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    const template = memberTemplate(rules, options);
    expect(template.Parameters).toMatchObject({
      CentralAccountId: { Default: central },
      OrganizationId: { Default: 'o-a1b2c3d4e5' },
      RoleRegion: { Default: 'eu-west-1' },
    });
  });

  it('forwards in every region exactly the patterns the central functions listen to, to the central bus', () => {
    const resources = resourcesOf(memberTemplate(rules, options));
    const forwarding = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::Events::Rule',
    ) as unknown as [string, { Condition: string; Properties: Record<string, unknown> }][];
    const patterns = eventBridgePatterns(rules);
    expect(forwarding.map(([, rule]) => rule.Properties.EventPattern)).toEqual([
      ...patterns.ec2State,
      ...patterns.cloudtrail,
      ...patterns.findings,
    ]);
    for (const [id, rule] of forwarding) {
      expect(rule.Condition, id).toBe('ForwardEvents');
      expect(resolved(rule.Properties.Targets), id).toEqual([
        {
          Id: 'steward-central-bus',
          Arn: `arn:aws:events:eu-west-1:${central}:event-bus/steward-prod-organization`,
          RoleArn: 'arn:aws:iam::222233334444:role/steward-member-forwarding',
        },
      ]);
    }
    const forwarder = resources.StewardForwardingRole;
    expect(forwarder?.Properties.RoleName).toBe('steward-member-forwarding');
    expect(forwarder?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(resolved(forwarder?.Properties.Policies[0]?.PolicyDocument.Statement)).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: `arn:aws:events:eu-west-1:${central}:event-bus/steward-prod-organization`,
      },
    ]);
  });

  it('deploys as a StackSet: the global roles only in the role region, no member role and no double delivery in the central account', () => {
    const template = memberTemplate(rules, options);
    const resources = resourcesOf(template);
    expect(resources.StewardMemberRole?.Condition).toBe('CreateMemberRole');
    expect(resources.StewardForwardingRole?.Condition).toBe('InRoleRegion');
    expect(template.Conditions).toEqual({
      InRoleRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RoleRegion' }] },
      HasOrganization: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] },
      CreateMemberRole: {
        'Fn::And': [
          { Condition: 'InRoleRegion' },
          {
            'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'CentralAccountId' }] }],
          },
        ],
      },
      ForwardEvents: {
        'Fn::Not': [
          {
            'Fn::And': [
              { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'CentralAccountId' }] },
              { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
            ],
          },
        ],
      },
    });
  });

  it('passes cfn-lint, with and without a central account and an organization given', async () => {
    const cfnLint = await ensurePythonTool(['cfn-lint'], 'cfn-lint');
    const dir = await mkdtemp(join(tmpdir(), 'steward-member-'));
    const files = [join(dir, 'given.json'), join(dir, 'parameters-only.json')];
    await writeFile(files[0] as string, JSON.stringify(memberTemplate(rules, options)));
    await writeFile(
      files[1] as string,
      JSON.stringify(
        memberTemplate(rules, {
          service: 'steward',
          stage: 'dev',
          region: 'us-east-1',
          memberRoleName: 'steward-member',
        }),
      ),
    );
    const { stdout } = await promisify(execFile)(cfnLint, ['--', ...files], { timeout: 120_000 });
    expect(stdout).toBe('');
  }, 180_000);
});

describe('steward member-template', () => {
  it('writes the template to a file and says what it holds', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'steward-member-cli-')), 'member.json');
    const run = await steward(
      'member-template',
      '--central-account',
      central,
      '--organization-id',
      'o-a1b2c3d4e5',
      '--stage',
      'prod',
      '--region',
      'eu-west-1',
      '--out',
      out,
      repoPath('rules'),
    );
    expect(run).toEqual({
      code: 0,
      stdout: `member template for steward-prod in eu-west-1 written to ${out}: role steward-member for ${rules.length} rules, ${Object.values(eventBridgePatterns(rules)).flat().length} forwarding rules per region\n`,
      stderr: '',
    });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(memberTemplate(rules, options));
  });

  it('prints the template on stdout without --out, for the stage and member role given', async () => {
    const run = await steward(
      'member-template',
      '--member-role-name',
      'sec-auto',
      repoPath('rules'),
    );
    expect(run.code).toBe(0);
    const template = JSON.parse(run.stdout) as CloudFormationTemplate;
    expect(template).toEqual(
      memberTemplate(rules, {
        service: 'steward',
        stage: 'dev',
        region: 'us-east-1',
        memberRoleName: 'sec-auto',
      }),
    );
    expect(template.Parameters).not.toHaveProperty('CentralAccountId.Default');
  });

  it('refuses an account id, an organization id or a role name AWS would refuse, naming the option', async () => {
    expect(await steward('member-template', '--central-account', '1111-2222-3333')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'steward member-template: --central-account: "1111-2222-3333" is not an AWS account id (12 digits)\n',
    });
    expect(await steward('member-template', '--organization-id', 'r-ab12')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'steward member-template: --organization-id: "r-ab12" is not an organization id (o- and 10 to 32 lowercase letters or digits)\n',
    });
    expect((await steward('member-template', '--member-role-name', 'x'.repeat(54))).stderr).toBe(
      `steward member-template: --member-role-name: the forwarding role's name ${'x'.repeat(54)}-forwarding is 65 characters and IAM allows 64: use a member role name of at most 53 characters\n`,
    );
    expect((await steward('member-template', '--member-role-name', 'a/b')).stderr).toBe(
      'steward member-template: --member-role-name: "a/b" is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)\n',
    );
  });

  it('names each problem of a broken rule and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-member-rules-'));
    await writeFile(join(dir, 'broken.yaml'), 'id: broken\nkind: sometimes\n');
    const out = join(dir, 'member.json');
    const run = await steward('member-template', '--out', out, dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${join(dir, 'broken.yaml')}:`);
    expect(run.stdout).toMatch(/^\d+ problems?: no template written\n$/);
    await expect(readFile(out)).rejects.toThrow('ENOENT');
  });
});
