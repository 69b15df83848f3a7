import { describe, expect, it } from 'vitest';
import { stackAlarms } from '../../src/deploy/alarms.js';
import { stackDashboard } from '../../src/deploy/dashboard.js';
import { deployParameters } from '../../src/deploy/parameters.js';
import { stewardMetric, UndeclaredMetricError } from '../../src/deploy/steward-metric.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';

const parameters = deployParameters({}, { service: 'steward', stage: 'qa', region: 'eu-west-1' });

function ruleWith(id: string, actions = '  - action: audit.record\n') {
  const text = `id: ${id}\ndescription: t\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n    states: [running]\nactions:\n${actions}`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const failedActionAlarms = (alarms: ReturnType<typeof stackAlarms>) =>
  Object.fromEntries(
    Object.entries(alarms)
      .filter(([, alarm]) => alarm.Properties.MetricName === 'Actions')
      .map(([logicalId, alarm]) => [logicalId, alarm.Properties.AlarmName]),
  );

describe('the alarms generated from the rules', () => {
  it('give each rule its failed-actions alarm, named after it, in the stage’s namespace', () => {
    const alarms = stackAlarms([ruleWith('tag-new-instances'), ruleWith('stop-x1')], parameters);
    expect(failedActionAlarms(alarms)).toEqual({
      FailedActionsTagNewInstancesAlarm: 'steward-qa-failed-actions-tag-new-instances',
      FailedActionsStopX1Alarm: 'steward-qa-failed-actions-stop-x1',
    });
    expect(alarms.FailedActionsStopX1Alarm?.Properties).toMatchObject({
      Namespace: 'steward/qa',
      Dimensions: [
        { Name: 'Rule', Value: 'stop-x1' },
        { Name: 'Status', Value: 'failed' },
      ],
    });
  });

  it('keep apart two rules whose ids read alike without dashes, each with a digest of its id', () => {
    const alarms = failedActionAlarms(
      stackAlarms([ruleWith('a-1b'), ruleWith('a1b'), ruleWith('a-2b')], parameters),
    );
    expect(Object.values(alarms).sort()).toEqual([
      'steward-qa-failed-actions-a-1b',
      'steward-qa-failed-actions-a-2b',
      'steward-qa-failed-actions-a1b',
    ]);
    const ids = Object.keys(alarms);
    expect(ids).toContain('FailedActionsA2bAlarm');
    expect(ids.filter((id) => /^FailedActionsA1b[0-9a-f]{8}Alarm$/.test(id))).toHaveLength(2);
    // The same digest on every package, so an update keeps each alarm.
    expect(
      Object.keys(failedActionAlarms(stackAlarms([ruleWith('a1b'), ruleWith('a-1b')], parameters))),
    ).toEqual(expect.arrayContaining(ids.filter((id) => id.startsWith('FailedActionsA1b'))));
  });

  it('list every alarm on the dashboard, in the stack’s region and account', () => {
    const alarms = stackAlarms([ruleWith('tag-new-instances')], parameters);
    const dashboard = stackDashboard([ruleWith('tag-new-instances')], parameters, alarms);
    const body = JSON.parse(dashboard.Properties.DashboardBody['Fn::Sub']) as {
      widgets: { type: string; properties: { alarms?: string[] } }[];
    };
    const shown = body.widgets.flatMap((widget) => widget.properties.alarms ?? []);
    expect(shown).toHaveLength(Object.keys(alarms).length);
    expect(shown).toContain(
      'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:steward-qa-failed-actions-tag-new-instances',
    );
  });

  it('split the alarms over several widgets beyond CloudWatch’s 100 a widget', () => {
    const rules = Array.from({ length: 120 }, (_, at) => ruleWith(`rule-${at}`));
    const alarms = stackAlarms(rules, parameters);
    const body = JSON.parse(
      stackDashboard(rules, parameters, alarms).Properties.DashboardBody['Fn::Sub'],
    ) as { widgets: { type: string; properties: { title: string; alarms?: string[] } }[] };
    const alarmWidgets = body.widgets.filter((widget) => widget.type === 'alarm');
    expect(alarmWidgets.map((widget) => widget.properties.title)).toEqual([
      'Alarms (1/2)',
      'Alarms (2/2)',
    ]);
    expect(alarmWidgets.map((widget) => widget.properties.alarms?.length)).toEqual([
      100,
      Object.keys(alarms).length - 100,
    ]);
  });
});

describe('a metric of steward’s', () => {
  it('is named only with a dimension set the functions write it with', () => {
    expect(stewardMetric('steward/qa', 'Actions', { Status: 'failed', Rule: 'r' })).toEqual({
      namespace: 'steward/qa',
      metricName: 'Actions',
      dimensions: { Status: 'failed', Rule: 'r' },
    });
    expect(() => stewardMetric('steward/qa', 'Actions', { Rule: 'r' })).toThrow(
      new UndeclaredMetricError('Actions', ['Rule']),
    );
    expect(() => stewardMetric('steward/qa', 'LedgerLatency')).toThrow(
      'LedgerLatency is not written with the dimensions []: its dimension sets are [Function]',
    );
  });
});
