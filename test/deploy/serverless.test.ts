import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventBridgePatterns } from '../../src/deploy/patterns.js';
import { deployParameters } from '../../src/deploy/parameters.js';
import { functionSources, rulePermissions, rulesOf } from '../../src/deploy/iam.js';
import { cloudTrailKeyFilter, serverlessRuleConfig } from '../../src/deploy/serverless.js';
import { ScheduleExpressionError } from '../../src/deploy/schedules.js';
import { ledgerTableDefinition } from '../../src/ledger/table.js';
import { compileRule, loadRules, parseRuleText } from '../../src/rules/load.js';
import { repoPath } from '../support/files.js';

const rules = await loadRules(repoPath('rules'));

interface RoleResource {
  Type: 'AWS::IAM::Role';
  Properties: {
    Policies: {
      PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown[] }[] };
    }[];
  };
}

function parameters(params: Record<string, string> = {}) {
  return deployParameters(params, { service: 'steward', stage: 'prod', region: 'us-east-1' });
}

/** What every function's environment holds of telemetry without telemetry parameters. */
const telemetryDefaults = {
  STEWARD_METRICS_NAMESPACE: 'steward/prod',
  STEWARD_TRACING: 'false',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
  POWERTOOLS_SERVICE_NAME: 'steward',
};

