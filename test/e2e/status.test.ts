import { randomUUID } from 'node:crypto';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, type ClaimDetails } from '../../src/ledger/ledger.js';
import { deploymentNames } from '../../src/operations/deployment.js';
import type { StageStatus } from '../../src/operations/status.js';
import { emfDocuments, type MetricEntry } from '../../src/telemetry/emf.js';
import { steward } from '../cli/support.js';
import { publishEmf } from '../support/emf-extract.js';
import { account, region, useMoto } from './harness.js';

// moto matches GetMetricData's dimensions without its namespace: the rule ids here are this
// run's own, so no other test's metrics can add to them.
const suffix = randomUUID().slice(0, 8);
const stopRule = `stop-untagged-${suffix}`;
const tagRule = `tag-untagged-${suffix}`;
const minute = 60_000;

let cloudWatch: CloudWatchClient;
let sqs: SQSClient;
let cloudFormation: CloudFormationClient;
let dynamoDB: DynamoDBClient;

beforeAll(async () => {
  await useMoto();
  cloudWatch = new CloudWatchClient({ region });
  sqs = new SQSClient({ region });
  cloudFormation = new CloudFormationClient({ region });
  dynamoDB = new DynamoDBClient({ region });
});

afterAll(() => {
  for (const client of [cloudWatch, sqs, cloudFormation, dynamoDB]) client?.destroy();
});

/** The function log of one invocation: Powertools log lines around the EMF documents of `entries`. */
function functionLog(namespace: string, entries: MetricEntry[], timestamp: number): string {
  return [
    JSON.stringify({ level: 'INFO', message: 'invocation summary', function: 'ec2State' }),
    ...emfDocuments(namespace, entries, timestamp).map((document) => JSON.stringify(document)),
  ].join('\n');
}

