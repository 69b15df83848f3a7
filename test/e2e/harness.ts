import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { inject } from 'vitest';
import type { ActionReport, PipelineReport } from '../../src/pipeline.js';
import { repoPath, rulePackFileOf, sampleEvent } from '../support/files.js';

export const region = 'us-east-1';
/** moto's default account, which the samples in `events/` use too. */
export const account = '123456789012';

/** The endpoint of the run's moto server; throws the reason when moto could not be started. */
export function motoEndpoint(): string {
  const moto = inject('moto');
  if ('error' in moto)
    throw new Error(`moto is not available, so the e2e tests cannot run: ${moto.error}`);
  return moto.endpoint;
}

export interface MotoEnvironment {
  endpoint: string;
  /** `STEWARD_DATA_DIR`: where an embedded ledger would go; must stay empty. */
  dataDir: string;
  ledgerTable: string;
}

/**
 * Points this test file's process at moto: every SDK client (`AWS_ENDPOINT_URL`, or only
 * DynamoDB and EC2 with `services`), dummy credentials, us-east-1, live execution, a ledger
 * table of its own and the rule pack of `rulesDir` (default: the shipped rules). Call before the first handler invocation: the
 * handlers build their runtime (rules, ledger, clients) on their first event.
 */
export async function useMoto(
  options: { rulesDir?: string; services?: readonly string[] } = {},
): Promise<MotoEnvironment> {
  const endpoint = motoEndpoint();
  const dataDir = await mkdtemp(join(tmpdir(), 'steward-e2e-data-'));
  const ledgerTable = `steward-e2e-${randomUUID()}`;
  for (const name of [
    'AWS_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_LAMBDA_FUNCTION_NAME',
    'STEWARD_LEASE_SECONDS',
    'STEWARD_ACCOUNT_ID',
    'STEWARD_CLOUDTRAIL_LOG_GROUPS',
  ]) {
    Reflect.deleteProperty(process.env, name);
  }
  if (options.services === undefined) process.env.AWS_ENDPOINT_URL = endpoint;
  else
    for (const service of options.services)
      process.env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = endpoint;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    STEWARD_LIVE: 'true',
    STEWARD_DATA_DIR: dataDir,
    STEWARD_LEDGER_TABLE: ledgerTable,
    STEWARD_LISTS_FILE: repoPath('config/lists.yaml'),
  });
  // The handlers read the rule pack, as in Lambda: written here from the rules directory.
  process.env.STEWARD_RULE_PACK = await rulePackFileOf(options.rulesDir ?? repoPath('rules'));
  return { endpoint, dataDir, ledgerTable };
}

/**
 * A copy of the shipped rule pack in a temp directory, with the named rules switched from
 * `mode: dry-run` to `mode: enforce`, so their actions really run against moto.
 */
export async function rulePackEnforcing(ruleFiles: readonly string[]): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'steward-e2e-rules-')), 'rules');
  await cp(repoPath('rules'), dir, { recursive: true });
  for (const file of ruleFiles) {
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    if (!/^mode: dry-run$/m.test(text)) throw new Error(`${file} is no longer a dry-run rule`);
    await writeFile(path, text.replace(/^mode: dry-run$/m, 'mode: enforce'));
  }
  return dir;
}

/** A rule pack of one rule file, in a temp directory. */
export async function rulePackOf(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-e2e-rules-'));
  await writeFile(join(dir, name), text);
  return dir;
}

/** The files an embedded (dynalite) ledger would have written: none, when moto holds the ledger. */
export async function embeddedLedgerFiles(dataDir: string): Promise<string[]> {
  return readdir(dataDir);
}

