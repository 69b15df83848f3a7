import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestReducerHandler, backtestWorkerHandler } from '../../src/backtest/aws/handlers.js';
import type { BacktestRunInput } from '../../src/backtest/aws/messages.js';
import type { ReducedRun } from '../../src/backtest/aws/reducer.js';
import { findBacktestStack } from '../../src/backtest/aws/stack.js';
import { backtestOnAws } from '../../src/cli/backtest-on-aws.js';
import { UsageError, type Output } from '../../src/cli/output.js';
import { repoPath } from '../support/files.js';
import { organization, organizationTree, scratch } from '../backtest/run-support.js';
import { region, useMoto } from './harness.js';

let s3: S3Client;
let cloudFormation: CloudFormationClient;
const trailBucket = `steward-cli-trail-${randomUUID().slice(0, 8)}`;
const stage = `t${randomUUID().slice(0, 6)}`;

/** The backtest stack as `sls deploy` would leave it, in moto: its bucket, state machine and outputs. */
async function deployStack(): Promise<void> {
  const definition = await readFile(repoPath('backtest/state-machine.asl.json'), 'utf8');
  const template = {
    Resources: {
      ResultsBucket: { Type: 'AWS::S3::Bucket' },
      BacktestStateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: `steward-backtest-${stage}`,
          RoleArn: 'arn:aws:iam::123456789012:role/steward-backtest',
          DefinitionString: definition,
          DefinitionSubstitutions: {
            WorkerFunctionArn: `arn:aws:lambda:${region}:123456789012:function:worker`,
            ReducerFunctionArn: `arn:aws:lambda:${region}:123456789012:function:reducer`,
            ResultsBucket: { Ref: 'ResultsBucket' },
          },
        },
      },
    },
    Outputs: {
      StateMachineArn: { Value: { Ref: 'BacktestStateMachine' } },
      ResultsBucketName: { Value: { Ref: 'ResultsBucket' } },
      TrailBucketName: { Value: trailBucket },
    },
  };
  const { StackId } = await cloudFormation.send(
    new CreateStackCommand({
      StackName: `steward-backtest-${stage}`,
      TemplateBody: JSON.stringify(template),
    }),
  );
  expect(StackId).toBeDefined();
}

