import { createHash } from 'node:crypto';
import { deploymentNames } from '../operations/deployment.js';
import type { CompiledRule } from '../rules/rule.js';
import { functionSources } from './function-rules.js';
import type { DeployParameters } from './parameters.js';
import { stewardMetric, type MetricReference } from './steward-metric.js';

/** What every alarm counts over: five minutes. */
export const alarmPeriodSeconds = 300;

/** A CloudWatch alarm of the stack. */
export interface AlarmResource {
  Type: 'AWS::CloudWatch::Alarm';
  Properties: {
    AlarmName: string;
    /** What the alarm means and what to do, as the notification shows it. */
    AlarmDescription: string;
    [property: string]: unknown;
  };
}

/** The parts of the deploy parameters the alarms are made from. */
export type AlarmParameters = Pick<
  DeployParameters,
  'service' | 'stage' | 'metricsNamespace' | 'alarmTopicArn'
>;

const capitalized = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

/**
 * The logical ids of the rules' failed-action alarms: the rule id in PascalCase, and where two
 * ids give the same (`a-1b`, `a1b`), each with a digest of its id, so that no rule's alarm
 * replaces another's.
 */
function failedActionsLogicalIds(ruleIds: readonly string[]): Map<string, string> {
  const pascal = (id: string) => id.split('-').filter(Boolean).map(capitalized).join('');
  const uses = new Map<string, number>();
  for (const id of ruleIds) uses.set(pascal(id), (uses.get(pascal(id)) ?? 0) + 1);
  return new Map(
    ruleIds.map((id) => {
      const base = pascal(id);
      const suffix =
        (uses.get(base) ?? 0) > 1 ? createHash('sha256').update(id).digest('hex').slice(0, 8) : '';
      return [id, `FailedActions${base}${suffix}Alarm`];
    }),
  );
}

/**
 * An alarm that goes off when a count is above zero in five minutes; no data (nothing
 * happened) is not breaching. Every alarm notifies the alarm topic, when there is one, as it
 * goes off and as it ends.
 */
