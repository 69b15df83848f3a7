/**
 * Deterministic rule sets and event streams for the benchmark. Everything comes from a seeded
 * PRNG, so every run measures the same rules against the same events.
 *
 * The mix: a fixed core of 50 organisation-wide rules (the policy pack every size carries, with
 * a few rules reading lazy facts) and, beyond it, rules scoped to one or a few accounts or to
 * one IAM user, the way large rule sets grow (one instance of a rule template per account or
 * team). 70 % listen to CloudTrail (about a hundred event names over nine services, with and
 * without `eventSource`, some with a `match`), 15 % to EC2 states, 15 % to log groups (some by
 * prefix, most with a filter pattern); conditions have 2 to 6 clauses.
 */
import type { NestedCondition, TopLevelCondition } from 'json-rules-engine';
import { compileRule, parseRuleText } from '../src/rules/load.js';
import type { NamedLists } from '../src/rules/lists.js';
import type { CompiledRule, RuleDocument, Trigger } from '../src/rules/rule.js';
import { decodeCloudWatchLogs, decodeEc2StateChange } from '../src/sources/index.js';
import { normalizeCloudTrailRecord } from '../src/sources/cloudtrail.js';
import type { StewardEvent } from '../src/sources/steward-event.js';

/** mulberry32: small, fast and good enough to pick benchmark data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Picker {
  constructor(readonly random: () => number) {}
  int(max: number): number {
    return Math.floor(this.random() * max);
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  some<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<T>();
    while (chosen.size < Math.min(count, items.length)) chosen.add(this.one(items));
    return [...chosen];
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
}

const services: Record<string, string[]> = {
  'ec2.amazonaws.com': [
    'RunInstances',
    'StartInstances',
    'StopInstances',
    'TerminateInstances',
    'RebootInstances',
    'ModifyInstanceAttribute',
    'ModifyInstanceMetadataOptions',
    'CreateSecurityGroup',
    'DeleteSecurityGroup',
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'CreateVolume',
    'DeleteVolume',
    'AttachVolume',
    'DetachVolume',
    'CreateSnapshot',
    'DeleteSnapshot',
    'ModifySnapshotAttribute',
    'CreateImage',
    'ModifyImageAttribute',
    'CreateVpc',
    'DeleteVpc',
    'CreateSubnet',
    'CreateNetworkAclEntry',
    'CreateRoute',
    'AllocateAddress',
    'AssociateAddress',
    'CreateKeyPair',
    'ImportKeyPair',
  ],
  'iam.amazonaws.com': [
    'CreateUser',
    'DeleteUser',
    'CreateAccessKey',
    'DeleteAccessKey',
    'UpdateAccessKey',
    'AttachUserPolicy',
    'DetachUserPolicy',
    'PutUserPolicy',
    'CreateRole',
    'DeleteRole',
    'AttachRolePolicy',
    'PutRolePolicy',
    'UpdateAssumeRolePolicy',
    'CreatePolicy',
    'CreatePolicyVersion',
    'CreateLoginProfile',
    'UpdateLoginProfile',
    'DeactivateMFADevice',
    'AddUserToGroup',
    'UpdateAccountPasswordPolicy',
  ],
  's3.amazonaws.com': [
    'CreateBucket',
    'DeleteBucket',
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'PutBucketAcl',
    'PutBucketPublicAccessBlock',
    'DeleteBucketPublicAccessBlock',
    'PutBucketEncryption',
    'DeleteBucketEncryption',
    'PutBucketVersioning',
    'PutBucketLogging',
    'PutBucketLifecycle',
  ],
  'cloudtrail.amazonaws.com': [
    'StopLogging',
    'StartLogging',
    'DeleteTrail',
    'UpdateTrail',
    'CreateTrail',
    'PutEventSelectors',
  ],
  'kms.amazonaws.com': [
    'DisableKey',
    'ScheduleKeyDeletion',
    'CancelKeyDeletion',
    'PutKeyPolicy',
    'CreateGrant',
    'DisableKeyRotation',
    'CreateKey',
  ],
  'lambda.amazonaws.com': [
    'CreateFunction20150331',
    'UpdateFunctionCode20150331v2',
    'AddPermission20150331v2',
    'DeleteFunction20150331',
    'UpdateFunctionConfiguration20150331v2',
  ],
  'rds.amazonaws.com': [
    'CreateDBInstance',
    'DeleteDBInstance',
    'ModifyDBInstance',
    'CreateDBSnapshot',
    'ModifyDBSnapshotAttribute',
    'RestoreDBInstanceFromDBSnapshot',
  ],
  'logs.amazonaws.com': [
    'DeleteLogGroup',
    'PutRetentionPolicy',
    'DeleteRetentionPolicy',
    'DeleteSubscriptionFilter',
    'CreateLogGroup',
  ],
  'config.amazonaws.com': [
    'StopConfigurationRecorder',
    'DeleteConfigurationRecorder',
    'DeleteDeliveryChannel',
    'PutConfigurationRecorder',
  ],
  'signin.amazonaws.com': ['ConsoleLogin'],
  'sts.amazonaws.com': ['AssumeRole', 'GetFederationToken'],
};

export const cloudTrailEvents: { name: string; eventSource: string }[] = Object.entries(
  services,
).flatMap(([eventSource, names]) => names.map((name) => ({ name, eventSource })));

const ec2States = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
const regions = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
];
const accounts = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
const users = Array.from({ length: 300 }, (_, i) => `user-${i.toString(36).padStart(3, '0')}`);
const roles = ['Admin', 'ReadOnly', 'Deploy', 'BreakGlass', 'Support', 'Billing'];
const instanceTypes = [
  't3.micro',
  't3.large',
  'm5.xlarge',
  'c5.4xlarge',
  'p4d.24xlarge',
  'x1e.32xlarge',
];
const identityTypes = ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser'];
const logFilters = [
  '"Failed password" -CRON',
  'ERROR ?timeout ?refused',
  '"authentication failure"',
  'Invalid user',
  'FATAL',
  '"segfault" ?kernel',
];
const logLines = [
  'sshd[1211]: Failed password for root from 203.0.113.7 port 4711 ssh2',
  'sshd[1211]: Accepted publickey for ec2-user from 10.0.4.12 port 50022 ssh2',
  'CRON[3311]: pam_unix(cron:session): session opened for user root',
  'app[88]: ERROR upstream timeout after 30000 ms',
  'app[88]: INFO request served in 12 ms',
  'sshd[1301]: Invalid user admin from 198.51.100.23 port 39112',
  'kernel: [1234.5678] app[99]: segfault at 0 ip 00007f sp 00007ffd error 4',
  'su: pam_unix(su:auth): authentication failure; logname=ec2-user uid=1000',
  'app[88]: FATAL could not connect to database: connection refused',
];

export const namedLists: NamedLists = new Map([
  ['admins', new Set(users.slice(0, 20).map((user) => `arn:aws:iam::${accounts[0]}:user/${user}`))],
  ['trusted-ips', new Set(['10.0.4.12', '10.0.4.13', '192.0.2.10'])],
]);

/** Lazy facts, stubbed: the benchmark measures evaluation, not AWS. */
export const factStubs: Readonly<Record<string, unknown>> = {
  instance: {
    state: 'running',
    tags: { Name: 'web-1' },
    metadataOptions: { httpTokens: 'optional' },
  },
  securityGroup: { groupId: 'sg-0123', ingress: [{ cidr: '0.0.0.0/0', fromPort: 22 }] },
  launchedBy: { arn: 'arn:aws:iam::100000000000:user/user-000' },
  trail: { isLogging: false },
  logGroup: { retentionInDays: null },
};

