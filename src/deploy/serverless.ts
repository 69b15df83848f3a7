import { telemetryEnvironment } from '../telemetry/names.js';
import { stackAlarms } from './alarms.js';
import { stackDashboard } from './dashboard.js';
import { deadLetterQueuePolicy } from './dead-letter-policy.js';
import { ledgerTableName, ledgerTableResource } from '../ledger/table.js';
import { loadRules } from '../rules/load.js';
import { functionRoles } from './iam.js';
import { rulePermissions } from './rule-statements.js';
import type { CompiledRule } from '../rules/rule.js';
import { compileLogFilter } from '../rules/log-filter.js';
import { organizationBusLogicalId, organizationBusResources } from './organization.js';
import type { DeployParameters } from './parameters.js';
import { eventBridgePatterns, type EventPattern } from './patterns.js';
import { scheduleEvents } from './schedules.js';

/** What `serverless.yml` reads from the rule pack at package time. */
export interface ServerlessRuleConfig {
  events: {
    ec2State: Record<string, unknown>[];
    cloudtrail: Record<string, unknown>[];
    cloudtrailLogs: Record<string, unknown>[];
    cloudwatchLogs: Record<string, unknown>[];
    findings: Record<string, unknown>[];
    /** One EventBridge schedule per rule and schedule, its input the rule to sweep. */
    sweep: Record<string, unknown>[];
  };
  /** IAM actions the rules' actions and the lazy facts their conditions read need. */
  permissions: string[];
  /**
   * CloudFormation resources computed from the rules and the parameters: one IAM role per
   * function, the ledger table, the alarms and the dashboard, and in an organization its event
   * bus; and the outputs that name the metrics' namespace and the dashboard.
   */
  resources: {
    Resources: Record<string, unknown>;
    Outputs: Record<string, { Value: unknown; Description: string }>;
  };
  /**
   * What the functions read of the deployment: the member role, CloudTrail's log groups, the
   * ledger table, and their telemetry (metrics namespace, X-Ray, log level and DEBUG sampling).
   */
  environment: {
    STEWARD_MEMBER_ROLE_NAME: string;
    STEWARD_CLOUDTRAIL_LOG_GROUPS: string;
    STEWARD_LEDGER_TABLE: string;
    STEWARD_METRICS_NAMESPACE: string;
    STEWARD_TRACING: string;
    POWERTOOLS_LOG_LEVEL: string;
    POWERTOOLS_LOGGER_SAMPLE_RATE: string;
    POWERTOOLS_SERVICE_NAME: string;
  };
  /** `provider.tracing`: X-Ray active tracing of every function when the deployment asks. */
  tracing: { lambda: boolean };
  /** What the `sweep` function alone reads: where the sweeps look. */
  sweepEnvironment: {
    /** Comma-separated regions; the stack's own by default. */
    STEWARD_SWEEP_REGIONS: string;
    /** Comma-separated accounts; empty: the home account only. */
    STEWARD_SWEEP_ACCOUNTS: string;
  };
}

/**
 * The S3 notification filter of CloudTrail log files: `AWSLogs/` covers a trail of one account
 * (`AWSLogs/<account>/CloudTrail/<region>/…`) and an organization trail
 * (`AWSLogs/o-…/<account>/CloudTrail/<region>/…`) alike; S3 allows one prefix and one suffix.
 */
export const cloudTrailKeyFilter = [{ prefix: 'AWSLogs/' }, { suffix: '.json.gz' }] as const;

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

/**
 * The EventBridge events of a function: its patterns on the default bus, and in an
 * organization the same patterns on the organization bus, where the member accounts forward.
 */
function eventBridgeEvents(
  patterns: readonly EventPattern[],
  organizationId: string,
): Record<string, unknown>[] {
  const buses: (Record<string, unknown> | undefined)[] = organizationId
    ? [undefined, { 'Fn::GetAtt': [organizationBusLogicalId, 'Name'] }]
    : [undefined];
  return buses.flatMap((eventBus) =>
    patterns.map((pattern) => ({ eventBridge: eventBus ? { eventBus, pattern } : { pattern } })),
  );
}

/** The logical id of the stage's dashboard. */
export const dashboardLogicalId = 'OperationsDashboard';

