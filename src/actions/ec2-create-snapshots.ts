import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { instanceOrigin } from './instance-state.js';
import { renderTemplate } from './template.js';

/** An instance has attached volumes to snapshot only in these states. */
const originStates = instanceOrigin(['running', 'stopping', 'stopped'], 'snapshot');

/** EC2's limit on a snapshot description. */
const descriptionLimit = 255;

/**
 * `ec2.create-snapshots`: snapshot every EBS volume of the instances of the event, boot volume
 * included, in one crash-consistent `CreateSnapshots` call. Each snapshot is tagged
 * `steward:rule` with the rule id; `copyTags` also copies each volume's tags. The description
 * may name event fields. Commonly the step before a destructive action.
 */
export const ec2CreateSnapshots = defineAction<
  { description?: string; copyTags?: boolean },
  Instance
>({
  name: 'ec2.create-snapshots',
  summary: 'Snapshot every EBS volume of EC2 instances.',
  example: [
    'actions:',
    '  - action: ec2.create-snapshots',
    '    params:',
    "      description: 'Before steward stopped it: ${name} by ${actor.arn}'",
    '      copyTags: true',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      description: {
        type: 'string',
        minLength: 1,
        maxLength: descriptionLimit,
        description: "the snapshots' description; may name event fields: ${name}",
      },
      copyTags: {
        type: 'boolean',
        default: false,
        description: "copy each volume's tags to its snapshot",
      },
    },
  },
  permissions: () => ['ec2:CreateSnapshots', 'ec2:CreateTags'],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource, params, event }) =>
    `snapshot every EBS volume of ${resource}` +
    (params.description === undefined ? '' : ` as "${renderTemplate(params.description, event)}"`),
  async execute({ resource, params, event, rule, clients, origin }) {
    const ec2 = await clients.ec2();
    if (!origin?.described?.BlockDeviceMappings?.some((mapping) => mapping.Ebs !== undefined)) {
      return { status: 'skipped', detail: `did not snapshot ${resource}: it has no EBS volume` };
    }
    const { CreateSnapshotsCommand } = await import('@aws-sdk/client-ec2');
    const created = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: resource, ExcludeBootVolume: false },
        ...(params.description === undefined
          ? {}
          : { Description: renderTemplate(params.description, event).slice(0, descriptionLimit) }),
        ...(params.copyTags === true ? { CopyTagsFromSource: 'volume' as const } : {}),
        TagSpecifications: [
          { ResourceType: 'snapshot', Tags: [{ Key: 'steward:rule', Value: rule.id }] },
        ],
      }),
    );
    const snapshots = (created.Snapshots ?? []).map((snapshot) => ({
      snapshotId: snapshot.SnapshotId,
      volumeId: snapshot.VolumeId,
    }));
    return {
      status: 'succeeded',
      detail: `snapshotted ${snapshots.length} EBS volume${snapshots.length === 1 ? '' : 's'} of ${resource}: ${snapshots
        .map(({ snapshotId, volumeId }) => `${snapshotId} of ${volumeId}`)
        .join(', ')}`,
      data: { snapshots },
    };
  },
});
