import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionSources } from '../../src/deploy/function-rules.js';
import { Ledger, type ClaimDetails } from '../../src/ledger/ledger.js';
import { ensureLedgerTable } from '../../src/ledger/table.js';
import { deploymentNames } from '../../src/operations/deployment.js';
import { steward } from '../cli/support.js';
import { region, useMoto } from './harness.js';

/** The event traced: an AuthorizeSecurityGroupIngress that opened SSH to the world. */
const eventId = 'c5f1b2a0-7d3e-4e0b-9a61-2f8d4c7e9b10';
/** Another event whose id holds the traced one: a term filter finds its lines too. */
const otherEventId = `${eventId}-2`;
const stage = `trace${randomUUID().slice(0, 8)}`;
const names = deploymentNames(stage);
const account = '123456789012';
/** The first delivery's time, whole seconds, two hours ago: inside the logs' window. */
const t0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
const human = (offsetMs: number) => `${iso(offsetMs).slice(0, 19).replace('T', ' ')}Z`;

let dynamodb: DynamoDBClient;
let logs: CloudWatchLogsClient;
/** The ledger keys of the two actions, as the ledger gave them. */
const keys = { revoke: '', notify: '' };

/** A line as Powertools Logger writes it for steward: its own keys, then steward's fields. */
function logLine(
  level: string,
  message: string,
  requestId: string,
  offsetMs: number,
  fields: Record<string, unknown>,
  fn = 'cloudtrail',
): { timestamp: number; message: string } {
  return {
    timestamp: t0 + offsetMs,
    message: JSON.stringify({
      level,
      message,
      timestamp: iso(offsetMs),
      service: 'steward',
      cold_start: requestId === 'req-1',
      function_arn: `arn:aws:lambda:${region}:${account}:function:${names.functionName(fn)}`,
      function_memory_size: '512',
      function_name: names.functionName(fn),
      function_request_id: requestId,
      sampling_rate: 0,
      function: fn,
      ...fields,
    }),
  };
}

const revoke = {
  source: 'cloudtrail',
  eventName: 'AuthorizeSecurityGroupIngress',
  account,
  region,
  rule: 'sg-world-open-revoke',
  action: 'ec2.revoke-security-group-ingress',
  resource: 'sg-0a1b2c3d4e5f60718',
  mode: 'enforce',
};
const notify = {
  ...revoke,
  rule: 'sg-world-open-notify',
  action: 'notify.sns',
  resource: 'sg-0a1b2c3d4e5f60718',
};

function claimOf(action: typeof revoke): ClaimDetails {
  return {
    mode: 'enforce',
    eventId,
    ruleId: action.rule,
    action: action.action,
    resource: action.resource,
    source: 'cloudtrail',
    eventName: 'AuthorizeSecurityGroupIngress',
    eventTime: iso(-5_000),
    severity: 'high',
    actor: `arn:aws:iam::${account}:user/alice`,
    account,
    region,
  };
}

async function putLines(
  group: string,
  stream: string,
  lines: { timestamp: number; message: string }[],
): Promise<void> {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: lines }),
  );
}

