import { stackAlarms } from '../../src/deploy/alarms.js';
import { stackDashboard } from '../../src/deploy/dashboard.js';
import { functionRoles } from '../../src/deploy/iam.js';
import { eventBridgePatterns, type EventPattern } from '../../src/deploy/patterns.js';
import { deployParameters, type DeployParameters } from '../../src/deploy/parameters.js';
import { ruleSchedules } from '../../src/deploy/schedules.js';
import { serverlessRuleConfig } from '../../src/deploy/serverless.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { region } from './harness.js';
import {
  resolveIntrinsics,
  type DeployedRole,
  type DeployedSchedule,
  type DeployedStack,
} from './deploy-stack.js';

/**
 * What moto's CloudFormation does not do, so the deploy test cannot check it in moto (the
 * packaged template's own tests, test/deploy/template.test.ts, check that the template asks for
 * it). The test fails on a gap moto closes or a new one, so this list stays true.
 */
export const motoGaps: Record<string, string> = {
  'AWS::CloudWatch::Alarm':
    'not created: the alarms (each rule’s failed actions, decode and evaluation errors, the functions’ errors and throttles, ledger throttles, the dead-letter queue’s depth); their names are checked in the dashboard',
  'AWS::Lambda::EventInvokeConfig':
    'not created: the functions’ on-failure destination (the queue), two retries, one-hour event age',
  'AWS::Logs::SubscriptionFilter': 'not created: the log subscriptions of the rules’ log groups',
  'AWS::S3::BucketPolicy': 'not created: the deployment bucket’s TLS-only policy',
  'AWS::SQS::QueuePolicy':
    'not created: the dead-letter queue’s policy that only the functions’ roles may send to it',
  'AWS::Lambda::Function Architectures': 'ignored: moto reports x86_64 for the arm64 functions',
  'AWS::DynamoDB::Table TimeToLiveSpecification': 'ignored: moto reports the ledger’s TTL off',
  'AWS::DynamoDB::Table PointInTimeRecoverySpecification':
    'ignored: moto reports point-in-time recovery off',
  'AWS::DynamoDB::Table SSESpecification':
    'ignored: moto reads SSESpecification.Enabled, the template says SSEEnabled',
  'AWS::CloudFormation::Stack Outputs':
    'not shown: a stack made and changed through change sets, as sls deploy does, keeps the outputs of none (MetricsNamespace, DashboardName and the others)',
  'AWS::Lambda::Permission removal':
    'not deleted: a permission an update or rollback drops stays in the function’s policy',
};

/** The gaps every deployed stack shows; an update that drops a permission adds the last one. */
export const gapsOfEveryStack = Object.keys(motoGaps).filter(
  (gap) => gap !== 'AWS::Lambda::Permission removal',
);

/**
 * The gaps `stack` shows: the resource types moto did not create, and each declared property
 * that moto holds otherwise.
 *
 * @example
 * expect(gapsOf(await reader.read('ci'))).toEqual(gapsOfEveryStack.sort());
 */
export function gapsOf(stack: DeployedStack): string[] {
  const gaps = new Set(stack.notCreated);
  const functions = Object.values(stack.functions);
  if (functions.some((fn) => fn.architectures?.join() !== 'arm64'))
    gaps.add('AWS::Lambda::Function Architectures');
  const liveRules = new Set(stack.eventRules.map((rule) => rule.arn));
  const fromGoneRules = functions.flatMap((fn) =>
    fn.invokers.filter(
      (invoker) =>
        invoker.principal === 'events.amazonaws.com' && !liveRules.has(invoker.sourceArn ?? ''),
    ),
  );
  if (fromGoneRules.length > 0) gaps.add('AWS::Lambda::Permission removal');
  if (stack.table?.timeToLive !== 'expiresAt ENABLED')
    gaps.add('AWS::DynamoDB::Table TimeToLiveSpecification');
  if (stack.table?.pointInTimeRecovery !== 'ENABLED')
    gaps.add('AWS::DynamoDB::Table PointInTimeRecoverySpecification');
  if (!stack.table?.encrypted) gaps.add('AWS::DynamoDB::Table SSESpecification');
  if (Object.keys(stack.outputs).length === 0) gaps.add('AWS::CloudFormation::Stack Outputs');
  return [...gaps].sort();
}