function capture(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

beforeAll(async () => {
  await useMoto();
  s3 = new S3Client({ region, forcePathStyle: true });
  cloudFormation = new CloudFormationClient({ region });
  await s3.send(new CreateBucketCommand({ Bucket: trailBucket }));
  for (const { key, bytes } of organizationTree(2))
    await s3.send(new PutObjectCommand({ Bucket: trailBucket, Key: key, Body: bytes }));
  await deployStack();
});

describe('steward backtest --on-aws against moto (CloudFormation, Step Functions, S3)', () => {
  it('says to deploy backtest/ first when the stage has no stack', async () => {
    const run = backtestOnAws([`s3://${trailBucket}/AWSLogs/`, '--stage', 'nowhere'], capture());
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(
      'no backtest stack steward-backtest-nowhere in us-east-1 to run on: it does not exist; deploy it first: cd backtest && npx sls deploy --stage nowhere --region us-east-1 --param="trailBucket=BUCKET"',
    );
  });

  it('names the stack it could not look up, and why', async () => {
    const unreachable = new CloudFormationClient({
      region,
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    await expect(
      backtestOnAws([`s3://${trailBucket}/AWSLogs/`, '--stage', stage], capture(), {
        clients: { cloudFormation: unreachable, sfn: new SFNClient({ region }), s3 },
      }),
    ).rejects.toThrow(
      new RegExp(
        `^cannot look up the backtest stack steward-backtest-${stage} in us-east-1: .*ECONNREFUSED`,
      ),
    );
  });

  it('refuses a bucket the stack was not deployed to read', async () => {
    await expect(
      backtestOnAws(['s3://another-bucket/AWSLogs/', '--stage', stage], capture()),
    ).rejects.toThrow(
      `steward-backtest-${stage} may read s3://${trailBucket} only, not s3://another-bucket: deploy it again with --param="trailBucket=another-bucket"`,
    );
  });

  it('refuses bad options, naming them', async () => {
    const cases: [string[], string][] = [
      [
        ['s3://b/p', '--max-concurrency', '0'],
        '--max-concurrency "0": expected a whole number from 1 to 10,000',
      ],
      [
        ['s3://b/p', '--since', 'last week'],
        '--since: "last week" is not a day (2026-10-01), an ISO 8601 time or a duration back from now (30d, 12h)',
      ],
      [['trail/'], 'trail/: --on-aws reads a trail in S3: expected s3://BUCKET/PREFIX'],
      [['s3://b/p', 's3://c/q'], '--on-aws takes one s3://BUCKET/PREFIX, got 2'],
      [
        ['s3://b/p', '--since', '2026-10-02', '--until', '2026-10-01'],
        '--since 2026-10-02T00:00:00.000Z is not before --until 2026-10-01T00:00:00.000Z',
      ],
      [
        ['s3://b/p', '--facts', 'f.json'],
        '--facts: lazy facts are not answered on AWS (their events count as needing live state); backtest locally to give them',
      ],
      [
        ['s3://b/p', '--rules', 'rules'],
        '--rules: a backtest on AWS runs the rules backtest/ was deployed with',
      ],
      [['s3://b/p', '--workers', '4'], '--workers: only a local backtest takes it'],
      [['s3:///p'], 's3:///p: no bucket name: expected s3://bucket/prefix'],
      [['s3://b/p', '--accounts', ','], '--accounts: expected a comma-separated list, got ""'],
    ];
    for (const [args, message] of cases)
      await expect(backtestOnAws(args, capture()), args.join(' ')).rejects.toThrow(message);
    await expect(backtestOnAws(['s3://b/p', '--bogus'], capture())).rejects.toMatchObject({
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
  });

  it('starts an execution of the stack’s state machine with the query, and reports it stopped', async () => {
    const sfn = new SFNClient({ region });
    const output = capture();
    const run = backtestOnAws(
      [
        '--on-aws',
        `s3://${trailBucket}/AWSLogs/${organization}/`,
        '--stage',
        stage,
        '--since',
        '2026-10-02',
        '--accounts',
        '444455556666, 111122223333',
        '--rule',
        'cloudtrail-logging-stopped',
        '--max-concurrency',
        '250',
      ],
      output,
      { pollMs: 20, clients: { cloudFormation, sfn, s3 } },
    );
    // moto starts executions but never runs them: this one stays RUNNING until stopped.
    let executionArn: string | undefined;
    while (executionArn === undefined) {
      const { executions } = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: `arn:aws:states:${region}:123456789012:stateMachine:steward-backtest-${stage}`,
        }),
      );
      executionArn = executions?.[0]?.executionArn;
    }
    const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const started = JSON.parse(input ?? '{}') as BacktestRunInput;
    expect(started).toEqual({
      runId: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{6}$/),
      bucket: trailBucket,
      prefix: `AWSLogs/${organization}/`,
      query: {
        sources: [`s3://${trailBucket}/AWSLogs/${organization}/`],
        since: '2026-10-02T00:00:00.000Z',
        accounts: ['444455556666', '111122223333'],
        ruleIds: ['cloudtrail-logging-stopped'],
      },
      resultsPrefix: `runs/${started.runId}/`,
      maxConcurrency: 250,
    });
    expect(executionArn.endsWith(`:${started.runId}`)).toBe(true);
    // Stopped once the command has seen it running, so that its progress line is there to check.
    while (!output.stderr.some((line) => line.startsWith('backtest on AWS: RUNNING, ')))
      await new Promise((resolve) => setTimeout(resolve, 20));
    await sfn.send(new StopExecutionCommand({ executionArn }));

    expect(await run).toBe(1);
    expect(output.stderr[0]).toBe(`backtest run ${started.runId} on AWS: ${executionArn}`);
    expect(output.stderr).toContain(`backtest run ${started.runId} ABORTED`);
    expect(output.stderr.some((line) => line.startsWith('backtest on AWS: RUNNING, '))).toBe(true);
    expect(output.stdout).toEqual([]);
  });

  it('shows the map run’s progress, prints the report’s place and downloads it when the run succeeds', async () => {
    const stackResults = (await findBacktestStack(cloudFormation, stage, region)).resultsBucket;
    const { sfn, sfnMock, reduced: reducedRun } = await stepFunctionsRunning(stackResults);
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .callsFake(async () => ({ status: 'SUCCEEDED', output: JSON.stringify(reducedRun()) }));
    sfnMock.on(ListMapRunsCommand).resolves({
      mapRuns: [
        {
          mapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:x/y:z',
          executionArn: 'x',
          stateMachineArn: 'y',
          startDate: new Date(),
        },
      ],
    });
    sfnMock
      .on(DescribeMapRunCommand)
      .resolvesOnce({
        itemCounts: {
          total: 8,
          succeeded: 3,
          failed: 1,
          pending: 4,
          running: 0,
          timedOut: 0,
          aborted: 0,
          resultsWritten: 0,
        },
      })
      .resolves({
        itemCounts: {
          total: 8,
          succeeded: 8,
          failed: 0,
          pending: 0,
          running: 0,
          timedOut: 0,
          aborted: 0,
          resultsWritten: 8,
        },
      });

    const dir = await scratch('backtest-on-aws');
    const output = capture();
    const status = await backtestOnAws(
      [
        `s3://${trailBucket}/AWSLogs/`,
        '--stage',
        stage,
        '--json',
        join(dir, 'r.json'),
        '--html',
        join(dir, 'r.html'),
      ],
      output,
      { pollMs: 1, clients: { cloudFormation, sfn, s3 } },
    );
    expect(status).toBe(0);
    const reduced = reducedRun();
    expect(reduced).toBeDefined();
    const runId = reduced?.runId ?? '';
    expect(output.stderr).toContain('backtest on AWS: RUNNING, files 4/8 (50 %), 1 failed, 0 s');
    expect(output.stderr).toContain('backtest on AWS: SUCCEEDED, files 8/8 (100 %), 0 s');
    expect(output.stdout).toEqual([
      '8 log files (0 unreadable), 96 records (0 not decoded), 96 events evaluated, 32 matched a rule',
      'matches by rule:',
      '  cis-aws-4-5                     24',
      '  cloudtrail-logging-stopped      24',
      '  iam-user-or-access-key-created  8',
      `report: s3://${stackResults}/runs/${runId}/report.json`,
      `        s3://${stackResults}/runs/${runId}/report.html`,
    ]);
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'));
    expect(report.totals).toEqual(reduced?.totals);
    expect(await readFile(join(dir, 'r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('exits 1 when the run met a file it could not read, prints the report with --json -, and names a file it cannot write', async () => {
    const broken = `AWSLogs/${organization}/111122223333/CloudTrail/eu-west-1/2026/10/05/111122223333_CloudTrail_eu-west-1_20261005T1000Z_0.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: trailBucket, Key: broken, Body: 'not gzip' }));
    const stackResults = (await findBacktestStack(cloudFormation, stage, region)).resultsBucket;
    const { sfn, sfnMock, reduced } = await stepFunctionsRunning(stackResults);
    sfnMock
      .on(DescribeExecutionCommand)
      .callsFake(async () => ({ status: 'SUCCEEDED', output: JSON.stringify(reduced()) }));
    sfnMock.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    const prefix = `s3://${trailBucket}/AWSLogs/${organization}/111122223333/CloudTrail/eu-west-1/2026/10/05/`;
    const output = capture();
    const status = await backtestOnAws([prefix, '--stage', stage, '--json', '-'], output, {
      pollMs: 1,
      clients: { cloudFormation, sfn, s3 },
    });
    expect(status).toBe(1);
    // --json - makes stdout the report's, and the summary goes to stderr.
    expect(JSON.parse(output.stdout.join(''))).toMatchObject({
      totals: { files: 0, unreadableFiles: 1 },
      errors: [{ where: `s3://${trailBucket}/${broken}` }],
    });
    expect(output.stderr).toContain(
      '0 log files (1 unreadable), 0 records (0 not decoded), 0 events evaluated, 0 matched a rule',
    );
    expect(output.stderr).toContain('no rule matched');
    expect(output.stderr).toContain('backtest on AWS: SUCCEEDED, 0 s');

    const nowhere = join(await scratch('backtest-on-aws'), 'missing', 'r.html');
    await expect(
      backtestOnAws([prefix, '--stage', stage, '--html', nowhere], capture(), {
        pollMs: 1,
        clients: { cloudFormation, sfn, s3 },
      }),
    ).rejects.toThrow(
      new RegExp(
        `^could not write s3://${stackResults}/runs/[^/]+/report\\.html to ${nowhere}: ENOENT`,
      ),
    );
  });
});

/**
 * A Step Functions client that does what moto cannot (run the Distributed Map, ListMapRuns,
 * DescribeMapRun): its StartExecution runs the real worker on every object of the prefix and
 * the real reducer, on moto S3. `reduced` is what the reducer returned.
 */
async function stepFunctionsRunning(stackResults: string) {
  const sfn = new SFNClient({ region });
  const sfnMock = mockClient(sfn);
  let reduced: ReducedRun | undefined;
  sfnMock.on(StartExecutionCommand).callsFake(async (command: { input: string; name: string }) => {
    const input = JSON.parse(command.input) as BacktestRunInput;
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix }),
    );
    await backtestWorkerHandler()({
      Items: Contents.map((object) => ({ Key: object.Key, Size: object.Size })),
      BatchInput: {
        runId: input.runId,
        bucket: input.bucket,
        query: input.query,
        resultsBucket: stackResults,
        resultsPrefix: input.resultsPrefix,
      },
    });
    reduced = await backtestReducerHandler()({
      runId: input.runId,
      query: input.query,
      resultsBucket: stackResults,
      resultsPrefix: input.resultsPrefix,
    });
    return {
      executionArn: `arn:aws:states:${region}:123456789012:execution:x:${command.name}`,
    };
  });
  return { sfn, sfnMock, reduced: () => reduced };
}
