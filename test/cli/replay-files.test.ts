import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import {
  startEmbeddedDynamoDB,
  type EmbeddedServer,
} from '../../src/ledger/embedded/memory-server.js';
import type { ReplayOutcome } from '../../src/replay/replayer.js';
import { steward } from './support.js';

// The stack's ledger here is a dynalite server of this file's own, reached as DynamoDB is
// (AWS_ENDPOINT_URL_DYNAMODB): replay refuses the embedded ledger, which knows nothing of what
// the stack did. The rule records a finding and needs no AWS call.
const rule = `id: replay-instance-running
description: Every instance that reaches running is recorded.
kind: audit
severity: info
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: audit.record
    params: { note: an instance reached running }
mode: enforce
`;

const functionArn = (name: string) =>
  `arn:aws:lambda:us-east-1:123456789012:function:steward-prod-${name}:$LATEST`;

let scratch: string;
let rulesDir: string;
let server: EmbeddedServer;
let record: { requestContext: Record<string, unknown>; requestPayload: Record<string, unknown> };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-replay-cli-'));
  rulesDir = join(scratch, 'rules');
  await mkdir(rulesDir);
  await writeFile(join(rulesDir, 'replay-instance-running.yaml'), rule);
  await mkdir(join(scratch, 'config'));
  await writeFile(join(scratch, 'config', 'lists.yaml'), 'lists: {}\n');
  server = await startEmbeddedDynamoDB();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    STEWARD_ACCOUNT_ID: '123456789012',
    STEWARD_LEDGER_TABLE: `steward-replay-${randomUUID()}`,
    STEWARD_DATA_DIR: join(scratch, 'data'),
    STEWARD_LISTS_FILE: join(scratch, 'config', 'lists.yaml'),
  });
  record = JSON.parse(
    await readFile(
      new URL('../fixtures/replay/invocation-record-ec2State.json', import.meta.url),
      'utf8',
    ),
  ) as typeof record;
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await server?.close();
});

/** The fixture's record for an EC2 state change of a fresh event id, and that id. */
function freshRecord(): { record: typeof record; eventId: string } {
  const copy = structuredClone(record);
  const eventId = randomUUID();
  copy.requestPayload.id = eventId;
  return { record: copy, eventId };
}

async function recordFile(name: string, content: unknown): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function entriesOf(eventId: string): Promise<LedgerEntry[]> {
  const listed = await steward('ledger', 'export', '--rule', 'replay-instance-running');
  return listed.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LedgerEntry)
    .filter((entry) => entry.eventId === eventId);
}

