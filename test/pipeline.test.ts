import { readFileSync } from 'node:fs';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../src/client-pool.js';
import { runPipeline, type PipelineContext, type PipelineReport } from '../src/pipeline.js';
import { SourceTrust } from '../src/sources/trust.js';
import { loadRules } from '../src/rules/load.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import { makeAwslogsEvent, makeDataMessage } from './fixtures/sources/make-awslogs.js';
import { startTestLedger } from './support/embedded-ledger.js';
import { repoPath, sampleEvent } from './support/files.js';

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
let ruleIndex: RuleIndex;

beforeAll(async () => {
  testLedger = await startTestLedger();
  ruleIndex = new RuleIndex(await loadRules(repoPath('rules')));
});

afterAll(async () => {
  await testLedger.close();
  ec2.restore();
  s3.restore();
});

beforeEach(() => {
  ec2.reset();
  s3.reset();
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: 'i-0123456789abcdef0',
            State: { Name: 'running' },
            Tags: [{ Key: 'Owner', Value: 'team-payments' }],
          },
        ],
      },
    ],
  });
  ec2.on(CreateTagsCommand).resolves({});
  ec2.on(StopInstancesCommand).resolves({});
});

function context(overrides: Partial<PipelineContext> = {}): PipelineContext {
  return {
    ruleIndex,
    ledger: testLedger.ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live: true,
    readObjects: false,
    ...overrides,
  };
}

