import type { ActionDefinition } from './action.js';
import { auditRecord } from './audit-record.js';
import { ec2CreateTags } from './ec2-create-tags.js';
import { ec2StopInstances } from './ec2-stop-instances.js';

/**
 * Every action a rule may name, by the name it is named with. Adding an action is adding a
 * file to `src/actions/` and its entry here.
 */
export const actionCatalog: ReadonlyMap<string, ActionDefinition> = new Map(
  [auditRecord, ec2CreateTags, ec2StopInstances].map((action) => [action.name, action]),
);