describe('steward replay FILE', () => {
  it('records the payload once; replaying the same record again finds it duplicate', async () => {
    const { record: fresh, eventId } = freshRecord();
    const file = await recordFile('one.json', fresh);

    const first = await steward('replay', file, '--rules', rulesDir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${file}: ec2State, 1 event: replayed\n`);
    expect(first.stdout).toContain('audit.record i-0123456789abcdef0: succeeded');
    expect(first.stdout).toContain('1 message from 1 file: 1 replayed, 0 not replayed\n');
    expect(first.stdout).toMatch(
      /\nlive; ledger: DynamoDB table steward-replay-[0-9a-f-]+ at http/,
    );
    const entries = await entriesOf(eventId);
    expect(entries.map((entry) => [entry.action, entry.status, entry.mode])).toEqual([
      ['audit.record', 'succeeded', 'enforce'],
    ]);

    const again = await steward('replay', file, '--rules', rulesDir, '--json');
    expect(again.code).toBe(0);
    const [outcome] = (JSON.parse(again.stdout) as { messages: ReplayOutcome[] }).messages;
    expect(outcome?.status).toBe('replayed');
    expect(
      outcome?.report?.events[0]?.matches[0]?.actions.map((action) => [
        action.status,
        action.stored,
      ]),
    ).toEqual([['duplicate', 'succeeded']]);
    expect(await entriesOf(eventId)).toHaveLength(1);
  });

  it('names each bad record and why, and replays the others', async () => {
    const { record: good, eventId } = freshRecord();
    const s3TestEvent = {
      requestContext: { functionArn: functionArn('cloudtrailLogs'), requestId: 'req-s3' },
      requestPayload: {
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: '2025-01-15T10:00:00.000Z',
        Bucket: 'steward-cloudtrail-logs-123456789012',
        RequestId: 'C0FFEE',
        HostId: 'host',
      },
    };
    const otherFunction = {
      requestContext: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:billing' },
      requestPayload: good.requestPayload,
    };
    const withoutPayload = { requestContext: { functionArn: functionArn('cloudtrail') } };
    const scheduled = {
      requestContext: { functionArn: functionArn('ec2State') },
      requestPayload: { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} },
    };
    const sweep = {
      requestContext: { functionArn: functionArn('sweep'), requestId: 'req-sweep' },
      requestPayload: { rule: 'sweep-instances-without-owner' },
    };
    const file = await recordFile(
      'mixed.jsonl',
      [good, s3TestEvent, otherFunction, withoutPayload, scheduled, sweep]
        .map((line) => JSON.stringify(line))
        .concat('{"version": "1.0",')
        .join('\n'),
    );

    const run = await steward('replay', file, '--rules', rulesDir, '--json');
    expect(run.code).toBe(1);
    const messages = (JSON.parse(run.stdout) as { messages: ReplayOutcome[] }).messages;
    expect(messages.map((message) => [message.where, message.status, message.reason])).toEqual([
      [`${file}: line 1`, 'replayed', undefined],
      [`${file}: line 2`, 'failed', 'the requestPayload of cloudtrailLogs holds no event'],
      [
        `${file}: line 3`,
        'failed',
        `"arn:aws:lambda:us-east-1:123456789012:function:billing" is not one of the stack's functions (a name ending in -ec2State, -cloudtrail, -cloudtrailLogs, -cloudwatchLogs, -findings, -sweep): refused`,
      ],
      [
        `${file}: line 4`,
        'failed',
        'the invocation record of cloudtrail has no requestPayload (Lambda leaves it out when it is too large for the queue)',
      ],
      [
        `${file}: line 5`,
        'failed',
        expect.stringMatching(
          /^1 event\(s\) or action\(s\) must be delivered again: .*mixed\.jsonl: line 5: requestPayload: EventBridge event has no id$/,
        ),
      ],
      [
        `${file}: line 6`,
        'failed',
        'a sweep is not replayed from its payload, which names only the rule sweep-instances-without-owner: run `steward sweep sweep-instances-without-owner --live` to sweep again (in the same period, what the failed sweep did is a duplicate)',
      ],
      [
        `${file}: line 7`,
        'failed',
        expect.stringMatching(/^the body is not JSON: invalid JSON at line 1, column 19: /),
      ],
    ]);
    expect(await entriesOf(eventId)).toHaveLength(1);

    const text = await steward('replay', file, '--rules', rulesDir);
    expect(text.stdout).toContain(
      `${file}: line 2: cloudtrailLogs, 0 events: not replayed: the requestPayload of cloudtrailLogs holds no event\n`,
    );
    expect(text.stdout).toContain('7 messages from 1 file: 1 replayed, 6 not replayed\n');
  });

  it('reads the messages aws sqs receive-message exported, named by their ids', async () => {
    const { record: fresh, eventId } = freshRecord();
    const file = await recordFile('receive-message.json', {
      Messages: [
        { MessageId: 'm-good', ReceiptHandle: 'r-1', Body: JSON.stringify(fresh) },
        { MessageId: 'm-bad', ReceiptHandle: 'r-2', Body: 'Task timed out' },
      ],
    });
    const run = await steward('replay', file, '--rules', rulesDir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `${file}: Messages[0] (message m-good): ec2State, 1 event: replayed\n`,
    );
    expect(run.stdout).toMatch(
      /Messages\[1\] \(message m-bad\): not replayed: the body is not JSON: invalid JSON at line 1, column 1: /,
    );
    expect(await entriesOf(eventId)).toHaveLength(1);
  });

  it('--dry-run plans, and records nothing', async () => {
    const { record: fresh, eventId } = freshRecord();
    const file = await recordFile('dry.json', [fresh]);
    const run = await steward('replay', file, '--rules', rulesDir, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file}: [0]: ec2State, 1 event: planned (dry run)\n`);
    expect(run.stdout).toContain('audit.record i-0123456789abcdef0: planned');
    expect(run.stdout).toMatch(/\ndry run: nothing recorded\n$/);
    expect(await entriesOf(eventId)).toEqual([]);
  });
});

describe('steward replay: usage', () => {
  it('takes a queue or files, not both, not neither', async () => {
    const file = await recordFile('usage.json', record);
    const neither = await steward('replay', '--rules', rulesDir);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(
      /^steward replay: name a queue \(--dlq\) or files\nusage: steward replay --dlq QUEUE_URL/,
    );
    const both = await steward(
      'replay',
      file,
      '--dlq',
      'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^steward replay: --dlq and files: replay one or the other\n/);
    const max = await steward('replay', file, '--max', '3');
    expect(max).toMatchObject({
      code: 2,
      stderr: 'steward replay: --max is for a queue (--dlq), not for files\n',
    });
  });

  it('refuses a bad --max, --wait or queue URL, saying what it takes', async () => {
    const url = 'https://sqs.us-east-1.amazonaws.com/123456789012/steward-prod-dead-letters';
    expect(await steward('replay', '--dlq', url, '--max', '0')).toMatchObject({
      code: 2,
      stderr: 'steward replay: --max takes a whole number of at least 1, got "0"\n',
    });
    expect(await steward('replay', '--dlq', url, '--wait', '30')).toMatchObject({
      code: 2,
      stderr: 'steward replay: --wait takes a whole number from 0 to 20, got "30"\n',
    });
    expect(await steward('replay', '--dlq', 'steward-prod-dead-letters')).toMatchObject({
      code: 2,
      stderr:
        'steward replay: --dlq: "steward-prod-dead-letters" is not a queue URL: expected https://sqs.<region>.amazonaws.com/<account>/<queue name> (the stack\'s DeadLetterQueueUrl output)\n',
    });
  });

  it('names a queue it cannot reach in one line, and exits 2', async () => {
    const url = 'http://127.0.0.1:1/123456789012/steward-dev-dead-letters';
    const run = await steward(
      'replay',
      '--dlq',
      url,
      '--rules',
      rulesDir,
      '--dry-run',
      '--wait',
      '0',
    );
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(
      /^steward replay: stopped: cannot receive messages of http:\/\/127\.0\.0\.1:1\/123456789012\/steward-dev-dead-letters: .*ECONNREFUSED[^\n]*\n$/,
    );
  });

  it('names a file it cannot read, and exits 2', async () => {
    const missing = join(scratch, 'missing.json');
    expect(await steward('replay', missing)).toMatchObject({
      code: 2,
      stderr: `steward replay: ${missing}: cannot read: ENOENT\n`,
    });
  });

  it('refuses to record in the embedded ledger, which does not know what the stack did', async () => {
    const file = await recordFile('embedded.json', record);
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    try {
      const run = await steward('replay', file, '--rules', rulesDir);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "steward replay: replay records in the stack's ledger, and the embedded one does not know what the stack already did: set STEWARD_LEDGER=dynamodb and STEWARD_LEDGER_TABLE to the stack's table (steward-<stage>-ledger), or use --dry-run\n",
      );
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    }
  });
});
