import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey, type ActionIdentity } from '../../src/ledger/entry.js';
import { ClaimLostError } from '../../src/ledger/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { claimDetails } from '../support/claim-details.js';
import { startTestLedger } from '../support/embedded-ledger.js';

let testLedger: Awaited<ReturnType<typeof startTestLedger>>;

beforeAll(async () => {
  testLedger = await startTestLedger();
});

afterAll(async () => {
  await testLedger.close();
});

describe('ledger keys', () => {
  const identity: ActionIdentity = {
    mode: 'enforce',
    eventId: 'e',
    ruleId: 'r',
    action: 'a',
    resource: 'x',
  };

  it('are stable for the same action and differ for any other', () => {
    expect(ledgerKey(identity)).toBe(ledgerKey({ ...identity }));
    for (const field of ['eventId', 'ruleId', 'action', 'resource'] as const) {
      expect(ledgerKey({ ...identity, [field]: 'other' })).not.toBe(ledgerKey(identity));
    }
  });

  it('keep dry runs apart from enforced runs', () => {
    expect(ledgerKey({ ...identity, mode: 'dry-run' })).toMatch(/^dry_/);
    expect(ledgerKey(identity)).toMatch(/^act_/);
  });
});

describe('the ledger on a DynamoDB-API server', () => {
  it('claims an action once; the next delivery gets the stored outcome', async () => {
    const action = claimDetails();
    const first = await testLedger.ledger.claim(action);
    expect(first.kind).toBe('claimed');
    if (first.kind !== 'claimed') return;
    await testLedger.ledger.complete(first, { status: 'succeeded', detail: 'stopped it' });
    const second = await testLedger.ledger.claim(action);
    expect(second.kind).toBe('duplicate');
    expect(second.kind === 'duplicate' && second.entry).toMatchObject({
      status: 'succeeded',
      detail: 'stopped it',
      attempts: 1,
    });
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const action = claimDetails();
    const results = await Promise.all(
      Array.from({ length: 25 }, () => testLedger.ledger.claim(action)),
    );
    expect(results.filter((result) => result.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'in-progress')).toHaveLength(24);
  });

  it('reports an unfinished claim as in progress until its lease ends, then lets the next delivery take it over', async () => {
    let now = Date.parse('2026-11-20T10:00:00Z');
    const ledger = new Ledger(testLedger.client, {
      tableName: testLedger.ledger.tableName,
      leaseMs: 60_000,
      now: () => now,
    });
    const action = claimDetails();
    const crashed = await ledger.claim(action);
    expect(crashed.kind).toBe('claimed');
    now += 30_000;
    expect((await ledger.claim(action)).kind).toBe('in-progress');
    now += 31_000;
    const takeover = await ledger.claim(action);
    expect(takeover).toMatchObject({ kind: 'claimed', attempts: 2 });
    if (crashed.kind !== 'claimed' || takeover.kind !== 'claimed') return;
    await expect(
      ledger.complete(crashed, { status: 'succeeded', detail: 'late' }),
    ).rejects.toBeInstanceOf(ClaimLostError);
    const entry = await ledger.complete(takeover, { status: 'succeeded', detail: 'done' });
    expect(entry).toMatchObject({ status: 'succeeded', detail: 'done', attempts: 2 });
    expect(entry.leaseUntil).toBeUndefined();
  });

  it('keeps a dry run from blocking the enforced run of the same action', async () => {
    const action = claimDetails({ mode: 'dry-run' });
    const dry = await testLedger.ledger.claim(action);
    if (dry.kind !== 'claimed') throw new Error('dry run not claimed');
    await testLedger.ledger.complete(dry, { status: 'planned', detail: 'would stop' });
    expect((await testLedger.ledger.claim({ ...action, mode: 'enforce' })).kind).toBe('claimed');
  });

  it('sets the TTL from the retention', async () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    const ledger = new Ledger(testLedger.client, {
      tableName: testLedger.ledger.tableName,
      retentionDays: 10,
      now: () => now,
    });
    const claim = await ledger.claim(claimDetails());
    const entry = await ledger.get(claim.key);
    expect(entry?.expiresAt).toBe(now / 1000 + 10 * 86_400);
  });

  it('lists entries by rule, by resource and by status, newest first', async () => {
    const resource = 'i-0fffffffffffffff0';
    for (const ruleId of ['list-rule', 'list-rule', 'other-rule']) {
      const claim = await testLedger.ledger.claim(claimDetails({ ruleId, resource }));
      if (claim.kind === 'claimed')
        await testLedger.ledger.complete(claim, { status: 'skipped', detail: 'not running' });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const byRule = await testLedger.ledger.list({ rule: 'list-rule' });
    expect(byRule).toHaveLength(2);
    const times = byRule.map((entry) => entry.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(
      (await testLedger.ledger.list({ resource })).map((entry) => entry.ruleId).sort(),
    ).toEqual(['list-rule', 'list-rule', 'other-rule']);
    expect(await testLedger.ledger.list({ resource, status: 'succeeded' })).toEqual([]);
    expect(
      await testLedger.ledger.list({ rule: 'list-rule', since: '2999-01-01T00:00:00Z' }),
    ).toEqual([]);
  });

  it('creates its table once, however often asked', async () => {
    await testLedger.ledger.ensureTable();
    await testLedger.ledger.ensureTable();
    expect(await testLedger.ledger.list({ rule: 'no-such-rule' })).toEqual([]);
  });
});