beforeAll(async () => {
  await useMoto();
  dynamodb = new DynamoDBClient({ region });
  logs = new CloudWatchLogsClient({ region });
  await ensureLedgerTable(dynamodb, names.ledgerTable);

  // What the stage's functions wrote to the ledger: the revocation throttled on the first
  // delivery (its claim released with the reason), taken over and done on Lambda's retry a
  // minute later; the notification recorded on the first delivery.
  let clock = t0;
  const ledger = new Ledger(dynamodb, { tableName: names.ledgerTable, now: () => clock });
  const first = await ledger.claim(claimOf(revoke));
  if (first.kind !== 'claimed') throw new Error(`the first claim was ${first.kind}`);
  clock = t0 + 400;
  const notified = await ledger.record(claimOf(notify), {
    status: 'succeeded',
    detail: 'published to arn:aws:sns:us-east-1:123456789012:security',
    data: { messageId: 'm-1' },
  });
  if (notified.kind !== 'recorded') throw new Error(`the notification was ${notified.kind}`);
  clock = t0 + 900;
  await ledger.release(first, 'ThrottlingException: Rate exceeded');
  clock = t0 + 65_000;
  const retry = await ledger.claim(claimOf(revoke));
  if (retry.kind !== 'claimed') throw new Error(`the retry's claim was ${retry.kind}`);
  clock = t0 + 65_700;
  await ledger.complete(retry, {
    status: 'succeeded',
    detail: 'revoked tcp/22 from 0.0.0.0/0',
    retries: 1,
  });
  // Another event's entry: not part of the trace.
  await ledger.record(
    { ...claimOf(revoke), eventId: otherEventId },
    { status: 'skipped', detail: 'nothing to revoke' },
  );

  // The cloudtrail function's log group: both deliveries, each its own stream, with the other
  // event's lines and the lines that name the event without being about it. ec2State's holds
  // only another event's line; the other functions' groups do not exist.
  const cloudtrail = names.logGroup('cloudtrail');
  await logs.send(new CreateLogGroupCommand({ logGroupName: cloudtrail }));
  keys.revoke = first.key;
  keys.notify = notified.entry.pk;
  const keyOf = (action: typeof revoke) => (action === revoke ? keys.revoke : keys.notify);
  await putLines(cloudtrail, '2026/12/01/[$LATEST]first', [
    logLine('ERROR', 'steward error', 'req-1', 600, {
      eventId,
      kind: 'evaluation',
      where: 'rule sg-world-open-ticket',
      error: 'the fact securityGroup is unavailable: AccessDenied',
    }),
    logLine('INFO', 'action outcome', 'req-1', 700, {
      eventId,
      ...notify,
      status: 'succeeded',
      ledgerKey: keyOf(notify),
      detail: 'published to arn:aws:sns:us-east-1:123456789012:security',
      latencyMs: 120,
    }),
    logLine('WARN', 'action outcome', 'req-1', 900, {
      eventId,
      ...revoke,
      status: 'unknown',
      ledgerKey: keyOf(revoke),
      detail: 'ThrottlingException: Rate exceeded',
      retries: 3,
      latencyMs: 850,
    }),
    logLine('ERROR', 'steward error', 'req-1', 950, {
      eventId,
      rule: revoke.rule,
      action: revoke.action,
      kind: 'action',
      where: `rule ${revoke.rule} action ${revoke.action} on ${revoke.resource}`,
      error: 'ThrottlingException: Rate exceeded',
    }),
    logLine('INFO', 'action outcome', 'req-1', 960, {
      eventId: otherEventId,
      ...revoke,
      status: 'skipped',
      detail: 'nothing to revoke',
      latencyMs: 30,
    }),
    logLine('INFO', 'invocation summary', 'req-1', 1_000, { events: 2, actions: 3 }),
    logLine('DEBUG', 'invocation report', 'req-1', 1_001, {
      report: { events: [{ id: eventId }, { id: otherEventId }] },
    }),
    {
      timestamp: t0 + 1_002,
      message: JSON.stringify({
        _aws: { Timestamp: t0 + 1_002, CloudWatchMetrics: [] },
        Function: 'cloudtrail',
        EventsReceived: 2,
      }),
    },
  ]);
  await putLines(cloudtrail, '2026/12/01/[$LATEST]retry', [
    logLine('INFO', 'action outcome', 'req-2', 65_300, {
      eventId,
      ...notify,
      status: 'duplicate',
      ledgerKey: keyOf(notify),
      detail: 'published to arn:aws:sns:us-east-1:123456789012:security',
      latencyMs: 8,
    }),
    logLine('INFO', 'action outcome', 'req-2', 65_700, {
      eventId,
      ...revoke,
      status: 'succeeded',
      ledgerKey: keyOf(revoke),
      detail: 'revoked tcp/22 from 0.0.0.0/0',
      retries: 1,
      latencyMs: 640,
    }),
  ]);
  const ec2State = names.logGroup('ec2State');
  await logs.send(new CreateLogGroupCommand({ logGroupName: ec2State }));
  await putLines(ec2State, '2026/12/01/[$LATEST]other', [
    logLine(
      'INFO',
      'action outcome',
      'req-3',
      2_000,
      { eventId: otherEventId, ...revoke, status: 'planned' },
      'ec2State',
    ),
  ]);
});

