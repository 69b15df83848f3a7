import { describe, expect, it } from 'vitest';
import { renderTemplate, unknownPlaceholders } from '../../src/actions/template.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';

const event: StewardEvent = {
  id: 'e-1',
  source: 'cloudtrail',
  name: 'RunInstances',
  time: '2026-11-20T10:00:00Z',
  account: '123456789012',
  resources: ['i-0a1b2c3d4e5f67890'],
  actor: { arn: 'arn:aws:iam::123456789012:user/alice', mfaUsed: false },
  raw: { awsRegion: 'us-east-1', requestParameters: { instanceType: 't3.micro' } },
  delivery: 'eventbridge',
};

describe('action parameter templates', () => {
  it('fill in event fields and record fields', () => {
    expect(renderTemplate('${actor.arn} in ${account}', event)).toBe(
      'arn:aws:iam::123456789012:user/alice in 123456789012',
    );
    expect(renderTemplate('${record.requestParameters.instanceType}', event)).toBe('t3.micro');
    expect(renderTemplate('no placeholders', event)).toBe('no placeholders');
  });

  it('render a missing value as empty and a list as JSON', () => {
    expect(renderTemplate('[${actor.userName}]', event)).toBe('[]');
    expect(renderTemplate('${resources}', event)).toBe('["i-0a1b2c3d4e5f67890"]');
  });

  it('name the placeholders that start with no event field', () => {
    expect(unknownPlaceholders('${actor.arn} ${user.name} ${account}')).toEqual(['user.name']);
  });
});