describe('the pipeline', () => {
  it('takes an EC2 state change through its rule and acts once, however often it is delivered', async () => {
    const event = sampleEvent('ec2-running.json');
    const first = await runPipeline(event, 'ec2-running.json', context());
    expect(first.errors).toEqual([]);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]?.matches).toEqual([
      {
        rule: 'ec2-quarantined-instance-started',
        actions: [
          expect.objectContaining({
            action: 'ec2.create-tags',
            resource: 'i-0123456789abcdef0',
            status: 'succeeded',
            mode: 'enforce',
          }),
          expect.objectContaining({
            action: 'ec2.stop-instances',
            resource: 'i-0123456789abcdef0',
            status: 'succeeded',
            mode: 'enforce',
          }),
        ],
      },
    ]);
    expect(ec2.commandCalls(CreateTagsCommand)[0]?.args[0].input).toEqual({
      Resources: ['i-0123456789abcdef0'],
      Tags: [{ Key: 'steward:violation', Value: 'quarantined-instance-started' }],
    });
    expect(ec2.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: ['i-0123456789abcdef0'],
      Hibernate: false,
    });

    const again = await runPipeline(event, 'ec2-running.json', context());
    expect(
      again.events[0]?.matches[0]?.actions.map((action) => [action.status, action.stored]),
    ).toEqual([
      ['duplicate', 'succeeded'],
      ['duplicate', 'succeeded'],
    ]);
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    const entries = await testLedger.ledger.list({ resource: 'i-0123456789abcdef0' });
    expect(entries.filter((entry) => entry.mode === 'enforce')).toHaveLength(2);
  });

  it('only plans actions when not live, and a later live run still executes them', async () => {
    const event = sampleEvent('cloudtrail-run-instances.json');
    const tagAction = (report: PipelineReport) =>
      report.events[0]?.matches.find((match) => match.rule === 'ec2-tag-instance-creator')
        ?.actions[0];
    const dry = await runPipeline(event, 'run-instances', context({ live: false }));
    expect(tagAction(dry)).toMatchObject({
      action: 'ec2.create-tags',
      status: 'planned',
      mode: 'dry-run',
      detail:
        'would tag i-0a1b2c3d4e5f67890 with steward:created-by=arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com',
    });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(0);
    const live = await runPipeline(event, 'run-instances', context());
    expect(tagAction(live)).toMatchObject({ status: 'succeeded', mode: 'enforce' });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);
  });

  it('skips a stop when the instance is no longer running, and records why', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ State: { Name: 'stopped' } }] }] });
    const event = {
      ...(sampleEvent('ec2-running.json') as Record<string, unknown>),
      id: 'skip-test-event',
    };
    const report = await runPipeline(event, 'stopped-meanwhile', context());
    expect(report.events[0]?.matches[0]?.actions[1]).toMatchObject({
      action: 'ec2.stop-instances',
      status: 'skipped',
      detail: 'did not stop i-0123456789abcdef0: it is stopped, and stop acts only from running',
    });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('records a failed action as failed and reports it, without failing the other actions', async () => {
    ec2.on(CreateTagsCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const event = {
      ...(sampleEvent('ec2-running.json') as Record<string, unknown>),
      id: 'failing-tags-event',
    };
    const report = await runPipeline(event, 'denied', context());
    const [tags, stop] = report.events[0]?.matches[0]?.actions ?? [];
    expect(tags).toMatchObject({
      status: 'failed',
      detail:
        'ec2.create-tags failed on i-0123456789abcdef0: UnauthorizedOperation: You are not authorized to perform this operation.',
    });
    expect(stop).toMatchObject({ status: 'succeeded' });
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'action',
        where:
          'event failing-tags-event, rule ec2-quarantined-instance-started, action ec2.create-tags on i-0123456789abcdef0',
      }),
    ]);
    expect((await testLedger.ledger.get(tags?.key ?? ''))?.status).toBe('failed');
  });

  it("dedupes one CloudTrail record arriving by EventBridge, an S3 log file and CloudTrail's log group", async () => {
    const viaEventBridge = await runPipeline(
      sampleEvent('cloudtrail-stop-logging.json'),
      'eventbridge',
      context(),
    );
    const [action] = viaEventBridge.events[0]?.matches[0]?.actions ?? [];
    expect(action).toMatchObject({ action: 'audit.record', status: 'succeeded' });

    const logFile = readFileSync(repoPath('events/cloudtrail-log-file.json.gz'));
    const streamBody = { transformToByteArray: async () => new Uint8Array(logFile) };
    s3.on(GetObjectCommand).resolves({ Body: streamBody as never });
    const viaS3 = await runPipeline(
      sampleEvent('s3-cloudtrail-object-created.json'),
      's3 notification',
      context({ readObjects: true }),
    );
    const stopLogging = viaS3.events.find((event) => event.id === viaEventBridge.events[0]?.id);
    expect(stopLogging?.matches[0]?.actions[0]).toMatchObject({
      status: 'duplicate',
      stored: 'succeeded',
      key: action?.key,
    });

    const viaLogs = await runPipeline(
      sampleEvent('cloudwatch-logs-cloudtrail-stop-logging.json'),
      'logs',
      context({ trust: new SourceTrust(['aws-cloudtrail-logs-123456789012']) }),
    );
    expect(viaLogs.events[0]).toMatchObject({
      id: viaEventBridge.events[0]?.id,
      source: 'cloudtrail',
    });
    expect(viaLogs.events[0]?.matches[0]?.actions[0]).toMatchObject({
      status: 'duplicate',
      key: action?.key,
    });
  });

  it("takes a CloudTrail record from a log group not configured as CloudTrail's, or given directly, for nothing", async () => {
    const stopLogging = sampleEvent('cloudtrail-stop-logging.json') as { detail: unknown };
    const trail = { resource: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events' };
    const before = await testLedger.ledger.list(trail);
    // The real record's eventID, so a believed copy would claim the real record's ledger keys.
    const forged = await runPipeline(
      sampleEvent('cloudwatch-logs-forged-stop-logging.json'),
      'logs',
      context({ trust: new SourceTrust(['aws-cloudtrail-logs-123456789012']) }),
    );
    expect(forged.errors).toEqual([]);
    expect(forged.events).toEqual([
      {
        id: '38735402181234567890123456789012345678901234567890000099',
        source: 'cloudwatch-logs',
        name: '/var/log/secure',
        resources: ['/var/log/secure'],
        matches: [],
      },
    ]);
    const unconfigured = await runPipeline(
      sampleEvent('cloudwatch-logs-cloudtrail-stop-logging.json'),
      'logs',
      context(),
    );
    expect(unconfigured.events.map((event) => [event.source, event.matches])).toEqual([
      ['cloudwatch-logs', []],
    ]);
    const bare = await runPipeline(stopLogging.detail, 'invocation', context());
    expect(bare.events).toEqual([]);
    expect(bare.errors).toEqual([
      expect.objectContaining({
        kind: 'input',
        where: 'invocation',
        message: expect.stringMatching(/^a CloudTrail record is believed only from EventBridge/),
      }),
    ]);
    expect(await testLedger.ledger.list(trail)).toEqual(before);
  });

  it('reads the log files an S3 notification names, or only reports them', async () => {
    const notification = sampleEvent('s3-cloudtrail-object-created.json');
    const unread = await runPipeline(notification, 's3 notification', context());
    expect(unread.events).toEqual([]);
    expect(unread.objects).toEqual([
      expect.objectContaining({ bucket: 'steward-cloudtrail-logs-123456789012', read: false }),
    ]);

    const body = readFileSync(repoPath('events/cloudtrail-log-file.json.gz'));
    // Only the part of the SDK's stream body that the reader uses.
    const streamBody = { transformToByteArray: async () => new Uint8Array(body) };
    s3.on(GetObjectCommand).resolves({ Body: streamBody as never });
    const read = await runPipeline(notification, 's3 notification', context({ readObjects: true }));
    expect(read.errors).toEqual([]);
    expect(read.events).toHaveLength(3);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'steward-cloudtrail-logs-123456789012',
    });
  });

  it('processes the good log events of a batch that also holds a bad one', async () => {
    const event = makeAwslogsEvent(
      makeDataMessage('/var/log/secure', [
        {
          id: '37000000000000000000000000000000000000000000000000000001',
          timestamp: 1763632800000,
          message: 'sshd[1]: Failed password for root from 203.0.113.9 port 4000 ssh2',
        },
        {
          id: '37000000000000000000000000000000000000000000000000000002',
          timestamp: 1763632800000,
        },
        {
          id: '37000000000000000000000000000000000000000000000000000003',
          timestamp: 1763632800000,
          message: 'sshd[1]: Accepted publickey for ec2-user',
        },
      ]),
    );
    const report = await runPipeline(event, 'batch', context());
    expect(
      report.events.map((item) => [item.id.slice(-1), item.matches.map((match) => match.rule)]),
    ).toEqual([
      ['1', ['ssh-authentication-failure']],
      ['3', []],
    ]);
    expect(report.errors).toEqual([
      expect.objectContaining({ kind: 'input', where: 'batch: logEvents[1]' }),
    ]);
  });

  it('reports an unknown shape as an input error and nothing else', async () => {
    const report = await runPipeline({ hello: 'world' }, 'mystery.json', context());
    expect(report.events).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'input',
        where: 'mystery.json',
        message: expect.stringMatching(/^unknown event shape/),
      }),
    ]);
  });
});