/** The little of a Lambda context the handlers use. */
export function lambdaContext(requestId: string = randomUUID()): Context {
  const context: Pick<
    Context,
    'awsRequestId' | 'functionName' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'
  > = {
    awsRequestId: requestId,
    functionName: 'steward-e2e',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:steward-e2e`,
    getRemainingTimeInMillis: () => 60_000,
  };
  return context as Context;
}

/** A deep copy of a sample of `events/`, to swap its ids for moto's. */
export function sample<T = Record<string, unknown>>(name: string): T {
  return structuredClone(sampleEvent(name)) as T;
}

/** A CloudTrail record in its EventBridge envelope ("AWS API Call via CloudTrail"). */
export interface CloudTrailEnvelope {
  id: string;
  time: string;
  resources: string[];
  detail: CloudTrailRecord;
  [key: string]: unknown;
}

export interface CloudTrailRecord {
  eventID: string;
  eventTime: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  [key: string]: unknown;
}

/**
 * A sample "AWS API Call via CloudTrail" envelope with fresh event ids (so each test's event
 * is new to the ledger) and its request and response changed by `edit`.
 */
export function cloudTrailEvent(
  name: string,
  edit: (record: CloudTrailRecord) => void = () => undefined,
): CloudTrailEnvelope {
  const envelope = sample<CloudTrailEnvelope>(name);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  envelope.id = randomUUID();
  envelope.time = now;
  envelope.detail.eventID = randomUUID();
  envelope.detail.eventTime = now;
  edit(envelope.detail);
  return envelope;
}

/** An EventBridge "EC2 Instance State-change Notification" for an instance of moto's. */
export function ec2StateChange(instanceId: string, state = 'running') {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account,
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  };
}

/** Launches one instance in moto and returns its id. */
export async function launchInstance(ec2: EC2Client): Promise<string> {
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const launched = await ec2.send(
    new RunInstancesCommand({
      ImageId: images.Images?.[0]?.ImageId ?? 'ami-12c6146b',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
    }),
  );
  const instanceId = launched.Instances?.[0]?.InstanceId;
  if (instanceId === undefined) throw new Error('moto launched no instance');
  return instanceId;
}

/**
 * The sample record of an AuthorizeSecurityGroupIngress opening tcp 22 to the world, naming
 * moto's group and the rule moto gave it.
 */
export function worldOpenSshEvent(groupId: string, ruleId: string): CloudTrailEnvelope {
  return cloudTrailEvent('cloudtrail-authorize-sg-ingress-world-ssh.json', (record) => {
    (record.requestParameters as { groupId: string }).groupId = groupId;
    const response = record.responseElements as {
      securityGroupRuleSet: { items: { groupId: string; securityGroupRuleId: string }[] };
    };
    for (const item of response.securityGroupRuleSet.items) {
      item.groupId = groupId;
      item.securityGroupRuleId = ruleId;
    }
  });
}

/** The actions a rule took on the first event of a report. */
export function actionsOf(report: PipelineReport, rule: string, event = 0): ActionReport[] {
  const match = report.events[event]?.matches.find((candidate) => candidate.rule === rule);
  if (match === undefined) {
    throw new Error(
      `rule ${rule} did not fire; fired: ${report.events[event]?.matches.map((m) => m.rule).join(', ') || 'none'}`,
    );
  }
  return match.actions;
}

/** The first element, which the test needs to be there. */
export function first<T>(items: readonly T[] | undefined, what: string): T {
  const item = items?.[0];
  if (item === undefined) throw new Error(`no ${what}`);
  return item;
}

/** A unique, readable name for a resource of one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * An HTTP proxy in front of moto that forwards one request at a time. moto's DynamoDB reads an
 * item, checks a ConditionExpression and writes the item without a lock, while moto_server
 * serves requests on many threads, so two concurrent conditional writes to one item can both
 * succeed: on DynamoDB they cannot. Serialized, every conditional write sees the one before it,
 * as on DynamoDB; steward's concurrency (many deliveries interleaving) is untouched.
 */
export async function serializingProxy(
  target: string,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const upstream = new URL(target);
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forward = () =>
        new Promise<void>((resolve) => {
          const proxied = request(
            {
              host: upstream.hostname,
              port: upstream.port,
              method: incoming.method,
              path: incoming.url,
              headers: incoming.headers,
            },
            (response) => {
              outgoing.writeHead(response.statusCode ?? 502, response.headers);
              response.pipe(outgoing);
              response.on('end', resolve);
              response.on('error', resolve);
            },
          );
          proxied.on('error', (error) => {
            outgoing.writeHead(502).end(String(error));
            resolve();
          });
          proxied.end(Buffer.concat(chunks));
        });
      queue = queue.then(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
