import { readFileSync } from 'node:fs';
import type {
  DescribeInstancesCommandOutput,
  Instance,
  InstanceStateName,
} from '@aws-sdk/client-ec2';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ActionContext, ActionDefinition, EarlierOutcome } from '../../src/actions/action.js';
import { actionCatalog } from '../../src/actions/catalog.js';
import { noHistory, type ActionHistory } from '../../src/actions/history.js';
import { executeFromOrigin, ResourceStates } from '../../src/actions/origin-state.js';
import { AwsClients } from '../../src/aws-clients.js';
import { normalizeCloudTrailRecord } from '../../src/sources/cloudtrail.js';
import { decodeDocument } from '../../src/sources/index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import type { SweepResourceKind } from '../../src/rules/rule.js';
import { resourceQueries } from '../../src/sweep/queries.js';
import { sweepEvent } from '../../src/sweep/sweep-event.js';
import { repoPath } from '../support/files.js';
import { startMoto, type MotoServer } from '../support/moto.js';

/** The one event a file decodes to: a sample of `events/` or a fixture of `test/actions/fixtures/`. */
export function decodedEvent(path: string): StewardEvent {
  const batch = decodeDocument(JSON.parse(readFileSync(repoPath(path), 'utf8')), path);
  expect(batch.errors).toEqual([]);
  const [event] = batch.events;
  if (event === undefined) throw new Error(`${path} decodes to no event`);
  return event;
}

/** A CloudTrail event decoded again from a changed record, as the source would decode it. */
export function withRaw(event: StewardEvent, raw: unknown): StewardEvent {
  const decoded = normalizeCloudTrailRecord(raw, event.delivery, 'test record', {
    account: event.account,
    region: event.region,
  });
  if (!('id' in decoded)) throw new Error(`the changed record does not decode: ${decoded.message}`);
  return decoded;
}

/**
 * The event a sweep makes of one resource it found, `described` as its describe call returned
 * it: the resource its one target.
 */
export function sweptEvent(kind: SweepResourceKind, described: unknown): StewardEvent {
  const query = resourceQueries.get(kind);
  if (query === undefined) throw new Error(`no sweep of ${kind}`);
  return sweepEvent(query, query.found(described), {
    rule: 'test-rule',
    account: '123456789012',
    region: 'us-east-1',
    time: '2025-01-15T06:00:00.000Z',
    periodStart: '2025-01-15T00:00:00.000Z',
  });
}

export const rule: ActionContext['rule'] = {
  id: 'test-rule',
  severity: 'high',
  kind: 'remediation',
  description: 'A rule for action tests.',
};

/** An action context built by hand, the way the pipeline builds it. */
export function contextFor(
  event: StewardEvent,
  resource: string,
  params: Record<string, unknown> = {},
  earlier: EarlierOutcome[] = [],
  history: ActionHistory = noHistory,
): ActionContext {
  return {
    event,
    rule,
    resource,
    params,
    clients: new AwsClients('us-east-1'),
    home: new AwsClients('us-east-1'),
    key: 'act_test',
    earlier,
    history,
  };
}

/** Executes an action the way the executor does: its origin states checked first. */
export function executed(action: ActionDefinition, context: ActionContext) {
  return executeFromOrigin(action, context, new ResourceStates());
}

/** Validates params against the action's schema the way rule loading does; returns the errors. */
export function paramsErrors(action: ActionDefinition, params: unknown): unknown[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(action.paramsSchema);
  return validate(params) ? [] : (validate.errors ?? []);
}

/** An action of the catalog, by the name rules use: also proves it is registered. */
export function catalogAction(name: string): ActionDefinition {
  const action = actionCatalog.get(name);
  if (action === undefined) throw new Error(`${name} is not in the action catalog`);
  return action;
}

/** What DescribeInstances answers for one instance. */
export function describedInstance(
  instanceId: string,
  state: string,
  more: Omit<Instance, 'InstanceId' | 'State'> = {},
): DescribeInstancesCommandOutput {
  return {
    $metadata: {},
    Reservations: [
      {
        Instances: [
          { InstanceId: instanceId, State: { Name: state as InstanceStateName }, ...more },
        ],
      },
    ],
  };
}

/**
 * A moto of the test file's own, started before its tests with the process's AWS settings
 * pointing at it (test credentials, `AWS_ENDPOINT_URL`), and stopped after them with the
 * settings put back: what a test of an action against moto needs.
 *
 * @example
 * useOwnMoto();
 * beforeAll(() => { ec2 = new EC2Client({ region: 'us-east-1' }); }); // reaches that moto
 */
export function useOwnMoto(): void {
  const settings = {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
  };
  const names = [...Object.keys(settings), 'AWS_ENDPOINT_URL'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, { ...settings, AWS_ENDPOINT_URL: moto.endpoint });
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await moto?.stop();
  });
}
