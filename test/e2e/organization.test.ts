import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import type { ActionReport, PipelineReport } from '../../src/pipeline.js';
import { adminCredentials, createMemberRole } from '../support/member-accounts.js';
import { StsGate } from '../support/sts-gate.js';
import {
  account as central,
  ec2StateChange,
  lambdaContext,
  launchInstance,
  region as home,
  rulePackEnforcing,
  sample,
  uniqueName,
  useMoto,
  type CloudTrailRecord,
} from './harness.js';

// One central steward (123456789012, us-east-1) and an organization trail that delivers the
// records of every account and region. steward acts on each record in the account and region
// it happened in: its own with its own role, a member account through the member role.
const member = '222233334444';
const withoutRole = '333344445555';
const other = 'us-west-2';
const organization = 'o-a1b2c3d4e5';
const cloudTrailLogGroup = 'aws-cloudtrail-logs-organization';
const trailName = 'organization-events';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let cloudtrailLogs: Handler;
let cloudwatchLogs: Handler;
let ec2State: Handler;
let gate: StsGate;
let moto: string;
let ledger: LedgerConnection;

interface Cell {
  account: string;
  region: string;
  ec2: EC2Client;
  cloudTrail: CloudTrailClient;
}

/** Clients of an account's own administrator in one region of moto. */
async function cell(account: string, region: string): Promise<Cell> {
  const credentials = await adminCredentials(moto, account);
  return {
    account,
    region,
    ec2: new EC2Client({ endpoint: moto, region, credentials }),
    cloudTrail: new CloudTrailClient({ endpoint: moto, region, credentials }),
  };
}

beforeAll(async () => {
  // The shipped rules, with the one that reads a lazy fact (the instance's tags) enforced.
  moto = (await useMoto({ rulesDir: await rulePackEnforcing(['ec2-running-without-owner.yaml']) }))
    .endpoint;
  gate = await StsGate.start(moto, central);
  process.env.AWS_ENDPOINT_URL = gate.endpoint;
  process.env.STEWARD_CLOUDTRAIL_LOG_GROUPS = cloudTrailLogGroup;
  await createMemberRole(moto, member, central);
  ({ handler: cloudtrailLogs } = await import('../../handlers/cloudtrailLogs.js'));
  ({ handler: cloudwatchLogs } = await import('../../handlers/cloudwatchLogs.js'));
  ({ handler: ec2State } = await import('../../handlers/ec2State.js'));
  ledger = await connectLedger(process.env);
});

afterAll(async () => {
  await ledger?.close();
  await gate?.close();
});

/** A security group with tcp 22 open to the world, and the id of that rule. */
async function worldOpenGroup(where: Cell): Promise<{ groupId: string; ruleId: string }> {
  const { GroupId: groupId } = await where.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: uniqueName('web'), Description: 'web' }),
  );
  if (!groupId) throw new Error('moto made no group');
  const opened = await where.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    }),
  );
  const ruleId = opened.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
  if (!ruleId) throw new Error('moto returned no rule id');
  return { groupId, ruleId };
}

async function worldOpen(where: Cell, groupId: string): Promise<boolean> {
  const { SecurityGroupRules: rules } = await where.ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return (rules ?? []).some((rule) => !rule.IsEgress && rule.CidrIpv4 === '0.0.0.0/0');
}

/** A trail named alike in every account and region, stopped. */
async function stoppedTrail(where: Cell, bucket: string): Promise<void> {
  await where.cloudTrail.send(new CreateTrailCommand({ Name: trailName, S3BucketName: bucket }));
  await where.cloudTrail.send(new StopLoggingCommand({ Name: trailName }));
}

async function logging(where: Cell): Promise<boolean | undefined> {
  return (await where.cloudTrail.send(new GetTrailStatusCommand({ Name: trailName }))).IsLogging;
}

