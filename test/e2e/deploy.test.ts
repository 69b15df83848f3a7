import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleLogicalId } from '../../src/deploy/iam.js';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { ledgerTableDefinition } from '../../src/ledger/table.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { deploymentTimestamps, ScratchProject, useMotoAsAws } from './deploy-project.js';
import {
  expectedAlarms,
  expectedDashboard,
  expectedPatterns,
  expectedRoles,
  expectedSchedules,
  gapsOf,
  gapsOfEveryStack,
  motoGaps,
  subscribedLogGroups,
} from './deploy-expected.js';
import {
  arnLikeCovers,
  DeployedStackReader,
  functionNames,
  leftoversOf,
  type DeployedStack,
  type Invoker,
} from './deploy-stack.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { account, region } from './harness.js';

/** The step's record: the command, what moto held after it, what was checked. */
interface StepRecord {
  command: string;
  status: string;
  resources: string;
  checked: string[];
}

const records: StepRecord[] = [];
let moto: MotoServer | undefined;
let project: ScratchProject;
let reader: DeployedStackReader;
let shippedRules: CompiledRule[];
/** The rules after the update step's change, which the project keeps from then on. */
let changedRules: CompiledRule[];

const newRule = `id: secret-scheduled-for-deletion
description: A Secrets Manager secret was scheduled for deletion.
kind: audit
severity: high
triggers:
  - source: cloudtrail
    eventSource: secretsmanager.amazonaws.com
    events: [DeleteSecret]
actions:
  - action: audit.record
`;

function resourceSummary(stack: DeployedStack): string {
  const counts = Object.entries(stack.resourceCounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `${count} ${type.replace(/^AWS::/, '')}`);
  const total = Object.values(stack.resourceCounts).reduce((sum, count) => sum + count, 0);
  return `${total} resources in the template, ${stack.createdCount} created: ${counts.join(', ')}`;
}

/**
 * Reads what moto holds for `stage` and checks it against what the rules and `serverless.yml`
 * declare: every function, role, EventBridge rule, the ledger table, the queue, the log groups.
 */
