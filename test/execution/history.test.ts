import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryUnavailableError } from '../../src/actions/history.js';
import { ClientPool } from '../../src/client-pool.js';
import { ledgerHistory } from '../../src/execution/history.js';
import { actionContextOf } from '../../src/execution/request.js';
import { Ledger, type ClaimDetails, type Completion } from '../../src/ledger/ledger.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { claimDetails } from '../support/claim-details.js';
import { startTestLedger } from '../support/embedded-ledger.js';

const account = '123456789012';
const region = 'us-east-1';
let clock = Date.parse('2026-11-30T10:00:00Z');
let ledger: Ledger;
let close: () => Promise<void>;

beforeAll(async () => {
  // Each write a second after the one before, so "newest" is never a tie.
  ({ ledger, close } = await startTestLedger({ now: () => (clock += 1_000) }));
});

afterAll(() => close());

/** An action taken and its outcome recorded, as the executor does it. */
async function taken(details: Partial<ClaimDetails>, completion: Completion): Promise<void> {
  const claim = await ledger.claim(
    claimDetails({ action: 'ec2.isolate-instance', account, region, ...details }),
  );
  if (claim.kind !== 'claimed') throw new Error(`not claimed: ${claim.kind}`);
  await ledger.complete(claim, completion);
}

const isolated = (groupId: string): Completion => ({
  status: 'succeeded',
  detail: `isolated, was ${groupId}`,
  data: { networkInterfaces: [{ networkInterfaceId: 'eni-1', previousGroups: [{ groupId }] }] },
});

describe("the ledger's history, as an action reads it", () => {
  it('gives the newest succeeded enforced outcome of the action on the resource, in its account and region', async () => {
    const resource = 'i-0aaaaaaaaaaaaaaa1';
    await taken({ resource, eventId: 'finding-1', ruleId: 'older' }, isolated('sg-older'));
    await taken({ resource, eventId: 'finding-2', ruleId: 'newest' }, isolated('sg-newest'));
    // None of these may hide it: a later skip (already isolated), a dry run's plan, another
    // action, another account or region.
    await taken(
      { resource, eventId: 'finding-3' },
      { status: 'skipped', detail: 'already isolated' },
    );
    await ledger.record(
      claimDetails({ mode: 'dry-run', action: 'ec2.isolate-instance', resource, account, region }),
      {
        status: 'planned',
        detail: 'would isolate',
      },
    );
    await taken(
      { resource, eventId: 'finding-4', action: 'ec2.create-tags' },
      { status: 'succeeded', detail: 'tagged' },
    );
    await taken(
      { resource, eventId: 'finding-5', account: '222233334444' },
      isolated('sg-elsewhere'),
    );
    await taken({ resource, eventId: 'finding-6', region: 'eu-west-1' }, isolated('sg-elsewhere'));

    const last = await ledgerHistory(ledger, account, region).lastSucceeded(
      resource,
      'ec2.isolate-instance',
    );
    expect(last).toEqual({
      action: 'ec2.isolate-instance',
      resource,
      eventId: 'finding-2',
      ruleId: 'newest',
      at: expect.stringMatching(/^2026-11-30T10:00:\d\d\.000Z$/),
      detail: 'isolated, was sg-newest',
      data: isolated('sg-newest').data,
    });
  });

  it('gives nothing for a resource without one', async () => {
    await taken(
      { resource: 'i-0aaaaaaaaaaaaaaa2' },
      { status: 'failed', detail: 'UnauthorizedOperation' },
    );
    expect(
      await ledgerHistory(ledger, account, region).lastSucceeded(
        'i-0aaaaaaaaaaaaaaa2',
        'ec2.isolate-instance',
      ),
    ).toBeUndefined();
    expect(
      await ledgerHistory(ledger, account, region).lastSucceeded(
        'i-0aaaaaaaaaaaaaaa3',
        'ec2.isolate-instance',
      ),
    ).toBeUndefined();
  });

  it('says what could not be read when the ledger cannot be reached', async () => {
    const client = new DynamoDBClient({
      region,
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const unreachable = new Ledger(client, { tableName: 'nowhere' });
    const reading = ledgerHistory(unreachable, account, region).lastSucceeded(
      'i-0aaaaaaaaaaaaaaa1',
      'ec2.isolate-instance',
    );
    await expect(reading).rejects.toBeInstanceOf(HistoryUnavailableError);
    await expect(reading).rejects.toThrow(
      /^the ledger's history of i-0aaaaaaaaaaaaaaa1 could not be read: /,
    );
    client.destroy();
  });
});

describe('the history an action is given', () => {
  const loaded = parseRuleText(
    [
      'id: release',
      'description: t',
      'kind: remediation',
      'severity: low',
      'triggers:',
      '  - source: cloudtrail',
      '    events: [CreateTags]',
      'actions:',
      '  - action: ec2.restore-instance-security-groups',
      '',
    ].join('\n'),
    'release.yaml',
  );
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  const rule = compileRule(loaded.rule, 'release.yaml');
  const planned = rule.actions[0];
  if (planned === undefined) throw new Error('the rule has no action');
  const resource = 'i-0aaaaaaaaaaaaaaa4';
  // An event that names no region acts in the function's, and its history is read there.
  const event: StewardEvent = {
    id: 'release-1',
    source: 'cloudtrail',
    name: 'CreateTags',
    time: '2026-11-30T16:20:05Z',
    account,
    resources: [resource],
    raw: {},
    delivery: 'direct',
  };
  const request = { event, rule, planned, resource, earlier: [] };
  const clients = new ClientPool({ region });

  it("reads the ledger's entries of the event's account and the function's region", async () => {
    await taken({ resource, eventId: 'finding-7' }, isolated('sg-web'));
    const history = actionContextOf(request, { clients, ledger }, 'act_test').history;
    expect(await history.lastSucceeded(resource, 'ec2.isolate-instance')).toMatchObject({
      eventId: 'finding-7',
      data: isolated('sg-web').data,
    });
  });

  it('says a plan, which reads no ledger, cannot know', async () => {
    const history = actionContextOf(request, { clients }, 'dry_test').history;
    await expect(history.lastSucceeded(resource, 'ec2.isolate-instance')).rejects.toThrow(
      `cannot know the last ec2.isolate-instance on ${resource}: a plan reads no ledger`,
    );
  });
});
