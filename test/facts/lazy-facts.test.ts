import {
  CloudTrailClient,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws-clients.js';
import { instanceFact } from '../../src/facts/instance.js';
import { launchedByFact } from '../../src/facts/launched-by.js';
import { logGroupFact } from '../../src/facts/log-group.js';
import { securityGroupFact } from '../../src/facts/security-group.js';
import { trailFact } from '../../src/facts/trail.js';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { factPermissions } from '../../src/rules/facts.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { decodeDocument } from '../../src/sources/index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { sampleEvent } from '../support/files.js';

const ec2 = mockClient(EC2Client);
const cloudTrail = mockClient(CloudTrailClient);
const logs = mockClient(CloudWatchLogsClient);
const clients = () => new AwsClients('us-east-1');

afterAll(() => {
  ec2.restore();
  cloudTrail.restore();
  logs.restore();
});

beforeEach(() => {
  ec2.reset();
  cloudTrail.reset();
  logs.reset();
});

function eventOf(file: string): StewardEvent {
  const [event] = decodeDocument(sampleEvent(file), file).events;
  if (!event) throw new Error(`${file} decodes to no event`);
  return event;
}

function ruleReading(id: string, conditions: string) {
  const text = `id: ${id}\ndescription: t\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n    states: [running]\nconditions:\n${conditions}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const running = () => eventOf('ec2-running.json');

describe('lazy facts', () => {
  it('instance: the instance as DescribeInstances sees it, tags as a map', async () => {
    ec2.on(DescribeInstancesCommand, { InstanceIds: ['i-0123456789abcdef0'] }).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0123456789abcdef0',
              State: { Name: 'running' },
              InstanceType: 't3.micro',
              Tags: [{ Key: 'Owner', Value: 'team-a' }],
              MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' },
              SecurityGroups: [{ GroupId: 'sg-0123456789abcdef0' }],
            },
          ],
        },
      ],
    });
    expect(await instanceFact.fetch(running(), clients())).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      state: 'running',
      tags: { Owner: 'team-a' },
      metadataOptions: { httpTokens: 'optional' },
      securityGroups: ['sg-0123456789abcdef0'],
    });
  });

  it('instance: null when the instance is gone, undefined when the event names none', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('does not exist'), { name: 'InvalidInstanceID.NotFound' }));
    expect(await instanceFact.fetch(running(), clients())).toBeNull();
    expect(
      await instanceFact.fetch(eventOf('cloudtrail-stop-logging.json'), clients()),
    ).toBeUndefined();
  });

  it('securityGroup: ingress permissions with their ranges', async () => {
    ec2.on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0123456789abcdef0'] }).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-0123456789abcdef0',
          GroupName: 'web',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: '0.0.0.0/0' }],
              Ipv6Ranges: [],
            },
          ],
        },
      ],
    });
    const value = await securityGroupFact.fetch(
      eventOf('cloudtrail-authorize-sg-ingress-world-ssh.json'),
      clients(),
    );
    expect(value).toMatchObject({
      groupId: 'sg-0123456789abcdef0',
      ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }],
    });
  });

  it('launchedBy: the principal of the RunInstances record in the event history', async () => {
    cloudTrail.on(LookupEventsCommand).resolves({
      Events: [
        { EventName: 'CreateTags', CloudTrailEvent: '{}' },
        {
          EventName: 'RunInstances',
          CloudTrailEvent: JSON.stringify({
            eventTime: '2026-11-20T09:00:00Z',
            userIdentity: {
              type: 'IAMUser',
              arn: 'arn:aws:iam::123456789012:user/alice',
              userName: 'alice',
            },
          }),
        },
      ],
    });
    expect(await launchedByFact.fetch(running(), clients())).toEqual({
      arn: 'arn:aws:iam::123456789012:user/alice',
      type: 'IAMUser',
      userName: 'alice',
      principalId: undefined,
      time: '2026-11-20T09:00:00Z',
    });
    expect(cloudTrail.commandCalls(LookupEventsCommand)[0]?.args[0].input.LookupAttributes).toEqual(
      [{ AttributeKey: 'ResourceName', AttributeValue: 'i-0123456789abcdef0' }],
    );
  });

  it('trail and logGroup: the resource the API call named', async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const trail = await trailFact.fetch(eventOf('cloudtrail-stop-logging.json'), clients());
    expect(trail).toMatchObject({ isLogging: false });
    expect(cloudTrail.commandCalls(GetTrailStatusCommand)[0]?.args[0].input.Name).toBeTruthy();
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: '/var/log/secure-2' },
        { logGroupName: '/var/log/secure', retentionInDays: 30 },
      ],
    });
    const group = await logGroupFact.fetch(eventOf('cloudwatch-logs-ssh-failures.json'), clients());
    expect(group).toMatchObject({ name: '/var/log/secure', retentionInDays: 30 });
  });

  it('logGroup: reads past pages of groups that only share the name as a prefix', async () => {
    logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: '/var/log/secure-2' }], nextToken: 'page-2' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/var/log/secure', retentionInDays: 7 }] });
    const group = await logGroupFact.fetch(eventOf('cloudwatch-logs-ssh-failures.json'), clients());
    expect(group).toMatchObject({ name: '/var/log/secure', retentionInDays: 7 });
    const calls = logs.commandCalls(DescribeLogGroupsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toMatchObject({
      logGroupNamePrefix: '/var/log/secure',
      nextToken: 'page-2',
    });
  });
});

describe('lazy facts in evaluation', () => {
  const tagged = ruleReading(
    'owner-check',
    '  all:\n    - fact: instance\n      path: $.tags.Owner\n      operator: absent\n      value: true',
  );
  const stateCheck = ruleReading(
    'state-check',
    '  all:\n    - fact: instance\n      path: $.state\n      operator: equal\n      value: running',
  );
  const noFacts = ruleReading(
    'no-facts',
    '  all:\n    - fact: event\n      path: $.name\n      operator: equal\n      value: running',
  );

  it('are fetched once per event, however many rules read them, and never when none does', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'running' }, Tags: [] }],
        },
      ],
    });
    const verdicts = await evaluateRules(running(), [tagged, stateCheck], { clients: clients() });
    expect(verdicts.map((verdict) => [verdict.rule.id, verdict.fires, verdict.error])).toEqual([
      ['owner-check', true, undefined],
      ['state-check', true, undefined],
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    await evaluateRules(running(), [noFacts], { clients: clients() });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('report a failed fetch as an evaluation error, not a non-match', async () => {
    ec2.on(DescribeInstancesCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ec2:DescribeInstances'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const [verdict] = await evaluateRules(running(), [tagged], { clients: clients() });
    expect(verdict).toMatchObject({
      fires: false,
      error:
        'fact instance could not be read: UnauthorizedOperation: User is not authorized to perform: ec2:DescribeInstances',
    });
  });

  it('use stubs instead of AWS, and say so when a fact is neither stubbed nor reachable', async () => {
    const [stubbed] = await evaluateRules(running(), [tagged], {
      stubs: { instance: { tags: { Owner: 'x' } } },
    });
    expect([stubbed?.fires, stubbed?.error]).toEqual([false, undefined]);
    const [missing] = await evaluateRules(running(), [tagged], {});
    expect(missing?.error).toBe(
      'fact instance could not be read: it is not stubbed, and no AWS access was given',
    );
    const [gone] = await evaluateRules(running(), [tagged], { stubs: { instance: null } });
    // A path into a fact that is null reads as absent, without an error.
    expect([gone?.fires, gone?.error]).toEqual([true, undefined]);
  });

  it('add their permissions to the role only when a rule reads them', () => {
    expect(factPermissions([tagged, noFacts])).toEqual(['ec2:DescribeInstances']);
    expect(factPermissions([noFacts])).toEqual([]);
  });
});
