import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionSources, roleLogicalId } from '../../src/deploy/iam.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import {
  actionStatuses,
  metricDimensions,
  metrics,
  type MetricName,
} from '../../src/telemetry/names.js';
import { repoPath } from '../support/files.js';
import { ensurePythonTool } from '../support/python-tools.js';
import { slsPackage } from './sls-package.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
}

const topic = 'arn:aws:sns:us-east-1:123456789012:ops-alerts';
const namespace = 'Security/steward prod';
/** `sls package --stage prod` with the operating parameters given, and without any. */
let traced: { file: string; template: Template };
let plain: { file: string; template: Template };
let rules: CompiledRule[];

async function packaged(params: string[]) {
  const file = join(
    await slsPackage({ stage: 'prod', params }),
    'cloudformation-template-update-stack.json',
  );
  return { file, template: JSON.parse(await readFile(file, 'utf8')) as Template };
}

beforeAll(async () => {
  // One after the other: two packages of one service share its build folders.
  traced = await packaged([
    'tracing=true',
    `alarmTopicArn=${topic}`,
    `metricsNamespace=${namespace}`,
    'logLevel=debug',
    'debugSampleRate=0.1',
  ]);
  plain = await packaged([]);
  rules = await loadRules(repoPath('rules'));
}, 600_000);

const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
const capitalized = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
const functionNames = Object.keys(functionSources);

function alarmsByName(template: Template): Map<string, Record<string, unknown>> {
  return new Map(
    ofType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
      alarm.Properties.AlarmName as string,
      alarm.Properties,
    ]),
  );
}

/** The dimension names of a steward metric must be one of the sets the functions write. */
function expectDeclared(metricName: string, dimensionNames: string[], where: string): void {
  expect(Object.keys(metrics), where).toContain(metricName);
  const sets = metricDimensions[metricName as MetricName].map((set) => [...set].sort());
  expect(sets, `${where}: ${metricName} by [${dimensionNames.join(', ')}]`).toContainEqual(
    [...dimensionNames].sort(),
  );
}