/** An alarm of the stage on its failed actions, put into `state` with `reason`. */
async function alarm(name: string, namespace: string, state: 'ALARM' | 'OK', reason: string) {
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: namespace,
      MetricName: 'Actions',
      Dimensions: [{ Name: 'Status', Value: 'failed' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
  );
}

/** The action of `rule` on `resource` claimed at `at` and recorded failed with `error`, through the real ledger. */
async function failedAction(
  tableName: string,
  at: number,
  rule: string,
  resource: string,
  error: string,
) {
  const ledger = new Ledger(dynamoDB, { tableName, now: () => at });
  const details: ClaimDetails = {
    mode: 'enforce',
    eventId: randomUUID(),
    ruleId: rule,
    action: 'ec2.stop-instances',
    resource,
    source: 'ec2-state',
    eventName: 'running',
    eventTime: new Date(at).toISOString(),
    severity: 'high',
    account,
    region,
  };
  const claim = await ledger.claim(details);
  if (claim.kind !== 'claimed') throw new Error(`the ledger did not give the claim: ${claim.kind}`);
  await ledger.complete(claim, { status: 'failed', detail: `could not stop ${resource}`, error });
  return claim.key;
}

/** A row of a count table: `name`, then `count`. */
function row(name: string, count: number): RegExp {
  return new RegExp(`^ {2}${name.replace(/[.-]/g, '\\$&')} +${count}$`, 'm');
}

describe('steward status against moto', () => {
  it('shows a stage: its metrics, last failures, dead-letter queue and alarms in ALARM', async () => {
    const stage = `st${suffix}`;
    const names = deploymentNames(stage);
    // The stack names another namespace than the default; status reads it from the output.
    const namespace = `steward-e2e/${stage}`;
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: names.stack,
        TemplateBody: JSON.stringify({
          Resources: {
            DeadLetterQueue: {
              Type: 'AWS::SQS::Queue',
              Properties: { QueueName: names.deadLetterQueue },
            },
          },
          Outputs: { MetricsNamespace: { Value: namespace } },
        }),
      }),
    );
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: names.deadLetterQueue }),
    );
    for (const body of ['{"requestPayload":1}', '{"requestPayload":2}'])
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

    const now = Date.now();
    // A batch with matches, a failed action and a duplicate, written as the functions write it.
    const batch: MetricEntry[] = [
      {
        metric: 'EventsReceived',
        dimensions: { Function: 'ec2State', Source: 'ec2-state' },
        value: 3,
      },
      {
        metric: 'EventsReceived',
        dimensions: { Function: 'cloudtrail', Source: 'cloudtrail' },
        value: 5,
      },
      { metric: 'DecodeErrors', dimensions: { Function: 'cloudtrail' }, value: 1 },
      { metric: 'Matches', dimensions: { Rule: stopRule }, value: 3 },
      { metric: 'Matches', dimensions: { Rule: tagRule }, value: 1 },
      { metric: 'Actions', dimensions: { Rule: stopRule, Status: 'succeeded' }, value: 1 },
      { metric: 'Actions', dimensions: { Rule: stopRule, Status: 'failed' }, value: 2 },
      { metric: 'Actions', dimensions: { Rule: stopRule, Status: 'duplicate' }, value: 1 },
      { metric: 'Actions', dimensions: { Rule: tagRule, Status: 'planned' }, value: 1 },
      { metric: 'LedgerLatency', dimensions: { Function: 'ec2State' }, value: [4, 6] },
      { metric: 'ActionLatency', dimensions: { Action: 'ec2.stop-instances' }, value: 120 },
    ];
    const put = await publishEmf(cloudWatch, functionLog(namespace, batch, now - 5 * minute));
    // Outside the hour that status looks back over by default.
    await publishEmf(
      cloudWatch,
      functionLog(
        namespace,
        [{ metric: 'Matches', dimensions: { Rule: stopRule }, value: 100 }],
        now - 3 * 60 * minute,
      ),
    );
    expect(put).toBeGreaterThan(batch.length);

    const ledger = new Ledger(dynamoDB, { tableName: names.ledgerTable });
    await ledger.ensureTable();
    const older = await failedAction(
      names.ledgerTable,
      now - 20 * minute,
      stopRule,
      'i-0aaa',
      'UnauthorizedOperation: You are not authorized to perform this operation.',
    );
    const newer = await failedAction(
      names.ledgerTable,
      now - 10 * minute,
      stopRule,
      'i-0bbb',
      'IncorrectInstanceState: The instance is not in a state from which it can be stopped.',
    );
    await failedAction(
      names.ledgerTable,
      now - 3 * 60 * minute,
      stopRule,
      'i-0ccc',
      'too old to show',
    );

    await alarm(
      `${names.alarmPrefix}failed-actions`,
      namespace,
      'ALARM',
      'Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).',
    );
    await alarm(
      `${names.alarmPrefix}decode-errors`,
      namespace,
      'OK',
      'Threshold Crossed: no datapoints',
    );
    await alarm(`steward-not${suffix}-failed-actions`, namespace, 'ALARM', 'another stage');

    const text = await steward('status', '--stage', stage, '--region', region);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1);
    const out = text.stdout;
    expect(out).toMatch(new RegExp(`^steward-${stage} in us-east-1, \\S+ to \\S+\n`));
    expect(out).toContain(`metrics namespace ${namespace} (the stack's MetricsNamespace output)\n`);
    expect(out).toContain('events received by function: 8\n');
    expect(out).toMatch(row('cloudtrail', 5));
    expect(out).toMatch(row('ec2State', 3));
    expect(out).toContain('events received by source: 8\n');
    expect(out).toMatch(row('ec2-state', 3));
    expect(out).toContain('decode errors by function: 1\n');
    expect(out).toContain('evaluation errors by function: none\n');
    expect(out).toContain('matches by rule: 4\n');
    expect(out).toMatch(row(stopRule, 3));
    expect(out).toMatch(row(tagRule, 1));
    expect(out).toContain('actions by status: 5\n');
    for (const [status, count] of [
      ['failed', 2],
      ['succeeded', 1],
      ['duplicate', 1],
      ['planned', 1],
    ] as const)
      expect(out).toMatch(row(status, count));
    expect(out).toContain(
      `failed actions by rule: 2\n  rule${' '.repeat(stopRule.length - 2)}count\n  ${stopRule}  2\n`,
    );
    const failures = out.slice(out.indexOf('last failures'), out.indexOf('dead-letter queue'));
    expect(failures.split('\n').slice(0, 2)).toEqual([
      'last failures (newest first): 2',
      expect.stringMatching(/^ {2}time +rule +action +resource +account +region +reason$/),
    ]);
    expect(failures).toMatch(
      new RegExp(
        `^  ${new Date(now - 10 * minute).toISOString()}  ${stopRule}  ec2.stop-instances  i-0bbb +${account}  us-east-1  IncorrectInstanceState: The instance is not in a state from which it can be stopped.\n  ${new Date(now - 20 * minute).toISOString()}  ${stopRule}  ec2.stop-instances  i-0aaa +${account}  us-east-1  UnauthorizedOperation: You are not authorized to perform this operation.\n`,
        'm',
      ),
    );
    expect(failures).not.toContain('i-0ccc');
    expect(out).toContain(
      `dead-letter queue ${names.deadLetterQueue}: 2 messages waiting, 0 in flight\n  once the cause is fixed: steward replay --dlq ${QueueUrl}\n`,
    );
    expect(out).toMatch(
      new RegExp(
        `alarms in ALARM: 1\n {2}alarm +since +reason\n {2}${names.alarmPrefix}failed-actions +\\S+ +Threshold Crossed: 1 datapoint \\[2\\.0\\] was greater than the threshold \\(0\\.0\\)\\.\n?$`,
      ),
    );

    const json = await steward('status', '--stage', stage, '--region', region, '--json');
    expect(json.code).toBe(1);
    const status = JSON.parse(json.stdout) as StageStatus;
    expect(status).toMatchObject({
      stage,
      region,
      stack: names.stack,
      namespace: { namespace, from: 'stack' },
      metrics: {
        available: true,
        value: {
          eventsByFunction: [
            { name: 'cloudtrail', count: 5 },
            { name: 'ec2State', count: 3 },
          ],
          eventsBySource: [
            { name: 'cloudtrail', count: 5 },
            { name: 'ec2-state', count: 3 },
          ],
          decodeErrorsByFunction: [{ name: 'cloudtrail', count: 1 }],
          evaluationErrorsByFunction: [],
          matchesByRule: [
            { name: stopRule, count: 3 },
            { name: tagRule, count: 1 },
          ],
          actionsByStatus: [
            { name: 'failed', count: 2 },
            { name: 'duplicate', count: 1 },
            { name: 'planned', count: 1 },
            { name: 'succeeded', count: 1 },
          ],
          failedByRule: [{ name: stopRule, count: 2 }],
        },
      },
      failures: {
        available: true,
        value: [
          {
            rule: stopRule,
            action: 'ec2.stop-instances',
            resource: 'i-0bbb',
            account,
            region,
            ledgerKey: newer,
            time: new Date(now - 10 * minute).toISOString(),
          },
          {
            rule: stopRule,
            action: 'ec2.stop-instances',
            resource: 'i-0aaa',
            account,
            region,
            ledgerKey: older,
            reason: 'UnauthorizedOperation: You are not authorized to perform this operation.',
          },
        ],
      },
      deadLetters: {
        available: true,
        value: { queue: names.deadLetterQueue, url: QueueUrl, messages: 2, inFlight: 0 },
      },
      alarms: {
        available: true,
        value: [{ name: `${names.alarmPrefix}failed-actions`, metric: 'Actions' }],
      },
    });
    expect(status.failures.available && status.failures.value).toHaveLength(2);
    expect(status.alarms.available && status.alarms.value).toHaveLength(1);

    // --namespace wins over the stack's output: the default namespace holds nothing.
    const other = await steward(
      'status',
      '--stage',
      stage,
      '--region',
      region,
      '--namespace',
      `steward/${stage}`,
    );
    expect(other.stdout).toContain(`metrics namespace steward/${stage} (--namespace)\n`);
    expect(other.stdout).toContain('events received by function: none\n');
    expect(other.stdout).toContain('last failures: none\n');
  });

  it('shows a part AWS refuses as unavailable with the reason, and still the others', async () => {
    // No stack, no queue, no ledger table: only metrics and an alarm.
    const stage = `gone${suffix}`;
    const names = deploymentNames(stage);
    const failingRule = `isolate-${suffix}`;
    await publishEmf(
      cloudWatch,
      functionLog(
        names.metricsNamespace,
        [{ metric: 'Actions', dimensions: { Rule: failingRule, Status: 'failed' }, value: 1 }],
        Date.now() - minute,
      ),
    );
    await alarm(
      `${names.alarmPrefix}failed-actions`,
      names.metricsNamespace,
      'ALARM',
      'Threshold Crossed',
    );

    const text = await steward('status', '--stage', stage, '--region', region, '--since', '30m');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `metrics namespace steward/${stage} (the default: no stack steward-${stage})\n`,
    );
    expect(text.stdout).toContain(
      `failed actions by rule: 1\n  rule${' '.repeat(failingRule.length - 4)}  count\n  ${failingRule}  1\n`,
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `^last failures: unavailable: cannot read the ledger table steward-${stage}-ledger: ResourceNotFoundException: .+$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `^dead-letter queue: unavailable: cannot read the queue steward-${stage}-dead-letters: QueueDoesNotExist: .+$`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `alarms in ALARM: 1\n {2}alarm +since +reason\n {2}steward-${stage}-failed-actions +\\S+ +Threshold Crossed\n?$`,
      ),
    );

    const status = JSON.parse(
      (await steward('status', '--stage', stage, '--region', region, '--json')).stdout,
    ) as StageStatus;
    expect(status.deadLetters).toEqual({
      available: false,
      reason: expect.stringMatching(
        new RegExp(`^cannot read the queue steward-${stage}-dead-letters: QueueDoesNotExist: `),
      ),
    });
    expect(status.failures).toMatchObject({
      available: false,
      reason: expect.stringContaining(`steward-${stage}-ledger`),
    });
    expect(status.metrics.available).toBe(true);
    expect(status.alarms.available && status.alarms.value.map((firing) => firing.name)).toEqual([
      `steward-${stage}-failed-actions`,
    ]);
  });
  it('exits 0 for a quiet stage: everything read, nothing failed, nothing dead-lettered', async () => {
    const stage = `quiet${suffix}`;
    const names = deploymentNames(stage);
    await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueue }));
    await new Ledger(dynamoDB, { tableName: names.ledgerTable }).ensureTable();
    await alarm(
      `${names.alarmPrefix}failed-actions`,
      names.metricsNamespace,
      'OK',
      'no datapoints',
    );
    await publishEmf(
      cloudWatch,
      functionLog(
        names.metricsNamespace,
        [{ metric: 'Matches', dimensions: { Rule: `quiet-${suffix}` }, value: 2 }],
        Date.now() - minute,
      ),
    );

    const run = await steward('status', '--stage', stage, '--region', region);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(row(`quiet-${suffix}`, 2));
    expect(run.stdout).toContain('last failures: none\n');
    expect(run.stdout).toContain(
      `dead-letter queue ${names.deadLetterQueue}: 0 messages waiting, 0 in flight\n`,
    );
    expect(run.stdout).toMatch(/alarms in ALARM: none\n?$/);
    expect(run.code).toBe(0);
  });
});