function countAlarm(
  parameters: AlarmParameters,
  name: string,
  description: string,
  query: Record<string, unknown>,
): AlarmResource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${deploymentNames(parameters.stage, parameters.service).alarmPrefix}${name}`,
      AlarmDescription: description,
      ...query,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...notifications(parameters),
    },
  };
}

function notifications(parameters: AlarmParameters): Record<string, string[]> {
  const topic = parameters.alarmTopicArn;
  return topic ? { AlarmActions: [topic], OKActions: [topic] } : {};
}

/** An alarm's query of one metric's sum over the period. */
function sumOf(metric: MetricReference): Record<string, unknown> {
  return {
    Namespace: metric.namespace,
    MetricName: metric.metricName,
    Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: 'Sum',
    Period: alarmPeriodSeconds,
  };
}

/**
 * The stack's alarms, generated from the rules and the parameters, by logical id: one per rule
 * for its failed actions; the decode and evaluation errors of all functions; each function's
 * Lambda errors and throttles; the ledger table's throttled requests; the dead-letter queue's
 * depth. Each is named `steward-<stage>-…` and says what it means and what to do.
 *
 * Lambda's errors and throttles get an alarm per function rather than one metric-math alarm
 * over all of them: CloudWatch bills a metric-math alarm per metric it reads, so the cost is
 * the same, and the alarm's name then says which function's log group to read.
 *
 * @example
 * const alarms = stackAlarms(rules, deployParameters({}, { service: 'steward', stage: 'prod', region: 'us-east-1' }));
 * alarms.DecodeErrorsAlarm.Properties.AlarmName; // 'steward-prod-decode-errors'
 */
export function stackAlarms(
  rules: readonly CompiledRule[],
  parameters: AlarmParameters,
): Record<string, AlarmResource> {
  const names = deploymentNames(parameters.stage, parameters.service);
  const namespace = parameters.metricsNamespace;
  const status = `steward status --stage ${parameters.stage}`;
  const alarms: Record<string, AlarmResource> = {
    DeadLetterAlarm: deadLetterAlarm(parameters),
    DecodeErrorsAlarm: countAlarm(
      parameters,
      'decode-errors',
      `steward could not decode input in the last 5 minutes: malformed JSON, a payload that is not base64 or gzip, an unknown shape, or CloudTrail records from a channel steward does not believe. The invocation fails after the rest of its batch; Lambda retries it twice, then keeps it in the dead-letter queue. What to do: read the "steward error" log lines (kind, where, error) in the functions' log groups, fix the sender or the deployment's trust parameters (cloudTrailLogGroups, cloudTrailBucket), then run steward replay --dlq on the dead-letter queue.`,
      sumOf(stewardMetric(namespace, 'DecodeErrors')),
    ),
    EvaluationErrorsAlarm: countAlarm(
      parameters,
      'evaluation-errors',
      `A rule could not be evaluated on an event in the last 5 minutes (a lazy fact AWS would not give, a condition that failed), or a sweep could not find its targets: that rule's actions did not run for that event. When the cause may pass, the invocation fails so that Lambda delivers the event again. What to do: ${status}; read the "steward error" log lines (kind, where, error, eventId, rule); a fact AWS refused usually means a permission or member role is missing. Once fixed, events left in the dead-letter queue go through steward replay --dlq.`,
      sumOf(stewardMetric(namespace, 'EvaluationErrors')),
    ),
    LedgerThrottlesAlarm: countAlarm(
      parameters,
      'ledger-throttles',
      `DynamoDB throttled requests to the ledger table ${names.ledgerTable} in the last 5 minutes (on demand: a burst beyond twice the table's previous peak, or the account's table quotas). The SDK retries; an action that cannot be claimed is not executed, and its invocation fails for Lambda to deliver again. What to do: watch ReadThrottleEvents and WriteThrottleEvents of the table and the functions' errors; if it lasts, raise the table's or account's throughput quotas (Service Quotas) or spread the sweep schedules.`,
      ledgerThrottles(names.ledgerTable),
    ),
  };
  for (const fn of Object.keys(functionSources)) {
    const functionName = names.functionName(fn);
    alarms[`${capitalized(fn)}ErrorsAlarm`] = countAlarm(
      parameters,
      `${fn}-errors`,
      `The ${fn} function (${functionName}) failed invocations in the last 5 minutes. steward fails one on purpose when part of its input must be delivered again (input it could not decode, a fact AWS would not give, an action whose outcome is unknown, the ledger out of reach); Lambda fails one that timed out or ran out of memory. Lambda retries twice, then the event waits in the dead-letter queue. What to do: read ${names.logGroup(fn)} ("steward error" lines, "Task timed out", "Runtime exited"); once the cause is fixed, steward replay --dlq runs what the queue holds.`,
      sumOf(lambdaMetric('Errors', functionName)),
    );
    alarms[`${capitalized(fn)}ThrottlesAlarm`] = countAlarm(
      parameters,
      `${fn}-throttles`,
      `Lambda throttled invocations of the ${fn} function (${functionName}) in the last 5 minutes: the account's concurrency (or the function's reserved concurrency) is used up. Lambda retries a throttled event for up to an hour, then sends it to the dead-letter queue. What to do: compare the account's ConcurrentExecutions with its limit and other functions' reserved concurrency; ask for a higher limit or reserve concurrency for steward; replay what reached the dead-letter queue with steward replay --dlq.`,
      sumOf(lambdaMetric('Throttles', functionName)),
    );
  }
  const withActions = rules.filter((rule) => rule.actions.length > 0).map((rule) => rule.id);
  const logicalIds = failedActionsLogicalIds(withActions);
  for (const rule of withActions)
    alarms[logicalIds.get(rule) as string] = countAlarm(
      parameters,
      `failed-actions-${rule}`,
      `An action of rule ${rule} failed in the last 5 minutes: AWS refused it for good (access denied, not found, a member role that cannot be assumed) and the ledger records it as failed; it is not tried again for that event. What to do: ${status} lists the last failures with their reasons; steward ledger list --rule ${rule} --status failed, and steward trace EVENT_ID for one event. Fix the cause (the role's permissions, the member role, the rule's parameters); the resource was left as it was, so act on it by hand or wait for the rule's next event or sweep.`,
      sumOf(stewardMetric(namespace, 'Actions', { Rule: rule, Status: 'failed' })),
    );
  return alarms;
}

/** A metric Lambda writes of a function. */
function lambdaMetric(metricName: 'Errors' | 'Throttles', functionName: string): MetricReference {
  return { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: functionName } };
}

/**
 * The ledger table's throttled reads and writes as one series: DynamoDB writes them as two
 * metrics, and either means the same to steward.
 */
function ledgerThrottles(tableName: string): Record<string, unknown> {
  const stat = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/DynamoDB',
        MetricName: metricName,
        Dimensions: [{ Name: 'TableName', Value: tableName }],
      },
      Period: alarmPeriodSeconds,
      Stat: 'Sum',
    },
    ReturnData: false,
  });
  return {
    Metrics: [
      {
        Id: 'throttles',
        Expression: 'SUM([reads, writes])',
        Label: 'ledger requests throttled',
        ReturnData: true,
      },
      stat('reads', 'ReadThrottleEvents'),
      stat('writes', 'WriteThrottleEvents'),
    ],
  };
}

/** The dead-letter queue holds at least one event. */
function deadLetterAlarm(parameters: AlarmParameters): AlarmResource {
  const names = deploymentNames(parameters.stage, parameters.service);
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${names.alarmPrefix}dead-letters`,
      AlarmDescription: `Events steward could not process, after Lambda's two retries or an hour, wait in the dead-letter queue ${names.deadLetterQueue} (14 days); each message holds the function's payload and its last error. What to do: read the error (aws sqs receive-message, or steward replay --dlq QUEUE_URL --dry-run) and the function's log; fix the cause, then steward replay --dlq QUEUE_URL (the stack's output DeadLetterQueueUrl): actions already recorded report duplicate, the others run once.`,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Period: alarmPeriodSeconds,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...notifications(parameters),
    },
  };
}
