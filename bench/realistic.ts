/**
 * CloudTrail records as a real organisation trail delivers them: about 70 % read calls no rule
 * watches (Describe*, Get*, List*, AssumeRole, Decrypt…), the rest the write calls the
 * benchmark's rules listen to; every record with its own source address, user agent, session,
 * access key, request and event id, and the request and response shape of its API. Seeded, so
 * every run reads the same records; nothing is drawn from a small pool a cache could learn.
 */
import { accounts, cloudTrailEvents, seededRandom } from './generate.js';

/** Read calls as busy accounts make them, with their share of a trail's reads. */
const unwatchedReads: readonly (readonly [string, string, number])[] = [
  ['sts.amazonaws.com', 'AssumeRole', 14],
  ['kms.amazonaws.com', 'Decrypt', 12],
  ['ec2.amazonaws.com', 'DescribeInstances', 9],
  ['s3.amazonaws.com', 'GetBucketAcl', 6],
  ['kms.amazonaws.com', 'GenerateDataKey', 6],
  ['sts.amazonaws.com', 'GetCallerIdentity', 5],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', 5],
  ['ssm.amazonaws.com', 'GetParameter', 5],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', 5],
  ['logs.amazonaws.com', 'DescribeLogGroups', 4],
  ['iam.amazonaws.com', 'GetRole', 4],
  ['iam.amazonaws.com', 'ListAttachedRolePolicies', 3],
  ['ec2.amazonaws.com', 'DescribeVolumes', 3],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', 3],
  ['lambda.amazonaws.com', 'ListFunctions20150331', 3],
  ['s3.amazonaws.com', 'ListBuckets', 3],
  ['monitoring.amazonaws.com', 'GetMetricData', 3],
  ['cloudtrail.amazonaws.com', 'LookupEvents', 2],
  ['dynamodb.amazonaws.com', 'DescribeTable', 2],
  ['ecr.amazonaws.com', 'GetAuthorizationToken', 2],
];
const readWeights = unwatchedReads.reduce((sum, [, , weight]) => sum + weight, 0);

const roles = ['Admin', 'Developer', 'ReadOnly', 'ci-deploy', 'eks-node', 'lambda-exec', 'Audit'];
const services = ['ec2', 'lambda', 'ecs-tasks', 'cloudformation', 'autoscaling', 'config'];
const sdks = [
  (r: Rng) => `aws-cli/2.${r.int(20)}.${r.int(40)} Python/3.11.${r.int(9)} Linux/6.1.${r.int(99)}`,
  (r: Rng) =>
    `Boto3/1.34.${r.int(120)} md/Botocore#1.34.${r.int(120)} ua/2.0 os/linux#5.10.${r.int(240)}`,
  (r: Rng) =>
    `aws-sdk-js/3.${500 + r.int(200)}.0 ua/2.0 os/linux#5.10.${r.int(240)} lang/js md/nodejs#20.${r.int(19)}.${r.int(9)}`,
  (r: Rng) => `aws-sdk-go-v2/1.${r.int(30)}.${r.int(9)} os/linux lang/go#1.22.${r.int(9)} api/sts`,
  (r: Rng) =>
    `terraform-provider-aws/5.${r.int(80)}.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.${r.int(30)}.0`,
  () => 'console.amazonaws.com',
];

