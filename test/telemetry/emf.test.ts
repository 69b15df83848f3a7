import { describe, expect, it } from 'vitest';
import { emfDocuments, MetricEntryError, type MetricEntry } from '../../src/telemetry/emf.js';

const at = Date.UTC(2026, 11, 1, 5, 0, 0);

describe('emfDocuments', () => {
  it('writes one document per distinct set of dimension values, with each metric’s dimension sets', () => {
    const entries: MetricEntry[] = [
      { metric: 'Actions', dimensions: { Rule: 'ec2-open-ssh', Status: 'failed' }, value: 1 },
      { metric: 'Actions', dimensions: { Rule: 'ec2-open-ssh', Status: 'failed' }, value: 1 },
      { metric: 'Actions', dimensions: { Rule: 'ec2-open-ssh', Status: 'succeeded' }, value: 1 },
      { metric: 'DecodeErrors', dimensions: { Function: 'cloudtrail' }, value: 2 },
      { metric: 'EvaluationErrors', dimensions: { Function: 'cloudtrail' }, value: 0 },
      { metric: 'LedgerLatency', dimensions: { Function: 'cloudtrail' }, value: [3, 4] },
      { metric: 'LedgerLatency', dimensions: { Function: 'cloudtrail' }, value: 5 },
    ];
    expect(emfDocuments('steward/prod', entries, at)).toEqual([
      {
        _aws: {
          Timestamp: at,
          CloudWatchMetrics: [
            {
              Namespace: 'steward/prod',
              Dimensions: [['Rule', 'Status'], ['Status']],
              Metrics: [{ Name: 'Actions', Unit: 'Count' }],
            },
          ],
        },
        Rule: 'ec2-open-ssh',
        Status: 'failed',
        Actions: 2,
      },
      {
        _aws: {
          Timestamp: at,
          CloudWatchMetrics: [
            {
              Namespace: 'steward/prod',
              Dimensions: [['Rule', 'Status'], ['Status']],
              Metrics: [{ Name: 'Actions', Unit: 'Count' }],
            },
          ],
        },
        Rule: 'ec2-open-ssh',
        Status: 'succeeded',
        Actions: 1,
      },
      {
        _aws: {
          Timestamp: at,
          CloudWatchMetrics: [
            {
              Namespace: 'steward/prod',
              Dimensions: [['Function'], []],
              Metrics: [
                { Name: 'DecodeErrors', Unit: 'Count' },
                { Name: 'EvaluationErrors', Unit: 'Count' },
              ],
            },
            {
              Namespace: 'steward/prod',
              Dimensions: [['Function']],
              Metrics: [{ Name: 'LedgerLatency', Unit: 'Milliseconds' }],
            },
          ],
        },
        Function: 'cloudtrail',
        DecodeErrors: 2,
        EvaluationErrors: 0,
        LedgerLatency: [3, 4, 5],
      },
    ]);
  });

  it('writes at most 100 samples of a metric in a document, the rest in further ones', () => {
    const samples = Array.from({ length: 250 }, (_, index) => index);
    const documents = emfDocuments(
      'steward/dev',
      [{ metric: 'ActionLatency', dimensions: { Action: 'ec2.stop-instances' }, value: samples }],
      at,
    );
    expect(documents.map((document) => document.ActionLatency)).toEqual([
      samples.slice(0, 100),
      samples.slice(100, 200),
      samples.slice(200),
    ]);
    expect(documents.every((document) => document.Action === 'ec2.stop-instances')).toBe(true);
  });

  it('writes a single sample as a number, and nothing for no entries', () => {
    const [document] = emfDocuments(
      'steward/dev',
      [{ metric: 'ActionLatency', dimensions: { Action: 'notify.sns' }, value: [12.5] }],
      at,
    );
    expect(document?.ActionLatency).toBe(12.5);
    expect(emfDocuments('steward/dev', [], at)).toEqual([]);
  });

  it('refuses an entry without its metric’s dimensions, with one it has not, or a value that is no number', () => {
    const refusal = (entry: MetricEntry) => {
      try {
        emfDocuments('steward/dev', [entry], at);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const missing = refusal({ metric: 'Actions', dimensions: { Rule: 'r' }, value: 1 });
    expect(missing).toBeInstanceOf(MetricEntryError);
    expect((missing as Error).message).toBe('metric Actions: dimension Status is missing');
    expect(
      (
        refusal({
          metric: 'Matches',
          dimensions: { Rule: 'r', Account: '1' } as never,
          value: 1,
        }) as Error
      ).message,
    ).toBe('metric Matches: it has no dimension Account');
    expect(
      (refusal({ metric: 'Matches', dimensions: { Rule: '' }, value: 1 }) as Error).message,
    ).toBe('metric Matches: dimension Rule is missing');
    expect(
      (
        refusal({
          metric: 'LedgerLatency',
          dimensions: { Function: 'f' },
          value: [Number.NaN],
        }) as Error
      ).message,
    ).toBe('metric LedgerLatency: NaN is not a finite number');
  });
});
