import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger } from '../../src/ledger/connect.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { repoPath } from '../support/files.js';
import { XRayDaemon, type SegmentDocument } from '../support/xray-daemon.js';
import {
  actionsOf,
  ec2StateChange,
  launchInstance,
  region,
  rulePackEnforcing,
  useMoto,
} from './harness.js';

const rule = 'ec2-running-without-owner';
/** The trace Lambda would have started for the invocation, and the segment it made for it. */
const traceRoot = '1-674c2a10-5f3e8a6b1c2d3e4f5a6b7c8d';
const lambdaSegment = '53995c3f42cd8ad8';

let daemon: XRayDaemon;
let ec2: EC2Client;

beforeAll(async () => {
  await useMoto({ rulesDir: await rulePackEnforcing([`${rule}.yaml`]) });
  // In Lambda the stack owns the table: made here, as a deployment would have.
  await (await connectLedger(process.env)).close();
  daemon = await XRayDaemon.start();
  ec2 = new EC2Client({ region });
});

afterAll(async () => {
  ec2?.destroy();
  await daemon?.close();
});

/** One invocation of the ec2State handler in a process whose environment is Lambda's, traced. */
async function tracedInvocation(event: unknown): Promise<PipelineReport> {
  const reportFile = join(await mkdtemp(join(tmpdir(), 'steward-tracing-')), 'report.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STEWARD_TRACING: 'true',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: repoPath(''),
    AWS_LAMBDA_FUNCTION_NAME: 'steward-e2e-ec2State',
    _X_AMZN_TRACE_ID: `Root=${traceRoot};Parent=${lambdaSegment};Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
  };
  const child = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/fixtures/telemetry/traced-invocation.ts',
        JSON.stringify(event),
        reportFile,
      ],
      { cwd: repoPath(''), env, timeout: 60_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stderr }),
    );
  });
  expect(child.stderr).toBe('');
  expect(child.code).toBe(0);
  return JSON.parse(await readFile(reportFile, 'utf8')) as PipelineReport;
}

/** The one document named `name` whose parent is `parent`. */
function only(documents: SegmentDocument[], name: string, parent?: string): SegmentDocument {
  const found = documents.filter(
    (document) => document.name === name && (parent === undefined || document.parent_id === parent),
  );
  expect(found, `${name} under ${parent ?? 'any parent'}`).toHaveLength(1);
  return found[0] as SegmentDocument;
}

describe('X-Ray tracing of an invocation (STEWARD_TRACING=true)', () => {
  it('sends each action as a subsegment annotated with its rule, action, event and status, its AWS calls under it', async () => {
    const instanceId = await launchInstance(ec2);
    const event = { ...ec2StateChange(instanceId), id: randomUUID() };

    const report = await tracedInvocation(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, rule).map(({ action, status }) => ({ action, status }))).toEqual([
      { action: 'ec2.create-tags', status: 'succeeded' },
      { action: 'ec2.stop-instances', status: 'succeeded' },
    ]);
    const documents = (await daemon.received()).filter(
      (document) => document.trace_id === traceRoot,
    );
    expect(daemon.problems).toEqual([]);
    expect(documents.every((document) => document.type === 'subsegment')).toBe(true);
    expect(documents.some((document) => document.in_progress)).toBe(false);

    const tagging = only(documents, '### ec2.create-tags', lambdaSegment);
    const stopping = only(documents, '### ec2.stop-instances', lambdaSegment);
    for (const [subsegment, action] of [
      [tagging, 'ec2.create-tags'],
      [stopping, 'ec2.stop-instances'],
    ] as const) {
      expect(subsegment.annotations).toEqual({
        rule,
        action,
        eventId: event.id,
        status: 'succeeded',
      });
      expect(subsegment.metadata?.steward).toMatchObject({ resource: instanceId });
      expect(subsegment.error).toBeUndefined();
    }

    const operationsUnder = (parent: SegmentDocument) =>
      documents
        .filter((document) => document.parent_id === parent.id)
        .map((document) => `${document.name} ${document.aws?.operation ?? ''}`);
    expect(operationsUnder(tagging)).toContain('EC2 CreateTags');
    expect(operationsUnder(stopping)).toContain('EC2 StopInstances');
    // The ledger's claim and recorded outcome of each action are its calls too.
    expect(operationsUnder(stopping).filter((call) => call.startsWith('DynamoDB '))).not.toEqual(
      [],
    );
    // The rule's fact (the instance, read before any action) is a call of the invocation.
    expect(only(documents, 'EC2', lambdaSegment).aws?.operation).toBe('DescribeInstances');
  });
});
