import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import { DeadLetterQueue } from '../../src/replay/dead-letter-queue.js';
import { replayQueue, type QueueOutcome } from '../../src/replay/replay-queue.js';
import { Replayer } from '../../src/replay/replayer.js';
import { loadRules } from '../../src/rules/load.js';
import { createRuntime } from '../../src/runtime.js';
import { steward } from '../cli/support.js';
import {
  account,
  ec2StateChange,
  lambdaContext,
  launchInstance,
  region,
  rulePackEnforcing,
  sample,
  uniqueName,
  useMoto,
} from './harness.js';

// ec2-running-without-owner switched to enforce: an instance without an Owner tag that reaches
// running is tagged and stopped in moto, so an action that runs twice would show.
const rule = 'ec2-running-without-owner';
let rulesDir: string;
let ec2: EC2Client;
let sqs: SQSClient;
let s3: S3Client;
let ledger: LedgerConnection;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

beforeAll(async () => {
  rulesDir = await rulePackEnforcing([`${rule}.yaml`]);
  await useMoto({ rulesDir });
  ({ handler } = await import('../../handlers/ec2State.js'));
  ec2 = new EC2Client({ region });
  sqs = new SQSClient({ region });
  s3 = new S3Client({ region, forcePathStyle: true });
  ledger = await connectLedger(process.env);
});

afterAll(async () => {
  ec2?.destroy();
  sqs?.destroy();
  s3?.destroy();
  await ledger?.close();
});

/** A queue of one test's own, as the stack's DeadLetterQueue. */
async function deadLetterQueue(): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `steward-e2e-dead-letters-${randomUUID().slice(0, 8)}` }),
  );
  if (created.QueueUrl === undefined) throw new Error('moto made no queue');
  return created.QueueUrl;
}

/** What Lambda sends to the on-failure queue when a function (ec2State by default) failed for good on `event`. */
function invocationRecord(event: unknown, name = 'ec2State') {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${region}:${account}:function:steward-e2e-${name}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'BatchIncompleteError',
      errorMessage: '1 event(s) or action(s) must be delivered again',
    },
  };
}

async function send(queueUrl: string, body: string): Promise<string> {
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  if (sent.MessageId === undefined) throw new Error('moto gave the message no id');
  return sent.MessageId;
}

