import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedDynamoDB,
  type EmbeddedServer,
} from '../../src/ledger/embedded/memory-server.js';
import { ledgerKey, type LedgerEntry, type LedgerStatus } from '../../src/ledger/entry.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { lambdaHandler } from '../../src/lambda.js';
import { nullSink } from '../../src/telemetry/sink.js';
import {
  FaultProxy,
  type CallRequest,
  type FaultKind,
  type FaultRule,
} from '../support/fault-proxy.js';
import { renderFaultTable, type CellObservation, type FaultCell } from '../support/fault-table.js';
import {
  deliverAsLambda,
  type DeliveryName,
  type DeliveryStory,
  type Handler,
} from '../support/lambda-delivery.js';
import {
  ec2StateChange,
  launchInstance,
  motoEndpoint,
  region,
  uniqueName,
  useMoto,
  worldOpenSshEvent,
} from './harness.js';

// The fault-injection suite: the real Lambda entry, its ledger on a dynalite server and its
// actions on moto, each behind a FaultProxy. Every cell injects one fault (throttling, a server
// error, a timeout, a dropped response) at one ledger or AWS call, delivers the event as Lambda
// would (an invocation, two retries, then the dead-letter queue and one replay), and checks
// what steward promises: every action executed exactly once or recorded failed with the
// reason, no claim holding a lease past the last delivery, no event lost. The observed outcome
// of every cell is written as a markdown table to the run's scratch directory (its path is
// printed), and also to STEWARD_FAULT_TABLE when that names a file.

/** The invocation's time in the fake Lambda context: leases stay a few seconds long. */
const budgetMs = 5_000;
/** The ledger client's request timeout (`STEWARD_LEDGER_TIMEOUT_MS`). */
const ledgerTimeoutMs = 500;
/**
 * How long a timeout fault holds a request before the proxy closes its connection: past the
 * ledger client's timeout, so that client gives up first. The actions' AWS clients keep their
 * default timeout (`STEWARD_AWS_TIMEOUT_MS`, 15 s, tested in `test/aws-clients.test.ts`): one
 * short enough to end a held call here would also end calls that a busy moto answers slowly.
 */
const holdMs = 800;
/** How much longer than its invocation a claim's lease may last. */
const leaseMarginMs = 10_000;

/** What both rules on the security group listen to: a tcp ingress opened to 0.0.0.0/0. */
const worldOpenTrigger = `triggers:
  - source: cloudtrail
    eventSource: ec2.amazonaws.com
    events: [AuthorizeSecurityGroupIngress]
conditions:
  any:
    - fact: record
      path: $.requestParameters.ipPermissions.items[*].ipRanges.items[*].cidrIp
      operator: worldOpen
      value: true
`;

/**
 * Two rules on one security group, so that the revoke's guards (rate and cooldown, per rule)
 * are not shared with the finding's; and one on instances, for the state-change guard (`seen`).
 */
const rules: Record<string, string> = {
  'faults-world-open.yaml': `id: faults-world-open
description: Revoke ingress opened to every address, at most so often.
kind: remediation
severity: high
${worldOpenTrigger}actions:
  - action: ec2.revoke-security-group-ingress
    params: { onlyWorldOpen: true }
limits: { maxActionsPerHour: 100000, cooldown: 1h }
mode: enforce
`,
  'faults-world-open-audit.yaml': `id: faults-world-open-audit
description: Record every ingress opened to every address.
kind: audit
severity: high
${worldOpenTrigger}actions:
  - action: audit.record
    params: { note: ingress opened to every address }
mode: enforce
`,
  'faults-instance-started.yaml': `id: faults-instance-started
description: Tag and stop every instance that starts.
kind: remediation
severity: high
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: ec2.create-tags
    params: { tags: { 'steward:stopped-by': faults } }
  - action: ec2.stop-instances
mode: enforce
`,
};

