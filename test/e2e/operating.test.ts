import { randomUUID } from 'node:crypto';
import {
  CloudTrailClient,
  CreateTrailCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackAlarms } from '../../src/deploy/alarms.js';
import { functionSources } from '../../src/deploy/function-rules.js';
import { deployParameters } from '../../src/deploy/parameters.js';
import { lambdaHandler } from '../../src/lambda.js';
import { ledgerTableDefinition } from '../../src/ledger/table.js';
import { deploymentNames } from '../../src/operations/deployment.js';
import type { StageStatus } from '../../src/operations/status.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { steward } from '../cli/support.js';
import { makeAwslogsEvent, makeDataMessage } from '../fixtures/sources/make-awslogs.js';
import { publishEmf } from '../support/emf-extract.js';
import { adminCredentials } from '../support/member-accounts.js';
import {
  account as sampleAccount,
  cloudTrailEvent,
  embeddedLedgerFiles,
  region,
  rulePackOf,
  useMoto,
  type CloudTrailRecord,
} from './harness.js';

/**
 * A stage operated as its operators meet it: the cloudwatchLogs function takes a batch of two
 * StopLogging records from CloudTrail's log group (one trail exists, one does not) and the
 * same batch again; its lines go to its log group and its metrics to CloudWatch, as Lambda and
 * CloudWatch Logs would put them; then `steward status` and `steward trace` read the stage.
 *
 * The stage lives in an account of its own on the run's moto, which keeps CloudWatch's metrics
 * (moto matches their dimensions without the namespace) and the stage's resources apart from
 * every other e2e test's.
 */
const stage = 'operating';
const account = '777788889999';
const names = deploymentNames(stage);
const fn = 'cloudwatchLogs';
const trailLogGroup = `aws-cloudtrail-logs-${account}`;
const rule = 'trail-stopped-restart';
const action = 'cloudtrail.start-logging';

const ruleText = `id: ${rule}
description: A trail somebody stopped is turned back on.
kind: remediation
severity: critical
triggers:
  - source: cloudtrail
    eventSource: cloudtrail.amazonaws.com
    events: [StopLogging]
actions:
  - action: ${action}
mode: enforce
`;

/** The sample StopLogging record, fresh ids, of the stage's account, on the named trail. */
function stopLogging(trail: string): CloudTrailRecord {
  const { detail } = cloudTrailEvent('cloudtrail-stop-logging.json', (record) => {
    record.requestParameters = { name: trail };
  });
  return JSON.parse(JSON.stringify(detail).replaceAll(sampleAccount, account)) as CloudTrailRecord;
}

const records = [stopLogging('management'), stopLogging('no-such-trail')];
const [restarted, failing] = records.map((record) => record.eventID) as [string, string];

/** CloudTrail's log group delivering both records in one subscription batch. */
const batch = makeAwslogsEvent(
  makeDataMessage(
    trailLogGroup,
    records.map((record, index) => ({
      id: `3${String(index).padStart(55, '0')}`,
      timestamp: Date.now() - 60_000,
      message: JSON.stringify(record),
    })),
    account,
  ),
);

/** `text` for a regular expression that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function contextOf(requestId: string): Context {
  const context: Pick<
    Context,
    'awsRequestId' | 'functionName' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'
  > = {
    awsRequestId: requestId,
    functionName: names.functionName(fn),
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${names.functionName(fn)}`,
    getRemainingTimeInMillis: () => 60_000,
  };
  return context as Context;
}

/** A line a function wrote, with the time Lambda files it under in its log stream. */
interface WrittenLine {
  at: number;
  line: string;
}

let dataDir: string;
let logs: CloudWatchLogsClient;
let cloudWatch: CloudWatchClient;
const reports: PipelineReport[] = [];
/** What each delivery wrote to stdout, one invocation a stream. */
const deliveries: { requestId: string; lines: WrittenLine[] }[] = [];

