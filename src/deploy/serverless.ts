import { factPermissions } from '../rules/facts.js';
import { loadRules } from '../rules/load.js';
import type { CompiledRule } from '../rules/rule.js';
import { compileLogFilter } from '../rules/log-filter.js';
import { eventBridgePatterns } from './patterns.js';

/** What `serverless.yml` reads from the rule pack at package time. */
export interface ServerlessRuleConfig {
  events: {
    ec2State: Record<string, unknown>[];
    cloudtrail: Record<string, unknown>[];
    cloudtrailLogs: Record<string, unknown>[];
    cloudwatchLogs: Record<string, unknown>[];
  };
  /** IAM actions the rules' actions and the lazy facts their conditions read need. */
  permissions: string[];
  /** The functions' IAM statements: the ledger table, the CloudTrail log files, and the rules' actions. */
  iamStatements: Record<string, unknown>[];
}

export interface DeployParameters {
  /** The existing bucket CloudTrail delivers log files to; no S3 trigger when empty. */
  cloudTrailBucket: string;
  /** Log groups to subscribe, comma-separated; the rules' own (non-wildcard) groups when empty. */
  logGroups: string;
}

/**
 * One subscription filter per log group can carry the rules' filters only when each is a
 * single term or phrase (then `?"a" ?"b"` delivers any of them); otherwise every line is sent
 * and the rule index filters in process.
 */
function subscriptionFilter(rules: readonly CompiledRule[], logGroup: string): string {
  const filters: string[] = [];
  for (const rule of rules) {
    for (const trigger of rule.document.triggers) {
      if (trigger.source !== 'cloudwatch-logs') continue;
      if (
        !trigger.logGroups.some((group) =>
          group.endsWith('*') ? logGroup.startsWith(group.slice(0, -1)) : group === logGroup,
        )
      )
        continue;
      if (trigger.filter === undefined || compileLogFilter(trigger.filter).terms !== 1) return '';
      filters.push(trigger.filter.trim());
    }
  }
  const unique = [...new Set(filters)];
  if (unique.length === 0) return '';
  return unique.length === 1
    ? (unique[0] as string)
    : unique.map((filter) => `?${filter}`).join(' ');
}

export function serverlessRuleConfig(
  rules: readonly CompiledRule[],
  parameters: DeployParameters,
): ServerlessRuleConfig {
  const patterns = eventBridgePatterns(rules);
  const ruleGroups = rules.flatMap((rule) =>
    rule.document.triggers.flatMap((trigger) =>
      trigger.source === 'cloudwatch-logs' ? trigger.logGroups : [],
    ),
  );
  const logGroups = parameters.logGroups.trim()
    ? parameters.logGroups
        .split(',')
        .map((group) => group.trim())
        .filter(Boolean)
    : [...new Set(ruleGroups.filter((group) => !group.endsWith('*')))].sort();
  const bucket = parameters.cloudTrailBucket.trim();
  const permissions = new Set<string>(factPermissions(rules));
  for (const rule of rules) {
    for (const { definition } of rule.actions)
      definition.permissions.forEach((permission) => permissions.add(permission));
  }
  return {
    events: {
      ec2State: patterns.ec2State.map((pattern) => ({ eventBridge: { pattern } })),
      cloudtrail: patterns.cloudtrail.map((pattern) => ({ eventBridge: { pattern } })),
      cloudtrailLogs: bucket
        ? [
            {
              s3: {
                bucket,
                existing: true,
                event: 's3:ObjectCreated:*',
                rules: [{ prefix: 'AWSLogs/' }, { suffix: '.json.gz' }],
              },
            },
          ]
        : [],
      cloudwatchLogs: logGroups.map((logGroup) => ({
        cloudwatchLog: { logGroup, filter: subscriptionFilter(rules, logGroup) },
      })),
    },
    permissions: [...permissions].sort(),
    iamStatements: [
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:DescribeTable',
        ],
        Resource: [
          { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
          { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, 'index', '*']] },
        ],
      },
      ...(bucket
        ? [
            {
              Effect: 'Allow',
              Action: ['s3:GetObject'],
              Resource: [`arn:aws:s3:::${bucket}/AWSLogs/*`],
            },
          ]
        : []),
      ...(permissions.size > 0
        ? [{ Effect: 'Allow', Action: [...permissions].sort(), Resource: '*' }]
        : []),
    ],
  };
}

/** Loads the rule pack and derives the configuration; called by `deploy/serverless-rules.cjs`. */
export async function serverlessRuleConfigFor(
  rulesDir: string,
  parameters: DeployParameters,
): Promise<ServerlessRuleConfig> {
  return serverlessRuleConfig(await loadRules(rulesDir), parameters);
}