/** How many log groups a rule set of this size spreads over: applications bring their own. */
function logGroupsFor(size: number): string[] {
  const count = Math.max(10, Math.floor(size / 25));
  return Array.from({ length: count }, (_, i) =>
    i % 3 === 0 ? `/var/log/secure-${i}` : `/aws/lambda/service-${i}`,
  );
}

type Clause = NestedCondition;

function clause(fact: string, path: string, operator: string, value: unknown): Clause {
  return { fact, path, operator, value } as Clause;
}

function cloudTrailClauses(pick: Picker): Clause[] {
  return [
    clause('event', '$.actor.type', 'notEqual', 'AWSService'),
    clause('event', '$.region', 'in', pick.some(regions, 1 + pick.int(3))),
    clause('event', '$.actor.mfaUsed', 'equal', false),
    clause('event', '$.actor.arn', 'matches', `:(role|assumed-role)/${pick.one(roles)}`),
    clause('event', '$.actor.arn', 'startsWith', 'arn:aws:iam::'),
    clause('event', '$.actor.sourceIp', 'inCidr', ['10.0.0.0/8', '192.168.0.0/16']),
    clause('record', '$.sourceIPAddress', 'notInList', 'trusted-ips'),
    clause('event', '$.actor.arn', 'inList', 'admins'),
    clause('record', '$.requestParameters.instanceType', 'in', pick.some(instanceTypes, 2)),
    clause('record', '$.readOnly', 'notEqual', true),
    clause('event', '$.error', 'exists', false),
    clause('record', '$.userIdentity.type', 'equal', pick.one(identityTypes)),
    clause(
      'record',
      '$.requestParameters.ipPermissions.items[*].ipRanges.items[*].cidrIp',
      'worldOpen',
      true,
    ),
    clause('event', '$.resources', 'contains', 'i-0123456789abcdef0'),
    clause('record', '$.userAgent', 'glob', '*console.amazonaws.com*'),
  ];
}