/**
 * What `serverless.yml` takes from the rules and the deploy parameters: each function's events
 * (for `sweep`, the schedules of the rules' schedule triggers), its role, the organization bus
 * when there is an organization, the functions' environment.
 *
 * @example
 * const config = serverlessRuleConfig(await loadRules('rules'),
 *   deployParameters({}, { service: 'steward', stage: 'prod', region: 'us-east-1' }));
 * config.events.cloudtrail; // [{ eventBridge: { pattern: {...} } }, ...]
 */
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
  const ruleLogGroups = parameters.logGroups.length
    ? parameters.logGroups
    : [...new Set(ruleGroups.filter((group) => !group.endsWith('*')))].sort();
  const cloudTrailLogGroups = new Set(parameters.cloudTrailLogGroups);
  const bucket = parameters.cloudTrailBucket;
  const { organizationId } = parameters;
  const alarms = stackAlarms(rules, parameters);
  return {
    events: {
      ec2State: eventBridgeEvents(patterns.ec2State, organizationId),
      cloudtrail: eventBridgeEvents(patterns.cloudtrail, organizationId),
      cloudtrailLogs: bucket
        ? [
            {
              s3: {
                bucket,
                existing: true,
                event: 's3:ObjectCreated:*',
                rules: cloudTrailKeyFilter.map((rule) => ({ ...rule })),
              },
            },
          ]
        : [],
      // A CloudTrail log group delivers every record: the rule index picks the ones rules want.
      cloudwatchLogs: [
        ...ruleLogGroups
          .filter((logGroup) => !cloudTrailLogGroups.has(logGroup))
          .map((logGroup) => ({
            cloudwatchLog: { logGroup, filter: subscriptionFilter(rules, logGroup) },
          })),
        ...[...cloudTrailLogGroups].map((logGroup) => ({
          cloudwatchLog: { logGroup, filter: '' },
        })),
      ],
      findings: eventBridgeEvents(patterns.findings, organizationId),
      sweep: scheduleEvents(rules),
    },
    permissions: rulePermissions(rules),
    environment: {
      STEWARD_MEMBER_ROLE_NAME: parameters.memberRoleName,
      STEWARD_CLOUDTRAIL_LOG_GROUPS: parameters.cloudTrailLogGroups.join(','),
      STEWARD_LEDGER_TABLE: ledgerTableName(parameters.service, parameters.stage),
      [telemetryEnvironment.namespace]: parameters.metricsNamespace,
      [telemetryEnvironment.tracing]: String(parameters.tracing),
      [telemetryEnvironment.logLevel]: parameters.logLevel,
      [telemetryEnvironment.debugSampleRate]: String(parameters.debugSampleRate),
      POWERTOOLS_SERVICE_NAME: parameters.service,
    },
    tracing: { lambda: parameters.tracing },
    sweepEnvironment: {
      STEWARD_SWEEP_REGIONS: parameters.sweepRegions.join(','),
      STEWARD_SWEEP_ACCOUNTS: parameters.sweepAccounts.join(','),
    },
    resources: {
      Resources: {
        ...functionRoles(rules, parameters),
        ...(organizationId ? organizationBusResources(organizationId, parameters) : {}),
        LedgerTable: ledgerTableResource(
          ledgerTableName(parameters.service, parameters.stage),
          parameters.deletionProtection,
        ),
        DeadLetterQueuePolicy: deadLetterQueuePolicy(),
        ...alarms,
        [dashboardLogicalId]: stackDashboard(rules, parameters, alarms),
      },
      Outputs: {
        MetricsNamespace: {
          Value: parameters.metricsNamespace,
          Description: 'The CloudWatch namespace of the metrics the functions write',
        },
        DashboardName: {
          Value: { Ref: dashboardLogicalId },
          Description: 'The CloudWatch dashboard of the stage',
        },
      },
    },
  };
}

/**
 * Loads the rules and derives the configuration; called by `deploy/serverless-rules.cjs`.
 *
 * @example
 * const config = await serverlessRuleConfigFor('rules', parameters);
 */
export async function serverlessRuleConfigFor(
  rulesDir: string,
  parameters: DeployParameters,
): Promise<ServerlessRuleConfig> {
  return serverlessRuleConfig(await loadRules(rulesDir), parameters);
}
