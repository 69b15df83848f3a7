import {
  CreateTagsCommand,
  EC2Client,
  StartInstancesCommand,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import { loadRules } from '../../src/rules/load.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { runSweep, type SweepSummary } from '../../src/sweep/run-sweep.js';
import { steward } from '../cli/support.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { launchFleet } from '../support/moto-instances.js';
import { adminCredentials, createMemberRole } from '../support/member-accounts.js';
import { StsGate } from '../support/sts-gate.js';
import { account, lambdaContext, motoEndpoint, rulePackOf, useMoto } from './harness.js';

// Regions of their own: moto is shared by every e2e file, which work in us-east-1.
const sweepRegion = 'ap-southeast-2';
const faultRegions = ['eu-west-2', 'eu-central-1', 'ca-central-1'];
const rule = 'ec2-sweep-instances-without-owner';
const ruleText = `id: ${rule}
description: Instances running without an Owner tag are stopped.
kind: remediation
severity: medium
triggers:
  - source: schedule
    schedule: rate(1 day)
    resources: ec2-instances
    filters:
      instance-state-name: [running]
conditions:
  all:
    - fact: instance
      path: $.tags.Owner
      operator: absent
      value: true
actions:
  - action: ec2.stop-instances
mode: enforce
`;

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<SweepSummary>;

let proxy: FaultProxy;
let gate: StsGate;
let rulesDir: string;
let handler: Handler;
let ledger: LedgerConnection;

beforeAll(async () => {
  rulesDir = await rulePackOf(`${rule}.yaml`, ruleText);
  await useMoto({ rulesDir });
  // AssumeRole answered as AWS does (refused without the member role), and every call through a
  // proxy that counts them (and injects faults where a test asks).
  gate = await StsGate.start(motoEndpoint(), account);
  proxy = await FaultProxy.start({ upstream: gate.endpoint });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  process.env.STEWARD_SWEEP_REGIONS = sweepRegion;
  ({ handler } = (await import('../../handlers/sweep.js')) as { handler: Handler });
  ledger = await connectLedger(process.env);
});

afterAll(async () => {
  await ledger?.close();
  await proxy?.close();
  await gate?.close();
  Reflect.deleteProperty(process.env, 'STEWARD_SWEEP_REGIONS');
});

/** Launches `count` instances in reservations of `per`, tagged with an Owner or not. */
function launch(ec2: EC2Client, count: number, per: number, owner: boolean): Promise<string[]> {
  return launchFleet(ec2, { count, per, owner, name: 'sweep-e2e' });
}

async function instancesIn(ec2: EC2Client, states: string[]): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateDescribeInstances(
    { client: ec2 },
    { Filters: [{ Name: 'instance-state-name', Values: states }] },
  ))
    for (const reservation of page.Reservations ?? [])
      for (const instance of reservation.Instances ?? []) ids.push(instance.InstanceId as string);
  return ids.sort();
}

function stops(): number {
  return proxy.applied('StopInstances');
}