async function expectDeployed(
  stage: string,
  rules: readonly CompiledRule[],
  command: string,
  expectedGaps: readonly string[] = gapsOfEveryStack,
): Promise<DeployedStack> {
  const stack = await reader.read(stage);
  expect(stack.status, `stack steward-${stage}`).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);

  const patterns = expectedPatterns(rules);
  expect(stack.patterns).toEqual(patterns);
  const patternCount = Object.values(patterns).flat().length;
  const schedules = expectedSchedules(rules);
  expect(stack.schedules).toEqual(schedules);
  expect(schedules).not.toEqual([]);
  expect(stack.resourceCounts).toMatchObject({
    'AWS::Lambda::Function': functionNames.length,
    'AWS::IAM::Role': functionNames.length,
    'AWS::Events::Rule': patternCount + schedules.length,
    'AWS::DynamoDB::Table': 1,
    'AWS::SQS::Queue': 1,
    'AWS::Logs::LogGroup': functionNames.length,
  });

  const tableName = `steward-${stage}-ledger`;
  const table = ledgerTableDefinition(tableName);
  expect(stack.table).toMatchObject({
    keySchema: table.KeySchema,
    attributeDefinitions: [...(table.AttributeDefinitions ?? [])].sort((a, b) =>
      JSON.stringify(a).localeCompare(JSON.stringify(b)),
    ),
    indexes: table.GlobalSecondaryIndexes,
    billingMode: 'PAY_PER_REQUEST',
    deletionProtection: stage === 'prod',
  });
  const queueArn = `arn:aws:sqs:${region}:${account}:steward-${stage}-dead-letters`;
  expect(stack.queue).toEqual({
    QueueArn: queueArn,
    MessageRetentionPeriod: String(14 * 24 * 3600),
    SqsManagedSseEnabled: 'true',
  });

  for (const name of functionNames) {
    const fn = stack.functions[name];
    expect(fn, name).toMatchObject({
      runtime: 'nodejs22.x',
      handler: `handlers/${name}.handler`,
      memorySize: 512,
      timeout: ({ cloudtrailLogs: 300, sweep: 900 } as Record<string, number>)[name] ?? 60,
      role: roleLogicalId(name),
    });
    expect(fn?.environment, name).toEqual({
      STEWARD_LEDGER_TABLE: tableName,
      STEWARD_RETENTION_DAYS: '90',
      STEWARD_MEMBER_ROLE_NAME: 'steward-member',
      STEWARD_CLOUDTRAIL_LOG_GROUPS: '',
      NODE_OPTIONS: '--enable-source-maps',
      STEWARD_METRICS_NAMESPACE: `steward/${stage}`,
      STEWARD_TRACING: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
      POWERTOOLS_SERVICE_NAME: 'steward',
      // Where the sweeps look: the stack's own region and account, without parameters.
      ...(name === 'sweep' ? { STEWARD_SWEEP_REGIONS: region, STEWARD_SWEEP_ACCOUNTS: '' } : {}),
    });
    expectInvokers(stack, name, fn?.invokers ?? [], subscribedLogGroups(rules, stage));
  }

  // Each role's policy is exactly what its rules declare, with the ARNs of what was deployed.
  expect(stack.roles).toEqual(
    expectedRoles(rules, stage, {
      'LedgerTable.Arn': stack.table?.arn ?? '',
      'DeadLetterQueue.Arn': queueArn,
    }),
  );
  expect(stack.logGroups).toEqual(
    Object.fromEntries(functionNames.map((name) => [`/aws/lambda/steward-${stage}-${name}`, 30])),
  );
  expect(gapsOf(stack)).toEqual([...expectedGaps].sort());

  // The dashboard shows the rules' metrics and every alarm's state; moto creates no alarm (a
  // gap), so the alarms are counted in the template it holds and named in the dashboard.
  const alarms = expectedAlarms(rules, stage);
  const rulesWithActions = rules.filter((rule) => rule.actions.length > 0).length;
  expect(alarms).toHaveLength(4 + 2 * functionNames.length + rulesWithActions);
  expect(stack.resourceCounts['AWS::CloudWatch::Alarm']).toBe(alarms.length);
  expect(stack.resourceCounts['AWS::CloudWatch::Dashboard']).toBe(1);
  expect(stack.alarms).toEqual(expectedGaps.includes('AWS::CloudWatch::Alarm') ? [] : alarms);
  expect(stack.dashboard).toEqual(expectedDashboard(rules, stage));
  const shown = JSON.stringify(stack.dashboard);
  for (const alarm of alarms)
    expect(shown).toContain(`"arn:aws:cloudwatch:${region}:${account}:alarm:${alarm}"`);
  if (!expectedGaps.includes('AWS::CloudFormation::Stack Outputs'))
    expect(stack.outputs).toMatchObject({
      MetricsNamespace: `steward/${stage}`,
      DashboardName: `steward-${stage}`,
    });

  records.push({
    command,
    status: stack.status as string,
    resources: resourceSummary(stack),
    checked: [
      `${patternCount} EventBridge patterns equal to steward patterns`,
      `${schedules.length} EventBridge schedules, each invoking sweep with its rule and schedule`,
      `${functionNames.length} functions: runtime, handler, memory, timeout, environment, role, invoke permissions`,
      `${functionNames.length} roles: trust and policies equal to the rules’ declarations`,
      `ledger table: keys, byRule, byResource and byEvent, on demand, deletion protection ${stage === 'prod' ? 'on' : 'off'}`,
      'dead-letter queue: 14 days, SSE',
      `${functionNames.length} log groups: 30 days`,
      `dashboard steward-${stage}: the rules’ metrics and the ${alarms.length} alarms’ states`,
    ],
  });
  return stack;
}

/**
 * EventBridge may invoke the function from each rule that targets it (a permission for a rule
 * that is gone is a moto gap, see `gapsOf`); CloudWatch Logs may invoke `cloudwatchLogs`, from
 * every subscribed log group, and no other function.
 */
