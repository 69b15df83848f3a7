import { deploymentNames } from '../operations/deployment.js';
import type { CompiledRule } from '../rules/rule.js';
import { actionStatuses, type MetricName } from '../telemetry/names.js';
import { alarmPeriodSeconds, type AlarmResource } from './alarms.js';
import { functionSources } from './function-rules.js';
import type { DeployParameters } from './parameters.js';
import { stewardMetric, type MetricReference } from './steward-metric.js';

/** The parts of the deploy parameters the dashboard is made from. */
export type DashboardParameters = Pick<DeployParameters, 'service' | 'stage' | 'metricsNamespace'>;

/** One line of a metric widget: the metric, and how it is summarised. */
interface WidgetMetric {
  metric: MetricReference;
  stat: string;
  label?: string;
}

/** A widget before it is placed on the grid. */
interface WidgetContent {
  type: 'metric' | 'alarm';
  width: number;
  properties: Record<string, unknown>;
}

/**
 * The stack's region, which CloudFormation writes into the body (`Fn::Sub`): the dashboard
 * shows the metrics of the region the stack is deployed in, whatever region packaged it.
 */
const stackRegion = '${AWS::Region}';

/** CloudWatch's limits: metrics in one graph, alarms in one alarm status widget. */
const metricsPerGraph = 500;
const alarmsPerWidget = 100;

/** `items` in runs of at most `size`, each titled, with its place when there are several. */
function titledRuns<T>(title: string, items: readonly T[], size: number): [string, T[]][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    runs.push(items.slice(start, start + size));
  return runs.map((run, at) => [
    runs.length > 1 ? `${title} (${at + 1}/${runs.length})` : title,
    run,
  ]);
}

/** A metric widget: its metrics as CloudWatch's `[namespace, name, dim, value, …, options]`. */
function metricWidget(
  title: string,
  lines: readonly WidgetMetric[],
  options: { stacked?: boolean; view?: string } = {},
): WidgetContent {
  return {
    type: 'metric',
    width: 12,
    properties: {
      title,
      region: stackRegion,
      view: options.view ?? 'timeSeries',
      stacked: options.stacked ?? false,
      period: alarmPeriodSeconds,
      metrics: lines.map(({ metric, stat, label }) => [
        metric.namespace,
        metric.metricName,
        ...Object.entries(metric.dimensions).flat(),
        { stat, ...(label ? { label } : {}) },
      ]),
    },
  };
}

/** The p50 and p99 of a latency metric, per value of its one dimension. */
function latencies(
  namespace: string,
  metricName: MetricName,
  dimension: 'Function' | 'Action',
  values: readonly string[],
): WidgetMetric[] {
  return values.flatMap((value) =>
    ['p50', 'p99'].map((stat) => ({
      metric: stewardMetric(namespace, metricName, { [dimension]: value }),
      stat,
      label: `${value} ${stat}`,
    })),
  );
}

/**
 * The stack's CloudWatch dashboard, `steward-<stage>`: events received by source, matches by
 * rule, actions by status, decode and evaluation errors, ledger and action latencies (p50,
 * p99), the dead-letter queue's depth, and the state of every alarm of the stack. Its metrics
 * are the ones the functions write (`src/telemetry/names.ts`) in the deployment's namespace;
 * the rules decide which rules and actions it shows.
 *
 * @example
 * const dashboard = stackDashboard(rules, parameters, stackAlarms(rules, parameters));
 * dashboard.Properties.DashboardName; // 'steward-prod'
 */
export function stackDashboard(
  rules: readonly CompiledRule[],
  parameters: DashboardParameters,
  alarms: Readonly<Record<string, AlarmResource>>,
) {
  const names = deploymentNames(parameters.stage, parameters.service);
  const namespace = parameters.metricsNamespace;
  const sources = [...new Set(Object.values(functionSources).flat())];
  const actions = [
    ...new Set(rules.flatMap((rule) => rule.actions.map((action) => action.definition.name))),
  ].sort();
  const alarmArns = Object.values(alarms).map(
    (alarm) =>
      `arn:\${AWS::Partition}:cloudwatch:${stackRegion}:\${AWS::AccountId}:alarm:${alarm.Properties.AlarmName}`,
  );
  const widgets: WidgetContent[] = [
    metricWidget(
      'Events received by source',
      sources.map((source) => ({
        metric: stewardMetric(namespace, 'EventsReceived', { Source: source }),
        stat: 'Sum',
        label: source,
      })),
      { stacked: true },
    ),
    metricWidget(
      'Actions by status',
      actionStatuses.map((status) => ({
        metric: stewardMetric(namespace, 'Actions', { Status: status }),
        stat: 'Sum',
        label: status,
      })),
      { stacked: true },
    ),
    ...titledRuns('Matches by rule', rules, metricsPerGraph).map(([title, run]) =>
      metricWidget(
        title,
        run.map((rule) => ({
          metric: stewardMetric(namespace, 'Matches', { Rule: rule.id }),
          stat: 'Sum',
          label: rule.id,
        })),
      ),
    ),
    metricWidget('Decode and evaluation errors', [
      { metric: stewardMetric(namespace, 'DecodeErrors'), stat: 'Sum', label: 'decode errors' },
      {
        metric: stewardMetric(namespace, 'EvaluationErrors'),
        stat: 'Sum',
        label: 'evaluation errors',
      },
    ]),
    metricWidget(
      'Ledger latency by function (ms)',
      latencies(namespace, 'LedgerLatency', 'Function', Object.keys(functionSources)),
    ),
    metricWidget(
      'Action latency by action (ms)',
      latencies(namespace, 'ActionLatency', 'Action', actions),
    ),
    metricWidget('Dead-letter queue depth', [
      {
        metric: {
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: names.deadLetterQueue },
        },
        stat: 'Maximum',
        label: names.deadLetterQueue,
      },
    ]),
    ...titledRuns('Alarms', alarmArns, alarmsPerWidget).map(([title, run]): WidgetContent => ({
      type: 'alarm',
      width: 24,
      properties: { title, alarms: run, sortBy: 'stateUpdatedTimestamp' },
    })),
  ];
  return {
    Type: 'AWS::CloudWatch::Dashboard' as const,
    Properties: {
      DashboardName: names.stack,
      DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets: placed(widgets) }) },
    },
  };
}

/** Lays the widgets out left to right, six units high, starting a row when one is full. */
function placed(widgets: readonly WidgetContent[]) {
  let x = 0;
  let y = 0;
  return widgets.map(({ type, width, properties }) => {
    if (x + width > 24) {
      x = 0;
      y += 6;
    }
    const widget = { type, x, y, width, height: 6, properties };
    x += width;
    return widget;
  });
}
