/**
 * Events from AWS services on EventBridge other than EC2 state changes and CloudTrail:
 * GuardDuty, Security Hub, Config and Health findings each by its own decoder, any other
 * `aws.*` event generically. All become StewardEvents of source `eventbridge`, named by their
 * detail-type, for the rules' `eventbridge` triggers.
 */
import type { JsonObject } from '../json/fields.js';
import { addResult, emptyBatch, errorBatch, isSourceError } from './batch.js';
import { isAwsSource } from './cloudtrail.js';
import {
  CONFIG_COMPLIANCE_CHANGE,
  CONFIG_ITEM_CHANGE,
  decodeConfigComplianceChange,
  decodeConfigItemChange,
} from './findings/config.js';
import { findingEvent, readAwsEnvelope, type AwsEnvelope } from './findings/envelope.js';
import { decodeGuardDutyFinding, GUARDDUTY_FINDING } from './findings/guardduty.js';
import { decodeHealthEvent, HEALTH_EVENT } from './findings/health.js';
import { decodeSecurityHubFindings, SECURITY_HUB_FINDING_TYPES } from './findings/security-hub.js';
import type { DecodedBatch, SourceError, StewardEvent } from './steward-event.js';

type Decoder = (envelope: AwsEnvelope, where: string) => DecodedBatch | StewardEvent | SourceError;

/** The decoders that know a source's detail-type; the generic one takes any other. */
const decoders: ReadonlyMap<string, ReadonlyMap<string, Decoder>> = new Map([
  ['aws.guardduty', new Map([[GUARDDUTY_FINDING, decodeGuardDutyFinding]])],
  [
    'aws.securityhub',
    new Map([...SECURITY_HUB_FINDING_TYPES].map((type) => [type, decodeSecurityHubFindings])),
  ],
  [
    'aws.config',
    new Map<string, Decoder>([
      [CONFIG_COMPLIANCE_CHANGE, decodeConfigComplianceChange],
      [CONFIG_ITEM_CHANGE, decodeConfigItemChange],
    ]),
  ],
  ['aws.health', new Map([[HEALTH_EVENT, decodeHealthEvent]])],
]);

/**
 * Decodes an EventBridge event from an AWS service (other than an EC2 state change or a
 * CloudTrail record) into StewardEvents: one per finding of a Security Hub event, one for any
 * other. Only an `aws.*` source is believed, since EventBridge refuses `PutEvents` of such
 * sources and AWS alone emits them; any other source is an error naming it. An event of an
 * `aws.*` source no decoder knows is decoded generically: its resources are the envelope's
 * `resources`, its id the envelope's `id`, which EventBridge keeps when it redelivers.
 *
 * @example
 * const { events, errors } = decodeAwsEvent(JSON.parse(text), 'events/guardduty-ec2-finding.json');
 * events[0].name; // 'GuardDuty Finding'
 */
export function decodeAwsEvent(value: JsonObject, where: string): DecodedBatch {
  const source = value.source;
  if (typeof source !== 'string' || !isAwsSource(source)) {
    const from = typeof source === 'string' ? `source ${JSON.stringify(source)}` : 'no source';
    const type = value['detail-type'];
    const named = typeof type === 'string' ? ` ${JSON.stringify(type)}` : '';
    return errorBatch(
      `EventBridge event${named} from ${from} is not believed: only AWS emits aws.* sources, anyone allowed to put events on a bus can emit others`,
      where,
    );
  }
  const envelope = readAwsEnvelope(value, where);
  if (isSourceError(envelope)) return errorBatch(envelope.message, envelope.where);
  const decode = decoders.get(envelope.source)?.get(envelope.detailType) ?? decodeGeneric;
  const decoded = decode(envelope, where);
  if ('events' in decoded) return decoded;
  const batch = emptyBatch();
  addResult(batch, decoded);
  return batch;
}

function decodeGeneric(envelope: AwsEnvelope): StewardEvent {
  return findingEvent(envelope, { id: envelope.id, resources: envelope.resources });
}