function expectInvokers(
  stack: DeployedStack,
  name: string,
  invokers: Invoker[],
  subscribed: string[],
): void {
  const liveRules = stack.eventRules.map((rule) => rule.arn);
  const bySource = (a: Invoker, b: Invoker) => (a.sourceArn ?? '').localeCompare(b.sourceArn ?? '');
  expect(
    invokers
      .filter(
        (invoker) =>
          invoker.principal === 'events.amazonaws.com' &&
          liveRules.includes(invoker.sourceArn ?? ''),
      )
      .sort(bySource),
    name,
  ).toEqual(
    stack.eventRules
      .filter((rule) => rule.target === name)
      .map((rule) => ({ principal: 'events.amazonaws.com', sourceArn: rule.arn }))
      .sort(bySource),
  );
  const fromLogs = invokers.filter((invoker) => invoker.principal !== 'events.amazonaws.com');
  if (name !== 'cloudwatchLogs') {
    expect(fromLogs, name).toEqual([]);
    return;
  }
  expect(fromLogs.map((invoker) => invoker.principal)).toEqual([`logs.${region}.amazonaws.com`]);
  const sourceArn = fromLogs[0]?.sourceArn ?? '';
  for (const group of subscribed)
    expect(
      arnLikeCovers(sourceArn, `arn:aws:logs:${region}:${account}:log-group:${group}:*`),
      `${sourceArn} covers ${group}`,
    ).toBe(true);
}

async function expectRemoved(stage: string, command: string): Promise<void> {
  expect(await leftoversOf(reader, stage)).toEqual([]);
  records.push({
    command,
    status: 'gone',
    resources: '0 resources',
    checked: [
      'no stack, function, role, EventBridge rule, table, queue, log group, alarm or dashboard of the stage',
    ],
  });
}

