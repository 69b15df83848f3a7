import { spawnSync } from 'node:child_process';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { ActionRequest, ActionResult } from '../../src/execution/request.js';
import {
  actionAnnotations,
  tracingFromEnv,
  TracingSettingError,
  untraced,
} from '../../src/telemetry/tracing.js';
import { repoPath } from '../support/files.js';

/** What tracing left behind in a process that built its runtime (see the fixture). */
interface RuntimeTraces {
  xraySdkLoaded: boolean;
  contextMissing: string | null;
  middleware: string[];
}

/** Variables of this process that would tell the child it runs in Lambda or traces. */
const lambdaVariables = [
  'STEWARD_TRACING',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_EXECUTION_ENV',
  'LAMBDA_TASK_ROOT',
  'AWS_LAMBDA_FUNCTION_NAME',
  '_X_AMZN_TRACE_ID',
];

/** Builds a runtime's evaluation in a process of its own, with `env` added to this one's. */
function runtimeTraces(env: NodeJS.ProcessEnv): RuntimeTraces {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !lambdaVariables.includes(name)),
  );
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/telemetry/client-of-runtime.ts'],
    { cwd: repoPath(''), env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as RuntimeTraces;
}

const xrayMiddleware = 'XRaySDKInstrumentation - build';

describe('tracingFromEnv', () => {
  it('is untraced when STEWARD_TRACING is absent, empty or false', async () => {
    expect(await tracingFromEnv({})).toBe(untraced);
    expect(await tracingFromEnv({ STEWARD_TRACING: '' })).toBe(untraced);
    expect(await tracingFromEnv({ STEWARD_TRACING: 'false' })).toBe(untraced);
  });

  it('refuses any other value than true or false, naming the variable and the value', async () => {
    const refused = await tracingFromEnv({ STEWARD_TRACING: 'yes' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TracingSettingError);
    expect(refused).toMatchObject({
      message: 'STEWARD_TRACING must be true or false, got "yes"',
      value: 'yes',
    });
  });
});

describe('untraced', () => {
  it('returns a client unchanged, without X-Ray middleware', () => {
    const client = new EC2Client({ region: 'us-east-1' });
    const before = client.middlewareStack.identify();
    expect(untraced.captureClient(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(before);
    client.destroy();
  });

  it('runs an action and returns its result as it is', async () => {
    const result = {
      report: { action: 'ec2.stop-instances', resource: 'i-0abc', status: 'succeeded' },
    } as ActionResult;
    await expect(
      untraced.action({ rule: 'r', action: 'ec2.stop-instances', eventId: 'e' }, () =>
        Promise.resolve(result),
      ),
    ).resolves.toBe(result);
  });
});

describe('actionAnnotations', () => {
  it('names the rule, the action and the event', () => {
    const request = {
      event: { id: '3a1c-event' },
      rule: { id: 'ec2-open-ssh' },
      planned: { definition: { name: 'ec2.revoke-security-group-ingress' } },
      resource: 'sg-0123',
    } as unknown as ActionRequest;
    expect(actionAnnotations(request)).toEqual({
      rule: 'ec2-open-ssh',
      action: 'ec2.revoke-security-group-ingress',
      eventId: '3a1c-event',
    });
  });
});

describe("a runtime's clients", () => {
  it('without tracing: the X-Ray SDK is never loaded and clients are as the SDK made them', () => {
    const traces = runtimeTraces({ STEWARD_TRACING: 'false' });
    expect(traces.xraySdkLoaded).toBe(false);
    expect(traces.contextMissing).toBeNull();
    expect(traces.middleware.length).toBeGreaterThan(0);
    expect(traces.middleware).not.toContain(xrayMiddleware);
  });

  it('with tracing outside Lambda: the SDK is loaded, the clients are left alone', () => {
    const traces = runtimeTraces({ STEWARD_TRACING: 'true' });
    expect(traces.xraySdkLoaded).toBe(true);
    // Powertools Tracer traces only where Lambda says it runs (AWS_EXECUTION_ENV).
    expect(traces.middleware).not.toContain(xrayMiddleware);
  });

  it('with tracing in Lambda: every call of the clients is instrumented', () => {
    const traces = runtimeTraces({
      STEWARD_TRACING: 'true',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: repoPath(''),
      AWS_LAMBDA_FUNCTION_NAME: 'steward-test-ec2State',
    });
    expect(traces.xraySdkLoaded).toBe(true);
    expect(traces.contextMissing).toBe('IGNORE_ERROR');
    expect(traces.middleware).toContain(xrayMiddleware);
  });
});