/** How many messages the queue holds: visible to a receiver, and received but not yet visible again. */
async function queueCounts(queueUrl: string): Promise<{ visible: number; hidden: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    hidden: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

async function replay(queueUrl: string, ...options: string[]) {
  const run = await steward(
    'replay',
    '--dlq',
    queueUrl,
    '--rules',
    rulesDir,
    '--wait',
    '1',
    '--json',
    ...options,
  );
  return { ...run, messages: (JSON.parse(run.stdout) as { messages: QueueOutcome[] }).messages };
}

const statuses = (outcome: QueueOutcome | undefined) =>
  outcome?.report?.events.flatMap((event) =>
    event.matches
      .filter((match) => match.rule === rule)
      .flatMap((match) => match.actions.map((action) => [action.action, action.status])),
  );

async function instanceState(instanceId: string) {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  return { state: instance?.State?.Name, tags: instance?.Tags ?? [] };
}

async function ledgerEntries(eventId: string) {
  return (await ledger.ledger.list({ rule })).filter((entry) => entry.eventId === eventId);
}

describe('steward replay --dlq on moto SQS', () => {
  it('finds an action the function already took duplicate, and deletes the message', async () => {
    const instanceId = await launchInstance(ec2);
    const event = ec2StateChange(instanceId);
    await handler(event, lambdaContext());
    expect((await ledgerEntries(event.id)).map((entry) => entry.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    const queueUrl = await deadLetterQueue();
    const messageId = await send(queueUrl, JSON.stringify(invocationRecord(event)));

    const run = await replay(queueUrl);

    expect(run.code).toBe(0);
    expect(run.messages).toHaveLength(1);
    expect(run.messages[0]).toMatchObject({
      where: `message ${messageId}`,
      messageId,
      function: 'ec2State',
      events: 1,
      status: 'replayed',
      deleted: true,
    });
    expect(statuses(run.messages[0])).toEqual([
      ['ec2.create-tags', 'duplicate'],
      ['ec2.stop-instances', 'duplicate'],
    ]);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 0, hidden: 0 });
    expect(await ledgerEntries(event.id)).toHaveLength(2);
  });

  it('runs an action the function never took, once: the same record again finds it duplicate', async () => {
    const instanceId = await launchInstance(ec2);
    const event = ec2StateChange(instanceId);
    const record = JSON.stringify(invocationRecord(event));
    const queueUrl = await deadLetterQueue();
    await send(queueUrl, record);

    const first = await replay(queueUrl);

    expect(first.code).toBe(0);
    expect(statuses(first.messages[0])).toEqual([
      ['ec2.create-tags', 'succeeded'],
      ['ec2.stop-instances', 'succeeded'],
    ]);
    expect(first.messages[0]?.deleted).toBe(true);
    const after = await instanceState(instanceId);
    expect(['stopping', 'stopped']).toContain(after.state);
    expect(after.tags).toContainEqual({ Key: 'steward:violation', Value: 'missing-owner-tag' });
    const entries = await ledgerEntries(event.id);
    expect(entries.map((entry) => [entry.action, entry.status, entry.attempts]).sort()).toEqual([
      ['ec2.create-tags', 'succeeded', 1],
      ['ec2.stop-instances', 'succeeded', 1],
    ]);

    await send(queueUrl, record);
    const second = await replay(queueUrl);
    expect(second.code).toBe(0);
    expect(statuses(second.messages[0])).toEqual([
      ['ec2.create-tags', 'duplicate'],
      ['ec2.stop-instances', 'duplicate'],
    ]);
    expect(await ledgerEntries(event.id)).toEqual(entries);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 0, hidden: 0 });
  });

  it('keeps a bad message with its error named, and replays the others', async () => {
    const instanceId = await launchInstance(ec2);
    const event = ec2StateChange(instanceId);
    const queueUrl = await deadLetterQueue();
    const good = await send(queueUrl, JSON.stringify(invocationRecord(event)));
    const notJson = await send(queueUrl, 'Task timed out after 60.00 seconds');
    const foreign = invocationRecord(event);
    foreign.requestContext.functionArn = `arn:aws:lambda:${region}:${account}:function:billing-prod-worker`;
    const other = await send(queueUrl, JSON.stringify(foreign));

    const run = await steward('replay', '--dlq', queueUrl, '--rules', rulesDir, '--wait', '1');

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`message ${good}: ec2State, 1 event: replayed and deleted\n`);
    expect(run.stdout).toMatch(
      new RegExp(
        `message ${notJson}: kept: the body is not JSON: invalid JSON at line 1, column 1: `,
      ),
    );
    expect(run.stdout).toContain(
      `message ${other}: kept: "arn:aws:lambda:${region}:${account}:function:billing-prod-worker" is not one of the stack's functions`,
    );
    expect(run.stdout).toContain(`3 messages from ${queueUrl}: 1 replayed and deleted, 2 kept\n`);
    // Kept: still in the queue, hidden until their visibility timeout ends.
    expect(await queueCounts(queueUrl)).toEqual({ visible: 0, hidden: 2 });
    expect(await ledgerEntries(event.id)).toHaveLength(2);
  });

  it('--dry-run plans, records and deletes nothing, and leaves every message visible', async () => {
    const instanceId = await launchInstance(ec2);
    const events = [ec2StateChange(instanceId), ec2StateChange(instanceId)];
    const queueUrl = await deadLetterQueue();
    const sent = [];
    for (const event of events)
      sent.push(await send(queueUrl, JSON.stringify(invocationRecord(event))));
    await send(queueUrl, '{"broken": ');

    const run = await replay(queueUrl, '--dry-run');

    expect(run.code).toBe(1);
    expect(run.messages.map((message) => [message.status, message.deleted]).sort()).toEqual([
      ['failed', false],
      ['planned', false],
      ['planned', false],
    ]);
    const planned = run.messages.find((message) => message.status === 'planned');
    expect(statuses(planned)).toEqual([
      ['ec2.create-tags', 'planned'],
      ['ec2.stop-instances', 'planned'],
    ]);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 3, hidden: 0 });
    for (const event of events) expect(await ledgerEntries(event.id)).toEqual([]);
    expect((await instanceState(instanceId)).state).toBe('running');
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((message) => message.MessageId)).toEqual(
      expect.arrayContaining(sent),
    );
  });

  it('replays a queue of more than one batch to its end', async () => {
    const event = ec2StateChange(await launchInstance(ec2));
    const queueUrl = await deadLetterQueue();
    const sent = new Set<string>();
    for (let i = 0; i < 23; i += 1)
      sent.add(await send(queueUrl, JSON.stringify(invocationRecord(event))));

    const run = await replay(queueUrl, '--dry-run');

    expect(run.code).toBe(0);
    expect(new Set(run.messages.map((message) => message.messageId))).toEqual(sent);
    expect(run.messages.every((message) => message.status === 'planned')).toBe(true);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 23, hidden: 0 });
  });

  it('--max replays at most that many messages', async () => {
    const queueUrl = await deadLetterQueue();
    for (let i = 0; i < 3; i += 1)
      await send(
        queueUrl,
        JSON.stringify(invocationRecord(ec2StateChange(await launchInstance(ec2)))),
      );

    const run = await replay(queueUrl, '--max', '2');

    expect(run.code).toBe(0);
    expect(run.messages.map((message) => [message.status, message.deleted])).toEqual([
      ['replayed', true],
      ['replayed', true],
    ]);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 1, hidden: 0 });
  });

  it('names a queue that does not exist, and exits 2', async () => {
    const queueUrl = `${process.env.AWS_ENDPOINT_URL}/${account}/steward-e2e-no-such-queue`;
    const run = await steward('replay', '--dlq', queueUrl, '--rules', rulesDir, '--wait', '0');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^steward replay: stopped: cannot receive messages of ${queueUrl}: QueueDoesNotExist: The specified queue does not exist\\.\\n$`,
      ),
    );
  });

  it('replays a cloudtrailLogs record by reading the log file it names from S3', async () => {
    const bucket = uniqueName('steward-e2e-trail');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = `AWSLogs/${account}/CloudTrail/${region}/2026/11/30/${account}_CloudTrail_${region}_20261130T1200Z_replay.json.gz`;
    const records = [1, 2, 3].map(() => ({
      eventVersion: '1.09',
      eventID: randomUUID(),
      eventTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      awsRegion: region,
      recipientAccountId: account,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/reader` },
    }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(JSON.stringify({ Records: records })),
      }),
    );
    const notification = sample<{
      Records: { s3: { bucket: { name: string; arn: string }; object: { key: string } } }[];
    }>('s3-cloudtrail-object-created.json');
    for (const record of notification.Records) {
      record.s3.bucket.name = bucket;
      record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
      record.s3.object.key = key;
    }
    const queueUrl = await deadLetterQueue();
    await send(queueUrl, JSON.stringify(invocationRecord(notification, 'cloudtrailLogs')));

    const run = await replay(queueUrl);

    expect(run.code).toBe(0);
    expect(run.messages[0]).toMatchObject({
      function: 'cloudtrailLogs',
      events: 3,
      status: 'replayed',
      deleted: true,
    });
    expect(run.messages[0]?.report?.objects).toEqual([
      expect.objectContaining({ bucket, key, read: true, records: 3, unmatched: 3 }),
    ]);
    expect(await queueCounts(queueUrl)).toEqual({ visible: 0, hidden: 0 });
  });

  it('ends when a message it kept comes back, rather than replaying it again', async () => {
    const queueUrl = await deadLetterQueue();
    const messageId = await send(queueUrl, 'not an invocation record');
    const queue = await DeadLetterQueue.open(queueUrl);
    const runtime = await createRuntime({
      rules: () => loadRules(rulesDir),
      live: true,
      readObjects: true,
    });
    try {
      // Hidden for a second only: the next receive, waiting two, gets the same message back.
      const outcomes = await replayQueue(queue, new Replayer({ context: runtime }), {
        waitSeconds: 2,
        visibilitySeconds: 1,
      });
      expect(
        outcomes.map((outcome) => [outcome.messageId, outcome.status, outcome.deleted]),
      ).toEqual([[messageId, 'failed', false]]);
    } finally {
      queue.close();
      await runtime.close();
    }
  });
});
