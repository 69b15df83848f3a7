import { describe, expect, it } from 'vitest';
import { EmfDocumentError, emfMetricData } from './emf-extract.js';

const timestamp = Date.parse('2026-12-01T10:00:00Z');

/** An EMF document of Actions by [Rule, Status] and [Status], as the spec writes one. */
function actionsDocument(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: 'steward/test',
          Dimensions: [['Rule', 'Status'], ['Status']],
          Metrics: [{ Name: 'Actions', Unit: 'Count' }],
        },
      ],
    },
    Rule: 'ec2-running-without-owner',
    Status: 'failed',
    Actions: 2,
    ...overrides,
  });
}

describe('emfMetricData', () => {
  it('makes one datum per metric for each dimension set, and leaves log lines alone', () => {
    const log = [
      '{"level":"INFO","message":"action outcome","function":"ec2State"}',
      'START RequestId: 1b2c Version: $LATEST',
      actionsDocument(),
      '',
    ].join('\n');
    expect(emfMetricData(log)).toEqual([
      {
        namespace: 'steward/test',
        metricData: [
          {
            MetricName: 'Actions',
            Dimensions: [
              { Name: 'Rule', Value: 'ec2-running-without-owner' },
              { Name: 'Status', Value: 'failed' },
            ],
            Timestamp: new Date(timestamp),
            Values: [2],
            Unit: 'Count',
          },
          {
            MetricName: 'Actions',
            Dimensions: [{ Name: 'Status', Value: 'failed' }],
            Timestamp: new Date(timestamp),
            Values: [2],
            Unit: 'Count',
          },
        ],
      },
    ]);
  });

  it('keeps an array of values, and a set of no dimension as a metric without any', () => {
    const log = JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: 'steward/test',
            Dimensions: [[]],
            Metrics: [{ Name: 'LedgerLatency', Unit: 'Milliseconds' }],
          },
        ],
      },
      LedgerLatency: [3, 5, 8],
    });
    expect(emfMetricData(log)[0]?.metricData).toEqual([
      {
        MetricName: 'LedgerLatency',
        Dimensions: [],
        Timestamp: new Date(timestamp),
        Values: [3, 5, 8],
        Unit: 'Milliseconds',
      },
    ]);
  });

  it('refuses a document CloudWatch would refuse, naming the line and the member', () => {
    const missingDimension = `log line\n${actionsDocument({ Rule: undefined })}`;
    expect(() => emfMetricData(missingDimension)).toThrow(
      new EmfDocumentError('line 2 Rule', 'a dimension must be a string member'),
    );
    expect(() => emfMetricData(actionsDocument({ Actions: 'two' }))).toThrow(
      'EMF document at line 1 Actions: expected a number or an array of numbers',
    );
    expect(() => emfMetricData('{"_aws":{"Timestamp":"now","CloudWatchMetrics":[]}}')).toThrow(
      'EMF document at line 1 _aws.Timestamp: expected epoch milliseconds',
    );
  });
});
