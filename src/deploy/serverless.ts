import { loadRules } from '../rules/load.js';
import { functionRoles, rulePermissions } from './iam.js';
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
  /** CloudFormation resources computed from the rules: one IAM role per function, the dead-letter alarm. */
  resources: { Resources: Record<string, unknown> };
}

export interface DeployParameters {
  /** The existing bucket CloudTrail delivers log files to; no S3 trigger when empty. */
  cloudTrailBucket: string;
  /** Log groups to subscribe, comma-separated; the rules' own (non-wildcard) groups when empty. */
  logGroups: string;
  service: string;
  stage: string;
  /** An SNS topic the dead-letter alarm notifies; none when empty. */
  alarmTopicArn: string;
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
    permissions: rulePermissions(rules),
    resources: {
      Resources: {
        ...functionRoles(rules, {
          service: parameters.service,
          stage: parameters.stage,
          cloudTrailBucket: bucket,
        }),
        DeadLetterAlarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmDescription: 'Events steward could not process wait in the dead-letter queue',
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [
              { Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } },
            ],
            Statistic: 'Maximum',
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            TreatMissingData: 'notBreaching',
            ...(parameters.alarmTopicArn ? { AlarmActions: [parameters.alarmTopicArn] } : {}),
          },
        },
      },
    },
  };
}

/** Loads the rule pack and derives the configuration; called by `deploy/serverless-rules.cjs`. */
export async function serverlessRuleConfigFor(
  rulesDir: string,
  parameters: DeployParameters,
): Promise<ServerlessRuleConfig> {
  return serverlessRuleConfig(await loadRules(rulesDir), parameters);
}