describe('a sweep of 300 instances, 40 without an Owner tag', () => {
  const ec2 = () => new EC2Client({ region: sweepRegion });
  let unowned: string[];
  let owned: string[];
  let first: SweepSummary;

  beforeAll(async () => {
    owned = await launch(ec2(), 260, 5, true);
    unowned = await launch(ec2(), 40, 5, false);
    first = await handler({ rule }, lambdaContext());
  }, 120_000);

  it('stops exactly the 40, once each, and the ledger holds 40 entries', async () => {
    expect(first.resources).toBe(300);
    expect(first.matches).toBe(40);
    expect(first.actions).toEqual({ succeeded: 40 });
    expect(first.errors).toEqual([]);
    expect(first.targets).toEqual([
      expect.objectContaining({
        account,
        region: sweepRegion,
        kind: 'ec2-instances',
        resources: 300,
        matches: 40,
      }),
    ]);
    expect(first.describeCalls.DescribeInstances).toBeGreaterThanOrEqual(1);
    expect(stops()).toBe(40);
    expect(await instancesIn(ec2(), ['stopping', 'stopped'])).toEqual([...unowned].sort());
    expect(await instancesIn(ec2(), ['running'])).toEqual([...owned].sort());
    const entries = await ledger.ledger.list({ rule });
    expect(entries).toHaveLength(40);
    expect(entries.map((entry) => entry.resource).sort()).toEqual([...unowned].sort());
    expect(new Set(entries.map((entry) => entry.status))).toEqual(new Set(['succeeded']));
  });

  it('a second sweep in the same period stops nothing, and reports duplicates', async () => {
    // The stopped instances are running again (someone restarted them): the ledger alone keeps the sweep from acting twice.
    await ec2().send(new StartInstancesCommand({ InstanceIds: unowned }));
    const before = stops();
    const second = await handler({ rule }, lambdaContext());
    expect(stops()).toBe(before);
    expect(second.matches).toBe(40);
    expect(second.actions).toEqual({ duplicate: 40 });
    expect(second.errors).toEqual([]);
    expect(await ledger.ledger.list({ rule })).toHaveLength(40);
  });

  it('a sweep in the next period acts only where still needed', async () => {
    // Of the 40, 30 were given an owner; 10 still have none and run.
    await ec2().send(
      new CreateTagsCommand({
        Resources: unowned.slice(10),
        Tags: [{ Key: 'Owner', Value: 'team-b' }],
      }),
    );
    const runtime: Runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
    try {
      const before = stops();
      const tomorrow = new Date(Date.now() + 86_400_000);
      const next = await runSweep(
        { rule, targets: [{ account, region: sweepRegion }], now: tomorrow },
        { whatIf: false, context: runtime },
      );
      expect(next.matches).toBe(10);
      expect(next.actions).toEqual({ succeeded: 10 });
      expect(stops() - before).toBe(10);
      expect(await instancesIn(ec2(), ['stopping', 'stopped'])).toEqual(
        unowned.slice(0, 10).sort(),
      );
      expect(await ledger.ledger.list({ rule })).toHaveLength(50);
    } finally {
      await runtime.close();
    }
  });

  it('a what-if plans the actions, and neither acts nor writes the ledger', async () => {
    await ec2().send(new StartInstancesCommand({ InstanceIds: unowned.slice(0, 10) }));
    const runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
    try {
      const before = stops();
      const planned = await runSweep(
        {
          rule,
          targets: [{ account, region: sweepRegion }],
          now: new Date(Date.now() + 3 * 86_400_000),
        },
        { whatIf: true, context: runtime },
      );
      expect(planned.whatIf).toBe(true);
      expect(planned.actions).toEqual({ planned: 10 });
      expect(stops()).toBe(before);
      expect(await ledger.ledger.list({ rule })).toHaveLength(50);
    } finally {
      await runtime.close();
    }
  });
});

