import { tagMap } from '../facts/lazy-fact.js';
import { defineAction, instanceTargets } from './action.js';
import { renderTemplate } from './template.js';

/**
 * `ec2.create-tags`: tag the instances of the event. Tag values may name event fields, e.g.
 * `${actor.arn}`, so a rule can tag an instance with who launched it. After a try whose outcome
 * was unknown, an instance that carries the tags already is skipped rather than tagged again.
 */
export const ec2CreateTags = defineAction<{ tags: Record<string, string> }>({
  name: 'ec2.create-tags',
  summary: 'Add or overwrite tags on EC2 instances.',
  example: [
    'actions:',
    '  - action: ec2.create-tags',
    '    params:',
    "      tags: { 'steward:created-by': '${actor.arn}' }",
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['tags'],
    properties: {
      tags: {
        type: 'object',
        minProperties: 1,
        maxProperties: 50,
        propertyNames: { minLength: 1, maxLength: 128, not: { pattern: '^aws:' } },
        additionalProperties: { type: 'string', maxLength: 256 },
        description: 'tag keys and values; values may name event fields: ${actor.arn}',
      },
    },
  },
  // DescribeInstances: after a try whose outcome was unknown, the tags are read before writing
  // them again.
  permissions: () => ['ec2:CreateTags', 'ec2:DescribeInstances'],
  destructive: false,
  targets: instanceTargets,
  describe: ({ resource, params, event }) =>
    `tag ${resource} with ${Object.entries(params.tags)
      .map(([key, value]) => `${key}=${renderTemplate(value, event)}`)
      .join(', ')}`,
  async execute(context) {
    const { resource, params, event, clients } = context;
    const tags = Object.entries(params.tags).map(([Key, value]) => ({
      Key,
      Value: renderTemplate(value, event),
    }));
    const { CreateTagsCommand, DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await clients.ec2();
    if (context.retrying) {
      const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [resource] }));
      const current = tagMap(described.Reservations?.[0]?.Instances?.[0]?.Tags);
      if (tags.every((tag) => current[tag.Key] === tag.Value))
        return {
          status: 'skipped',
          detail: `did not tag ${resource}: it carries ${tags.map((tag) => `${tag.Key}=${tag.Value}`).join(', ')} already`,
        };
    }
    await ec2.send(new CreateTagsCommand({ Resources: [resource], Tags: tags }));
    return { status: 'succeeded', detail: this.describe(context).replace(/^tag/, 'tagged') };
  },
});