beforeAll(async () => {
  const moto = await useMoto({ rulesDir: await rulePackOf(`${rule}.yaml`, ruleText) });
  dataDir = moto.dataDir;
  const credentials = await adminCredentials(moto.endpoint, account);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    STEWARD_LEDGER: 'dynamodb',
    STEWARD_LEDGER_TABLE: names.ledgerTable,
    STEWARD_METRICS_NAMESPACE: names.metricsNamespace,
    STEWARD_CLOUDTRAIL_LOG_GROUPS: trailLogGroup,
  });
  const dynamodb = new DynamoDBClient({ region });
  const sqs = new SQSClient({ region });
  const s3 = new S3Client({ region, forcePathStyle: true });
  const cloudTrail = new CloudTrailClient({ region });
  logs = new CloudWatchLogsClient({ region });
  cloudWatch = new CloudWatchClient({ region });

  // The stage as its stack leaves it: ledger, dead-letter queue, one log group a function.
  await dynamodb.send(new CreateTableCommand(ledgerTableDefinition(names.ledgerTable)));
  await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueue }));
  for (const each of Object.keys(functionSources))
    await logs.send(new CreateLogGroupCommand({ logGroupName: names.logGroup(each) }));
  // The trail the first record stopped; the second record's trail does not exist.
  await s3.send(new CreateBucketCommand({ Bucket: `trail-logs-${account}` }));
  await cloudTrail.send(
    new CreateTrailCommand({ Name: 'management', S3BucketName: `trail-logs-${account}` }),
  );
  await cloudTrail.send(new StopLoggingCommand({ Name: 'management' }));

  const sink: WrittenLine[] = [];
  const handler = lambdaHandler(fn, {
    telemetry: {
      sink: (line) => sink.push({ at: Date.now(), line }),
      // moto cuts GetMetricData's EndTime to the second, so a datum of the second status runs
      // in would fall outside its window; CloudWatch takes longer than that to extract one.
      now: () => Date.now() - 60_000,
    },
  });
  for (const requestId of [randomUUID(), randomUUID()]) {
    reports.push(await handler(batch, contextOf(requestId)));
    deliveries.push({ requestId, lines: sink.splice(0) });
  }

  for (const { lines } of deliveries) {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: names.logGroup(fn), logStreamName }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: names.logGroup(fn),
        logStreamName,
        logEvents: lines.map(({ at, line }) => ({ timestamp: at, message: line })),
      }),
    );
    await publishEmf(cloudWatch, lines.map(({ line }) => line).join('\n'));
  }
  for (const client of [dynamodb, sqs, s3, cloudTrail]) client.destroy();
}, 120_000);

afterAll(() => {
  logs?.destroy();
  cloudWatch?.destroy();
});