function ec2Clauses(pick: Picker): Clause[] {
  return [
    clause('event', '$.region', 'in', pick.some(regions, 2)),
    clause('record', '$.detail.instance-id', 'startsWith', 'i-0'),
    clause('event', '$.resources', 'exists', true),
    clause('record', '$.source', 'equal', 'aws.ec2'),
    clause('record', '$.detail.state', 'notEqual', 'pending'),
    clause('record', '$.time', 'newerThan', '3650d'),
  ];
}

function logClauses(pick: Picker): Clause[] {
  return [
    clause(
      'record',
      '$.message',
      'matches',
      pick.one([
        'Failed password for (invalid user )?\\w+',
        'ERROR|FATAL',
        'segfault at [0-9a-f]+',
      ]),
    ),
    clause('record', '$.logStream', 'startsWith', 'i-'),
    clause('record', '$.message', 'notMatches', 'healthcheck'),
    clause('event', '$.region', 'absent', true),
    clause('record', '$.subscriptionFilters', 'contains', 'steward'),
  ];
}

const lazyClauses: Clause[] = [
  clause('instance', '$.tags.Owner', 'exists', false),
  clause('instance', '$.metadataOptions.httpTokens', 'notEqual', 'required'),
  clause('securityGroup', '$.ingress[*].cidr', 'worldOpen', true),
  clause('trail', '$.isLogging', 'equal', false),
];

/**
 * How rules beyond the core are scoped. `exact`: every one by the account or user equality the
 * index narrows on (its best case). `varied`: a fifth of the CloudTrail rules instead by a
 * role's ARN prefix, a source network, a pattern on the principal, or not at all, which the
 * index cannot narrow on, so their conditions run for every event of their trigger.
 */
export type ScopeMix = 'exact' | 'varied';

/** A scope clause: what makes a rule one of many instances of the same template. */
function scopeClause(pick: Picker, source: Trigger['source'], mix: ScopeMix): Clause | undefined {
  const roll = pick.random();
  if (mix === 'varied' && source === 'cloudtrail' && roll >= 0.8) {
    if (roll < 0.88)
      return clause(
        'event',
        '$.actor.arn',
        'startsWith',
        `arn:aws:sts::${pick.one(accounts)}:assumed-role/${pick.one(roles)}/`,
      );
    if (roll < 0.92)
      return clause('event', '$.actor.sourceIp', 'inCidr', [`${11 + pick.int(180)}.0.0.0/8`]);
    if (roll < 0.96)
      return clause('event', '$.actor.arn', 'matches', `:(user|assumed-role)/${pick.one(roles)}`);
    return undefined;
  }
  const scaled = mix === 'varied' && source === 'cloudtrail' ? roll / 0.8 : roll;
  if (source === 'cloudtrail' && scaled < 0.2)
    return clause('record', '$.userIdentity.userName', 'equal', pick.one(users));
  if (scaled < 0.7) return clause('event', '$.account', 'equal', pick.one(accounts));
  return clause('event', '$.account', 'in', pick.some(accounts, 2 + pick.int(3)));
}

