import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { functionSources } from '../../src/deploy/function-rules.js';
import type { EventPattern } from '../../src/deploy/patterns.js';
import { account, region } from './harness.js';

/** The functions `serverless.yml` declares. */
export const functionNames = Object.keys(functionSources);

export interface DeployedFunction {
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  architectures?: string[];
  environment?: Record<string, string>;
  /** The logical id of the stack's role the function runs as. */
  role?: string;
  /** Who may invoke it, from which source. */
  invokers: Invoker[];
}

export interface Invoker {
  principal: string;
  sourceArn?: string;
}

export interface DeployedRole {
  assumeRolePolicy: unknown;
  /** Inline policies by name. */
  policies: Record<string, unknown>;
}

/** An EventBridge rule on a schedule, with the function it invokes and the input it sends. */
export interface DeployedSchedule {
  expression: string;
  target: string;
  input: unknown;
}

export interface DeployedTable {
  keySchema: unknown;
  attributeDefinitions: unknown;
  indexes: unknown;
  billingMode?: string;
  deletionProtection?: boolean;
  arn?: string;
  timeToLive?: string;
  pointInTimeRecovery?: string;
  encrypted: boolean;
}

/** What moto holds for one stack, read through the AWS API as a user would read AWS. */
export interface DeployedStack {
  status?: string;
  /** The stack's resources by the type its template gives them. */
  resourceCounts: Record<string, number>;
  /** How many of them moto created (it lists the others without a type). */
  createdCount: number;
  /** Template resource types moto's CloudFormation does not create: it lists them typeless. */
  notCreated: string[];
  functions: Record<string, DeployedFunction>;
  roles: Record<string, DeployedRole>;
  /** EventBridge patterns per function: of the rules that target it, sorted. */
  patterns: Record<string, EventPattern[]>;
  /** The EventBridge rules' ARNs, each with the function it targets. */
  eventRules: { arn: string; target: string }[];
  /** The EventBridge schedules: each expression, the function it invokes and its input, sorted. */
  schedules: DeployedSchedule[];
  table?: DeployedTable;
  queue?: Record<string, string>;
  /** Retention in days per log group of the stage's functions. */
  logGroups: Record<string, number | undefined>;
  /** The stack's outputs by key. */
  outputs: Record<string, string | undefined>;
  /** The names of the stage's CloudWatch alarms (`steward-<stage>-…`), sorted. */
  alarms: string[];
  /** The body of the stage's dashboard (`steward-<stage>`), parsed; absent when there is none. */
  dashboard?: unknown;
}

/**
 * moto returns an inline policy that CloudFormation created as a Python literal
 * (`{'Version': '2012-10-17', ...}`) instead of JSON; this reads either.
 */
export function parsePolicyDocument(text: string): unknown {
  const decoded = decodeURIComponent(text);
  try {
    return JSON.parse(decoded);
  } catch {
    const json = decoded.replace(
      /'((?:[^'\\]|\\.)*)'|\b(True|False|None)\b/g,
      (_, quoted: string | undefined, constant: string | undefined) =>
        quoted !== undefined
          ? JSON.stringify(quoted.replace(/\\'/g, "'"))
          : (({ True: 'true', False: 'false', None: 'null' } as Record<string, string>)[
              constant as string
            ] as string),
    );
    return JSON.parse(json);
  }
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/**
 * Reads through the AWS SDK, from the moto server every client is pointed at
 * (`AWS_ENDPOINT_URL`), everything a deployed stage consists of.
 *
 * @example
 * const stack = await new DeployedStackReader().read('ci');
 * expect(stack.table?.billingMode).toBe('PAY_PER_REQUEST');
 */
export class DeployedStackReader {
  private readonly cloudFormation = new CloudFormationClient({});
  private readonly lambda = new LambdaClient({});
  private readonly iam = new IAMClient({});
  private readonly eventBridge = new EventBridgeClient({});
  private readonly dynamodb = new DynamoDBClient({});
  private readonly logs = new CloudWatchLogsClient({});
  private readonly sqs = new SQSClient({});
  private readonly cloudWatch = new CloudWatchClient({});