afterAll(() => {
  dynamodb?.destroy();
  logs?.destroy();
});

describe('steward trace on a deployed stage (moto: DynamoDB and CloudWatch Logs)', () => {
  const since = ['--since', iso(-3_600_000)];

  it("tells the event's story: each rule, each action's entry and its lines in time order", async () => {
    const run = await steward('trace', eventId, '--stage', stage, ...since);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const missing = Object.keys(functionSources)
      .filter((fn) => fn !== 'cloudtrail' && fn !== 'ec2State')
      .map((fn) => `no log group ${names.logGroup(fn)}`);
    expect(run.stdout).toBe(
      [
        `event ${eventId}`,
        `  cloudtrail AuthorizeSecurityGroupIngress at ${human(-5_000)} in ${account}/${region}`,
        `  actor arn:aws:iam::${account}:user/alice`,
        `ledger: DynamoDB table ${names.ledgerTable} in ${region}: 2 entries`,
        [
          `logs of stage ${stage} in ${region} since ${human(-3_600_000)}: 6 lines in 1 of 6 log groups`,
          ...missing,
        ].join('; '),
        '',
        'rule sg-world-open-revoke (1 action)',
        `  ec2.revoke-security-group-ingress on ${revoke.resource} (enforce): succeeded, 2 attempts, 1 retry`,
        `    key ${keys.revoke}; created ${human(0)}, updated ${human(65_700)}`,
        '    detail: revoked tcp/22 from 0.0.0.0/0',
        '    earlier attempt: ThrottlingException: Rate exceeded',
        `    ${human(900)}  cloudtrail  unknown: ThrottlingException: Rate exceeded (3 retries, 850 ms, request req-1)`,
        `    ${human(950)}  cloudtrail  error (action) at rule sg-world-open-revoke action ec2.revoke-security-group-ingress on ${revoke.resource}: ThrottlingException: Rate exceeded (request req-1)`,
        `    ${human(65_700)}  cloudtrail  succeeded: revoked tcp/22 from 0.0.0.0/0 (1 retry, 640 ms, request req-2)`,
        '',
        'rule sg-world-open-notify (1 action)',
        `  notify.sns on ${notify.resource} (enforce): succeeded, 1 attempt`,
        `    key ${keys.notify}; created ${human(400)}, updated ${human(400)}`,
        '    detail: published to arn:aws:sns:us-east-1:123456789012:security',
        '    data: {"messageId":"m-1"}',
        `    ${human(700)}  cloudtrail  succeeded: published to arn:aws:sns:us-east-1:123456789012:security (120 ms, request req-1)`,
        `    ${human(65_300)}  cloudtrail  duplicate: published to arn:aws:sns:us-east-1:123456789012:security (8 ms, request req-2)`,
        '',
        'event errors',
        `  ${human(600)}  cloudtrail  error (evaluation) at rule sg-world-open-ticket: the fact securityGroup is unavailable: AccessDenied (request req-1)`,
      ].join('\n') + '\n',
    );
  });

  it('prints one JSON document with every entry field and every line kept', async () => {
    const run = await steward('trace', eventId, '--stage', stage, ...since, '--json');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as {
      eventId: string;
      ledger: string;
      logs: {
        stage: string;
        since: string;
        groups: { function: string; outcome: string; lines?: number }[];
      };
      event: Record<string, unknown>;
      rules: {
        rule: string;
        actions: {
          action: string;
          key: string;
          entry?: {
            status: string;
            attempts: number;
            retries?: number;
            error?: string;
            eventId: string;
          };
          log: {
            message: string;
            status?: string;
            kind?: string;
            eventId: string;
            requestId: string;
          }[];
        }[];
        log: { kind?: string; eventId: string }[];
      }[];
      log: { kind?: string; eventId: string }[];
    };
    expect(document.eventId).toBe(eventId);
    expect(document.ledger).toBe(`DynamoDB table ${names.ledgerTable} in ${region}`);
    expect(document.event).toEqual({
      source: 'cloudtrail',
      eventName: 'AuthorizeSecurityGroupIngress',
      eventTime: iso(-5_000),
      account,
      region,
      actor: `arn:aws:iam::${account}:user/alice`,
    });
    expect(document.logs.since).toBe(iso(-3_600_000));
    expect(
      Object.fromEntries(
        document.logs.groups.map((group) => [group.function, [group.outcome, group.lines]]),
      ),
    ).toEqual({
      ec2State: ['searched', 0],
      cloudtrail: ['searched', 6],
      cloudtrailLogs: ['missing', undefined],
      cloudwatchLogs: ['missing', undefined],
      findings: ['missing', undefined],
      sweep: ['missing', undefined],
    });
    expect(
      document.rules.map((rule) => ({
        rule: rule.rule,
        actions: rule.actions.map((action) => ({
          action: action.action,
          key: action.key,
          entry: action.entry && {
            status: action.entry.status,
            attempts: action.entry.attempts,
            retries: action.entry.retries,
            error: action.entry.error,
          },
          log: action.log.map((line) => `${line.requestId} ${line.status ?? line.kind}`),
        })),
        log: rule.log.map((line) => line.kind),
      })),
    ).toEqual([
      {
        rule: 'sg-world-open-revoke',
        actions: [
          {
            action: 'ec2.revoke-security-group-ingress',
            key: keys.revoke,
            entry: {
              status: 'succeeded',
              attempts: 2,
              retries: 1,
              error: 'ThrottlingException: Rate exceeded',
            },
            log: ['req-1 unknown', 'req-1 action', 'req-2 succeeded'],
          },
        ],
        log: [],
      },
      {
        rule: 'sg-world-open-notify',
        actions: [
          {
            action: 'notify.sns',
            key: keys.notify,
            entry: { status: 'succeeded', attempts: 1, retries: undefined, error: undefined },
            log: ['req-1 succeeded', 'req-2 duplicate'],
          },
        ],
        log: [],
      },
    ]);
    // Not one line or entry of the other event, whose id holds this one's.
    const lines = document.rules.flatMap((rule) => [
      ...document.log,
      ...rule.log,
      ...rule.actions.flatMap((action) => action.log),
    ]);
    expect(new Set(lines.map((line) => line.eventId))).toEqual(new Set([eventId]));
    expect(
      document.rules.flatMap((rule) => rule.actions.map((action) => action.entry?.eventId)),
    ).toEqual([eventId, eventId]);
    expect(document.log).toEqual([
      expect.objectContaining({ kind: 'evaluation', eventId, requestId: 'req-1' }),
    ]);
  });

  it('searches the logs only since --since, and the ledger whole', async () => {
    const run = await steward('trace', eventId, '--stage', stage, '--since', iso(30_000), '--json');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as {
      logs: { groups: { function: string; lines?: number }[] };
      rules: { rule: string; actions: { entry?: unknown; log: unknown[] }[] }[];
    };
    expect(document.logs.groups.find((group) => group.function === 'cloudtrail')?.lines).toBe(2);
    expect(document.rules.map((rule) => rule.rule)).toEqual([
      'sg-world-open-revoke',
      'sg-world-open-notify',
    ]);
    expect(
      document.rules.flatMap((rule) => rule.actions.map((action) => action.log.length)),
    ).toEqual([1, 1]);
  });

  it('says so, exit 1, when neither the ledger nor the logs know the event', async () => {
    const unknown = randomUUID();
    const run = await steward('trace', unknown, '--stage', stage, ...since);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').slice(0, 3)).toEqual([
      `steward trace: no ledger entry or log line holds event ${unknown}`,
      `  ledger: DynamoDB table ${names.ledgerTable} in ${region}: 0 entries`,
      expect.stringMatching(
        new RegExp(
          `^  logs of stage ${stage} in ${region} since ${human(-3_600_000)}: 0 lines in 0 of 6 log groups; no log group /aws/lambda/steward-${stage}-cloudtrailLogs;`,
        ),
      ),
    ]);
  });

  it('names the stage and region when the stage has no ledger table there', async () => {
    const run = await steward('trace', eventId, '--stage', `${stage}x`, '--region', region);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `steward trace: there is no ledger table steward-${stage}x-ledger in ${region}: is stage ${stage}x deployed there? (--stage, --region)\n`,
    );
  });
});