function trigger(
  pick: Picker,
  source: 'ec2-state' | 'cloudtrail' | 'cloudwatch-logs',
  logGroups: string[],
): Trigger {
  if (source === 'ec2-state')
    return { source, states: pick.some(ec2States, 1 + pick.int(2)) as never };
  if (source === 'cloudwatch-logs') {
    const group = pick.one(logGroups);
    return {
      source,
      logGroups: [pick.chance(0.2) ? `${group.slice(0, -1)}*` : group],
      ...(pick.chance(0.6) ? { filter: pick.one(logFilters) } : {}),
    };
  }
  const service = pick.one(Object.keys(services));
  const names = pick.some(services[service] as string[], 1 + pick.int(3));
  const withMatch = pick.chance(0.05);
  return {
    source,
    events: names,
    ...(pick.chance(0.6) ? { eventSource: service } : {}),
    ...(withMatch
      ? pick.chance(0.5)
        ? { match: { 'userIdentity.type': ['Root', 'IAMUser'] } }
        : { match: { errorCode: ['AccessDenied*'] }, includeFailedCalls: true }
      : {}),
  };
}

function conditionsOf(clauses: Clause[], pick: Picker): TopLevelCondition {
  const shape = pick.random();
  if (shape < 0.8 || clauses.length < 3) return { all: clauses };
  if (shape < 0.9) {
    const [first, ...rest] = clauses as [Clause, ...Clause[]];
    return { all: [first, { any: rest }] };
  }
  const [first, second, ...rest] = clauses as [Clause, Clause, ...Clause[]];
  return { all: [first, { not: second }, ...rest] };
}

/**
 * The first `size` rules of the benchmark rule pack, as validated rule documents, scoped as
 * `mix` says.
 */
export function ruleDocuments(
  size: number,
  seed = 20240611,
  mix: ScopeMix = 'exact',
): RuleDocument[] {
  const pick = new Picker(seededRandom(seed));
  const logGroups = logGroupsFor(size);
  const coreSize = 50;
  return Array.from({ length: size }, (_, i): RuleDocument => {
    const roll = pick.random();
    const source: Trigger['source'] =
      roll < 0.7 ? 'cloudtrail' : roll < 0.85 ? 'ec2-state' : 'cloudwatch-logs';
    const pool =
      source === 'cloudtrail'
        ? cloudTrailClauses(pick)
        : source === 'ec2-state'
          ? ec2Clauses(pick)
          : logClauses(pick);
    const clauseCount = 2 + pick.int(5);
    const core = i < coreSize;
    const clauses = pick.some(pool, core ? clauseCount : clauseCount - 1);
    const scope = core ? undefined : scopeClause(pick, source, mix);
    if (scope !== undefined) clauses.unshift(scope);
    else if (i % 12 === 0) clauses.push(pick.one(lazyClauses));
    return {
      id: `bench-${String(i).padStart(5, '0')}`,
      description: core ? 'An organisation-wide rule.' : 'A rule scoped to accounts or a user.',
      kind: 'audit',
      severity: pick.one(['info', 'low', 'medium', 'high', 'critical'] as const),
      triggers: [trigger(pick, source, logGroups)],
      conditions: conditionsOf(clauses, pick),
      actions: [{ action: 'audit.record', params: { note: `rule ${i}` } }],
    };
  });
}

