import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LedgerUnavailableError } from '../../src/ledger/errors.js';
import { currentOwner } from '../../src/ledger/owner.js';
import { claimDetails } from '../support/claim-details.js';
import { startTestLedger } from '../support/embedded-ledger.js';
import { injectLedgerFaults } from '../support/ledger-faults.js';

let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
let faults: ReturnType<typeof injectLedgerFaults>;

beforeAll(async () => {
  testLedger = await startTestLedger();
  faults = injectLedgerFaults(testLedger.client);
});

afterAll(async () => {
  await testLedger.close();
});

beforeEach(() => faults.clear());

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('claims', () => {
  it('end their lease when the caller says, not after the default', async () => {
    const leaseUntil = Date.now() + 42_000;
    const claim = await testLedger.ledger.claim(claimDetails({ leaseUntil }));
    expect(claim.kind).toBe('claimed');
    expect((await testLedger.ledger.get(claim.key))?.leaseUntil).toBe(leaseUntil);
  });

  it('are taken over at once when their process on this host is gone', async () => {
    const action = claimDetails();
    const crashed = await testLedger.ledger.claim({
      ...action,
      owner: { host: hostname(), pid: deadPid() },
    });
    expect(crashed.kind).toBe('claimed');
    const next = await testLedger.ledger.claim({ ...action, owner: currentOwner() });
    expect(next).toMatchObject({ kind: 'claimed', attempts: 2 });
    expect((await testLedger.ledger.get(next.key))?.owner).toEqual(currentOwner());
  });

  it('are left to their lease when their process runs, or runs on another host', async () => {
    const action = claimDetails();
    await testLedger.ledger.claim({ ...action, owner: { host: 'another-host', pid: deadPid() } });
    expect((await testLedger.ledger.claim(action)).kind).toBe('in-progress');
    const other = claimDetails();
    await testLedger.ledger.claim({ ...other, owner: { host: hostname(), pid: process.ppid } });
    expect((await testLedger.ledger.claim(other)).kind).toBe('in-progress');
  });

  it('whose response was lost are recognised by their token when sent again', async () => {
    const action = claimDetails();
    faults.add('claim', 'drop');
    const lost = await testLedger.ledger.claim(action).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(LedgerUnavailableError);
    const { key, token } = lost as LedgerUnavailableError;
    expect(token).toBeDefined();
    // The claim was written: releasing it with the token the failed call carried ends it.
    expect(await testLedger.ledger.get(key)).toMatchObject({
      status: 'claimed',
      claimToken: token,
    });
    await testLedger.ledger.release({ key, token: token ?? '' }, 'the claim timed out');
    const entry = await testLedger.ledger.get(key);
    expect(entry?.leaseUntil).toBeLessThan(Date.now());
    expect(entry?.error).toBe('the claim timed out');
    expect(await testLedger.ledger.claim(action)).toMatchObject({ kind: 'claimed', attempts: 2 });
  });

  it('that failed before reaching the ledger leave nothing, and releasing them changes nothing', async () => {
    const action = claimDetails();
    faults.add('claim', 'fail');
    const failed = (await testLedger.ledger
      .claim(action)
      .catch((e: unknown) => e)) as LedgerUnavailableError;
    expect(failed.message).toMatch(
      /^the ledger could not claim act_[0-9a-f]+: InternalServerError/,
    );
    await testLedger.ledger.release({ key: failed.key, token: failed.token ?? '' }, 'x');
    expect(await testLedger.ledger.get(failed.key)).toBeUndefined();
  });

  it('are completed once even when the completion is sent again after a lost response', async () => {
    const claim = await testLedger.ledger.claim(claimDetails());
    if (claim.kind !== 'claimed') throw new Error(`not claimed: ${claim.kind}`);
    faults.add('complete', 'drop');
    await expect(
      testLedger.ledger.complete(claim, { status: 'succeeded', detail: 'tagged' }),
    ).rejects.toBeInstanceOf(LedgerUnavailableError);
    const again = await testLedger.ledger.complete(claim, {
      status: 'succeeded',
      detail: 'tagged',
    });
    expect(again).toMatchObject({
      status: 'succeeded',
      detail: 'tagged',
      completionToken: claim.token,
    });
    expect(again.claimToken).toBeUndefined();
  });
});
