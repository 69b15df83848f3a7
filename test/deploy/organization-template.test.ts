import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionSources, roleLogicalId } from '../../src/deploy/iam.js';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { loadRules } from '../../src/rules/load.js';
import { repoPath } from '../support/files.js';
import { slsPackage } from './sls-package.js';
import { ensurePythonTool } from '../support/python-tools.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

const run = promisify(execFile);
let templateFile: string;
let resources: Record<string, Resource>;

/** The packaged template of `sls package --stage prod` with these parameters. */
async function packagedTemplate(...params: string[]): Promise<string> {
  return join(
    await slsPackage({ stage: 'prod', params }),
    'cloudformation-template-update-stack.json',
  );
}

beforeAll(async () => {
  templateFile = await packagedTemplate(
    'organizationId=o-a1b2c3d4e5',
    'memberRoleName=security-automation',
    'cloudTrailBucket=org-trail-logs',
    'cloudTrailLogGroups=/aws/cloudtrail/org',
  );
  resources = (JSON.parse(await readFile(templateFile, 'utf8')) as { Resources: typeof resources })
    .Resources;
}, 300_000);

const ofType = (type: string) =>
  Object.values(resources).filter((resource) => resource.Type === type);

describe('the packaged template of an organization’s central stack', () => {
  it('passes cfn-lint, no check ignored', async () => {
    const cfnLint = await ensurePythonTool(['cfn-lint'], 'cfn-lint');
    const { stdout } = await run(cfnLint, ['--', templateFile], { timeout: 120_000 });
    expect(stdout).toBe('');
  }, 180_000);

  it('has the organization bus, open to the organization’s accounts only', () => {
    expect(resources.OrganizationEventBus?.Properties).toEqual({
      Name: 'steward-prod-organization',
    });
    expect(resources.OrganizationEventBusPolicy?.Properties.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': ['OrganizationEventBus', 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
  });

  it('delivers the rules’ patterns from the default bus and from the organization bus to the same function', async () => {
    const expected = eventBridgePatterns(await loadRules(repoPath('rules')));
    const rules = ofType('AWS::Events::Rule');
    for (const [functionName, patterns] of Object.entries(expected)) {
      const target = `${roleLogicalId(functionName).replace(/Role$/, '')}LambdaFunction`;
      const delivering = rules.filter((rule) =>
        JSON.stringify(rule.Properties.Targets).includes(`"${target}"`),
      );
      const onBus = (bus: unknown) =>
        delivering
          .filter((rule) => JSON.stringify(rule.Properties.EventBusName) === JSON.stringify(bus))
          .map((rule) => rule.Properties.EventPattern);
      expect(onBus(undefined), functionName).toEqual(patterns);
      expect(onBus({ 'Fn::GetAtt': ['OrganizationEventBus', 'Name'] }), functionName).toEqual(
        patterns,
      );
    }
    const fromBus = ofType('AWS::Lambda::Permission').filter((permission) =>
      JSON.stringify(permission.Properties.SourceArn).includes('OrganizationEventBus'),
    );
    expect(fromBus).toHaveLength(Object.values(expected).flat().length);
  });

  it('names the roles after the stack and lets them assume only the member role, in the organization', () => {
    for (const functionName of Object.keys(functionSources)) {
      const role = resources[roleLogicalId(functionName)];
      expect(role?.Properties.RoleName).toBe(`steward-prod-us-east-1-${functionName}`);
      const statements = (
        role?.Properties.Policies as { PolicyDocument: { Statement: { Action: string[] }[] } }[]
      ).flatMap((policy) => policy.PolicyDocument.Statement);
      expect(
        statements.filter((statement) => statement.Action.includes('sts:AssumeRole')),
        functionName,
      ).toEqual([
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/security-automation' }],
          Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
        },
      ]);
    }
  });

  it('tells the functions the organization, the member role and CloudTrail’s log groups', () => {
    const functions = Object.keys(functionSources).map(
      (name) => resources[`${roleLogicalId(name).replace(/Role$/, '')}LambdaFunction`],
    );
    for (const fn of functions)
      expect(fn?.Properties.Environment).toMatchObject({
        Variables: {
          STEWARD_MEMBER_ROLE_NAME: 'security-automation',
          STEWARD_CLOUDTRAIL_LOG_GROUPS: '/aws/cloudtrail/org',
        },
      });
    expect(
      ofType('AWS::Logs::SubscriptionFilter').map((filter) => filter.Properties.LogGroupName),
    ).toContain('/aws/cloudtrail/org');
  });

  it('stops the package at a parameter AWS would refuse, saying which, without a stack trace', async () => {
    const failure = await packagedTemplate('organizationId=o-1').then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const printed = `${failure?.stdout}${failure?.stderr}`;
    expect(printed).toContain(
      'deploy parameter organizationId: "o-1" is not an organization id (o- and 10 to 32 lowercase letters or digits)',
    );
    expect(printed).not.toMatch(/^\s+at /m);
  }, 300_000);
});
