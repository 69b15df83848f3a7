import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../handlers/findings.js';
import { BatchIncompleteError } from '../src/lambda.js';
import type { PipelineReport } from '../src/pipeline.js';
import { repoPath, rulePackFileOf, sampleEvent } from './support/files.js';

const context = {
  awsRequestId: 'test-request',
  functionName: 'steward-test-findings',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-test-findings',
} as Context;

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = await mkdtemp(join(tmpdir(), 'steward-findings-'));
  process.env.STEWARD_RULE_PACK = await rulePackFileOf(repoPath('rules'));
});

async function invoke(event: unknown): Promise<PipelineReport> {
  return (await handler(event, context)) as PipelineReport;
}

/** Each event of a report: its id's tail, and the status of each action of each match. */
function outcomes(report: PipelineReport) {
  return report.events.map((event) => ({
    rules: event.matches.map((match) => match.rule),
    statuses: event.matches.flatMap((match) => match.actions.map((action) => action.status)),
  }));
}

describe('the findings handler', () => {
  it('takes the three findings of the Security Hub sample as three events, and a redelivery as duplicates', async () => {
    const first = await invoke(sampleEvent('securityhub-findings-imported.json'));
    expect(first.errors).toEqual([]);
    expect(first.events.map((event) => event.resources)).toEqual([
      ['AWS::::Account:123456789012'],
      ['i-0a1b2c3d4e5f67890'],
      ['arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0'],
    ]);
    expect(outcomes(first)).toEqual([
      { rules: ['securityhub-cis-control-failed'], statuses: ['planned'] },
      { rules: [], statuses: [] },
      { rules: [], statuses: [] },
    ]);
    const again = await invoke(sampleEvent('securityhub-findings-imported.json'));
    expect(outcomes(again)[0]).toEqual({
      rules: ['securityhub-cis-control-failed'],
      statuses: ['duplicate'],
    });
  });

  it('records a Config non-compliance once, and again for a new evaluation', async () => {
    const envelope = sampleEvent('config-compliance-change.json') as {
      detail: { newEvaluationResult: Record<string, unknown> };
    };
    expect(outcomes(await invoke(envelope))).toEqual([
      { rules: ['config-rule-noncompliant'], statuses: ['planned'] },
    ]);
    expect(outcomes(await invoke(envelope))).toEqual([
      { rules: ['config-rule-noncompliant'], statuses: ['duplicate'] },
    ]);
    const later = structuredClone(envelope);
    later.detail.newEvaluationResult.resultRecordedTime = '2025-01-20T08:00:00.000Z';
    expect(outcomes(await invoke(later))).toEqual([
      { rules: ['config-rule-noncompliant'], statuses: ['planned'] },
    ]);
  });

  it('takes a Health event as one event on the instance it affects', async () => {
    const report = await invoke(sampleEvent('health-event.json'));
    expect(report.errors).toEqual([]);
    expect(report.events.map((event) => [event.source, event.name, event.resources])).toEqual([
      ['eventbridge', 'AWS Health Event', ['i-0123456789abcdef0']],
    ]);
  });

  it('fails the invocation on an event of a source AWS does not own, deciding nothing', async () => {
    const forged = {
      ...(sampleEvent('config-compliance-change.json') as object),
      source: 'acme.config',
    };
    const error = await handler(forged, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    const report = (error as BatchIncompleteError).report;
    expect(report.events).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'input',
        message:
          'EventBridge event "Config Rules Compliance Change" from source "acme.config" is not believed: only AWS emits aws.* sources, anyone allowed to put events on a bus can emit others',
      }),
    ]);
  });
});
