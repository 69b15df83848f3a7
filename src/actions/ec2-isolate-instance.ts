import type { Instance } from '@aws-sdk/client-ec2';
import { messageOf } from '../errors.js';
import { defineAction, instanceTargets } from './action.js';
import { instanceOrigin } from './instance-state.js';
import { groupList, instanceInterfaces, type InstanceInterface } from './isolation/interfaces.js';
import { IsolationError } from './isolation/isolation-error.js';
import type { IsolatedInterface, IsolationRecord } from './isolation/isolation-record.js';
import { quarantineGroupOf } from './isolation/quarantine-group.js';

/** A network interface's groups can be changed while the instance exists and is not ending. */
const originStates = instanceOrigin(['pending', 'running', 'stopping', 'stopped'], 'isolate');

/** The quarantine group's name when a rule names none: one group of that name per VPC. */
export const defaultQuarantineGroupName = 'steward-quarantine';

/** Whether an interface has the quarantine group and nothing else. */
function inQuarantine(networkInterface: InstanceInterface, groupName: string): boolean {
  return (
    networkInterface.groups.length === 1 && networkInterface.groups[0]?.groupName === groupName
  );
}

/**
 * `ec2.isolate-instance`: cut the instances of the event off the network by giving every one
 * of their network interfaces a quarantine security group instead of its own groups. The
 * group (`groupName`, default `steward-quarantine`) is one per VPC: found by name there, or
 * created with no rule in or out and tagged `steward:purpose`. The groups each interface had
 * are kept in the outcome, so the ledger records them and
 * `ec2.restore-instance-security-groups` can put them back. An instance whose interfaces
 * already have only the quarantine group is skipped, and the groups recorded earlier stay.
 */
export const ec2IsolateInstance = defineAction<{ groupName?: string }, Instance>({
  name: 'ec2.isolate-instance',
  summary: 'Move EC2 instances into a quarantine security group, recording their groups.',
  example: [
    'actions:',
    '  - action: ec2.create-snapshots',
    '  - action: ec2.isolate-instance',
    '    params: { groupName: steward-quarantine }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      groupName: {
        type: 'string',
        // EC2's rule for VPC group names: no `sg-` prefix, and these characters only.
        pattern: '^(?!sg-)[A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*-]{1,255}$',
        default: defaultQuarantineGroupName,
        description: "the quarantine group's name, one group of that name per VPC",
      },
    },
  },
  permissions: () => [
    'ec2:DescribeSecurityGroups',
    'ec2:CreateSecurityGroup',
    'ec2:CreateTags',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:ModifyNetworkInterfaceAttribute',
  ],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource, params }) =>
    `move every network interface of ${resource} to the quarantine security group ${params.groupName ?? defaultQuarantineGroupName}, recording its groups`,
  async execute({ resource, params, rule, clients, origin }) {
    const groupName = params.groupName ?? defaultQuarantineGroupName;
    const interfaces = instanceInterfaces(origin?.described);
    if (interfaces.length === 0)
      return {
        status: 'skipped',
        detail: `did not isolate ${resource}: it has no network interface in a VPC`,
      };
    const toIsolate = interfaces.filter((found) => !inQuarantine(found, groupName));
    if (toIsolate.length === 0)
      return {
        status: 'skipped',
        detail: `did not isolate ${resource}: it is already isolated (its network interfaces have only ${groupName}); the groups recorded when it was isolated stay`,
      };
    const ec2 = await clients.ec2();
    const quarantineGroups = new Map<string, string>();
    const { ModifyNetworkInterfaceAttributeCommand } = await import('@aws-sdk/client-ec2');
    const isolated: IsolatedInterface[] = [];
    // One interface after another: a failure leaves as few interfaces changed as it can.
    for (const networkInterface of toIsolate) {
      const { vpcId } = networkInterface;
      try {
        const quarantineGroupId =
          quarantineGroups.get(vpcId) ?? (await quarantineGroupOf(ec2, vpcId, groupName, rule.id));
        quarantineGroups.set(vpcId, quarantineGroupId);
        await ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: networkInterface.networkInterfaceId,
            Groups: [quarantineGroupId],
          }),
        );
        isolated.push({
          networkInterfaceId: networkInterface.networkInterfaceId,
          vpcId: networkInterface.vpcId,
          quarantineGroupId,
          previousGroups: networkInterface.groups,
        });
      } catch (error) {
        // A failed action records no groups: what was moved goes back now, or its groups would
        // be lost to the undo, and a retry would take the quarantine group for them.
        const putBack = await Promise.all(
          isolated.map(async ({ networkInterfaceId, previousGroups }) => {
            const was = `${networkInterfaceId} was given back its groups ${groupList(previousGroups)}`;
            try {
              await ec2.send(
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: networkInterfaceId,
                  Groups: previousGroups.map(({ groupId }) => groupId),
                }),
              );
              return was;
            } catch (undoError) {
              return `${networkInterfaceId} is left in quarantine and could not be given back its groups ${groupList(previousGroups)}: ${messageOf(undoError)}`;
            }
          }),
        );
        throw new IsolationError(
          `isolating ${resource} failed at ${networkInterface.networkInterfaceId}: ${messageOf(error)}${putBack.map((said) => `; ${said}`).join('')}`,
          { cause: error },
        );
      }
    }
    const record: IsolationRecord = { networkInterfaces: isolated };
    return {
      status: 'succeeded',
      detail: `isolated ${resource} in ${groupName}: ${isolated
        .map(
          ({ networkInterfaceId, quarantineGroupId, previousGroups }) =>
            `${networkInterfaceId} now ${quarantineGroupId}, was ${groupList(previousGroups)}`,
        )
        .join('; ')}`,
      data: { ...record },
    };
  },
});
