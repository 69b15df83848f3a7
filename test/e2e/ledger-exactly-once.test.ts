import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineReport } from '../../src/pipeline.js';
import { loadRules } from '../../src/rules/load.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import {
  account,
  ec2StateChange,
  embeddedLedgerFiles,
  launchInstance,
  region,
  rulePackOf,
  serializingProxy,
  type MotoEnvironment,
  useMoto,
} from './harness.js';

// test/ledger/exactly-once.test.ts on a real DynamoDB API: the ledger table lives in moto
// (AWS_ENDPOINT_URL_DYNAMODB; connectLedger creates it), and so does the instance the rule
// acts on (AWS_ENDPOINT_URL_EC2). No AWS_ENDPOINT_URL: only those two services are pointed at
// moto, by their own variables. DynamoDB requests pass through a proxy that hands them to moto
// one at a time: moto does not make a conditional write atomic (see `serializingProxy`), and
// without it two of 50 concurrent claims of one action can both win on moto, never on AWS.
const rule = `id: stop-on-start
description: Tag and stop instances that start.
kind: remediation
severity: high
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: ec2.create-tags
    params: { tags: { 'steward:stopped': 'yes' } }
  - action: ec2.stop-instances
mode: enforce
`;

let env: MotoEnvironment;
let proxy: Awaited<ReturnType<typeof serializingProxy>>;
let runtime: Runtime;
let ec2: EC2Client;
/** Every command steward's own EC2 client sent to moto, by name. */
const sent: string[] = [];

beforeAll(async () => {
  env = await useMoto({ services: ['ec2'] });
  // Outside Lambda, and with only EC2 on moto: steward is told its own account, moto's.
  process.env.STEWARD_ACCOUNT_ID = account;
  proxy = await serializingProxy(env.endpoint);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
  const rulesDir = await rulePackOf('stop-on-start.yaml', rule);
  runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
  (await runtime.clients.home.ec2()).middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countEc2Commands' },
  );
  ec2 = new EC2Client({ region });
});

afterAll(async () => {
  ec2?.destroy();
  await runtime?.close();
  await proxy?.close();
});

const actionsOf = (report: PipelineReport) => report.events[0]?.matches[0]?.actions ?? [];

describe('the ledger on moto DynamoDB', () => {
  it('is the table connectLedger created in moto, not an embedded dynalite', async () => {
    expect(runtime.connection.description).toBe(
      `DynamoDB table ${env.ledgerTable} at ${proxy.endpoint}`,
    );
    const dynamodb = new DynamoDBClient({ region, endpoint: env.endpoint });
    try {
      const { Table } = await dynamodb.send(
        new DescribeTableCommand({ TableName: env.ledgerTable }),
      );
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      dynamodb.destroy();
    }
    expect(await embeddedLedgerFiles(env.dataDir)).toEqual([]);
  });

  it('executes each action once under 50 concurrent deliveries of one event; the others report the stored outcome', async () => {
    const instanceId = await launchInstance(ec2);
    const event = ec2StateChange(instanceId);
    const context = { ...runtime, inProgressWaitMs: 10_000 };
    sent.length = 0;

    const reports = await Promise.all(
      Array.from({ length: 50 }, () => runPipeline(event, 'delivery', context)),
    );

    expect(reports.flatMap((report) => report.errors)).toEqual([]);
    expect(sent.filter((name) => name === 'CreateTagsCommand')).toHaveLength(1);
    expect(sent.filter((name) => name === 'StopInstancesCommand')).toHaveLength(1);
    const all = reports.flatMap(actionsOf);
    expect(all.filter((action) => action.status === 'succeeded')).toHaveLength(2);
    const duplicates = all.filter((action) => action.status === 'duplicate');
    expect(duplicates).toHaveLength(98);
    expect(new Set(duplicates.map((action) => action.stored))).toEqual(new Set(['succeeded']));

    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(['stopping', 'stopped']).toContain(instance?.State?.Name);
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'steward:stopped', Value: 'yes' }]),
    );
    const entries = await runtime.ledger.list({ resource: instanceId });
    expect(
      entries.map((entry) => [entry.action, entry.status, entry.attempts, entry.eventId]).sort(),
    ).toEqual([
      ['ec2.create-tags', 'succeeded', 1, event.id],
      ['ec2.stop-instances', 'succeeded', 1, event.id],
    ]);

    // A later delivery of the same event: the stored outcome, no AWS call.
    sent.length = 0;
    const late = await runPipeline(event, 'late delivery', context);
    const succeeded = all.filter((action) => action.status === 'succeeded');
    expect(actionsOf(late)).toEqual(
      succeeded.map((action) =>
        expect.objectContaining({
          action: action.action,
          key: action.key,
          status: 'duplicate',
          stored: 'succeeded',
          detail: action.detail,
        }),
      ),
    );
    expect(sent).toEqual([]);
    // Serialized through the proxy, moto takes some seconds for the 50 deliveries' requests.
  }, 90_000);
});
