import { describe, expect, it } from 'vitest';
import { defaultJsonBounds, truncationMark } from '../../src/actions/bounded-json.js';
import { renderTemplate } from '../../src/actions/template.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { catalogAction, contextFor } from './support.js';

/** A RunInstances event whose record is what a hostile caller put in it, parsed from JSON. */
function eventWith(recordJson: string): StewardEvent {
  return {
    id: 'e-1',
    source: 'cloudtrail',
    name: 'RunInstances',
    time: '2026-11-20T10:00:00Z',
    resources: ['i-0a1b2c3d4e5f67890'],
    actor: { arn: 'arn:aws:iam::123456789012:user/alice', mfaUsed: false },
    raw: JSON.parse(recordJson) as unknown,
    delivery: 'eventbridge',
  };
}

const depth = 100_000;
const deepRecord = `{"requestParameters":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;

describe('templates read own properties only', () => {
  const event = eventWith('{"requestParameters":{"bucketName":"b"},"tags":["t"]}');

  it.each([
    '${record.constructor.constructor}',
    '${record.constructor}',
    '${record.__proto__}',
    '${record.toString}',
    '${record.hasOwnProperty}',
    '${record.tags.length}',
    '${record.tags.map}',
    '${record.requestParameters.bucketName.length}',
    '${actor.constructor.name}',
    '${resources.constructor}',
    '${constructor}',
    '${toString}',
  ])('renders %s empty', (template) => {
    expect(renderTemplate(`[${template}]`, event)).toBe('[]');
  });

  it('still reads data that is named like a prototype member', () => {
    const named = eventWith(
      '{"constructor":{"name":"data"},"__proto__":"own","tags":{"length":3}}',
    );
    expect(
      renderTemplate('${record.constructor.name} ${record.__proto__} ${record.tags.length}', named),
    ).toBe('data own 3');
  });

  it('reads list items by index', () => {
    expect(renderTemplate('${record.tags.0} ${resources.0}', event)).toBe('t i-0a1b2c3d4e5f67890');
  });
});

describe('templates meeting deep or huge values', () => {
  it('render a value nested 100,000 deep as JSON bounded in depth, instead of overflowing the stack', () => {
    const rendered = renderTemplate('${record.requestParameters}', eventWith(deepRecord));
    expect(rendered).toBe(
      `${'{"a":'.repeat(defaultJsonBounds.maxDepth)}{…}${'}'.repeat(defaultJsonBounds.maxDepth)}`,
    );
  });

  it('cut a huge value at the length bound, marked as truncated', () => {
    const huge = eventWith(
      JSON.stringify({ userAgent: 'u'.repeat(1_000_000), list: Array(100_000).fill('x') }),
    );
    const text = renderTemplate('${record.userAgent}', huge);
    const list = renderTemplate('${record.list}', huge);
    expect([text.length, list.length]).toEqual([
      defaultJsonBounds.maxLength,
      defaultJsonBounds.maxLength,
    ]);
    expect(text.endsWith(truncationMark) && list.endsWith(truncationMark)).toBe(true);
    expect(list.startsWith('["x","x",')).toBe(true);
  });

  const tagged = `${'{"a":'.repeat(defaultJsonBounds.maxDepth)}{…}`;
  it.each([
    ['ec2.create-tags', { tags: { 'steward:request': '${record.requestParameters}' } }, tagged],
    ['ec2.create-snapshots', { description: 'for ${record.requestParameters}' }, tagged],
    // SNS subjects are cut to 100 characters, before the depth bound shows.
    [
      'notify.sns',
      { topicArn: 'arn:aws:sns:us-east-1:123456789012:t', subject: '${record.requestParameters}' },
      `"${'{"a":'.repeat(19)}{"...`,
    ],
  ])('let %s describe its action on a 100,000-deep record', (name, params, rendered) => {
    const described = catalogAction(name).describe(
      contextFor(eventWith(deepRecord), 'i-0a1b2c3d4e5f67890', params),
    );
    expect(described).toContain(rendered);
  });
});
