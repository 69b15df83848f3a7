import type { ActionDefinition } from './action.js';
import { auditRecord } from './audit-record.js';
import { cloudtrailStartLogging } from './cloudtrail-start-logging.js';
import { ec2CreateSnapshots } from './ec2-create-snapshots.js';
import { ec2CreateTags } from './ec2-create-tags.js';
import { ec2DeleteTags } from './ec2-delete-tags.js';
import { ec2IsolateInstance } from './ec2-isolate-instance.js';
import { ec2ModifyInstanceMetadataOptions } from './ec2-modify-instance-metadata-options.js';
import { ec2RestoreInstanceSecurityGroups } from './ec2-restore-instance-security-groups.js';
import { ec2RevokeSecurityGroupIngress } from './ec2-revoke-security-group-ingress.js';
import { ec2StartInstances } from './ec2-start-instances.js';
import { ec2StopInstances } from './ec2-stop-instances.js';
import { ec2TerminateInstances } from './ec2-terminate-instances.js';
import { eventsEmit } from './events-emit.js';
import { logsPutRetentionPolicy } from './logs-put-retention-policy.js';
import { notifySns } from './notify-sns.js';

/**
 * Every action a rule may name, by the name it is named with. Adding an action is adding a
 * file to `src/actions/` and its entry here.
 */
export const actionCatalog: ReadonlyMap<string, ActionDefinition> = new Map(
  [
    auditRecord,
    cloudtrailStartLogging,
    ec2CreateSnapshots,
    ec2CreateTags,
    ec2DeleteTags,
    ec2IsolateInstance,
    ec2ModifyInstanceMetadataOptions,
    ec2RestoreInstanceSecurityGroups,
    ec2RevokeSecurityGroupIngress,
    ec2StartInstances,
    ec2StopInstances,
    ec2TerminateInstances,
    eventsEmit,
    logsPutRetentionPolicy,
    notifySns,
  ].map((action) => [action.name, action]),
);
