import { arrayAt, describeValue, isObject, stringAt, type JsonObject } from '../../json/fields.js';
import { addResult, emptyBatch, errorBatch } from '../batch.js';
import type { DecodedBatch, StewardEvent, SourceError } from '../steward-event.js';
import { findingEvent, requiredString, type AwsEnvelope } from './envelope.js';
import { apiResourceIds } from './resource-ids.js';

/** Security Hub's detail-types whose `detail.findings` holds findings in the ASFF. */
export const SECURITY_HUB_FINDING_TYPES: ReadonlySet<string> = new Set([
  'Security Hub Findings - Imported',
  'Security Hub Findings - Custom Action',
]);

/**
 * Decodes a Security Hub event holding findings (`Findings - Imported`, `Findings - Custom
 * Action`) into one event per finding. Each event's id is the finding's `Id` and `UpdatedAt`,
 * its resources the finding's `Resources[].Id` (an instance ARN as the instance id), its
 * account and region the finding's (`AwsAccountId`, `Region`: an aggregation region receives
 * the findings of other regions), and its record the envelope with `detail.findings` holding
 * that finding alone, so a trigger's `match` and the conditions see one finding. A malformed
 * finding is one error; the others still decode.
 *
 * @example
 * const { events, errors } = decodeSecurityHubFindings(envelope, 'lambda event');
 * events.map((event) => event.id); // one per finding
 */
export function decodeSecurityHubFindings(envelope: AwsEnvelope, where: string): DecodedBatch {
  const findings = arrayAt(envelope.detail, 'findings');
  if (findings === undefined) {
    const got = envelope.detail.findings;
    return errorBatch(
      got === undefined
        ? 'Security Hub event has no detail.findings'
        : `Security Hub event's detail.findings is ${describeValue(got)}, not an array`,
      where,
    );
  }
  const batch = emptyBatch();
  findings.forEach((finding, index) => {
    addResult(batch, findingOf(envelope, finding, `${where}: detail.findings[${index}]`));
  });
  return batch;
}

function findingOf(
  envelope: AwsEnvelope,
  finding: unknown,
  where: string,
): StewardEvent | SourceError {
  if (!isObject(finding)) {
    return { message: `Security Hub finding is ${describeValue(finding)}, not an object`, where };
  }
  const id = requiredString(finding, 'Id', 'Security Hub finding', 'Id', where);
  if (typeof id !== 'string') return id;
  const updatedAt = requiredString(
    finding,
    'UpdatedAt',
    'Security Hub finding',
    'UpdatedAt',
    where,
  );
  if (typeof updatedAt !== 'string') return updatedAt;
  const resources = (arrayAt(finding, 'Resources') ?? [])
    .map((resource) => (isObject(resource) ? stringAt(resource, 'Id') : undefined))
    .filter((value): value is string => value !== undefined);
  const account = stringAt(finding, 'AwsAccountId');
  const region = stringAt(finding, 'Region');
  const raw: JsonObject = { ...envelope.raw, detail: { ...envelope.detail, findings: [finding] } };
  return findingEvent(envelope, {
    id: `${id}@${updatedAt}`,
    resources: apiResourceIds(resources),
    raw,
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  });
}
