import { describe, expect, it } from 'vitest';
import { emfDocuments } from '../../src/telemetry/emf.js';
import { EmfDocumentError, emfMetricData } from './emf-extract.js';

const timestamp = Date.parse('2026-12-01T10:00:00Z');
const at = new Date(timestamp);
const namespace = 'steward/test';

/** The log lines of the documents the functions write for these entries, one JSON a line. */
function documentLines(...entries: Parameters<typeof emfDocuments>[1][]): string[] {
  return entries.flatMap((batch) =>
    emfDocuments(namespace, batch, timestamp).map((document) => JSON.stringify(document)),
  );
}

describe('emfMetricData', () => {
  it('makes one datum per metric for each dimension set, and leaves log lines alone', () => {
    const log = [
      '{"level":"INFO","message":"action outcome","function":"ec2State"}',
      'START RequestId: 1b2c Version: $LATEST',
      ...documentLines([
        { metric: 'Actions', dimensions: { Rule: 'stop-untagged', Status: 'failed' }, value: 2 },
      ]),
      '',
    ].join('\n');
    expect(emfMetricData(log)).toEqual([
      {
        namespace,
        metricData: [
          {
            MetricName: 'Actions',
            Dimensions: [
              { Name: 'Rule', Value: 'stop-untagged' },
              { Name: 'Status', Value: 'failed' },
            ],
            Timestamp: at,
            Values: [2],
            Unit: 'Count',
          },
          {
            MetricName: 'Actions',
            Dimensions: [{ Name: 'Status', Value: 'failed' }],
            Timestamp: at,
            Values: [2],
            Unit: 'Count',
          },
        ],
      },
    ]);
  });

  it('keeps an array of values, and a set of no dimension as a metric without any', () => {
    const [samples, events] = documentLines(
      [{ metric: 'LedgerLatency', dimensions: { Function: 'ec2State' }, value: [3, 5, 8] }],
      [
        {
          metric: 'EventsReceived',
          dimensions: { Function: 'ec2State', Source: 'ec2-state' },
          value: 4,
        },
      ],
    );
    expect(emfMetricData(samples ?? '')[0]?.metricData).toEqual([
      {
        MetricName: 'LedgerLatency',
        Dimensions: [{ Name: 'Function', Value: 'ec2State' }],
        Timestamp: at,
        Values: [3, 5, 8],
        Unit: 'Milliseconds',
      },
    ]);
    expect(
      emfMetricData(events ?? '')[0]?.metricData.map((datum) => [
        datum.MetricName,
        datum.Dimensions,
        datum.Values,
      ]),
    ).toEqual([
      ['EventsReceived', [{ Name: 'Function', Value: 'ec2State' }], [4]],
      ['EventsReceived', [{ Name: 'Source', Value: 'ec2-state' }], [4]],
      ['EventsReceived', [], [4]],
    ]);
  });

  it('refuses a document CloudWatch would refuse, naming the line and the member', () => {
    const [line = ''] = documentLines([
      { metric: 'Matches', dimensions: { Rule: 'stop-untagged' }, value: 1 },
    ]);
    const edited = (edit: (document: Record<string, unknown>) => void) => {
      const document = JSON.parse(line) as Record<string, unknown>;
      edit(document);
      return JSON.stringify(document);
    };
    const missingDimension = `log line\n${edited((document) => delete document.Rule)}`;
    expect(() => emfMetricData(missingDimension)).toThrow(
      new EmfDocumentError('line 2 Rule', 'a dimension must be a string member'),
    );
    expect(() => emfMetricData(edited((document) => (document.Matches = 'one')))).toThrow(
      'EMF document at line 1 Matches: expected a number or an array of numbers',
    );
    expect(() =>
      emfMetricData(edited((document) => (document._aws = { Timestamp: 'now' }))),
    ).toThrow('EMF document at line 1 _aws.Timestamp: expected epoch milliseconds');
  });
});