/** An action the rules plan for the event, and how to see that it took effect. */
interface PlannedAction {
  rule: string;
  action: string;
  resource: string;
  /** Its mutating AWS call, counted at the proxy; undefined for actions only the ledger sees. */
  call?: string;
  /** True when moto shows the action's effect (audit findings: the ledger's record). */
  effect(entry: LedgerEntry | undefined): Promise<boolean>;
}

/** One event of a cell, in a world prepared for it in moto. */
interface World {
  handler: Handler;
  event: unknown;
  eventId: string;
  planned: PlannedAction[];
}

/** What a cell observed of one planned action after the last delivery. */
interface ActionObservation {
  planned: PlannedAction;
  entry?: LedgerEntry;
  status: LedgerStatus | 'absent';
  /** Mutating calls moto applied for it; undefined for actions without one. */
  applied?: number;
  effect: boolean;
}

const ledgerCalls = new Set(['claim', 'complete', 'release', 'get', 'rate', 'cooldown', 'seen']);
const instanceCalls = new Set(['seen', 'DescribeInstances', 'CreateTags', 'StopInstances']);
const finalStatuses: readonly string[] = ['succeeded', 'skipped', 'failed'];

/** What an error caused by each fault says, wherever it is reported. */
const faultWords: Record<FaultKind, RegExp> = {
  throttle: /RequestLimitExceeded|ProvisionedThroughputExceeded|Throttling/,
  'server-error': /InternalError|InternalServerError|InternalFailure/,
  timeout: /TimeoutError|timed? ?out|socket hang up|ECONNRESET/i,
  drop: /socket hang up|ECONNRESET/,
};

const faultKinds: readonly FaultKind[] = ['throttle', 'server-error', 'timeout', 'drop'];
const calls = [
  'claim',
  'rate',
  'cooldown',
  'seen',
  'complete',
  'release',
  'get',
  'DescribeSecurityGroupRules',
  'RevokeSecurityGroupIngress',
  'DescribeInstances',
  'CreateTags',
  'StopInstances',
];
const cells: FaultCell[] = [
  { fault: 'none', call: '-', times: 'once' },
  ...calls.flatMap((call) =>
    faultKinds.map((fault): FaultCell => ({ fault, call, times: 'once' })),
  ),
  { fault: 'throttle', call: 'claim', times: 'always' },
  { fault: 'server-error', call: 'complete', times: 'always' },
  { fault: 'timeout', call: 'RevokeSecurityGroupIngress', times: 'always' },
  { fault: 'throttle', call: 'RevokeSecurityGroupIngress', times: 'always' },
  { fault: 'drop', call: 'CreateTags', times: 'always' },
  { fault: 'server-error', call: 'claim', times: 'forever' },
];

let ledgerServer: EmbeddedServer;
let ledgerProxy: FaultProxy;
let motoProxy: FaultProxy;
let ledgerClient: DynamoDBClient;
let ledger: Ledger;
let ec2: EC2Client;
let tableFile: string;
const results: CellObservation[] = [];
let onCloudTrail: Handler;
let onEc2State: Handler;

beforeAll(async () => {
  const rulesDir = await mkdtemp(join(tmpdir(), 'steward-faults-rules-'));
  for (const [name, text] of Object.entries(rules)) await writeFile(join(rulesDir, name), text);
  const env = await useMoto({ services: [], rulesDir });
  ledgerServer = await startEmbeddedDynamoDB();
  ledgerProxy = await FaultProxy.start({ upstream: ledgerServer.endpoint, holdMs });
  motoProxy = await FaultProxy.start({ upstream: motoEndpoint(), holdMs });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ledgerProxy.endpoint;
  process.env.AWS_ENDPOINT_URL_EC2 = motoProxy.endpoint;
  process.env.STEWARD_LEDGER_TIMEOUT_MS = String(ledgerTimeoutMs);
  // The test's own clients go to the servers directly: they neither meet faults nor count.
  ledgerClient = new DynamoDBClient({ region, endpoint: ledgerServer.endpoint });
  ledger = new Ledger(ledgerClient, { tableName: env.ledgerTable });
  ec2 = new EC2Client({ region, endpoint: motoEndpoint() });
  // The handlers log each invocation; a few hundred of them would bury the results.
  onCloudTrail = lambdaHandler('cloudtrail', { telemetry: { sink: nullSink } });
  onEc2State = lambdaHandler('ec2State', { telemetry: { sink: nullSink } });
  tableFile = join(await mkdtemp(join(tmpdir(), 'steward-faults-')), 'fault-table.md');
});

