import { arrayAt, isObject, stringAt } from '../../json/fields.js';
import type { GroupRef } from './interfaces.js';

/** What an isolation did to one network interface: the groups it replaced, and with which. */
export interface IsolatedInterface {
  networkInterfaceId: string;
  vpcId: string;
  quarantineGroupId: string;
  previousGroups: GroupRef[];
}

/**
 * What `ec2.isolate-instance` keeps in its outcome's `data`, and the undo reads back from the
 * ledger: per network interface, the groups it had before.
 */
export interface IsolationRecord {
  networkInterfaces: IsolatedInterface[];
}

/**
 * The isolation record in an outcome's `data` as the ledger returns it, or the reason it is
 * not one: the ledger's data is read back as untyped JSON.
 *
 * @example
 * const record = isolationRecordOf(entry.data);
 * if ('problem' in record) console.error(record.problem);
 */
export function isolationRecordOf(data: unknown): IsolationRecord | { problem: string } {
  const interfaces = arrayAt(isObject(data) ? data : undefined, 'networkInterfaces');
  if (interfaces === undefined || interfaces.length === 0)
    return { problem: 'it records no network interface' };
  const parsed: IsolatedInterface[] = [];
  for (const [index, item] of interfaces.entries()) {
    const isolated = isolatedInterfaceOf(item);
    if (isolated === undefined)
      return { problem: `its networkInterfaces[${index}] is not an isolated network interface` };
    parsed.push(isolated);
  }
  return { networkInterfaces: parsed };
}

function isolatedInterfaceOf(item: unknown): IsolatedInterface | undefined {
  const object = isObject(item) ? item : undefined;
  const networkInterfaceId = stringAt(object, 'networkInterfaceId');
  const vpcId = stringAt(object, 'vpcId');
  const quarantineGroupId = stringAt(object, 'quarantineGroupId');
  const previous = arrayAt(object, 'previousGroups');
  if (!networkInterfaceId || !vpcId || !quarantineGroupId || !previous) return undefined;
  const previousGroups: GroupRef[] = [];
  for (const group of previous) {
    const groupObject = isObject(group) ? group : undefined;
    const groupId = stringAt(groupObject, 'groupId');
    if (groupId === undefined) return undefined;
    const groupName = stringAt(groupObject, 'groupName');
    previousGroups.push(groupName === undefined ? { groupId } : { groupId, groupName });
  }
  // EC2 gives every network interface at least one group: an empty list was not recorded by it.
  if (previousGroups.length === 0) return undefined;
  return { networkInterfaceId, vpcId, quarantineGroupId, previousGroups };
}