  async read(stage: string): Promise<DeployedStack> {
    const stackName = `steward-${stage}`;
    const stack: DeployedStack = {
      resourceCounts: {},
      createdCount: 0,
      notCreated: [],
      functions: {},
      roles: {},
      patterns: {},
      eventRules: [],
      schedules: [],
      logGroups: {},
      outputs: {},
      alarms: [],
    };
    const described = await this.cloudFormation
      .send(new DescribeStacksCommand({ StackName: stackName }))
      .catch((error: unknown) => {
        if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
        throw error;
      });
    stack.status = described?.Stacks?.[0]?.StackStatus;
    for (const output of described?.Stacks?.[0]?.Outputs ?? [])
      stack.outputs[output.OutputKey as string] = output.OutputValue;
    const summaries =
      stack.status === undefined || stack.status === 'DELETE_COMPLETE'
        ? []
        : await this.resourcesOf(stackName, stack);
    const physicalIds = new Map(
      summaries.map((resource) => [resource.PhysicalResourceId, resource.LogicalResourceId]),
    );
    await this.readFunctions(stage, stack, physicalIds);
    await this.readRoles(stage, stack, physicalIds);
    await this.readEventRules(stage, stack);
    await this.readTable(stage, stack);
    await this.readQueue(stage, stack);
    const groups = await this.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/steward-${stage}-` }),
    );
    for (const group of groups.logGroups ?? [])
      stack.logGroups[group.logGroupName as string] = group.retentionInDays;
    await this.readWatching(stage, stack);
    return stack;
  }

  /** The stage's alarms and its dashboard, as CloudWatch lists them. */
  private async readWatching(stage: string, stack: DeployedStack): Promise<void> {
    const alarms = await this.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `steward-${stage}-`, MaxRecords: 100 }),
    );
    stack.alarms = [...(alarms.MetricAlarms ?? []), ...(alarms.CompositeAlarms ?? [])]
      .map((alarm) => alarm.AlarmName as string)
      .sort();
    const dashboard = await this.cloudWatch
      .send(new GetDashboardCommand({ DashboardName: `steward-${stage}` }))
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'ResourceNotFound') return undefined;
        throw error;
      });
    if (dashboard?.DashboardBody !== undefined)
      stack.dashboard = JSON.parse(dashboard.DashboardBody) as unknown;
  }

  private async resourcesOf(stackName: string, stack: DeployedStack) {
    const summaries: StackResourceSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.cloudFormation.send(
        new ListStackResourcesCommand({ StackName: stackName, NextToken: token }),
      );
      summaries.push(...(page.StackResourceSummaries ?? []));
      token = page.NextToken;
    } while (token);
    const template = await this.cloudFormation.send(
      new GetTemplateCommand({ StackName: stackName }),
    );
    const resources = (
      JSON.parse(template.TemplateBody ?? '{}') as {
        Resources?: Record<string, { Type: string }>;
      }
    ).Resources;
    const created = new Set(summaries.map((resource) => resource.ResourceType));
    stack.createdCount = summaries.filter((resource) => resource.ResourceType).length;
    for (const { Type } of Object.values(resources ?? {})) {
      stack.resourceCounts[Type] = (stack.resourceCounts[Type] ?? 0) + 1;
      if (!created.has(Type) && !stack.notCreated.includes(Type)) stack.notCreated.push(Type);
    }
    stack.notCreated.sort();
    return summaries;
  }

  private async readFunctions(
    stage: string,
    stack: DeployedStack,
    logicalIds: Map<string | undefined, string | undefined>,
  ): Promise<void> {
    const listed = await this.lambda.send(new ListFunctionsCommand({}));
    for (const listing of listed.Functions ?? []) {
      const name = listing.FunctionName ?? '';
      if (!name.startsWith(`steward-${stage}-`)) continue;
      const { Configuration: configuration } = await this.lambda.send(
        new GetFunctionCommand({ FunctionName: name }),
      );
      const policy = await this.lambda
        .send(new GetPolicyCommand({ FunctionName: name }))
        .catch(() => ({ Policy: undefined }));
      const statements = policy.Policy
        ? (
            JSON.parse(policy.Policy) as {
              Statement: {
                Principal: { Service: string };
                Condition?: { ArnLike?: Record<string, string> };
              }[];
            }
          ).Statement
        : [];
      stack.functions[name.slice(`steward-${stage}-`.length)] = {
        runtime: configuration?.Runtime,
        handler: configuration?.Handler,
        memorySize: configuration?.MemorySize,
        timeout: configuration?.Timeout,
        architectures: configuration?.Architectures,
        environment: configuration?.Environment?.Variables,
        role: logicalIds.get(configuration?.Role?.split('/').pop()),
        invokers: statements.map((statement) => ({
          principal: statement.Principal.Service,
          sourceArn: statement.Condition?.ArnLike?.['AWS:SourceArn'],
        })),
      };
    }
  }

  private async readRoles(
    stage: string,
    stack: DeployedStack,
    logicalIds: Map<string | undefined, string | undefined>,
  ): Promise<void> {
    const listed = await this.iam.send(new ListRolesCommand({}));
    for (const listing of listed.Roles ?? []) {
      const name = listing.RoleName as string;
      if (!name.startsWith(`steward-${stage}-`)) continue;
      const { Role: role } = await this.iam.send(new GetRoleCommand({ RoleName: name }));
      const policies: Record<string, unknown> = {};
      const names = await this.iam.send(new ListRolePoliciesCommand({ RoleName: name }));
      for (const policyName of names.PolicyNames ?? []) {
        const policy = await this.iam.send(
          new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }),
        );
        policies[policyName] = parsePolicyDocument(policy.PolicyDocument ?? '');
      }
      stack.roles[logicalIds.get(name) ?? name] = {
        assumeRolePolicy: parsePolicyDocument(role?.AssumeRolePolicyDocument ?? ''),
        policies,
      };
    }
  }

  private async readEventRules(stage: string, stack: DeployedStack): Promise<void> {
    const rules = await this.eventBridge.send(
      new ListRulesCommand({ NamePrefix: `steward-${stage}-` }),
    );
    for (const rule of rules.Rules ?? []) {
      const targets = await this.eventBridge.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name }),
      );
      for (const target of targets.Targets ?? []) {
        const functionName = (target.Arn ?? '').split(':').pop() ?? '';
        const name = functionName.slice(`steward-${stage}-`.length);
        stack.eventRules.push({ arn: rule.Arn as string, target: name });
        if (rule.ScheduleExpression !== undefined)
          stack.schedules.push({
            expression: rule.ScheduleExpression,
            target: name,
            input: JSON.parse(target.Input ?? 'null') as unknown,
          });
        else
          (stack.patterns[name] ??= []).push(JSON.parse(rule.EventPattern ?? '{}') as EventPattern);
      }
    }
    for (const patterns of Object.values(stack.patterns)) patterns.sort(byJson);
    stack.schedules.sort(byJson);
  }

  private async readTable(stage: string, stack: DeployedStack): Promise<void> {
    const tableName = `steward-${stage}-ledger`;
    const tables = await this.dynamodb.send(new ListTablesCommand({}));
    if (!tables.TableNames?.includes(tableName)) return;
    const { Table: table } = await this.dynamodb.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    const ttl = await this.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const backups = await this.dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: tableName }),
    );
    stack.table = {
      keySchema: table?.KeySchema,
      attributeDefinitions: [...(table?.AttributeDefinitions ?? [])].sort(byJson),
      indexes: (table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
      billingMode: table?.BillingModeSummary?.BillingMode,
      deletionProtection: table?.DeletionProtectionEnabled,
      arn: table?.TableArn,
      timeToLive: ttl.TimeToLiveDescription?.AttributeName
        ? `${ttl.TimeToLiveDescription.AttributeName} ${ttl.TimeToLiveDescription.TimeToLiveStatus}`
        : ttl.TimeToLiveDescription?.TimeToLiveStatus,
      pointInTimeRecovery:
        backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
          ?.PointInTimeRecoveryStatus,
      encrypted: table?.SSEDescription?.Status === 'ENABLED',
    };
  }

  private async readQueue(stage: string, stack: DeployedStack): Promise<void> {
    const queueName = `steward-${stage}-dead-letters`;
    const listed = await this.sqs.send(new ListQueuesCommand({ QueueNamePrefix: queueName }));
    const url = (listed.QueueUrls ?? []).find((queue) => queue.endsWith(`/${queueName}`));
    if (url === undefined) return;
    const { Attributes: attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['QueueArn', 'MessageRetentionPeriod', 'SqsManagedSseEnabled'],
      }),
    );
    stack.queue = attributes ?? {};
  }
}

/**
 * A template value as CloudFormation resolves it: `Fn::Sub` with the pseudo parameters,
 * `Fn::GetAtt` from `attributes` (`"LedgerTable.Arn"`: what the deployed resource has),
 * `Fn::Join`.
 *
 * @example
 * resolveIntrinsics({ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, { 'LedgerTable.Arn': arn }); // arn
 */
export function resolveIntrinsics(value: unknown, attributes: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, attributes));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, inner] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Fn::Sub' && typeof inner === 'string') {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': region,
      'AWS::AccountId': account,
    };
    return inner.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const resolved = pseudo[name] ?? attributes[name];
      if (resolved === undefined) throw new Error(`cannot resolve \${${name}} in ${inner}`);
      return resolved;
    });
  }
  if (entries.length === 1 && key === 'Fn::GetAtt' && Array.isArray(inner)) {
    const name = inner.join('.');
    const resolved = attributes[name];
    if (resolved === undefined) throw new Error(`cannot resolve Fn::GetAtt ${name}`);
    return resolved;
  }
  if (entries.length === 1 && key === 'Fn::Join' && Array.isArray(inner)) {
    const [separator, parts] = inner as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, attributes)).join(separator);
  }
  return Object.fromEntries(
    entries.map(([name, item]) => [name, resolveIntrinsics(item, attributes)]),
  );
}

/**
 * Whether an ARN pattern of a policy condition (`ArnLike`, `*` for any characters) covers `arn`.
 *
 * @example
 * arnLikeCovers('arn:aws:logs:us-east-1:1:log-group:/var/log/*:*', 'arn:aws:logs:us-east-1:1:log-group:/var/log/secure:*'); // true
 */
export function arnLikeCovers(pattern: string, arn: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(arn);
}

/** Everything of a stage still in moto by its names, after `sls remove`: should be nothing. */
export async function leftoversOf(reader: DeployedStackReader, stage: string): Promise<string[]> {
  const stack = await reader.read(stage);
  return [
    ...(stack.status && stack.status !== 'DELETE_COMPLETE' ? [`stack ${stack.status}`] : []),
    ...Object.keys(stack.functions).map((name) => `function ${name}`),
    ...Object.keys(stack.roles).map((name) => `role ${name}`),
    ...stack.eventRules.map((rule) => `EventBridge rule ${rule.arn}`),
    ...(stack.table ? ['ledger table'] : []),
    ...(stack.queue ? ['dead-letter queue'] : []),
    ...Object.keys(stack.logGroups).map((name) => `log group ${name}`),
    ...stack.alarms.map((name) => `alarm ${name}`),
    ...(stack.dashboard === undefined ? [] : [`dashboard steward-${stage}`]),
  ];
}