afterAll(async () => {
  const observed = results.filter((result) => result !== undefined);
  if (observed.length > 0) {
    const table = renderFaultTable(observed, faultKinds);
    await writeFile(tableFile, table);
    const copy = process.env.STEWARD_FAULT_TABLE;
    if (copy) {
      await mkdir(dirname(copy), { recursive: true });
      await writeFile(copy, table);
    }
    console.log(`fault table: ${tableFile}${copy ? ` and ${copy}` : ''}`);
  }
  ec2?.destroy();
  ledgerClient?.destroy();
  await motoProxy?.close();
  await ledgerProxy?.close();
  await ledgerServer?.close();
});

/** A security group with tcp 22 opened to 0.0.0.0/0, and the CloudTrail record that opened it. */
async function worldOpenIngress(): Promise<World> {
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: uniqueName('faults-sg'), Description: 'faults' }),
  );
  if (groupId === undefined) throw new Error('moto created no security group');
  const opened = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    }),
  );
  const ruleId = opened.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
  if (ruleId === undefined) throw new Error('moto returned no security group rule id');
  const event = worldOpenSshEvent(groupId, ruleId);
  const revoked = async () => {
    const described = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    return !described.SecurityGroupRules?.some((rule) => rule.SecurityGroupRuleId === ruleId);
  };
  return {
    handler: onCloudTrail,
    event,
    eventId: event.detail.eventID,
    planned: [
      {
        rule: 'faults-world-open',
        action: 'ec2.revoke-security-group-ingress',
        resource: groupId,
        call: 'RevokeSecurityGroupIngress',
        effect: revoked,
      },
      {
        rule: 'faults-world-open-audit',
        action: 'audit.record',
        resource: groupId,
        effect: async (entry) => entry?.status === 'succeeded',
      },
    ],
  };
}

/** A running instance and the EventBridge state change that says so. */
async function startedInstance(): Promise<World> {
  const instanceId = await launchInstance(ec2);
  const event = ec2StateChange(instanceId);
  const instance = async () => {
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return described.Reservations?.[0]?.Instances?.[0];
  };
  return {
    handler: onEc2State,
    event,
    eventId: event.id,
    planned: [
      {
        rule: 'faults-instance-started',
        action: 'ec2.create-tags',
        resource: instanceId,
        call: 'CreateTags',
        effect: async () =>
          (await instance())?.Tags?.some((tag) => tag.Key === 'steward:stopped-by') ?? false,
      },
      {
        rule: 'faults-instance-started',
        action: 'ec2.stop-instances',
        resource: instanceId,
        call: 'StopInstances',
        effect: async () => ['stopping', 'stopped'].includes((await instance())?.State?.Name ?? ''),
      },
    ],
  };
}

async function entriesOf(eventId: string): Promise<LedgerEntry[]> {
  return (await ledger.list()).filter((entry) => entry.eventId === eventId);
}

/** Waits until no claim of the event holds a lease any more, as the replay from the DLQ would. */
async function leasesEnded(eventId: string): Promise<void> {
  const leases = (await entriesOf(eventId))
    .filter((entry) => entry.status === 'claimed')
    .map((entry) => entry.leaseUntil ?? 0);
  const wait = Math.max(0, ...leases) - Date.now();
  // A lease far longer than the invocation is a finding for the assertions, not worth waiting for.
  if (wait > 0)
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(wait + 20, budgetMs + leaseMarginMs)),
    );
}