/** The seeded PRNG with the picks a record needs. */
class Rng {
  constructor(private readonly random: () => number) {}
  int(max: number): number {
    return Math.floor(this.random() * max);
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  hex(length: number): string {
    let text = '';
    while (text.length < length)
      text += Math.floor(this.random() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return text.slice(0, length);
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-8${this.hex(3)}-${this.hex(12)}`;
  }
  /** Public addresses mostly, some private (calls through VPC endpoints). */
  ip(): string {
    return this.chance(0.3)
      ? `10.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`
      : `${11 + this.int(180)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }
}

function readCall(rng: Rng): readonly [string, string] {
  let roll = rng.int(readWeights);
  for (const [service, name, weight] of unwatchedReads) {
    if (roll < weight) return [service, name];
    roll -= weight;
  }
  throw new Error('read weights do not add up');
}

/** The request and response of an API, shaped as CloudTrail records them. */
function shapes(name: string, account: string, region: string, rng: Rng) {
  const instance = `i-0${rng.hex(16)}`;
  const group = `sg-0${rng.hex(16)}`;
  switch (name) {
    case 'AssumeRole':
      return {
        requestParameters: {
          roleArn: `arn:aws:iam::${account}:role/${rng.one(roles)}`,
          roleSessionName: `session-${rng.hex(10)}`,
          durationSeconds: 3600,
        },
        responseElements: {
          credentials: {
            accessKeyId: `ASIA${rng.hex(16).toUpperCase()}`,
            sessionToken: rng.hex(64),
            expiration: 'Jan 15, 2025, 11:00:00 AM',
          },
          assumedRoleUser: {
            assumedRoleId: `AROA${rng.hex(17).toUpperCase()}:session-${rng.hex(10)}`,
            arn: `arn:aws:sts::${account}:assumed-role/${rng.one(roles)}/session-${rng.hex(10)}`,
          },
        },
      };
    case 'Decrypt':
    case 'GenerateDataKey':
      return {
        requestParameters: {
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          encryptionContext: {
            'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${account}:function:svc-${rng.hex(6)}`,
          },
          ...(name === 'GenerateDataKey' ? { keySpec: 'AES_256' } : {}),
        },
        responseElements: null,
        resources: [
          {
            accountId: account,
            type: 'AWS::KMS::Key',
            ARN: `arn:aws:kms:${region}:${account}:key/${rng.uuid()}`,
          },
        ],
      };
    case 'DescribeInstances':
      return {
        requestParameters: {
          instancesSet: { items: [{ instanceId: instance }] },
          filterSet: {},
        },
        responseElements: null,
      };
    case 'DescribeSecurityGroups':
      return {
        requestParameters: {
          securityGroupSet: {},
          securityGroupIdSet: { items: [{ groupId: group }] },
        },
        responseElements: null,
      };
    case 'GetParameter':
    case 'GetSecretValue':
      return {
        requestParameters:
          name === 'GetParameter'
            ? { name: `/svc-${rng.hex(4)}/db-url`, withDecryption: true }
            : { secretId: `arn:aws:secretsmanager:${region}:${account}:secret:svc-${rng.hex(6)}` },
        responseElements: null,
      };
    case 'GetBucketAcl':
      return {
        requestParameters: { bucketName: `data-${rng.hex(8)}`, Host: 's3.amazonaws.com', acl: '' },
        responseElements: null,
        additionalEventData: {
          SignatureVersion: 'SigV4',
          bytesTransferredIn: 0,
          AuthenticationMethod: 'AuthHeader',
        },
      };
    case 'RunInstances':
      return {
        requestParameters: {
          instancesSet: { items: [{ imageId: `ami-0${rng.hex(16)}`, minCount: 1, maxCount: 1 }] },
          instanceType: rng.one(['t3.micro', 'm5.xlarge', 'c5.4xlarge']),
          metadataOptions: rng.chance(0.5) ? { httpTokens: 'required' } : undefined,
        },
        responseElements: {
          instancesSet: {
            items: [{ instanceId: instance, currentState: { code: 0, name: 'pending' } }],
          },
        },
      };
    case 'AuthorizeSecurityGroupIngress':
      return {
        requestParameters: {
          groupId: group,
          ipPermissions: {
            items: [
              {
                ipProtocol: 'tcp',
                fromPort: rng.one([22, 443, 3389, 5432]),
                toPort: 22,
                ipRanges: {
                  items: [{ cidrIp: rng.chance(0.2) ? '0.0.0.0/0' : `10.${rng.int(256)}.0.0/16` }],
                },
              },
            ],
          },
        },
        responseElements: { _return: true, securityGroupRuleSet: { items: [{ groupId: group }] } },
      };
    default:
      return {
        requestParameters: { resourceId: `res-${rng.hex(12)}`, maxResults: 50 + rng.int(50) },
        responseElements: rng.chance(0.5) ? null : { requestId: rng.uuid() },
      };
  }
}

function identity(rng: Rng, account: string, time: string) {
  const roll = rng.int(100);
  if (roll < 15) return { type: 'AWSService', invokedBy: `${rng.one(services)}.amazonaws.com` };
  if (roll < 25) {
    const user = `user-${rng.int(300).toString(36).padStart(3, '0')}`;
    return {
      type: 'IAMUser',
      principalId: `AIDA${rng.hex(17).toUpperCase()}`,
      arn: `arn:aws:iam::${account}:user/${user}`,
      accountId: account,
      accessKeyId: `AKIA${rng.hex(16).toUpperCase()}`,
      userName: user,
    };
  }
  const role = rng.one(roles);
  const session = rng.chance(0.5) ? `${rng.hex(8)}@example.com` : `session-${rng.hex(12)}`;
  return {
    type: 'AssumedRole',
    principalId: `AROA${rng.hex(17).toUpperCase()}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: `ASIA${rng.hex(16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${rng.hex(17).toUpperCase()}`,
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      attributes: { creationDate: time, mfaAuthenticated: rng.chance(0.3) ? 'true' : 'false' },
    },
  };
}

/**
 * Where and when a log file's records were made: the account and region its key names, and the
 * time of its first record; record `i` comes `stepMs` after record `i - 1`.
 */
export interface RecordOrigin {
  account: string;
  region: string;
  startMs: number;
  stepMs: number;
}

/**
 * Record `i` of the seeded stream `rng` draws from: its time, account and region (drawn, or the
 * origin's), who made the call, and the call.
 */
function realisticRecord(
  i: number,
  rng: Rng,
  watchedShare: number,
  origin?: RecordOrigin,
): Record<string, unknown> {
  const watched = rng.chance(watchedShare);
  const [eventSource, eventName] = watched
    ? (() => {
        const call = rng.one(cloudTrailEvents);
        return [call.eventSource, call.name] as const;
      })()
    : readCall(rng);
  const account = origin === undefined ? rng.one(accounts) : origin.account;
  const region =
    origin === undefined
      ? rng.one(['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1'])
      : origin.region;
  const millis =
    origin === undefined ? Date.UTC(2025, 0, 15, 10) + i * 37 : origin.startMs + i * origin.stepMs;
  const time = new Date(millis).toISOString().replace(/\.\d+Z$/, 'Z');
  const who = identity(rng, account, time);
  const service = who.type === 'AWSService';
  const failed = rng.chance(0.03);
  return {
    eventVersion: '1.09',
    userIdentity: who,
    eventTime: time,
    eventSource,
    eventName,
    awsRegion: region,
    sourceIPAddress: service ? who.invokedBy : rng.ip(),
    userAgent: service ? who.invokedBy : rng.one(sdks)(rng),
    ...(failed
      ? {
          errorCode: rng.one([
            'AccessDenied',
            'Client.UnauthorizedOperation',
            'ThrottlingException',
          ]),
          errorMessage: `User is not authorized to perform: ${eventName}`,
        }
      : {}),
    ...shapes(eventName, account, region, rng),
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: !watched,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    ...(service || rng.chance(0.3)
      ? {}
      : {
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${eventSource.split('.')[0]}.${region}.amazonaws.com`,
          },
        }),
  };
}

/**
 * `count` realistic records, each as the JSON text it arrives as, with `watchedShare` of them
 * (default 30 %) calls the benchmark's rules listen to.
 *
 * @example
 * const texts = realisticRecordTexts(20_000);
 * const events = texts.map((text) => normalizeCloudTrailRecord(JSON.parse(text), 'direct', 'bench'));
 */
export function realisticRecordTexts(count: number, seed = 1509, watchedShare = 0.3): string[] {
  const rng = new Rng(seededRandom(seed));
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify(realisticRecord(i, rng, watchedShare)),
  );
}

/**
 * A record generator for `writeTrailFile`: the realistic records above, from a stream seeded
 * once per file; with `origin`, every record is of its account and region, as in a log file
 * CloudTrail writes under `AWSLogs/…/<account>/CloudTrail/<region>/`.
 *
 * @example
 * await writeTrailFile('/tmp/trail.json.gz', 20_000, 7, realisticRecords());
 */
export function realisticRecords(
  watchedShare = 0.3,
  origin?: RecordOrigin,
): (i: number, random: () => number) => Record<string, unknown> {
  let rng: Rng | undefined;
  return (i, random) => {
    rng ??= new Rng(random);
    return realisticRecord(i, rng, watchedShare, origin);
  };
}