function ruleWith(id: string, triggers: string) {
  const text = `id: ${id}-rule\ndescription: t\nkind: audit\nseverity: low\ntriggers:\n${triggers}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

describe('what serverless.yml takes from the rules', () => {
  it('delivers exactly the EC2 states the rules listen to', () => {
    expect(eventBridgePatterns(rules).ec2State).toEqual([
      {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running'] },
      },
    ]);
  });

  it('delivers the CloudTrail events the rules listen to, leaving out failed calls unless a rule wants them', () => {
    const patterns = eventBridgePatterns([
      ruleWith(
        'stop',
        '  - source: cloudtrail\n    eventSource: cloudtrail.amazonaws.com\n    events: [StopLogging]',
      ),
      ruleWith(
        'signin',
        '  - source: cloudtrail\n    eventSource: signin.amazonaws.com\n    events: [ConsoleLogin]',
      ),
      ruleWith(
        'root',
        "  - source: cloudtrail\n    events: ['*']\n    includeFailedCalls: true\n    match:\n      userIdentity.type: [Root]",
      ),
    ]).cloudtrail;
    expect(patterns).toEqual([
      {
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      {
        source: ['aws.cloudtrail'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudtrail.amazonaws.com'],
          eventName: ['StopLogging'],
          errorCode: [{ exists: false }],
        },
      },
      {
        source: ['aws.signin'],
        'detail-type': ['AWS Console Sign In via CloudTrail'],
        detail: {
          eventSource: ['signin.amazonaws.com'],
          eventName: ['ConsoleLogin'],
          errorCode: [{ exists: false }],
        },
      },
    ]);
  });

  it('delivers an event name through one pattern only, where a wider rule already covers it', () => {
    const patterns = eventBridgePatterns([
      ruleWith(
        'narrow',
        '  - source: cloudtrail\n    eventSource: cloudtrail.amazonaws.com\n    events: [StopLogging, DeleteTrail]',
      ),
      ruleWith(
        'wide',
        '  - source: cloudtrail\n    events: [StopLogging]\n    includeFailedCalls: true',
      ),
    ]).cloudtrail;
    expect(patterns).toEqual([
      { 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: ['StopLogging'] } },
      {
        source: ['aws.cloudtrail'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudtrail.amazonaws.com'],
          eventName: ['DeleteTrail'],
          errorCode: [{ exists: false }],
        },
      },
    ]);
  });

  it('covers every event name of the shipped rules, each through one pattern unless a match pattern also applies', () => {
    const patterns = eventBridgePatterns(rules).cloudtrail as {
      source?: string[];
      detail?: { eventSource?: string[]; eventName?: string[] };
    }[];
    const named = patterns.filter((pattern) => pattern.detail?.eventName !== undefined);
    for (const rule of rules) {
      for (const trigger of rule.document.triggers) {
        if (trigger.source !== 'cloudtrail' || trigger.events.includes('*')) continue;
        for (const name of trigger.events) {
          const delivering = named.filter(
            (pattern) =>
              pattern.detail?.eventName?.includes(name) &&
              (pattern.detail.eventSource === undefined ||
                trigger.eventSource === undefined ||
                pattern.detail.eventSource.includes(trigger.eventSource)),
          );
          expect(delivering.length, `${rule.id}: ${name}`).toBeGreaterThanOrEqual(1);
          const sameSource = delivering.filter(
            (pattern) => pattern.detail?.eventSource?.[0] === trigger.eventSource,
          );
          expect(sameSource.length, `${rule.id}: ${name}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('turns prefix* and *suffix match values into EventBridge prefix and suffix matching', () => {
    const denied = {
      id: 'denied',
      document: {
        triggers: [
          {
            source: 'cloudtrail',
            events: ['*'],
            includeFailedCalls: true,
            match: { errorCode: ['*UnauthorizedOperation', 'AccessDenied*'] },
          },
        ],
      },
    };
    expect(eventBridgePatterns([denied as unknown as (typeof rules)[number]]).cloudtrail).toEqual([
      {
        'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
        detail: { errorCode: [{ suffix: 'UnauthorizedOperation' }, { prefix: 'AccessDenied' }] },
      },
    ]);
  });

  it('leaves out patterns that a rule listening to every event already covers', () => {
    const wide = {
      id: 'wide',
      document: { triggers: [{ source: 'cloudtrail', events: ['*'], includeFailedCalls: true }] },
    };
    const patterns = eventBridgePatterns([
      ...rules,
      wide as unknown as (typeof rules)[number],
    ]).cloudtrail;
    expect(patterns).toEqual([
      { 'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'] },
    ]);
  });

  it('subscribes the rules’ log groups with their filters, or the groups given', () => {
    const own = serverlessRuleConfig(rules, parameters());
    expect(own.events.cloudwatchLogs).toEqual([
      { cloudwatchLog: { logGroup: '/var/log/auth.log', filter: 'authentication' } },
      {
        cloudwatchLog: {
          logGroup: '/var/log/secure',
          filter: '?"Failed password" ?authentication',
        },
      },
    ]);
    expect(own.events.cloudtrailLogs).toEqual([]);
    const given = serverlessRuleConfig(
      rules,
      parameters({
        cloudTrailBucket: 'trail-bucket',
        logGroups: '/aws/lambda/orders, /var/log/secure',
      }),
    );
    expect(given.events.cloudwatchLogs).toEqual([
      { cloudwatchLog: { logGroup: '/aws/lambda/orders', filter: '"Task timed out"' } },
      {
        cloudwatchLog: {
          logGroup: '/var/log/secure',
          filter: '?"Failed password" ?authentication',
        },
      },
    ]);
    expect(given.events.cloudtrailLogs).toEqual([
      {
        s3: {
          bucket: 'trail-bucket',
          existing: true,
          event: 's3:ObjectCreated:*',
          rules: [{ prefix: 'AWSLogs/' }, { suffix: '.json.gz' }],
        },
      },
    ]);
    const logsRole = given.resources.Resources.CloudtrailLogsRole as RoleResource;
    expect(logsRole.Properties.Policies[0]?.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::trail-bucket/AWSLogs/*' }],
    });
  });

  it('grants exactly the permissions of the actions the rules use', () => {
    const config = serverlessRuleConfig(rules, parameters());
    expect(config.permissions).toEqual([
      'cloudtrail:GetTrailStatus',
      'cloudtrail:StartLogging',
      'ec2:CreateSecurityGroup',
      'ec2:CreateSnapshots',
      'ec2:CreateTags',
      'ec2:DescribeInstances',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
      'ec2:ModifyInstanceMetadataOptions',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:StopInstances',
      'logs:DescribeLogGroups',
      'logs:PutRetentionPolicy',
      'sns:Publish',
    ]);
    const roles = Object.values(config.resources.Resources).filter(
      (resource): resource is RoleResource =>
        (resource as { Type: string }).Type === 'AWS::IAM::Role',
    );
    expect(roles).toHaveLength(Object.keys(functionSources).length);
    const actions = roles.flatMap((role) =>
      role.Properties.Policies.flatMap((policy) =>
        policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
      ),
    );
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it("lets the function that undoes an isolation read the ledger's history by resource", () => {
    const config = serverlessRuleConfig(rules, parameters());
    const role = config.resources.Resources.CloudtrailRole as RoleResource;
    const statements = role.Properties.Policies[0]?.PolicyDocument.Statement ?? [];
    // ec2-quarantine-released reads the last isolation through the ledger's byResource index.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['dynamodb:Query']),
        Resource: expect.arrayContaining([
          { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, 'index', '*']] },
        ]),
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['ec2:ModifyNetworkInterfaceAttribute']),
      }),
    );
  });

  it('lets the findings function snapshot, isolate and notify, and nothing of the other functions', () => {
    const config = serverlessRuleConfig(rules, parameters());
    const role = config.resources.Resources.FindingsRole as RoleResource;
    const granted = (role.Properties.Policies[0]?.PolicyDocument.Statement ?? []).flatMap(
      (statement) => statement.Action,
    );
    expect(granted.filter((action) => /^(ec2|sns):/.test(action)).sort()).toEqual([
      'ec2:CreateSecurityGroup',
      'ec2:CreateSnapshots',
      'ec2:CreateTags',
      'ec2:DescribeInstances',
      'ec2:DescribeSecurityGroups',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:RevokeSecurityGroupEgress',
      'sns:Publish',
    ]);
  });

  it('generates the ledger table from the definition the local servers create it from', () => {
    const local = ledgerTableDefinition('steward-prod-ledger');
    const config = serverlessRuleConfig(rules, parameters({ deletionProtection: 'true' }));
    expect(config.environment.STEWARD_LEDGER_TABLE).toBe('steward-prod-ledger');
    expect(config.resources.Resources.LedgerTable).toEqual({
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'steward-prod-ledger',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: local.AttributeDefinitions,
        KeySchema: local.KeySchema,
        GlobalSecondaryIndexes: local.GlobalSecondaryIndexes,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
    const unprotected = serverlessRuleConfig(rules, parameters()).resources.Resources;
    expect(unprotected.LedgerTable).toMatchObject({
      Properties: { DeletionProtectionEnabled: false },
    });
    expect(readFileSync(repoPath('serverless.yml'), 'utf8')).not.toMatch(/LedgerTable:/);
  });

  it('refuses a deletionProtection that is not true or false, naming it', () => {
    expect(() => parameters({ deletionProtection: 'yes' })).toThrow(
      'deploy parameter deletionProtection: "yes" is not true or false',
    );
  });
});

describe('what serverless.yml takes from the rules in an organization', () => {
  const organization = parameters({
    organizationId: 'o-a1b2c3d4e5',
    memberRoleName: 'security-automation',
  });

  function statementsOf(config: ReturnType<typeof serverlessRuleConfig>, roleId: string) {
    const role = config.resources.Resources[roleId] as RoleResource & {
      Properties: { RoleName: string };
    };
    return role.Properties.Policies[0]?.PolicyDocument.Statement ?? [];
  }

  it('puts every pattern on the organization bus as well, to the same function, and lets only the organization put events there', () => {
    const config = serverlessRuleConfig(rules, organization);
    const patterns = eventBridgePatterns(rules);
    const onBus = { 'Fn::GetAtt': ['OrganizationEventBus', 'Name'] };
    expect(config.events.cloudtrail).toEqual([
      ...patterns.cloudtrail.map((pattern) => ({ eventBridge: { pattern } })),
      ...patterns.cloudtrail.map((pattern) => ({ eventBridge: { eventBus: onBus, pattern } })),
    ]);
    expect(config.events.ec2State).toEqual([
      ...patterns.ec2State.map((pattern) => ({ eventBridge: { pattern } })),
      ...patterns.ec2State.map((pattern) => ({ eventBridge: { eventBus: onBus, pattern } })),
    ]);
    expect(config.resources.Resources.OrganizationEventBus).toEqual({
      Type: 'AWS::Events::EventBus',
      Properties: { Name: 'steward-prod-organization' },
    });
    expect(config.resources.Resources.OrganizationEventBusPolicy).toMatchObject({
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: 'OrganizationEventBus' },
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      },
    });
    const single = serverlessRuleConfig(rules, parameters());
    expect(single.resources.Resources).not.toHaveProperty('OrganizationEventBus');
    expect(single.events.cloudtrail).toHaveLength(patterns.cloudtrail.length);
  });

  it('lets each function that acts assume the member role only, only inside the organization', () => {
    const config = serverlessRuleConfig(rules, organization);
    for (const roleId of ['Ec2StateRole', 'CloudtrailRole', 'CloudtrailLogsRole']) {
      const assuming = statementsOf(config, roleId).filter((statement) =>
        statement.Action.includes('sts:AssumeRole'),
      );
      expect(assuming, roleId).toEqual([
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/security-automation' }],
          Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
        },
      ]);
    }
    const single = serverlessRuleConfig(rules, parameters());
    for (const roleId of [
      'Ec2StateRole',
      'CloudtrailRole',
      'CloudtrailLogsRole',
      'CloudwatchLogsRole',
    ])
      expect(
        statementsOf(single, roleId).flatMap((statement) => statement.Action),
        roleId,
      ).not.toContain('sts:AssumeRole');
  });

  it('names each function’s role after the stack, so that member accounts can trust it', () => {
    const config = serverlessRuleConfig(rules, organization);
    const names = Object.values(config.resources.Resources)
      .filter((resource) => (resource as { Type: string }).Type === 'AWS::IAM::Role')
      .map((resource) => (resource as { Properties: { RoleName: string } }).Properties.RoleName);
    expect(names).toEqual([
      'steward-prod-us-east-1-ec2State',
      'steward-prod-us-east-1-cloudtrail',
      'steward-prod-us-east-1-cloudtrailLogs',
      'steward-prod-us-east-1-cloudwatchLogs',
      'steward-prod-us-east-1-findings',
      'steward-prod-us-east-1-sweep',
    ]);
  });

  it('grants the rules’ permissions in every region of the account, where events are acted on', () => {
    const statements = statementsOf(serverlessRuleConfig(rules, organization), 'CloudtrailRole');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' }],
    });
    const resources = JSON.stringify(
      statements.filter((statement) => !statement.Action.includes('logs:PutLogEvents')),
    );
    expect(resources).not.toContain('${AWS::Region}');
  });

  it('gives cloudwatchLogs the CloudTrail rules’ permissions only with CloudTrail log groups, and subscribes those whole', () => {
    const logRulePermissions = rulePermissions(rulesOf('cloudwatchLogs', rules));
    const cloudTrailOnly = rulePermissions(rulesOf('cloudtrail', rules)).filter(
      (permission) => !logRulePermissions.includes(permission),
    );
    expect(cloudTrailOnly).toContain('ec2:RevokeSecurityGroupIngress');
    const granted = (config: ReturnType<typeof serverlessRuleConfig>) =>
      statementsOf(config, 'CloudwatchLogsRole').flatMap((statement) => statement.Action);

    const plain = serverlessRuleConfig(rules, parameters());
    expect(granted(plain).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:SendMessage',
        ...rulePermissions(rulesOf('cloudwatchLogs', rules)),
      ].sort(),
    );
    for (const permission of cloudTrailOnly) expect(granted(plain)).not.toContain(permission);
    expect(plain.environment.STEWARD_CLOUDTRAIL_LOG_GROUPS).toBe('');

    const withTrail = serverlessRuleConfig(
      rules,
      parameters({ cloudTrailLogGroups: '/aws/cloudtrail/org,/var/log/secure' }),
    );
    for (const permission of cloudTrailOnly) expect(granted(withTrail)).toContain(permission);
    expect(withTrail.events.cloudwatchLogs).toEqual([
      { cloudwatchLog: { logGroup: '/var/log/auth.log', filter: 'authentication' } },
      { cloudwatchLog: { logGroup: '/aws/cloudtrail/org', filter: '' } },
      { cloudwatchLog: { logGroup: '/var/log/secure', filter: '' } },
    ]);
    expect(withTrail.environment).toEqual({
      STEWARD_MEMBER_ROLE_NAME: 'steward-member',
      STEWARD_CLOUDTRAIL_LOG_GROUPS: '/aws/cloudtrail/org,/var/log/secure',
      STEWARD_LEDGER_TABLE: 'steward-prod-ledger',
      ...telemetryDefaults,
    });
  });

  it('reads the log files of an organization trail and of a trail of one account alike', () => {
    const config = serverlessRuleConfig(rules, { ...organization, cloudTrailBucket: 'org-trail' });
    const trigger = (config.events.cloudtrailLogs[0] as { s3: { rules: Record<string, string>[] } })
      .s3;
    expect(trigger.rules).toEqual([...cloudTrailKeyFilter]);
    const delivered = (key: string) =>
      trigger.rules.every(
        (rule) =>
          (rule.prefix === undefined || key.startsWith(rule.prefix)) &&
          (rule.suffix === undefined || key.endsWith(rule.suffix)),
      );
    expect(
      delivered(
        'AWSLogs/o-a1b2c3d4e5/222233334444/CloudTrail/us-west-2/2026/11/30/222233334444_CloudTrail_us-west-2_20261130T1200Z_abc.json.gz',
      ),
    ).toBe(true);
    expect(
      delivered(
        'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/111122223333_CloudTrail_us-east-1_20261130T1200Z_abc.json.gz',
      ),
    ).toBe(true);
    expect(delivered('exports/111122223333/report.json.gz')).toBe(false);
    expect(statementsOf(config, 'CloudtrailLogsRole')).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::org-trail/AWSLogs/*' }],
    });
    expect(config.environment).toEqual({
      STEWARD_MEMBER_ROLE_NAME: 'security-automation',
      STEWARD_CLOUDTRAIL_LOG_GROUPS: '',
      STEWARD_LEDGER_TABLE: 'steward-prod-ledger',
      ...telemetryDefaults,
    });
  });
});

describe('the sweep function’s schedules', () => {
  const sweeping = (id: string, ...schedules: string[]) =>
    ruleWith(
      id,
      schedules
        .map(
          (schedule) =>
            `  - source: schedule\n    schedule: ${schedule}\n    resources: ec2-instances`,
        )
        .join('\n'),
    );

  it('gives each schedule of a rule one EventBridge schedule whose input names the rule and the schedule', () => {
    const config = serverlessRuleConfig(
      [
        sweeping('daily', 'rate(1 day)'),
        sweeping('twice', "'rate( 2 day )'", "'cron(0  6 * * ? *)'", "'rate(2 days)'"),
        ruleWith('stop', '  - source: cloudtrail\n    events: [StopLogging]'),
      ],
      parameters(),
    );
    expect(config.events.sweep).toEqual([
      {
        schedule: {
          rate: ['rate(1 day)'],
          input: { rule: 'daily-rule', schedule: 'rate(1 day)' },
          description: 'steward sweep for the rule daily-rule',
        },
      },
      {
        schedule: {
          rate: ['rate(2 days)'],
          input: { rule: 'twice-rule', schedule: 'rate(2 days)' },
          description: 'steward sweep for the rule twice-rule',
        },
      },
      {
        schedule: {
          rate: ['cron(0 6 * * ? *)'],
          input: { rule: 'twice-rule', schedule: 'cron(0 6 * * ? *)' },
          description: 'steward sweep for the rule twice-rule',
        },
      },
    ]);
    expect(
      serverlessRuleConfig(
        [ruleWith('stop', '  - source: cloudtrail\n    events: [StopLogging]')],
        parameters(),
      ).events.sweep,
    ).toEqual([]);
  });

  it('lets the sweep role make exactly the describe calls of the kinds its rules sweep, and no other role', () => {
    const sweepingTrails = ruleWith(
      'trails',
      '  - source: schedule\n    schedule: rate(1 hour)\n    resources: trails',
    );
    const stop = ruleWith('stop', '  - source: cloudtrail\n    events: [StopLogging]');
    const granted = (config: ReturnType<typeof serverlessRuleConfig>, roleId: string) =>
      (config.resources.Resources[roleId] as RoleResource).Properties.Policies.flatMap((policy) =>
        policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
      );
    // A stack without schedule rules: the sweep role holds what every role holds, and no more.
    const base = granted(serverlessRuleConfig([stop], parameters()), 'SweepRole');
    expect(base).toContain('dynamodb:UpdateItem');
    const config = serverlessRuleConfig([sweepingTrails, stop], parameters());
    expect(granted(config, 'SweepRole')).toEqual([
      ...base,
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrailStatus',
    ]);
    expect(granted(config, 'CloudtrailRole')).toEqual(base);
  });

  it('stops at a cron expression EventBridge would refuse, naming the rule and its file', () => {
    const rule = sweeping('five', "'cron(0 6 * * ?)'");
    let error: unknown;
    try {
      serverlessRuleConfig([rule], parameters());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect((error as ScheduleExpressionError).rule).toBe('five-rule');
    expect((error as Error).message).toBe(
      "five.yaml: rule five-rule: schedule cron(0 6 * * ?) has 5 fields, and EventBridge's cron takes 6 (minutes hours day-of-month month day-of-week year), e.g. cron(0 6 * * ? *)",
    );
  });

  it('tells the sweep where to look: the stack’s region by default, else the regions and accounts given', () => {
    expect(serverlessRuleConfig(rules, parameters()).sweepEnvironment).toEqual({
      STEWARD_SWEEP_REGIONS: 'us-east-1',
      STEWARD_SWEEP_ACCOUNTS: '',
    });
    const given = parameters({
      organizationId: 'o-a1b2c3d4e5',
      sweepRegions: 'us-east-1,eu-west-1',
      sweepAccounts: '111122223333,444455556666',
    });
    expect(serverlessRuleConfig(rules, given).sweepEnvironment).toEqual({
      STEWARD_SWEEP_REGIONS: 'us-east-1,eu-west-1',
      STEWARD_SWEEP_ACCOUNTS: '111122223333,444455556666',
    });
  });
});