/** Edits a rule file of the scratch project: the repository's rules stay as they are. */
async function editRule(file: string, from: string, to: string): Promise<void> {
  const path = join(project.rulesDir, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer holds ${from}`);
  await writeFile(path, text.replace(from, to));
}

beforeAll(async () => {
  // A moto server of its own: once moto has held a Lambda function, its /moto-api/data.json
  // fails (its model dump asks each function for a Docker client), and the other e2e tests
  // share the run's server.
  moto = await startMoto();
  project = await ScratchProject.create(useMotoAsAws(moto.endpoint, region));
  reader = new DeployedStackReader();
  shippedRules = await loadRules(project.rulesDir);
});

afterAll(async () => {
  await moto?.stop();
  const lines = [
    'sls on moto: what each command left in moto, checked through the AWS SDK',
    ...records.flatMap((record) => [
      `$ ${record.command}`,
      `  stack ${record.status}; ${record.resources}`,
      ...record.checked.map((check) => `  ok ${check}`),
    ]),
    'not checkable in moto:',
    ...Object.entries(motoGaps).map(([gap, why]) => `  ${gap}: ${why}`),
  ];
  console.log(lines.join('\n'));
  const recordFile = process.env.STEWARD_DEPLOY_RECORD;
  if (recordFile) await writeFile(recordFile, `${lines.join('\n')}\n`);
});

describe.sequential('sls deploy, update, rollback and remove on moto', () => {
  let firstDeployment: string;
  const stepTimeout = 300_000;

  it(
    'sls deploy --stage ci creates what the rules and serverless.yml declare',
    async () => {
      await project.sls('deploy', '--stage', 'ci');
      await expectDeployed('ci', shippedRules, 'sls deploy --stage ci');
    },
    stepTimeout,
  );

  it(
    'sls deploy after the rules changed updates the stack: the new patterns are there, the replaced one is gone',
    async () => {
      // One rule listens to one more event; a new rule listens to a service no rule named.
      // (Updates that only change and add: moto does not create again a resource that an
      // earlier update removed, which a later rollback would need.)
      await editRule(
        'iam-user-or-access-key-created.yaml',
        'events: [CreateUser, CreateAccessKey]',
        'events: [CreateUser, CreateAccessKey, CreateLoginProfile]',
      );
      await writeFile(join(project.rulesDir, 'secret-scheduled-for-deletion.yaml'), newRule);
      changedRules = await loadRules(project.rulesDir);
      const before = eventBridgePatterns(shippedRules).cloudtrail.map((p) => JSON.stringify(p));
      const after = eventBridgePatterns(changedRules).cloudtrail.map((p) => JSON.stringify(p));
      const added = after.filter((pattern) => !before.includes(pattern));
      const removed = before.filter((pattern) => !after.includes(pattern));
      expect(added).toEqual([
        expect.stringContaining(
          '"eventName":["CreateAccessKey","CreateLoginProfile","CreateUser"]',
        ),
        expect.stringContaining('"eventName":["DeleteSecret"]'),
      ]);
      expect(removed).toEqual([
        expect.stringContaining('"eventName":["CreateAccessKey","CreateUser"]'),
      ]);

      await project.sls('deploy', '--stage', 'ci');
      const stack = await expectDeployed(
        'ci',
        changedRules,
        'sls deploy --stage ci (rules changed)',
      );
      const held = (stack.patterns.cloudtrail ?? []).map((pattern) => JSON.stringify(pattern));
      expect(added.filter((pattern) => held.includes(pattern))).toEqual(added);
      expect(removed.filter((pattern) => held.includes(pattern))).toEqual([]);
    },
    stepTimeout,
  );

  it(
    'sls deploy list lists both deployments, oldest first',
    async () => {
      const listing = await project.sls('deploy', 'list', '--stage', 'ci');
      const timestamps = deploymentTimestamps(listing);
      expect(timestamps, listing).toHaveLength(2);
      expect(Number(timestamps[0])).toBeLessThan(Number(timestamps[1]));
      firstDeployment = timestamps[0] as string;
      records.push({
        command: 'sls deploy list --stage ci',
        status: 'unchanged',
        resources: `deployments ${timestamps.join(', ')}`,
        checked: ['two deployments listed'],
      });
    },
    stepTimeout,
  );

  it(
    'sls rollback --timestamp returns to the first deployment: its patterns and permissions are back',
    async () => {
      await project.sls('rollback', '--stage', 'ci', '--timestamp', firstDeployment);
      await expectDeployed(
        'ci',
        shippedRules,
        `sls rollback --stage ci --timestamp ${firstDeployment}`,
        [...gapsOfEveryStack, 'AWS::Lambda::Permission removal'],
      );
    },
    stepTimeout,
  );

  it(
    'sls remove takes every resource of the stage away',
    async () => {
      await project.sls('remove', '--stage', 'ci');
      await expectRemoved('ci', 'sls remove --stage ci');
    },
    stepTimeout,
  );

  it(
    'in prod the ledger refuses deletion until its protection is turned off, as the README says; then sls remove takes it all',
    async () => {
      await project.sls('deploy', '--stage', 'prod');
      await expectDeployed('prod', changedRules, 'sls deploy --stage prod');
      // The protection shown on the table itself: CloudFormation would leave the stack in
      // DELETE_FAILED with the table kept, but moto forgets a stack whose deletion failed, so a
      // second `sls remove` would find nothing to remove.
      const dynamodb = new DynamoDBClient({});
      await expect(
        dynamodb.send(new DeleteTableCommand({ TableName: 'steward-prod-ledger' })),
      ).rejects.toThrow(/steward-prod-ledger.*DeletionProtectionEnabled/);
      // README: aws dynamodb update-table --table-name steward-prod-ledger --no-deletion-protection-enabled
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: 'steward-prod-ledger',
          DeletionProtectionEnabled: false,
        }),
      );
      records.push({
        command:
          'aws dynamodb update-table --table-name steward-prod-ledger --no-deletion-protection-enabled',
        status: 'unchanged',
        resources: 'the ledger table unprotected',
        checked: ['DeleteTable refused while protected'],
      });
      await project.sls('remove', '--stage', 'prod');
      await expectRemoved('prod', 'sls remove --stage prod');
    },
    stepTimeout,
  );
});