/** The deploy parameters of a stage deployed without `--param`, in the suite's region. */
function stackParameters(stage: string): DeployParameters {
  return deployParameters({}, { service: 'steward', stage, region });
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/**
 * The EventBridge patterns `steward patterns` prints for the rules, per function that has any,
 * sorted as `DeployedStackReader` lists them.
 *
 * @example
 * expect(stack.patterns).toEqual(expectedPatterns(rules));
 */
export function expectedPatterns(rules: readonly CompiledRule[]): Record<string, EventPattern[]> {
  return Object.fromEntries(
    Object.entries(eventBridgePatterns(rules))
      .filter(([, patterns]) => patterns.length > 0)
      .map(([name, patterns]) => [name, [...patterns].sort(byJson)]),
  );
}

/**
 * The EventBridge schedules of the rules' schedule triggers, each invoking `sweep` with the
 * rule's id and the schedule, sorted as `DeployedStackReader` lists them.
 *
 * @example
 * expect(stack.schedules).toEqual(expectedSchedules(rules));
 */
export function expectedSchedules(rules: readonly CompiledRule[]): DeployedSchedule[] {
  return ruleSchedules(rules)
    .map(({ rule, expression }) => ({
      expression,
      target: 'sweep',
      input: { rule, schedule: expression },
    }))
    .sort(byJson);
}

/**
 * The log groups the `cloudwatchLogs` function is subscribed to, deployed without parameters.
 *
 * @example
 * subscribedLogGroups(rules, 'ci'); // ['/var/log/auth.log', '/var/log/secure']
 */
export function subscribedLogGroups(rules: readonly CompiledRule[], stage: string): string[] {
  return serverlessRuleConfig(rules, stackParameters(stage)).events.cloudwatchLogs.map(
    (event) => (event.cloudwatchLog as { logGroup: string }).logGroup,
  );
}

/**
 * The names of the stage's alarms as the rules and `serverless.yml` declare them, sorted.
 *
 * @example
 * expect(stack.alarms).toEqual(expectedAlarms(rules, 'ci'));
 */
export function expectedAlarms(rules: readonly CompiledRule[], stage: string): string[] {
  return Object.values(stackAlarms(rules, stackParameters(stage)))
    .map((alarm) => alarm.Properties.AlarmName)
    .sort();
}

/**
 * The stage's dashboard body as CloudFormation writes it in the suite's account and region:
 * its widgets, the alarms' ARNs among them.
 *
 * @example
 * expect(stack.dashboard).toEqual(expectedDashboard(rules, 'ci'));
 */
export function expectedDashboard(rules: readonly CompiledRule[], stage: string): unknown {
  const parameters = stackParameters(stage);
  const dashboard = stackDashboard(rules, parameters, stackAlarms(rules, parameters));
  return JSON.parse(resolveIntrinsics(dashboard.Properties.DashboardBody, {}) as string);
}

/**
 * Each function's role as the rules declare it, by logical id, with CloudFormation's references
 * resolved to the ARNs of what was deployed (`attributes`, e.g. `LedgerTable.Arn`).
 *
 * @example
 * expect(stack.roles).toEqual(expectedRoles(rules, 'ci', { 'LedgerTable.Arn': tableArn }));
 */
export function expectedRoles(
  rules: readonly CompiledRule[],
  stage: string,
  attributes: Record<string, string>,
): Record<string, DeployedRole> {
  const declared = functionRoles(rules, stackParameters(stage));
  return Object.fromEntries(
    Object.entries(declared).map(([logicalId, resource]) => {
      const { Properties: properties } = resource as {
        Properties: {
          AssumeRolePolicyDocument: unknown;
          Policies: { PolicyName: string; PolicyDocument: unknown }[];
        };
      };
      const policies = properties.Policies.map((policy) => [
        policy.PolicyName,
        resolveIntrinsics(policy.PolicyDocument, attributes),
      ]);
      return [
        logicalId,
        {
          assumeRolePolicy: properties.AssumeRolePolicyDocument,
          policies: Object.fromEntries(policies),
        },
      ];
    }),
  );
}
