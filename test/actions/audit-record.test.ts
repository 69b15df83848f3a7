import { describe, expect, it } from 'vitest';
import type { EarlierOutcome } from '../../src/actions/action.js';
import { catalogAction, contextFor, decodedEvent } from './support.js';

const action = catalogAction('audit.record');
const event = decodedEvent('events/cloudtrail-authorize-sg-ingress-world-ssh.json');
const group = 'sg-0123456789abcdef0';
const note = { note: 'Ingress opened to every address' };
const finding = `a high finding of test-rule on ${group} for cloudtrail AuthorizeSecurityGroupIngress: Ingress opened to every address`;
const revoke = 'ec2.revoke-security-group-ingress';

async function recorded(earlier: EarlierOutcome[]) {
  return action.execute(contextFor(event, group, note, earlier));
}

describe('audit.record', () => {
  it('records the note alone when the rule did nothing before it', async () => {
    const outcome = await recorded([]);
    expect(outcome.detail).toBe(`recorded ${finding}`);
    expect(outcome.data?.finding).not.toHaveProperty('actions');
  });

  it('says what the revoke did when it revoked', async () => {
    const outcome = await recorded([
      {
        action: revoke,
        resource: group,
        status: 'succeeded',
        detail: `revoked tcp 22 from 0.0.0.0/0 on ${group}`,
      },
    ]);
    expect(outcome.detail).toBe(
      `recorded ${finding}; ${revoke} on ${group}: revoked tcp 22 from 0.0.0.0/0 on ${group}`,
    );
    expect(outcome.data?.finding).toMatchObject({
      note: 'Ingress opened to every address',
      actions: [`${revoke} on ${group}: revoked tcp 22 from 0.0.0.0/0 on ${group}`],
    });
  });

  it('says the revoke was skipped, and why, instead of claiming it', async () => {
    const detail = `did not revoke anything on ${group}: tcp 22 from 0.0.0.0/0 is gone already`;
    const outcome = await recorded([
      { action: revoke, resource: group, status: 'skipped', detail },
    ]);
    expect(outcome.detail).toBe(`recorded ${finding}; ${revoke} on ${group}: skipped: ${detail}`);
    expect(outcome.detail).not.toContain('was revoked');
  });

  it('says the revoke failed, and with what', async () => {
    const detail = `${revoke} failed on ${group}: UnauthorizedOperation: not authorized`;
    const outcome = await recorded([{ action: revoke, resource: group, status: 'failed', detail }]);
    expect(outcome.data?.finding).toMatchObject({
      actions: [`${revoke} on ${group}: failed: ${detail}`],
    });
  });

  it('says a dry run only planned it, in its own plan too', () => {
    const planned = [
      {
        action: revoke,
        resource: group,
        status: 'planned',
        detail: `would revoke tcp 22 from 0.0.0.0/0 on ${group}`,
      },
    ];
    expect(action.describe(contextFor(event, group, note, planned))).toBe(
      `record ${finding}; ${revoke} on ${group}: planned: would revoke tcp 22 from 0.0.0.0/0 on ${group}`,
    );
  });

  it('reports a duplicate by what the ledger holds, and an unsettled action as unsettled', async () => {
    const outcome = await recorded([
      {
        action: revoke,
        resource: group,
        status: 'duplicate',
        stored: 'skipped',
        detail: 'did not revoke anything: the group web in the default VPC is gone already',
      },
      { action: 'notify.sns', resource: group, status: 'unknown' },
    ]);
    expect(outcome.data?.finding).toMatchObject({
      actions: [
        `${revoke} on ${group}: skipped: did not revoke anything: the group web in the default VPC is gone already`,
        `notify.sns on ${group}: outcome unknown: the next delivery takes it over`,
      ],
    });
  });
});
