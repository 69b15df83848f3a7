import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../src/aws-clients.js';
import { offlineFacts } from '../src/facts/sidecar.js';
import type { PipelineReport } from '../src/pipeline.js';
import { steward } from './cli/support.js';
import { repoPath, rulePackFileOf } from './support/files.js';
import { invocationSamples } from './support/samples.js';

type Handler = (event: unknown, context: Context) => Promise<PipelineReport>;

const samples = invocationSamples();
const credentialVariables = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];
const saved = new Map(credentialVariables.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  // Offline as a newcomer's machine is: no credentials anywhere the SDK looks.
  const home = await mkdtemp(join(tmpdir(), 'steward-offline-'));
  for (const name of credentialVariables) Reflect.deleteProperty(process.env, name);
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.STEWARD_DATA_DIR = join(home, 'ledger');
  process.env.STEWARD_RULE_PACK = await rulePackFileOf(repoPath('rules'));
});

afterAll(() => {
  for (const [name, value] of saved)
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  for (const name of ['IS_LOCAL', 'AWS_LAMBDA_FUNCTION_NAME', 'STEWARD_EVENT_FILE'])
    Reflect.deleteProperty(process.env, name);
});

/** The payload as `sls invoke local -p` reads it: the file's text, parsed when it is JSON. */
async function payloadOf(file: string): Promise<unknown> {
  const text = await readFile(repoPath(`events/${file}`), 'utf8');
  return JSON.parse(text) as unknown;
}

/** A handler invoked as `sls invoke local` invokes it, with the logs it wrote. */
async function invokeLocal(
  functionName: string,
  file: string,
  eventFile = repoPath(`events/${file}`),
): Promise<{ report: PipelineReport; logs: string[] }> {
  process.env.IS_LOCAL = 'true';
  process.env.AWS_LAMBDA_FUNCTION_NAME = `steward-dev-${functionName}`;
  process.env.STEWARD_EVENT_FILE = eventFile;
  const { handler } = (await import(`../handlers/${functionName}.ts`)) as { handler: Handler };
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const report = await handler(await payloadOf(file), {
      awsRequestId: `invoke-local-${file}`,
      functionName: `steward-dev-${functionName}`,
      getRemainingTimeInMillis: () => 60_000,
    } as Context);
    return { report, logs: log.mock.calls.map((call) => String(call[0])) };
  } finally {
    log.mockRestore();
  }
}

describe('every sample of events/', () => {
  it('has a function in events/functions.yaml, and every function exists', async () => {
    const declared = await readFile(repoPath('serverless.yml'), 'utf8');
    expect(samples.length).toBeGreaterThan(40);
    for (const sample of samples) expect(declared).toContain(`\n  ${sample.function}:\n`);
    expect(samples.find((sample) => sample.file === 'ec2-running.json')?.function).toBe('ec2State');
    expect(samples.some((sample) => sample.file.endsWith('.facts.json'))).toBe(false);
  });

  it.each(samples)('$file runs with steward run offline, exit 0', async ({ file }) => {
    const run = await steward('run', repoPath(`events/${file}`), '--json');
    expect(run.stderr.replace(/^facts .* \(no AWS credentials\)\n/, '')).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as PipelineReport).errors).toEqual([]);
  });

  it.each(samples)(
    '$file runs in its function as sls invoke local runs it, without errors',
    async ({ file, function: functionName }) => {
      const { report } = await invokeLocal(functionName, file);
      expect(report.errors).toEqual([]);
    },
  );

  it('the CloudTrail log file runs with steward run offline, exit 0', async () => {
    const run = await steward('run', repoPath('events/cloudtrail-log-file.json.gz'), '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('the fact sidecar of events/ec2-running.json', () => {
  it('gives steward run the instance, and stderr says so', async () => {
    const run = await steward('run', repoPath('events/ec2-running.json'));
    expect(run.stderr).toBe(
      `facts instance from ${repoPath('events/ec2-running.facts.json')} (no AWS credentials)\n`,
    );
    expect(run.stdout).toContain('rule ec2-running-without-owner');
    expect(run.stdout).toContain('with steward:violation=missing-owner-tag');
  });

  it('gives the handler the instance, and its log says so', async () => {
    const { report, logs } = await invokeLocal('ec2State', 'ec2-running.json');
    expect(logs[0]).toBe(
      JSON.stringify({
        message: `steward facts instance from ${repoPath('events/ec2-running.facts.json')} (no AWS credentials)`,
      }),
    );
    expect(report.events[0]?.matches.map((match) => match.rule)).toEqual([
      'ec2-quarantined-instance-started',
      'ec2-running-without-owner',
    ]);
  });

  it('is not used when there are credentials: the facts are then read from AWS', async () => {
    const event = repoPath('events/ec2-running.json');
    expect(await offlineFacts(event, new AwsClients('us-east-1'))).toEqual({
      file: repoPath('events/ec2-running.facts.json'),
      facts: { instance: expect.objectContaining({ tags: { Name: 'web-1' } }) as unknown },
    });
    const clients = new AwsClients('us-east-1');
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'example';
    try {
      expect(await offlineFacts(event, clients)).toBeUndefined();
    } finally {
      Reflect.deleteProperty(process.env, 'AWS_ACCESS_KEY_ID');
      Reflect.deleteProperty(process.env, 'AWS_SECRET_ACCESS_KEY');
    }
  });

  it('that is broken makes steward run a usage error naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-sidecar-'));
    const event = join(dir, 'ec2-running.json');
    await writeFile(event, await readFile(repoPath('events/ec2-running.json')));
    await writeFile(join(dir, 'ec2-running.facts.json'), '{"instanse": {}}');
    const run = await steward('run', event);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `steward run: ${join(dir, 'ec2-running.facts.json')}: unknown facts instanse; lazy facts: instance, securityGroup, launchedBy, trail, logGroup\n`,
    );
  });

  it('that is broken is logged by the handler, which then reads the facts as without it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-sidecar-'));
    await writeFile(join(dir, 'ec2-running.facts.json'), '{"instance": ');
    const { report, logs } = await invokeLocal(
      'ec2State',
      'ec2-running.json',
      join(dir, 'ec2-running.json'),
    );
    expect(logs[0]).toBe(
      JSON.stringify({
        message: 'steward fact sidecar unusable',
        error: `${join(dir, 'ec2-running.facts.json')}: invalid JSON at line 1, column 14: unexpected end of input`,
      }),
    );
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'evaluation',
        message: expect.stringMatching(
          /^rule ec2-running-without-owner could not be evaluated: fact instance could not be read/,
        ) as unknown,
      }),
    ]);
  });
});