/** The ledger key of a planned action of the world's event. */
function keyOf(world: World, planned: PlannedAction): string {
  return ledgerKey({
    mode: 'enforce',
    eventId: world.eventId,
    ruleId: planned.rule,
    action: planned.action,
    resource: planned.resource,
  });
}

/**
 * The requests of one cell: those naming its resources, its event or its actions' ledger keys.
 * Cells run side by side, so every fault rule and every count is held to its own cell.
 */
function scopeOf(world: World): (request: CallRequest) => boolean {
  const markers = [
    world.eventId,
    ...world.planned.flatMap((planned) => [planned.resource, keyOf(world, planned)]),
  ];
  return (request) => markers.some((marker) => request.body.includes(marker));
}

/** Where a cell's fault is injected, and what else it needs to reach its call. */
function arm(
  cell: FaultCell,
  where: (request: CallRequest) => boolean,
): { endFault: () => void; endSetup: () => void } {
  if (cell.fault === 'none') return { endFault: () => undefined, endSetup: () => undefined };
  const proxy = ledgerCalls.has(cell.call) ? ledgerProxy : motoProxy;
  const endFault = proxy.inject({
    call: cell.call,
    kind: cell.fault,
    times: cell.times === 'once' ? 'once' : 'always',
    where,
  });
  // A claim is released only when an action's outcome is unknown: AWS fails the revoke for the
  // whole first delivery.
  const setup: FaultRule | undefined =
    cell.call === 'release'
      ? { call: 'RevokeSecurityGroupIngress', kind: 'server-error', times: 'always', where }
      : undefined;
  const endSetup = setup ? motoProxy.inject(setup) : () => undefined;
  return { endFault, endSetup };
}

const shortNames: Record<string, string> = {
  'ec2.revoke-security-group-ingress': 'revoke',
  'audit.record': 'finding',
  'ec2.create-tags': 'tags',
  'ec2.stop-instances': 'stop',
};

/** What the table tells of a cell. */
function observe(
  cell: FaultCell,
  stories: readonly DeliveryStory[],
  actions: readonly ActionObservation[],
  where: (request: CallRequest) => boolean,
): CellObservation {
  return {
    cell,
    stories,
    retriedBy: ledgerCalls.has(cell.call) ? 'the SDK' : 'steward',
    released: ledgerProxy.applied('release', where) > 0,
    actions: actions.map(({ planned, status, applied, entry }) => ({
      name: shortNames[planned.action] ?? planned.action,
      status,
      applied,
      detail: entry?.detail,
      failedWith:
        cell.fault === 'none' ? undefined : entry?.detail?.match(faultWords[cell.fault])?.[0],
    })),
  };
}

/** The cell: a fresh world, the fault armed, the event delivered as Lambda would, then what became of it. */
async function runCell(cell: FaultCell) {
  const world = instanceCalls.has(cell.call) ? await startedInstance() : await worldOpenIngress();
  const where = scopeOf(world);
  const { endFault, endSetup } = arm(cell, where);
  const before = async (name: DeliveryName) => {
    endSetup();
    if (name !== 'DLQ replay') return;
    if (cell.times === 'always') endFault();
    await leasesEnded(world.eventId);
  };
  // A concurrent delivery is what makes a claim wait for another's outcome (the `get` calls).
  const deliveries = cell.call === 'get' ? 2 : 1;
  const stories = await Promise.all(
    Array.from({ length: deliveries }, () =>
      deliverAsLambda(world.handler, world.event, { budgetMs, before }),
    ),
  );
  endFault();
  endSetup();
  await Promise.all([ledgerProxy.settled(), motoProxy.settled()]);
  const entries = await entriesOf(world.eventId);
  const observations: ActionObservation[] = [];
  for (const planned of world.planned) {
    const key = keyOf(world, planned);
    const entry = entries.find((candidate) => candidate.pk === key);
    observations.push({
      planned,
      entry,
      status: entry?.status ?? 'absent',
      applied:
        planned.call === undefined
          ? undefined
          : motoProxy.applied(planned.call, (request) => request.body.includes(planned.resource)),
      effect: await planned.effect(entry),
    });
  }
  const faulted = [...ledgerProxy.records, ...motoProxy.records].filter(
    (record) => record.call === cell.call && record.fault === cell.fault && where(record),
  );
  const checkedAt = Date.now();
  return { stories, entries, observations, faulted, checkedAt, where };
}

