/**
 * A CloudTrail log file as a busy trail writes one: mostly read calls nobody watches
 * (Describe*, Get*, List*, AssumeRole, Decrypt), from assumed roles and AWS services, with the
 * fields real records carry (session context, TLS details, user agents, request ids), and a
 * few percent of writes. Seeded, so every run reads the same file; written through a gzip
 * stream, so the generator never holds the file either.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { seededRandom } from './generate.js';

const reads: readonly [string, string][] = [
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['ec2.amazonaws.com', 'DescribeVolumes'],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces'],
  ['sts.amazonaws.com', 'AssumeRole'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['kms.amazonaws.com', 'GenerateDataKey'],
  ['s3.amazonaws.com', 'GetBucketAcl'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['iam.amazonaws.com', 'GetRole'],
  ['iam.amazonaws.com', 'ListAttachedRolePolicies'],
  ['logs.amazonaws.com', 'DescribeLogGroups'],
  ['lambda.amazonaws.com', 'ListFunctions20150331'],
  ['secretsmanager.amazonaws.com', 'GetSecretValue'],
  ['ssm.amazonaws.com', 'GetParameter'],
  ['cloudtrail.amazonaws.com', 'LookupEvents'],
  ['monitoring.amazonaws.com', 'GetMetricData'],
];
const writes: readonly [string, string][] = [
  ['ec2.amazonaws.com', 'CreateTags'],
  ['ec2.amazonaws.com', 'RunInstances'],
  ['s3.amazonaws.com', 'PutBucketTagging'],
  ['logs.amazonaws.com', 'CreateLogStream'],
  ['ssm.amazonaws.com', 'PutParameter'],
];
const roles = ['Admin', 'Developer', 'ReadOnly', 'ci-deploy', 'eks-node', 'lambda-exec'];
const agents = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023',
  'Boto3/1.34.51 Python/3.12.2 Linux/5.10.210 Botocore/1.34.51',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213 lang/js md/nodejs#20.11.1 api/ec2#3.540.0',
  'console.amazonaws.com',
  'terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws)',
];
const accounts = ['111122223333', '444455556666', '777788889999'];
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

function hex(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    text += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return text.slice(0, length);
}

function uuid(random: () => number): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-8${hex(random, 3)}-${hex(random, 12)}`;
}

function requestParameters(
  eventName: string,
  random: () => number,
): Record<string, unknown> | null {
  switch (eventName) {
    case 'DescribeInstances':
      return {
        instancesSet: { items: [{ instanceId: `i-${hex(random, 17)}` }] },
        filterSet: { items: [{ name: 'tag:Team', valueSet: { items: [{ value: 'payments' }] } }] },
      };
    case 'AssumeRole':
      return {
        roleArn: `arn:aws:iam::${accounts[0]}:role/${roles[Math.floor(random() * roles.length)]}`,
        roleSessionName: `session-${hex(random, 8)}`,
        durationSeconds: 3600,
      };
    case 'Decrypt':
    case 'GenerateDataKey':
      return {
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        encryptionContext: {
          'aws:lambda:FunctionArn': `arn:aws:lambda:us-east-1:${accounts[0]}:function:f-${hex(random, 6)}`,
        },
      };
    case 'GetBucketAcl':
    case 'PutBucketTagging':
      return { bucketName: `data-${hex(random, 6)}`, Host: 's3.amazonaws.com', acl: '' };
    case 'GetParameter':
    case 'PutParameter':
      return { name: `/app/${hex(random, 4)}/db-url`, withDecryption: true };
    case 'CreateTags':
      return {
        resourcesSet: { items: [{ resourceId: `i-${hex(random, 17)}` }] },
        tagSet: { items: [{ key: 'Owner', value: 'team-a' }] },
      };
    case 'ListBuckets':
    case 'GetCallerIdentity':
      return null;
    default:
      return { maxResults: 50 + Math.floor(random() * 50) };
  }
}

/**
 * One record; `i` sets its time and source address.
 *
 * @example
 * const record = trailRecord(0, seededRandom(1));
 */
export function trailRecord(i: number, random: () => number): Record<string, unknown> {
  const pool = random() < 0.96 ? reads : writes;
  const [eventSource, eventName] = pool[Math.floor(random() * pool.length)] as [string, string];
  const account = accounts[Math.floor(random() * accounts.length)] as string;
  const region = regions[Math.floor(random() * regions.length)] as string;
  const role = roles[Math.floor(random() * roles.length)] as string;
  const service = random() < 0.2;
  const time = new Date(Date.UTC(2025, 0, 15, 10) + i * 3).toISOString().replace(/\.\d+Z$/, 'Z');
  const userIdentity = service
    ? { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }
    : {
        type: 'AssumedRole',
        principalId: `AROA${hex(random, 16).toUpperCase()}:session-${hex(random, 6)}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${hex(random, 6)}`,
        accountId: account,
        accessKeyId: `ASIA${hex(random, 16).toUpperCase()}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: time, mfaAuthenticated: 'false' },
        },
      };
  return {
    eventVersion: '1.09',
    userIdentity,
    eventTime: time,
    eventSource,
    eventName,
    awsRegion: region,
    sourceIPAddress: service
      ? 'ec2.amazonaws.com'
      : `10.${i % 256}.${(i >> 8) % 256}.${Math.floor(random() * 256)}`,
    userAgent: service ? 'ec2.amazonaws.com' : agents[Math.floor(random() * agents.length)],
    requestParameters: requestParameters(eventName, random),
    responseElements: null,
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly: !writes.some(([, name]) => name === eventName),
    eventType: 'AwsApiCall',
    managementEvent: true,
    // The file is the first account's (its key names it): calls from the others are cross-account.
    recipientAccountId: accounts[0],
    eventCategory: 'Management',
    // CloudTrail leaves tlsDetails out for calls that did not come over TLS to a public endpoint.
    tlsDetails:
      service || random() < 0.5
        ? undefined
        : {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${eventSource.split('.')[0]}.${region}.amazonaws.com`,
          },
  };
}

export interface TrailFile {
  records: number;
  /** The file as written: gzip. */
  gzipBytes: number;
  /** The JSON inside. */
  jsonBytes: number;
}

/**
 * Writes a gzipped log file of `records` records to `path`, made by `recordOf` (by default
 * `trailRecord`).
 *
 * @example
 * const { gzipBytes } = await writeTrailFile('/tmp/trail.json.gz', 500_000);
 */
export async function writeTrailFile(
  path: string,
  records: number,
  seed = 4242,
  recordOf: (i: number, random: () => number) => Record<string, unknown> = trailRecord,
): Promise<TrailFile> {
  const random = seededRandom(seed);
  const gzip = createGzip();
  const out = createWriteStream(path);
  gzip.pipe(out);
  let jsonBytes = 0;
  const write = async (text: string) => {
    jsonBytes += Buffer.byteLength(text);
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  await write('{"Records":[');
  const batch: string[] = [];
  for (let i = 0; i < records; i += 1) {
    batch.push(JSON.stringify(recordOf(i, random)));
    if (batch.length === 1000 || i === records - 1) {
      await write((i < 1000 ? '' : ',') + batch.join(','));
      batch.length = 0;
    }
  }
  await write(']}');
  gzip.end();
  await once(out, 'finish');
  return { records, gzipBytes: out.bytesWritten, jsonBytes };
}