describe('the packaged template’s alarms', () => {
  it('pass cfn-lint, no check ignored, with tracing, an alarm topic and a namespace of its own', async () => {
    const cfnLint = await ensurePythonTool(['cfn-lint'], 'cfn-lint');
    const { stdout } = await promisify(execFile)(cfnLint, ['--', traced.file], {
      timeout: 120_000,
    });
    expect(stdout).toBe('');
  }, 180_000);

  it('are exactly: one per rule with actions for its failed actions, the errors, each function’s errors and throttles, ledger throttles, the dead-letter queue', () => {
    const withActions = rules.filter((rule) => rule.actions.length > 0);
    expect(withActions.length).toBeGreaterThan(10);
    const expected = [
      'steward-prod-dead-letters',
      'steward-prod-decode-errors',
      'steward-prod-evaluation-errors',
      'steward-prod-ledger-throttles',
      ...functionNames.flatMap((fn) => [
        `steward-prod-${fn}-errors`,
        `steward-prod-${fn}-throttles`,
      ]),
      ...withActions.map((rule) => `steward-prod-failed-actions-${rule.id}`),
    ].sort();
    expect([...alarmsByName(traced.template).keys()].sort()).toEqual(expected);
    expect([...alarmsByName(plain.template).keys()].sort()).toEqual(expected);
  });

  it('go off on any failed action of a rule in 5 minutes, read from the namespace given', () => {
    const alarms = alarmsByName(traced.template);
    for (const rule of rules) {
      const alarm = alarms.get(`steward-prod-failed-actions-${rule.id}`);
      expect(alarm, rule.id).toMatchObject({
        Namespace: namespace,
        MetricName: 'Actions',
        Dimensions: [
          { Name: 'Rule', Value: rule.id },
          { Name: 'Status', Value: 'failed' },
        ],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(alarm?.AlarmDescription, rule.id).toContain(`rule ${rule.id} failed`);
    }
    for (const name of ['decode-errors', 'evaluation-errors'])
      expect(alarms.get(`steward-prod-${name}`), name).toMatchObject({
        Namespace: namespace,
        Dimensions: [],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    expect(alarms.get('steward-prod-decode-errors')?.MetricName).toBe('DecodeErrors');
    expect(alarms.get('steward-prod-evaluation-errors')?.MetricName).toBe('EvaluationErrors');
    for (const [name, alarm] of alarms)
      if (alarm.Namespace === namespace)
        expectDeclared(
          alarm.MetricName as string,
          (alarm.Dimensions as { Name: string }[]).map((dimension) => dimension.Name),
          name,
        );
  });

  it('watch each function the template deploys, and the ledger table and queue it creates', () => {
    const alarms = alarmsByName(traced.template);
    const { Resources: resources } = traced.template;
    for (const fn of functionNames) {
      const functionName = resources[`${capitalized(fn)}LambdaFunction`]?.Properties.FunctionName;
      expect(functionName, fn).toBe(`steward-prod-${fn}`);
      for (const [suffix, metricName] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ])
        expect(alarms.get(`steward-prod-${fn}-${suffix}`), fn).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [{ Name: 'FunctionName', Value: functionName }],
          Statistic: 'Sum',
          Threshold: 0,
        });
    }
    const tableName = resources.LedgerTable?.Properties.TableName;
    const throttles = alarms.get('steward-prod-ledger-throttles');
    const returned = (throttles?.Metrics as { ReturnData: boolean; Expression?: string }[]).filter(
      (metric) => metric.ReturnData,
    );
    expect(returned).toEqual([expect.objectContaining({ Expression: 'SUM([reads, writes])' })]);
    expect(throttles?.Metrics).toEqual(
      expect.arrayContaining(
        ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metricName) =>
          expect.objectContaining({
            MetricStat: {
              Metric: {
                Namespace: 'AWS/DynamoDB',
                MetricName: metricName,
                Dimensions: [{ Name: 'TableName', Value: tableName }],
              },
              Period: 300,
              Stat: 'Sum',
            },
          }),
        ),
      ),
    );
    expect(alarms.get('steward-prod-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } },
      ],
    });
  });

  it('notify the alarm topic as they go off and as they end, and say what they mean and what to do', () => {
    for (const [name, alarm] of alarmsByName(traced.template)) {
      expect(alarm.AlarmActions, name).toEqual([topic]);
      expect(alarm.OKActions, name).toEqual([topic]);
      expect(alarm.AlarmDescription, name).toMatch(/^.{80,}What to do: .{40,}$/s);
      expect((alarm.AlarmDescription as string).length, name).toBeLessThanOrEqual(1024);
    }
    for (const [name, alarm] of alarmsByName(plain.template)) {
      expect(alarm.AlarmActions, name).toBeUndefined();
      expect(alarm.OKActions, name).toBeUndefined();
    }
  });
});

/** The dashboard's body as CloudFormation would write it in us-east-1 of account 123456789012. */
function dashboardBody(template: Template): {
  widgets: { type: string; width: number; properties: Record<string, unknown> }[];
} {
  const [[, dashboard] = []] = ofType(template, 'AWS::CloudWatch::Dashboard');
  const body = (dashboard?.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  const pseudo: Record<string, string> = {
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
    'AWS::Partition': 'aws',
  };
  const resolved = body.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const value = pseudo[name];
    if (value === undefined) throw new Error(`the dashboard body names \${${name}}`);
    return value;
  });
  return JSON.parse(resolved) as ReturnType<typeof dashboardBody>;
}

/** A metric widget's lines as namespace, name, dimensions and options. */
function linesOf(widget: { properties: Record<string, unknown> }) {
  return (widget.properties.metrics as unknown[][]).map((line) => {
    const options = line.at(-1) as { stat: string; label?: string };
    const [lineNamespace, metricName, ...pairs] = line.slice(0, -1) as string[];
    const dimensions: Record<string, string> = {};
    for (let at = 0; at < pairs.length; at += 2)
      dimensions[pairs[at] as string] = pairs[at + 1] as string;
    return { namespace: lineNamespace, metricName, dimensions, ...options };
  });
}