describe('steward under faults at every ledger and AWS call', () => {
  // Cells run side by side (vitest's maxConcurrency): most of a cell's time is spent waiting
  // for backoffs, held requests and ended leases.
  it.concurrent.for(cells)(
    '$fault at $call ($times): every action exactly once or failed with the reason, no lease outlives the deliveries, no event lost',
    { timeout: 60_000 },
    async (cell, { expect }) => {
      const { stories, entries, observations, faulted, checkedAt, where } = await runCell(cell);
      results[cells.indexOf(cell)] = observe(cell, stories, observations, where);

      // The cell tested what it names: its call was made, and met the fault.
      if (cell.fault !== 'none') {
        expect(faulted.length, `no ${cell.call} met the fault`).toBeGreaterThan(0);
      }
      // No claim outlives its lease: after the last delivery nothing holds an action.
      for (const entry of entries.filter((candidate) => candidate.status === 'claimed')) {
        expect(entry.leaseUntil ?? 0, `${entry.action} is still claimed`).toBeLessThanOrEqual(
          checkedAt,
        );
      }
      // No event lost: its actions are final, or it waits in the DLQ with the reason.
      const inDeadLetterQueue = stories.some((story) => story.inDeadLetterQueue);
      if (inDeadLetterQueue) {
        expect(
          cell.times,
          'only a fault that outlasts the replay may leave the event in the DLQ',
        ).toBe('forever');
        const last = stories[0]?.invocations.at(-1)?.error;
        expect(last?.message).toMatch(faultWords[cell.fault as FaultKind]);
      }
      for (const observation of observations) {
        const { planned, status, applied, effect, entry } = observation;
        const what = `${planned.action} on ${planned.resource}: ${status} (${entry?.detail ?? entry?.error ?? 'no entry'})`;
        if (inDeadLetterQueue && !finalStatuses.includes(status)) {
          expect(applied ?? 0, what).toBe(0);
          continue;
        }
        expect(finalStatuses, what).toContain(status);
        if (status === 'failed') {
          expect(cell.fault, what).not.toBe('none');
          expect(`${entry?.detail} ${entry?.error}`, what).toMatch(
            faultWords[cell.fault as FaultKind],
          );
          expect(applied ?? 0, what).toBe(0);
          expect(effect, what).toBe(false);
          continue;
        }
        // Executed: moto shows the effect. A `skipped` outcome is only right when the action had
        // taken effect already (an earlier attempt's response was lost), never for a guard.
        expect(effect, what).toBe(true);
        if (applied === undefined) continue;
        expect(applied, what).toBe(1);
      }
    },
  );

  it('the ledger client gives up on a held request by itself, at STEWARD_LEDGER_TIMEOUT_MS', async () => {
    const world = await worldOpenIngress();
    const where = scopeOf(world);
    const endFault = ledgerProxy.inject({ call: 'claim', kind: 'timeout', where });

    await deliverAsLambda(world.handler, world.event, { budgetMs });
    endFault();
    await ledgerProxy.settled();

    const held = ledgerProxy.records.filter(
      (record) => record.fault === 'timeout' && where(record),
    );
    expect(held.map((record) => [record.call, record.applied, record.clientGaveUp])).toEqual([
      ['claim', false, true],
    ]);
  });
});
