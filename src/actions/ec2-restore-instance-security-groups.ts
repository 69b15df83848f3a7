import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { ec2IsolateInstance } from './ec2-isolate-instance.js';
import { instanceOrigin } from './instance-state.js';
import { groupList, instanceInterfaces } from './isolation/interfaces.js';
import { isolationRecordOf, type IsolatedInterface } from './isolation/isolation-record.js';

/** The states an isolation acts from: its groups can be put back in the same ones. */
const originStates = instanceOrigin(
  ['pending', 'running', 'stopping', 'stopped'],
  'restore the security groups of',
  'restoring security groups',
);

/**
 * `ec2.restore-instance-security-groups`: undo `ec2.isolate-instance`. Reads from the ledger
 * the newest succeeded isolation of the instance (in the event's account and region) and puts
 * the groups it recorded back on each network interface that still has only the quarantine
 * group; an interface someone has changed since is left as it is. Skipped, saying why, when
 * the ledger holds no isolation of the instance or the instance is no longer in quarantine.
 */
export const ec2RestoreInstanceSecurityGroups = defineAction<Record<string, never>, Instance>({
  name: 'ec2.restore-instance-security-groups',
  summary:
    'Put back the security groups ec2.isolate-instance replaced, as the ledger recorded them.',
  example: [
    'triggers:',
    '  - source: cloudtrail',
    '    eventSource: ec2.amazonaws.com',
    '    events: [CreateTags]',
    'actions:',
    '  - action: ec2.restore-instance-security-groups',
  ].join('\n'),
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  permissions: () => ['ec2:ModifyNetworkInterfaceAttribute'],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource }) =>
    `put back the security groups the last ${ec2IsolateInstance.name} of ${resource} recorded in the ledger`,
  async execute({ resource, clients, history, origin }) {
    const isolation = await history.lastSucceeded(resource, ec2IsolateInstance.name);
    if (isolation === undefined)
      return {
        status: 'skipped',
        detail: `did not restore the security groups of ${resource}: the ledger holds no succeeded ${ec2IsolateInstance.name} of it`,
      };
    const by = `${ec2IsolateInstance.name} of rule ${isolation.ruleId} at ${isolation.at}`;
    const record = isolationRecordOf(isolation.data);
    if ('problem' in record)
      return {
        status: 'skipped',
        detail: `did not restore the security groups of ${resource}: the ${by} recorded no groups to put back (${record.problem})`,
      };
    const current = new Map(
      instanceInterfaces(origin?.described).map((found) => [found.networkInterfaceId, found]),
    );
    const restorable: IsolatedInterface[] = [];
    const left: string[] = [];
    for (const isolated of record.networkInterfaces) {
      const groups = current.get(isolated.networkInterfaceId)?.groups;
      if (groups?.length === 1 && groups[0]?.groupId === isolated.quarantineGroupId)
        restorable.push(isolated);
      else
        left.push(
          `${isolated.networkInterfaceId} (${groups === undefined ? 'no longer attached' : `has ${groupList(groups)}`})`,
        );
    }
    if (restorable.length === 0)
      return {
        status: 'skipped',
        detail: `did not restore the security groups of ${resource}: it is no longer in quarantine: ${left.join(', ')}`,
      };
    const ec2 = await clients.ec2();
    const { ModifyNetworkInterfaceAttributeCommand } = await import('@aws-sdk/client-ec2');
    for (const isolated of restorable) {
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: isolated.networkInterfaceId,
          Groups: isolated.previousGroups.map(({ groupId }) => groupId),
        }),
      );
    }
    return {
      status: 'succeeded',
      detail:
        `restored the security groups of ${resource} recorded by the ${by}: ` +
        restorable
          .map(
            ({ networkInterfaceId, previousGroups }) =>
              `${networkInterfaceId} to ${groupList(previousGroups)}`,
          )
          .join('; ') +
        (left.length === 0 ? '' : `; left as they are: ${left.join(', ')}`),
      data: {
        isolation: { eventId: isolation.eventId, ruleId: isolation.ruleId, at: isolation.at },
        restored: restorable.map(({ networkInterfaceId, previousGroups }) => ({
          networkInterfaceId,
          groups: previousGroups,
        })),
        ...(left.length === 0 ? {} : { left }),
      },
    };
  },
});