/** A CloudTrail record of `account` and `region`, from a sample, with a fresh eventID. */
function record(
  name: string,
  account: string,
  region: string,
  edit: (record: CloudTrailRecord) => void = () => undefined,
): CloudTrailRecord {
  const detail = structuredClone(sample<{ detail: CloudTrailRecord }>(name).detail);
  detail.eventID = randomUUID();
  detail.eventTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  detail.awsRegion = region;
  detail.recipientAccountId = account;
  detail.userIdentity = {
    type: 'IAMUser',
    arn: `arn:aws:iam::${account}:user/mallory`,
    accountId: account,
    userName: 'mallory',
  };
  edit(detail);
  return detail;
}

function worldOpenRecord(
  where: { account: string; region: string },
  groupId: string,
  ruleId: string,
) {
  return record(
    'cloudtrail-authorize-sg-ingress-world-ssh.json',
    where.account,
    where.region,
    (detail) => {
      (detail.requestParameters as { groupId: string }).groupId = groupId;
      const items = (
        detail.responseElements as { securityGroupRuleSet: { items: Record<string, unknown>[] } }
      ).securityGroupRuleSet.items;
      for (const item of items) Object.assign(item, { groupId, securityGroupRuleId: ruleId });
    },
  );
}

function stopLoggingRecord(where: { account: string; region: string }) {
  return record('cloudtrail-stop-logging.json', where.account, where.region, (detail) => {
    detail.requestParameters = { name: trailName };
  });
}

/** The actions of a rule on one event of a report. */
function actions(report: PipelineReport, eventId: string, rule: string): ActionReport[] {
  const event = report.events.find((candidate) => candidate.id === eventId);
  return event?.matches.find((match) => match.rule === rule)?.actions ?? [];
}

/** One S3 notification naming every log file, as an organization trail writes them: one per account and region. */
function notification(bucket: string, keys: string[]) {
  const template = sample<{ Records: Record<string, unknown>[] }>(
    's3-cloudtrail-object-created.json',
  );
  const [first] = template.Records;
  return {
    Records: keys.map((key) => ({
      ...first,
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size: 1 },
      },
    })),
  };
}

function logKey(account: string, region: string): string {
  const stamp = '20261130T1010Z';
  return `AWSLogs/${organization}/${account}/CloudTrail/${region}/2026/11/30/${account}_CloudTrail_${region}_${stamp}_${uniqueName('f')}.json.gz`;
}

