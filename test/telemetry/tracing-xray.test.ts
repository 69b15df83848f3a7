import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../support/files.js';
import { XRayDaemon, type SegmentDocument } from '../support/xray-daemon.js';

const traceRoot = '1-674c2a10-0a1b2c3d4e5f60718293a4b5';
const lambdaSegment = '7d1e4c5b9a0f2e3d';

let daemon: XRayDaemon;
let documents: SegmentDocument[];
let stdout: string;

beforeAll(async () => {
  daemon = await XRayDaemon.start();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: repoPath(''),
    AWS_LAMBDA_FUNCTION_NAME: 'steward-test-ec2State',
    _X_AMZN_TRACE_ID: `Root=${traceRoot};Parent=${lambdaSegment};Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
  };
  Reflect.deleteProperty(env, 'AWS_XRAY_CONTEXT_MISSING');
  stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/telemetry/traced-actions.ts'],
      { cwd: repoPath(''), env, timeout: 60_000 },
      (error, out, stderr) =>
        error || stderr !== '' ? reject(new Error(`${String(error)} ${stderr}`)) : resolve(out),
    );
  });
  documents = (await daemon.received()).filter((document) => document.trace_id === traceRoot);
});

afterAll(() => daemon?.close());

function actionOfEvent(eventId: string): SegmentDocument {
  const found = documents.filter((document) => document.annotations?.eventId === eventId);
  expect(found).toHaveLength(1);
  const subsegment = found[0] as SegmentDocument;
  expect(subsegment).toMatchObject({ name: '### ec2.stop-instances', parent_id: lambdaSegment });
  return subsegment;
}

describe('XRayTracing.action in Lambda', () => {
  it('annotates a succeeded action with its status, and records its resource and detail', () => {
    const subsegment = actionOfEvent('e-succeeded');
    expect(subsegment.annotations).toEqual({
      rule: 'r',
      action: 'ec2.stop-instances',
      eventId: 'e-succeeded',
      status: 'succeeded',
    });
    expect(subsegment.metadata).toEqual({
      steward: { resource: 'i-0abc', detail: 'stopped i-0abc' },
    });
    expect(subsegment.error).toBeUndefined();
  });

  it('marks a failed action as an error of its subsegment', () => {
    const subsegment = actionOfEvent('e-failed');
    expect(subsegment.annotations?.status).toBe('failed');
    expect(subsegment.error).toBe(true);
  });

  it('closes the subsegment of an action that throws with the error, and throws it on', () => {
    expect(JSON.parse(stdout)).toEqual({ thrown: 'ledger out of reach' });
    const subsegment = actionOfEvent('e-thrown') as SegmentDocument & {
      cause?: { exceptions?: { message: string }[] };
    };
    expect(subsegment.annotations?.status).toBeUndefined();
    expect(subsegment.fault).toBe(true);
    expect(subsegment.cause?.exceptions?.[0]?.message).toBe('ledger out of reach');
    expect(subsegment.in_progress).toBeUndefined();
    expect(daemon.problems).toEqual([]);
  });
});
