import { defineAction, instanceTargets } from './action.js';

/**
 * `ec2.delete-tags`: remove tags, by key, from the instances of the event. Keys the instance
 * does not carry are left out, and an instance that carries none of them is skipped, so the
 * detail names only what was removed. The removed values are kept with the outcome.
 */
export const ec2DeleteTags = defineAction<{ keys: string[] }>({
  name: 'ec2.delete-tags',
  summary: 'Remove tags, by key, from EC2 instances.',
  example: [
    'actions:',
    '  - action: ec2.delete-tags',
    '    params:',
    '      keys: [steward:approved, steward:exempt]',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['keys'],
    properties: {
      keys: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 128, not: { pattern: '^aws:' } },
        description: 'the tag keys to remove',
      },
    },
  },
  permissions: () => ['ec2:DescribeTags', 'ec2:DeleteTags'],
  destructive: false,
  targets: instanceTargets,
  describe: ({ resource, params }) => `remove tags ${params.keys.join(', ')} from ${resource}`,
  async execute({ resource, params, clients }) {
    const ec2 = await clients.ec2();
    const { DeleteTagsCommand, DescribeTagsCommand } = await import('@aws-sdk/client-ec2');
    const described = await ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-id', Values: [resource] },
          { Name: 'key', Values: params.keys },
        ],
      }),
    );
    const values = new Map((described.Tags ?? []).map((tag) => [tag.Key, tag.Value ?? '']));
    const present = params.keys.filter((key) => values.has(key));
    if (present.length === 0) {
      return {
        status: 'skipped',
        detail: `did not remove tags from ${resource}: it has none of ${params.keys.join(', ')}`,
      };
    }
    await ec2.send(
      new DeleteTagsCommand({ Resources: [resource], Tags: present.map((Key) => ({ Key })) }),
    );
    return {
      status: 'succeeded',
      detail: `removed tags ${present.join(', ')} from ${resource}`,
      data: { removed: Object.fromEntries(present.map((key) => [key, values.get(key)])) },
    };
  },
});