function awslogs(logGroup: string, records: CloudTrailRecord[]) {
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: central,
    logGroup,
    logStream: `${central}_CloudTrail_${home}`,
    subscriptionFilters: ['steward'],
    logEvents: records.map((item, index) => ({
      id: `${Date.now()}${index}`.padEnd(56, '0'),
      timestamp: Date.now(),
      message: JSON.stringify(item),
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

describe('an organization trail through one central steward', () => {
  it('acts on every record in its own account and region, and nowhere else', async () => {
    const cells = [
      await cell(central, home),
      await cell(central, other),
      await cell(member, home),
      await cell(member, other),
    ];
    const s3 = new S3Client({ endpoint: moto, region: home, forcePathStyle: true });
    const bucket = uniqueName('organization-trail');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const groups: { groupId: string; ruleId: string }[] = [];
    for (const where of cells) {
      groups.push(await worldOpenGroup(where));
      await stoppedTrail(where, bucket);
    }
    // A world-open group no record names, in every cell: it must stay as it is.
    const bystanders: string[] = [];
    for (const where of cells) bystanders.push((await worldOpenGroup(where)).groupId);

    // Every cell's log file has its world-open group; all but the last cell's, a StopLogging.
    const files = cells.map((where, index) => {
      const group = groups[index];
      if (!group) throw new Error('no group');
      const opened = worldOpenRecord(where, group.groupId, group.ruleId);
      const stopped = index < cells.length - 1 ? [stopLoggingRecord(where)] : [];
      return { where, key: logKey(where.account, where.region), records: [opened, ...stopped] };
    });
    // An account whose member role was never created.
    const unreachable = worldOpenRecord(
      { account: withoutRole, region: home },
      'sg-0123456789abcdef0',
      'sgr-0123456789abcdef0',
    );
    files.push({
      where: { account: withoutRole, region: home } as Cell,
      key: logKey(withoutRole, home),
      records: [unreachable],
    });
    for (const file of files)
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: file.key,
          Body: gzipSync(JSON.stringify({ Records: file.records })),
        }),
      );

    const report = (await cloudtrailLogs(
      notification(
        bucket,
        files.map((file) => file.key),
      ),
      lambdaContext(),
    ).catch((error: { report?: PipelineReport }) => error.report)) as PipelineReport;

    expect(report.objects.map((object) => [object.key, object.read, object.records])).toEqual(
      files.map((file) => [file.key, true, file.records.length]),
    );
    for (const [index, where] of cells.entries()) {
      const file = files[index];
      const group = groups[index];
      if (!file || !group) throw new Error('no file');
      const [opened, stopped] = file.records;
      expect(actions(report, opened?.eventID ?? '', 'ec2-security-group-open-to-world')).toEqual([
        expect.objectContaining({
          action: 'ec2.revoke-security-group-ingress',
          resource: group.groupId,
          status: 'succeeded',
        }),
        expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
      ]);
      expect(await worldOpen(where, group.groupId)).toBe(false);
      expect(await worldOpen(where, bystanders[index] ?? '')).toBe(true);
      if (stopped)
        expect(actions(report, stopped.eventID, 'cloudtrail-logging-stopped')[0]).toMatchObject({
          action: 'cloudtrail.start-logging',
          status: 'succeeded',
        });
      // The same trail name in the cell whose file held no StopLogging stays stopped.
      expect(await logging(where)).toBe(stopped !== undefined);
    }

    // The account without the member role: failed, with the reason, recorded.
    const [revoke] = actions(report, unreachable.eventID, 'ec2-security-group-open-to-world');
    expect(revoke).toMatchObject({ action: 'ec2.revoke-security-group-ingress', status: 'failed' });
    const entry = await ledger.ledger.get(revoke?.key ?? '');
    expect(entry).toMatchObject({ status: 'failed', account: withoutRole, region: home });
    expect(entry?.error ?? entry?.detail).toContain(
      `cannot assume arn:aws:iam::${withoutRole}:role/steward-member in ${withoutRole}: AccessDenied`,
    );
    // Each entry names where it acted.
    const entries = await ledger.ledger.list({ account: member, region: other });
    expect(entries.map((item) => item.resource)).toContain(groups[3]?.groupId);
    expect(gate.sessions.map((session) => session.session)).toContainEqual(
      expect.stringMatching(/^ec2-security-group-open-to-world@/),
    );
  });

  it('believes CloudTrail records only from the configured CloudTrail log group, whose one batch spans accounts and regions', async () => {
    const where = await cell(central, other);
    const s3 = new S3Client({ endpoint: moto, region: home, forcePathStyle: true });
    const bucket = uniqueName('trail');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await where.cloudTrail.send(new StopLoggingCommand({ Name: trailName })).catch(async () => {
      await stoppedTrail(where, bucket);
    });
    // The organization trail's log group holds every account's and region's records in one batch.
    const memberCell = await cell(member, home);
    const { groupId, ruleId } = await worldOpenGroup(memberCell);
    const forged = [stopLoggingRecord(where), worldOpenRecord(memberCell, groupId, ruleId)];

    // Anyone who can write a line to /var/log/secure can write this.
    const fromApplication = (await cloudwatchLogs(
      awslogs('/var/log/secure', forged),
      lambdaContext(),
    )) as PipelineReport;
    expect(fromApplication.events.map((event) => [event.source, event.name])).toEqual([
      ['cloudwatch-logs', '/var/log/secure'],
      ['cloudwatch-logs', '/var/log/secure'],
    ]);
    expect(fromApplication.events.flatMap((event) => event.matches)).toEqual([]);
    expect(await logging(where)).toBe(false);
    expect(await worldOpen(memberCell, groupId)).toBe(true);
    const claimed = await ledger.ledger.list();
    for (const item of forged)
      expect(claimed.filter((entry) => entry.eventId === item.eventID)).toEqual([]);

    // The same records from the trail's own log group are CloudTrail's.
    const fromTrail = (await cloudwatchLogs(
      awslogs(cloudTrailLogGroup, forged),
      lambdaContext(),
    )) as PipelineReport;
    expect(fromTrail.events.map((event) => event.id)).toEqual(forged.map((item) => item.eventID));
    expect(await logging(where)).toBe(true);
    expect(await worldOpen(memberCell, groupId)).toBe(false);
  });

  it('reads lazy facts in the account and region of the event, from a member account forwarding to the central bus', async () => {
    const where = await cell(member, other);
    const instanceId = await launchInstance(where.ec2);
    const forwarded = { ...ec2StateChange(instanceId), account: member, region: other };
    forwarded.resources = [`arn:aws:ec2:${other}:${member}:instance/${instanceId}`];

    const report = (await ec2State(forwarded, lambdaContext())) as PipelineReport;

    expect(report.errors).toEqual([]);
    expect(actions(report, forwarded.id, 'ec2-running-without-owner')).toEqual([
      expect.objectContaining({ action: 'ec2.create-tags', status: 'succeeded' }),
      expect.objectContaining({ action: 'ec2.stop-instances', status: 'succeeded' }),
    ]);
    const described = await where.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
    );
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(instance?.Tags).toContainEqual({
      Key: 'steward:violation',
      Value: 'missing-owner-tag',
    });
    expect(instance?.State?.Name).toMatch(/^stopp/);
    expect(gate.sessions.map((session) => session.session)).toContain('steward-facts');
  });

  it('revokes a group named by groupName, in the default VPC of the account and region of the record', async () => {
    const where = await cell(member, other);
    const groupName = uniqueName('legacy-web');
    const { GroupId: groupId } = await where.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: groupName, Description: 'legacy' }),
    );
    if (!groupId) throw new Error('moto made no group');
    const permissions = [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ];
    await where.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupName: groupName,
        IpPermissions: permissions,
      }),
    );
    // The older form of the call: the group by name, and a response that names no rule.
    const opened = record(
      'cloudtrail-authorize-sg-ingress-world-ssh.json',
      member,
      other,
      (detail) => {
        const request = detail.requestParameters as Record<string, unknown>;
        delete request.groupId;
        request.groupName = groupName;
        detail.responseElements = { requestId: randomUUID(), _return: true };
      },
    );
    const s3 = new S3Client({ endpoint: moto, region: home, forcePathStyle: true });
    const bucket = uniqueName('organization-trail');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = logKey(member, other);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(JSON.stringify({ Records: [opened] })),
      }),
    );

    const report = (await cloudtrailLogs(
      notification(bucket, [key]),
      lambdaContext(),
    )) as PipelineReport;

    expect(report.errors).toEqual([]);
    const [revoke, audit] = actions(report, opened.eventID, 'ec2-security-group-open-to-world');
    expect(revoke).toMatchObject({
      action: 'ec2.revoke-security-group-ingress',
      status: 'succeeded',
    });
    expect(await worldOpen(where, groupId)).toBe(false);
    const finding = await ledger.ledger.get(audit?.key ?? '');
    // The finding says what the revoke did, not a fixed sentence.
    expect(finding?.detail).toContain(
      `ec2.revoke-security-group-ingress on ${groupName}: revoked tcp 22 from 0.0.0.0/0 on ${groupId} (${groupName})`,
    );
  });
});
