import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionPermissions,
  functionSources,
  rulesOf,
  sweepPermissions,
} from '../../src/deploy/iam.js';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { ruleSchedules } from '../../src/deploy/schedules.js';
import { loadRules } from '../../src/rules/load.js';
import { repoPath } from '../support/files.js';
import { slsPackage } from './sls-package.js';
import { ensurePythonTool } from '../support/python-tools.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface Resource {
  Type: string;
  DependsOn?: string | string[];
  Properties: Record<string, unknown>;
}

let resources: Record<string, Resource>;
/** Where `sls package` wrote the template and the function packages. */
let packageDir: string;
const templateFile = () => join(packageDir, 'cloudformation-template-update-stack.json');

/** What every function's role holds besides its rules' permissions. */
const basePermissions = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'sqs:SendMessage',
  's3:GetObject',
]);

beforeAll(async () => {
  // The real `sls package`, as CI and `sls deploy` run it: the template is what CloudFormation would get.
  packageDir = await slsPackage({
    stage: 'prod',
    params: ['cloudTrailBucket=trail-logs-bucket', 'sweepRegions=us-east-1,eu-west-1'],
  });
  const template = JSON.parse(await readFile(templateFile(), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  resources = template.Resources;
}, 300_000);

function statementsOf(roleName: string): Statement[] {
  const role = resources[roleName];
  expect(role?.Type).toBe('AWS::IAM::Role');
  const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat());

describe('the function packages', () => {
  it('hold each handler’s bundle and the checked rule pack: no rule YAML, no bundled SDK client', async () => {
    const run = promisify(execFile);
    for (const functionName of Object.keys(functionSources)) {
      const zip = join(packageDir, `${functionName}.zip`);
      const { stdout: listing } = await run('unzip', ['-Z1', zip]);
      expect(listing.trim().split('\n').sort()).toEqual([
        'dist/rule-pack.json',
        `handlers/${functionName}.cjs`,
        `handlers/${functionName}.cjs.map`,
      ]);
      const { stdout: bundle } = await run('unzip', ['-p', zip, `handlers/${functionName}.cjs`], {
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(bundle.length).toBeLessThanOrEqual(500 * 1024);
      // The clients come from the Lambda runtime: required, not bundled.
      expect(bundle).toContain('require("@aws-sdk/client-dynamodb")');
      const { stdout: pack } = await run('unzip', ['-p', zip, 'dist/rule-pack.json'], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const rules = (JSON.parse(pack) as { rules: { document: { id: string } }[] }).rules;
      expect(rules.map((rule) => rule.document.id).sort()).toEqual(
        (await loadRules(repoPath('rules'))).map((rule) => rule.id).sort(),
      );
    }
  });
  it('bundle the pinned SDK clients instead when deployed with bundleAwsSdk=true', async () => {
    const out = await slsPackage({ params: ['bundleAwsSdk=true'] });
    const run = promisify(execFile);
    const { stdout: bundle } = await run(
      'unzip',
      ['-p', join(out, 'cloudtrail.zip'), 'handlers/cloudtrail.cjs'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    expect(bundle).not.toContain('require("@aws-sdk/client-dynamodb")');
    expect(bundle.length).toBeGreaterThan(1024 * 1024);
  }, 300_000);
});

describe('the packaged CloudFormation template', () => {
  it('passes cfn-lint, no check ignored', async () => {
    const cfnLint = await ensurePythonTool(['cfn-lint'], 'cfn-lint');
    const { stdout } = await promisify(execFile)(cfnLint, ['--', templateFile()], {
      timeout: 120_000,
    });
    expect(stdout).toBe('');
  }, 180_000);

  it('schedules each schedule rule’s sweep: its expression, and the rule as the input', async () => {
    const rules = await loadRules(repoPath('rules'));
    const expected = ruleSchedules(rules);
    expect(expected.map((schedule) => schedule.rule).sort()).toEqual([
      'sweep-instances-without-imdsv2',
      'sweep-instances-without-owner',
      'sweep-log-groups-without-retention',
      'sweep-security-groups-open-to-world',
    ]);
    const scheduled = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::Events::Rule')
      .filter((resource) => resource.Properties.ScheduleExpression !== undefined);
    expect(
      scheduled.map((resource) => {
        const [target, ...others] = resource.Properties.Targets as {
          Arn: unknown;
          Input: string;
        }[];
        expect(others).toEqual([]);
        expect(target?.Arn).toEqual({ 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] });
        expect(resource.Properties.State).toBe('ENABLED');
        return {
          rule: (JSON.parse(target?.Input ?? '{}') as { rule: string }).rule,
          expression: resource.Properties.ScheduleExpression,
        };
      }),
    ).toEqual(expected);
    expect(
      expected.find((schedule) => schedule.rule === 'sweep-log-groups-without-retention'),
    ).toEqual({ rule: 'sweep-log-groups-without-retention', expression: 'rate(7 days)' });
    const invokers = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(resource.Properties.FunctionName).includes('SweepLambdaFunction'),
    );
    expect(invokers).toHaveLength(expected.length);
  });

  it('gives the sweep function its time, the regions to sweep, and the describe calls of what its rules sweep', async () => {
    expect(resources.SweepLambdaFunction?.Properties).toMatchObject({
      Handler: 'handlers/sweep.handler',
      Timeout: 900,
      Role: { 'Fn::GetAtt': ['SweepRole', 'Arn'] },
      Environment: {
        Variables: { STEWARD_SWEEP_REGIONS: 'us-east-1,eu-west-1', STEWARD_SWEEP_ACCOUNTS: '' },
      },
    });
    const sweeping = rulesOf('sweep', await loadRules(repoPath('rules')));
    expect(sweepPermissions(sweeping)).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeSecurityGroups',
      'logs:DescribeLogGroups',
    ]);
    const granted = actionsOf(statementsOf('SweepRole'));
    for (const permission of sweepPermissions(sweeping)) expect(granted).toContain(permission);
    // No rule sweeps trails, so the role may not describe them.
    expect(granted).not.toContain('cloudtrail:DescribeTrails');
  });

  it('gives each function a role with exactly the permissions its rules’ actions and facts declare', async () => {
    const rules = await loadRules(repoPath('rules'));
    for (const functionName of Object.keys(functionSources)) {
      const roleName = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}Role`;
      const fn = resources[`${roleName.replace(/Role$/, '')}LambdaFunction`];
      expect(fn?.Properties.Role, functionName).toEqual({ 'Fn::GetAtt': [roleName, 'Arn'] });
      const granted = actionsOf(statementsOf(roleName)).filter(
        (action) => !basePermissions.has(action),
      );
      expect(granted.sort(), functionName).toEqual(
        functionPermissions(functionName, rulesOf(functionName, rules)),
      );
    }
  });

  it('grants no wildcard action anywhere, and scopes what AWS lets it scope', () => {
    const statements = Object.values(resources)
      .filter(
        (resource) => resource.Type === 'AWS::IAM::Role' || resource.Type === 'AWS::IAM::Policy',
      )
      .flatMap((resource) =>
        (
          (resource.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
        ).flatMap((policy) => policy.PolicyDocument.Statement),
      );
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    const stopping = statements.find((statement) =>
      actionsOf([statement]).includes('ec2:StopInstances'),
    );
    // Every region: events of all regions are acted on in their own region.
    expect(stopping?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:instance/*' },
    ]);
    expect(statementsOf('CloudtrailLogsRole')).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::trail-logs-bucket/AWSLogs/*' }],
    });
  });

  it('sends every function’s failed events to the dead-letter queue, which has an alarm', () => {
    for (const functionName of Object.keys(functionSources)) {
      const logicalId = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}LambdaEvConf`;
      expect(resources[logicalId]?.Properties, functionName).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
        },
      });
      const lambda = resources[logicalId.replace('EvConf', 'Function')];
      expect(lambda?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
    expect(resources.DeadLetterAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });

  it('lets only the functions’ own roles send to the dead-letter queue, which steward replay trusts', () => {
    const policy = resources.DeadLetterQueuePolicy as
      | { Type: string; Properties: { Queues: unknown; PolicyDocument: { Statement: unknown[] } } }
      | undefined;
    expect(policy?.Type).toBe('AWS::SQS::QueuePolicy');
    expect(policy?.Properties.Queues).toEqual([{ Ref: 'DeadLetterQueue' }]);
    expect(policy?.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'OnlyStewardFunctionsSend',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': Object.keys(functionSources).map((name) => ({
              'Fn::GetAtt': [`${name.charAt(0).toUpperCase()}${name.slice(1)}Role`, 'Arn'],
            })),
          },
        },
      },
    ]);
    for (const name of Object.keys(functionSources))
      expect(resources[`${name.charAt(0).toUpperCase()}${name.slice(1)}Role`]?.Type).toBe(
        'AWS::IAM::Role',
      );
  });

  it('keeps the production ledger safe: TTL, point-in-time recovery, deletion protection, and the ledger indexes', () => {
    expect(resources.LedgerTable?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const indexes = (
      resources.LedgerTable?.Properties.GlobalSecondaryIndexes as { IndexName: string }[]
    ).map((index) => index.IndexName);
    expect(indexes).toEqual(['byRule', 'byResource', 'byEvent']);
  });

  it('takes its EventBridge patterns from the rules, as steward patterns prints them', async () => {
    const expected = eventBridgePatterns(await loadRules(repoPath('rules')));
    const patternsOf = (functionName: string) =>
      Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::Events::Rule')
        .filter((resource) =>
          JSON.stringify(resource.Properties.Targets).includes(`"${functionName}LambdaFunction"`),
        )
        .map((resource) => resource.Properties.EventPattern);
    expect(patternsOf('Ec2State')).toEqual(expected.ec2State);
    expect(patternsOf('Cloudtrail')).toEqual(expected.cloudtrail);
    expect(patternsOf('Findings')).toEqual(expected.findings);
    expect(expected.findings.length).toBeGreaterThan(0);
  });

  it('keeps the functions’ own logs for a bounded time', () => {
    const logGroups = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::Logs::LogGroup',
    );
    expect(logGroups).toHaveLength(Object.keys(functionSources).length);
    for (const group of logGroups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('orders each function after its log group, and after its role only through the role’s Fn::GetAtt (no W3005)', () => {
    for (const functionName of Object.keys(functionSources)) {
      const name = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}`;
      const fn = resources[`${name}LambdaFunction`];
      expect(fn?.Properties.Role, functionName).toEqual({ 'Fn::GetAtt': [`${name}Role`, 'Arn'] });
      expect(fn?.DependsOn, functionName).toEqual([`${name}LogGroup`]);
    }
  });
});