describe('a sweep over several regions', () => {
  let runtime: Runtime;
  const launched = new Map<string, string[]>();

  beforeAll(async () => {
    for (const region of faultRegions)
      launched.set(region, await launch(new EC2Client({ region }), 3, 1, false));
    runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
  }, 60_000);

  afterAll(async () => {
    proxy.clearFaults();
    await runtime?.close();
  });

  it('goes on when one region fails, and says which in the summary', async () => {
    // One page per region, in order: the second region's describe fails.
    proxy.inject({ call: 'DescribeInstances', kind: 'server-error', nth: 2 });
    const summary = await runSweep(
      {
        rule,
        targets: faultRegions.map((region) => ({ account, region })),
        retries: { maxAttempts: 1 },
      },
      { whatIf: true, context: runtime },
    );
    expect(
      summary.targets.map((target) => [
        target.region,
        target.resources,
        target.failed !== undefined,
      ]),
    ).toEqual([
      ['eu-west-2', 3, false],
      ['eu-central-1', 0, true],
      ['ca-central-1', 3, false],
    ]);
    expect(summary.actions).toEqual({ planned: 6 });
    expect(summary.errors).toEqual([
      {
        kind: 'describe',
        message: expect.stringMatching(/^describing ec2-instances stopped: .+/) as unknown,
        where: `account ${account}, region eu-central-1`,
      },
    ]);
  });

  it('retries a describe AWS throttles, and sees every region', async () => {
    proxy.inject({ call: 'DescribeInstances', kind: 'throttle', nth: 2 });
    const summary = await runSweep(
      {
        rule,
        targets: faultRegions.map((region) => ({ account, region })),
        retries: { baseDelayMs: 1 },
      },
      { whatIf: true, context: runtime },
    );
    expect(summary.errors).toEqual([]);
    expect(summary.resources).toBe(9);
    expect(summary.describeCalls).toEqual({ DescribeInstances: 4 });
  });

  it('steward sweep without --live describes every region and plans, acting on nothing', async () => {
    const before = stops();
    const entries = (await ledger.ledger.list({ rule })).length;
    const run = await steward(
      'sweep',
      rule,
      '--rules',
      rulesDir,
      '--regions',
      faultRegions.join(','),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`rule ${rule}, swept `);
    expect(run.stdout).toContain(`  ${account} eu-central-1 ec2-instances (period from `);
    expect(run.stdout).toContain(
      '9 resources, 9 matches; actions: 9 planned; describe calls: 3 DescribeInstances\n',
    );
    expect(run.stdout).toContain('what-if (live): nothing executed, nothing recorded');
    expect(run.stderr).toContain(
      `swept ${account} ca-central-1 ec2-instances: 3 resources (9 in all, 9 matches)`,
    );
    expect(stops()).toBe(before);
    expect(await ledger.ledger.list({ rule })).toHaveLength(entries);
  });

  it('steward sweep --live acts through the ledger, and --json prints the summary', async () => {
    const run = await steward(
      'sweep',
      rule,
      '--rules',
      rulesDir,
      '--regions',
      'eu-west-2',
      '--live',
      '--json',
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as SweepSummary;
    expect(summary).toEqual(
      expect.objectContaining({
        rule,
        whatIf: false,
        resources: 3,
        matches: 3,
        actions: { succeeded: 3 },
        errors: [],
      }),
    );
    const stopped = await instancesIn(new EC2Client({ region: 'eu-west-2' }), [
      'stopping',
      'stopped',
    ]);
    expect(stopped).toEqual([...(launched.get('eu-west-2') ?? [])].sort());
  });
});

describe('a sweep over several accounts', () => {
  const region = 'sa-east-1';
  // Accounts no other test of the shared moto uses: a member role made here would give
  // another test's account without a role one.
  const member = '555566667777';
  const stranger = '666677778888';
  let runtime: Runtime;

  beforeAll(async () => {
    await createMemberRole(motoEndpoint(), member, account);
    const memberEc2 = new EC2Client({
      endpoint: motoEndpoint(),
      region,
      credentials: await adminCredentials(motoEndpoint(), member),
    });
    await launch(memberEc2, 2, 1, false);
    await launch(new EC2Client({ region }), 2, 1, false);
    runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('reads a member account through its role, and goes on past one whose role is missing', async () => {
    const summary = await runSweep(
      { rule, targets: [member, stranger, account].map((id) => ({ account: id, region })) },
      { whatIf: true, context: runtime },
    );
    expect(
      summary.targets.map((target) => [
        target.account,
        target.resources,
        target.failed !== undefined,
      ]),
    ).toEqual([
      [member, 2, false],
      [stranger, 0, true],
      [account, 2, false],
    ]);
    expect(summary.errors).toEqual([
      {
        kind: 'describe',
        message: expect.stringMatching(
          /^describing ec2-instances stopped: .*AccessDenied/,
        ) as unknown,
        where: `account ${stranger}, region ${region}`,
      },
    ]);
    expect(summary.actions).toEqual({ planned: 4 });
    expect(gate.sessions.map((session) => session.roleArn)).toContain(
      `arn:aws:iam::${member}:role/steward-member`,
    );
  });
});
