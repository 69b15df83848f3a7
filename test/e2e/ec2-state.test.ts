import { randomUUID } from 'node:crypto';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import type { PipelineReport } from '../../src/pipeline.js';
import {
  account,
  actionsOf,
  embeddedLedgerFiles,
  lambdaContext,
  region,
  rulePackEnforcing,
  sample,
  useMoto,
  type MotoEnvironment,
} from './harness.js';

// ec2-running-without-owner ships as `mode: dry-run`: these tests run a copy of the rule pack
// in which only that rule is switched to `mode: enforce`, so its actions really run on moto.
let env: MotoEnvironment;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let ec2: EC2Client;
let ledger: LedgerConnection;
let imageId: string;

beforeAll(async () => {
  env = await useMoto({ rulesDir: await rulePackEnforcing(['ec2-running-without-owner.yaml']) });
  // After the environment: the handler's runtime reads it on its first event.
  ({ handler } = await import('../../handlers/ec2State.js'));
  ec2 = new EC2Client({ region });
  ledger = await connectLedger(process.env);
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
});

afterAll(async () => {
  ec2?.destroy();
  await ledger?.close();
});

async function launch(tags: Tag[]): Promise<string> {
  const launched = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    }),
  );
  const instanceId = launched.Instances?.[0]?.InstanceId;
  if (instanceId === undefined) throw new Error('moto launched no instance');
  return instanceId;
}

async function describe1(instanceId: string) {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  if (instance === undefined) throw new Error(`moto does not know ${instanceId}`);
  return instance;
}

/** events/ec2-running.json with moto's instance id, a fresh event id and the time of now. */
function runningEvent(instanceId: string) {
  const event = sample<{
    id: string;
    time: string;
    resources: string[];
    detail: Record<string, string>;
  }>('ec2-running.json');
  event.id = randomUUID();
  event.time = new Date().toISOString();
  event.resources = [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`];
  event.detail['instance-id'] = instanceId;
  return event;
}

describe('ec2State handler on moto', () => {
  it('keeps its ledger in moto DynamoDB, not in an embedded dynalite', () => {
    expect(ledger.description).toBe(`DynamoDB table ${env.ledgerTable} at ${env.endpoint}`);
  });

  it('tags and stops an instance that reaches running without an Owner tag, once', async () => {
    const instanceId = await launch([{ Key: 'Name', Value: 'e2e-no-owner' }]);
    expect((await describe1(instanceId)).State?.Name).toBe('running');
    const event = runningEvent(instanceId);

    const report = (await handler(event, lambdaContext())) as PipelineReport;

    expect(report.errors).toEqual([]);
    const actions = actionsOf(report, 'ec2-running-without-owner');
    expect(actions).toEqual([
      expect.objectContaining({
        action: 'ec2.create-tags',
        resource: instanceId,
        status: 'succeeded',
        mode: 'enforce',
      }),
      expect.objectContaining({
        action: 'ec2.stop-instances',
        resource: instanceId,
        status: 'succeeded',
        mode: 'enforce',
        detail: `stopped ${instanceId} (was running)`,
      }),
    ]);

    const instance = await describe1(instanceId);
    expect(['stopping', 'stopped']).toContain(instance.State?.Name);
    expect(instance.Tags).toEqual(
      expect.arrayContaining([{ Key: 'steward:violation', Value: 'missing-owner-tag' }]),
    );

    const entries = (await ledger.ledger.list({ resource: instanceId })).filter(
      (entry) => entry.ruleId === 'ec2-running-without-owner',
    );
    expect(
      entries.map((entry) => [entry.action, entry.status, entry.mode, entry.eventId]).sort(),
    ).toEqual([
      ['ec2.create-tags', 'succeeded', 'enforce', event.id],
      ['ec2.stop-instances', 'succeeded', 'enforce', event.id],
    ]);
    for (const action of actions) {
      expect(await ledger.ledger.get(action.key)).toMatchObject({
        status: 'succeeded',
        attempts: 1,
      });
    }

    // EventBridge delivers at least once: the same event again finds both actions taken.
    const again = (await handler(event, lambdaContext())) as PipelineReport;
    expect(
      actionsOf(again, 'ec2-running-without-owner').map((action) => [action.status, action.stored]),
    ).toEqual([
      ['duplicate', 'succeeded'],
      ['duplicate', 'succeeded'],
    ]);
    expect(await ledger.ledger.list({ resource: instanceId })).toHaveLength(entries.length);
  });

  it('leaves an instance with an Owner tag running', async () => {
    const instanceId = await launch([{ Key: 'Owner', Value: 'team-payments' }]);
    const report = (await handler(runningEvent(instanceId), lambdaContext())) as PipelineReport;
    expect(report.errors).toEqual([]);
    expect(report.events[0]?.matches.map((match) => match.rule)).not.toContain(
      'ec2-running-without-owner',
    );
    expect((await describe1(instanceId)).State?.Name).toBe('running');
  });

  it('wrote nothing to an embedded ledger', async () => {
    expect(await embeddedLedgerFiles(env.dataDir)).toEqual([]);
  });
});