describe('operating a stage: the functions’ logs and metrics, read by steward status and trace', () => {
  it('acts on the first delivery and finds both actions in the ledger on the second', async () => {
    // The ledger is the stage's table on moto: no embedded ledger was started.
    expect(await embeddedLedgerFiles(dataDir)).toEqual([]);
    const statuses = reports.map((report) =>
      report.events.map((event) => [event.id, event.matches[0]?.actions[0]?.status]),
    );
    expect(statuses).toEqual([
      [
        [restarted, 'succeeded'],
        [failing, 'failed'],
      ],
      [
        [restarted, 'duplicate'],
        [failing, 'duplicate'],
      ],
    ]);
  });

  it('status shows the events, the matches, the actions by status and the failure', async () => {
    const json = await steward('status', '--stage', stage, '--region', region, '--json');
    expect(json.stderr).toBe('');
    // A failed action in the window asks for attention.
    expect(json.code).toBe(1);
    const status = JSON.parse(json.stdout) as StageStatus;
    expect(status).toMatchObject({
      stage,
      namespace: { namespace: names.metricsNamespace },
      metrics: {
        available: true,
        value: {
          eventsByFunction: [{ name: fn, count: 4 }],
          eventsBySource: [{ name: 'cloudtrail', count: 4 }],
          decodeErrorsByFunction: [],
          evaluationErrorsByFunction: [],
          matchesByRule: [{ name: rule, count: 4 }],
          actionsByStatus: [
            { name: 'duplicate', count: 2 },
            { name: 'failed', count: 1 },
            { name: 'succeeded', count: 1 },
          ],
          failedByRule: [{ name: rule, count: 1 }],
        },
      },
      failures: {
        available: true,
        value: [
          {
            rule,
            action,
            resource: 'no-such-trail',
            account,
            region,
            reason: expect.stringContaining('TrailNotFoundException'),
          },
        ],
      },
      deadLetters: {
        available: true,
        value: { queue: names.deadLetterQueue, messages: 0, inFlight: 0 },
      },
      alarms: { available: true, value: [] },
    });
    expect(status.failures.available && status.failures.value).toHaveLength(1);

    const text = await steward('status', '--stage', stage, '--region', region);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(json.code);
    const out = text.stdout;
    expect(out).toContain('events received by function: 4\n');
    expect(out).toContain('matches by rule: 4\n');
    expect(out).toContain('actions by status: 4\n');
    expect(out).toMatch(/^ {2}failed +1$/m);
    expect(out).toMatch(/^ {2}duplicate +2$/m);
    expect(out).toMatch(/^ {2}succeeded +1$/m);
    expect(out).toContain(`failed actions by rule: 1\n`);
    expect(out).toMatch(
      new RegExp(
        `^last failures \\(newest first\\): 1\n.*\n {2}\\S+ {2}${rule} {2}${literal(action)} {2}no-such-trail +${account} {2}${region} {2}.*TrailNotFoundException`,
        'm',
      ),
    );
  });

  it('trace of the failing event shows its rule, its ledger entry and both deliveries’ lines', async () => {
    const [first, second] = deliveries.map((delivery) => delivery.requestId);
    const json = await steward('trace', failing, '--stage', stage, '--region', region, '--json');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as {
      eventId: string;
      logs: { groups: { function: string; lines?: number }[] };
      rules: {
        rule: string;
        actions: {
          action: string;
          resource: string;
          entry?: { status: string; error?: string; eventId: string };
          log: { message: string; status?: string; kind?: string; requestId: string }[];
        }[];
      }[];
    };
    expect(document.eventId).toBe(failing);
    // Two lines of the first delivery (its outcome and its error), one of the second.
    expect(document.logs.groups.find((group) => group.function === fn)?.lines).toBe(3);
    expect(document.rules.map((each) => each.rule)).toEqual([rule]);
    const [traced] = document.rules[0]?.actions ?? [];
    expect(traced).toMatchObject({
      action,
      entry: {
        status: 'failed',
        eventId: failing,
        error: expect.stringContaining('TrailNotFoundException'),
      },
    });
    // The first delivery's outcome and its error line, then the second delivery's outcome.
    expect(traced?.log.map((line) => `${line.requestId} ${line.status ?? line.kind}`)).toEqual([
      `${first} failed`,
      `${first} action`,
      `${second} duplicate`,
    ]);

    const text = await steward('trace', failing, '--stage', stage, '--region', region);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain(
      `ledger: DynamoDB table ${names.ledgerTable} in ${region}: 1 entry\n`,
    );
    expect(text.stdout).toContain(`rule ${rule} (1 action)\n`);
    expect(text.stdout).toMatch(
      new RegExp(`^ {2}${literal(action)} on no-such-trail \\(enforce\\): failed, 1 attempt`, 'm'),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `^ {4}\\S+ \\S+ {2}${fn} {2}failed: .*TrailNotFoundException.*request ${first}\\)$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(`^ {4}\\S+ \\S+ {2}${fn} {2}duplicate: .*request ${second}\\)$`, 'm'),
    );
  });

  it('the stack’s alarms on steward’s metrics watch the series the functions wrote', async () => {
    const loaded = parseRuleText(ruleText, `${rule}.yaml`);
    if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
    const alarms = Object.values(
      stackAlarms(
        [compileRule(loaded.rule, `${rule}.yaml`)],
        deployParameters({}, { service: 'steward', stage, region }),
      ),
    ).filter((alarm) => alarm.Properties.Namespace === names.metricsNamespace);
    const end = new Date();
    const { MetricDataResults: results = [] } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 3_600_000),
        EndTime: end,
        MetricDataQueries: alarms.map(({ Properties: alarm }, index) => ({
          Id: `a${index}`,
          MetricStat: {
            Metric: {
              Namespace: alarm.Namespace as string,
              MetricName: alarm.MetricName as string,
              Dimensions: alarm.Dimensions as { Name: string; Value: string }[],
            },
            Period: 3_600,
            Stat: alarm.Statistic as string,
          },
        })),
      }),
    );
    // A series with no data would be an alarm on a metric nothing writes: it never goes off.
    // moto reads a query without dimensions as every series of the metric, so for the two
    // totals this says only that the metric is written; the rule's alarm is matched exactly.
    expect(
      Object.fromEntries(
        results.map((result) => [
          alarms[Number(result.Id?.slice(1))]?.Properties.AlarmName,
          result.Values?.length ? result.Values.reduce((sum, value) => sum + value, 0) : 'no data',
        ]),
      ),
    ).toEqual({
      [`${names.alarmPrefix}decode-errors`]: 0,
      [`${names.alarmPrefix}evaluation-errors`]: 0,
      [`${names.alarmPrefix}failed-actions-${rule}`]: 1,
    });
  });
});