describe('the packaged template’s dashboard', () => {
  it('is steward-<stage>, an output beside the metrics’ namespace', () => {
    const [[logicalId, dashboard] = []] = ofType(traced.template, 'AWS::CloudWatch::Dashboard');
    expect(dashboard?.Properties.DashboardName).toBe('steward-prod');
    expect(traced.template.Outputs).toMatchObject({
      MetricsNamespace: { Value: namespace },
      DashboardName: { Value: { Ref: logicalId } },
      LedgerTableName: { Value: { Ref: 'LedgerTable' } },
      DeadLetterQueueUrl: { Value: { Ref: 'DeadLetterQueue' } },
    });
    expect(plain.template.Outputs.MetricsNamespace).toMatchObject({ Value: 'steward/prod' });
  });

  it('shows only metrics the functions write, by the dimension sets they write them with, in the stack’s region', () => {
    const widgets = dashboardBody(traced.template).widgets.filter((w) => w.type === 'metric');
    expect(widgets.length).toBeGreaterThanOrEqual(7);
    for (const widget of widgets) {
      const title = widget.properties.title as string;
      expect(widget.properties.region, title).toBe('us-east-1');
      for (const line of linesOf(widget)) {
        if (line.namespace === namespace)
          expectDeclared(line.metricName as string, Object.keys(line.dimensions), title);
        else
          expect(line, title).toMatchObject({
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensions: { QueueName: 'steward-prod-dead-letters' },
          });
      }
    }
  });

  it('shows events by source, matches of every rule, actions by every status, errors, latencies at p50 and p99, the queue’s depth', () => {
    const widgets = dashboardBody(traced.template).widgets.filter((w) => w.type === 'metric');
    const titled = (title: string) => {
      const widget = widgets.find((each) => each.properties.title === title);
      expect(widget, title).toBeDefined();
      return linesOf(widget as (typeof widgets)[number]);
    };
    expect(titled('Events received by source').map((line) => line.dimensions.Source)).toEqual(
      expect.arrayContaining([
        'ec2-state',
        'cloudtrail',
        'cloudwatch-logs',
        'eventbridge',
        'sweep',
      ]),
    );
    expect(titled('Matches by rule').map((line) => line.dimensions.Rule)).toEqual(
      rules.map((rule) => rule.id),
    );
    expect(titled('Actions by status').map((line) => line.dimensions.Status)).toEqual([
      ...actionStatuses,
    ]);
    expect(titled('Decode and evaluation errors').map((line) => line.metricName)).toEqual([
      'DecodeErrors',
      'EvaluationErrors',
    ]);
    const ledger = titled('Ledger latency by function (ms)');
    expect(ledger.map((line) => `${line.dimensions.Function} ${line.stat}`)).toEqual(
      functionNames.flatMap((fn) => [`${fn} p50`, `${fn} p99`]),
    );
    const actions = titled('Action latency by action (ms)');
    const used = new Set(rules.flatMap((rule) => rule.actions.map((a) => a.definition.name)));
    expect(new Set(actions.map((line) => line.dimensions.Action))).toEqual(used);
    expect(new Set(actions.map((line) => line.stat))).toEqual(new Set(['p50', 'p99']));
    expect(titled('Dead-letter queue depth')).toHaveLength(1);
  });

  it('shows the state of every alarm of the stack', () => {
    const alarmWidgets = dashboardBody(traced.template).widgets.filter((w) => w.type === 'alarm');
    const shown = alarmWidgets.flatMap((widget) => widget.properties.alarms as string[]);
    expect(shown.sort()).toEqual(
      [...alarmsByName(traced.template).keys()]
        .map((name) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`)
        .sort(),
    );
  });
});

describe('the telemetry parameters in the packaged template', () => {
  const environmentOf = (template: Template, fn: string) =>
    (
      template.Resources[`${capitalized(fn)}LambdaFunction`]?.Properties.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
  const statementsOf = (template: Template, fn: string) =>
    (
      template.Resources[roleLogicalId(fn)]?.Properties.Policies as {
        PolicyDocument: { Statement: Statement[] };
      }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
  const xray = {
    Effect: 'Allow',
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Resource: ['*'],
  };

  it('give every function its namespace, tracing, log level, DEBUG sample rate and service name', () => {
    for (const fn of functionNames) {
      expect(environmentOf(traced.template, fn), fn).toMatchObject({
        STEWARD_METRICS_NAMESPACE: namespace,
        STEWARD_TRACING: 'true',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.1',
        POWERTOOLS_SERVICE_NAME: 'steward',
      });
      expect(environmentOf(plain.template, fn), fn).toMatchObject({
        STEWARD_METRICS_NAMESPACE: 'steward/prod',
        STEWARD_TRACING: 'false',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
        POWERTOOLS_SERVICE_NAME: 'steward',
      });
    }
  });

  it('trace every function actively and let its role send segments only with tracing=true; the roles are otherwise the same', () => {
    for (const fn of functionNames) {
      const tracedFunction = traced.template.Resources[`${capitalized(fn)}LambdaFunction`];
      const plainFunction = plain.template.Resources[`${capitalized(fn)}LambdaFunction`];
      expect(tracedFunction?.Properties.TracingConfig, fn).toEqual({ Mode: 'Active' });
      expect(plainFunction?.Properties.TracingConfig, fn).toBeUndefined();
      const tracedStatements = statementsOf(traced.template, fn);
      expect(tracedStatements, fn).toContainEqual(xray);
      expect(
        tracedStatements.filter(
          (statement) => !statement.Action.some((a) => a.startsWith('xray:')),
        ),
        fn,
      ).toEqual(statementsOf(plain.template, fn));
      expect(JSON.stringify(statementsOf(plain.template, fn)), fn).not.toContain('xray:');
    }
  });
});

describe('the X-Ray SDK in the packaged functions', () => {
  const bundleOf = async (file: string, fn: string) => {
    const { stdout } = await promisify(execFile)(
      'unzip',
      ['-p', join(dirname(file), `${fn}.zip`), `handlers/${fn}.cjs`],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  };

  it('is bundled only with tracing=true; without it the bundle names the package it leaves out', async () => {
    for (const fn of functionNames) {
      const tracedBundle = await bundleOf(traced.file, fn);
      const plainBundle = await bundleOf(plain.file, fn);
      // The SDK's own segment emitter, which exists only in its code.
      expect(tracedBundle, fn).toContain('AWS_XRAY_DAEMON_ADDRESS');
      expect(plainBundle, fn).not.toContain('AWS_XRAY_DAEMON_ADDRESS');
      expect(plainBundle, fn).toContain('require("@aws-lambda-powertools/tracer")');
      expect(plainBundle.length, fn).toBeLessThan(tracedBundle.length - 100_000);
    }
  });

  it('refuses STEWARD_TRACING=true in a function packaged without it, saying how to deploy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-untraced-'));
    await promisify(execFile)('unzip', [
      '-q',
      join(dirname(plain.file), 'ec2State.zip'),
      '-d',
      dir,
    ]);
    const run = promisify(execFile)(
      process.execPath,
      [
        '-e',
        `require('./handlers/ec2State.cjs').handler({}, { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60000 })
          .then(() => process.exit(0), (error) => { console.error(error.name + ': ' + error.message); process.exit(3); })`,
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, STEWARD_TRACING: 'true', AWS_REGION: 'us-east-1' },
      },
    );
    await expect(run).rejects.toMatchObject({
      code: 3,
      stderr: expect.stringContaining(
        'TracingNotPackagedError: STEWARD_TRACING is true, but this function was packaged without the X-Ray SDK: deploy with --param="tracing=true"',
      ),
    });
  });
});