/** Validates the documents as `steward validate` would (JSON is YAML) and compiles them. */
export function compileRules(documents: readonly RuleDocument[]): CompiledRule[] {
  return documents.map((document) => {
    const file = `bench/${document.id}.yaml`;
    const loaded = parseRuleText(JSON.stringify(document), file, namedLists);
    if (!loaded.rule || loaded.problems.length > 0) {
      const problems = loaded.problems.map((problem) => problem.message).join('; ');
      throw new Error(`generated rule ${document.id} is not valid: ${problems}`);
    }
    return compileRule(loaded.rule, file, namedLists);
  });
}

function isEvent(value: unknown): value is StewardEvent {
  return typeof value === 'object' && value !== null && 'source' in value && 'raw' in value;
}

/**
 * `count` events decoded by steward's own decoders: CloudTrail records, EC2 state changes
 * and log lines in the proportions of the rules, over the same names, accounts and log groups,
 * so some match and most do not.
 */
export function eventStream(count: number, logGroupPool: number, seed = 77): StewardEvent[] {
  const pick = new Picker(seededRandom(seed));
  const logGroups = logGroupsFor(logGroupPool);
  const events: StewardEvent[] = [];
  for (let i = 0; events.length < count; i++) {
    const roll = pick.random();
    const account = pick.one(accounts);
    const region = pick.one(regions);
    const time = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
    let decoded: unknown;
    if (roll < 0.7) {
      const { name, eventSource } = pick.one(cloudTrailEvents);
      const type = pick.one(identityTypes);
      const user = pick.one(users);
      const arn =
        type === 'AssumedRole'
          ? `arn:aws:sts::${account}:assumed-role/${pick.one(roles)}/${user}`
          : `arn:aws:iam::${account}:user/${user}`;
      decoded = normalizeCloudTrailRecord(
        {
          eventVersion: '1.09',
          eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          eventTime: time,
          eventSource,
          eventName: name,
          awsRegion: region,
          sourceIPAddress: pick.one([
            '203.0.113.7',
            '10.0.4.12',
            '198.51.100.23',
            'cloudformation.amazonaws.com',
          ]),
          userAgent: pick.one(['console.amazonaws.com', 'aws-cli/2.15.0', 'Boto3/1.34.0']),
          userIdentity: {
            type,
            principalId: `AIDA${i}`,
            arn,
            accountId: account,
            userName: user,
            sessionContext: {
              attributes: { mfaAuthenticated: pick.chance(0.5) ? 'true' : 'false' },
            },
          },
          requestParameters: {
            instanceType: pick.one(instanceTypes),
            ipPermissions: {
              items: [
                { ipRanges: { items: [{ cidrIp: pick.one(['0.0.0.0/0', '10.0.0.0/16']) }] } },
              ],
            },
          },
          ...(pick.chance(0.1) ? { errorCode: 'AccessDenied', errorMessage: 'denied' } : {}),
          readOnly: false,
          recipientAccountId: account,
        },
        'eventbridge',
        `bench event ${i}`,
      );
    } else if (roll < 0.85) {
      decoded = decodeEc2StateChange(
        {
          version: '0',
          id: `ec2-${i}`,
          'detail-type': 'EC2 Instance State-change Notification',
          source: 'aws.ec2',
          account,
          time,
          region,
          resources: [
            `arn:aws:ec2:${region}:${account}:instance/i-0${i.toString(16).padStart(16, '0')}`,
          ],
          detail: {
            'instance-id': `i-0${i.toString(16).padStart(16, '0')}`,
            state: pick.one(ec2States),
          },
        },
        `bench event ${i}`,
      );
    } else {
      decoded = decodeCloudWatchLogs(
        {
          messageType: 'DATA_MESSAGE',
          owner: account,
          logGroup: pick.one(logGroups),
          logStream: 'i-0123456789abcdef0',
          subscriptionFilters: ['steward'],
          logEvents: [{ id: String(i), timestamp: Date.parse(time), message: pick.one(logLines) }],
        },
        `bench event ${i}`,
      ).events[0];
    }
    if (!isEvent(decoded)) throw new Error(`bench event ${i} did not decode`);
    events.push(decoded);
  }
  return events;
}

export { logLines, logGroupsFor, accounts };
