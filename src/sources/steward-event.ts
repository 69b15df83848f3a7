/**
 * The one normalized event shape every source decodes into. Everything downstream of
 * `src/sources/` (rule selection, evaluation, actions, the ledger) reads only this.
 *
 * @example
 * const { events, errors } = decodeDocument(JSON.parse(text), 'events/ec2-running.json');
 * for (const event of events) console.log(event.id, event.source, event.name);
 */
export type EventSource = 'ec2-state' | 'cloudtrail' | 'cloudwatch-logs' | 'eventbridge' | 'sweep';

/**
 * How an event reached steward; the same CloudTrail record can arrive by several paths. A
 * sweep's events come from `describe` calls steward made itself.
 */
export type DeliveryPath = 'eventbridge' | 's3' | 'cloudwatch-logs' | 'direct' | 'sweep';

/** Who made a CloudTrail call. */
export interface Actor {
  /** Principal ARN; absent for AWS service principals. */
  arn?: string;
  /** `userIdentity.type`: Root, IAMUser, AssumedRole, FederatedUser, AWSService, ... */
  type?: string;
  principalId?: string;
  accountId?: string;
  userName?: string;
  /** The AWS service that made the call on the principal's behalf. */
  invokedBy?: string;
  sourceIp?: string;
  userAgent?: string;
  /** True when the call or the console sign-in used MFA. */
  mfaUsed: boolean;
}

/**
 * The string fields of a CloudTrail record's `requestParameters` that actions and facts act on,
 * decoded once by the source: a trail's `name` (or ARN), a security group's `groupId` or
 * `groupName` (and `vpcId`), a log group's `logGroupName`.
 */
export interface RequestFields {
  name?: string;
  groupId?: string;
  groupName?: string;
  vpcId?: string;
  logGroupName?: string;
}

/** The names of `RequestFields`, in the order a decoder reads them. */
export const requestFieldNames = ['name', 'groupId', 'groupName', 'vpcId', 'logGroupName'] as const;

/** Which sweep made an event, and for which period. */
export interface SweepOrigin {
  /** The id of the rule whose schedule trigger swept. */
  rule: string;
  /** ISO 8601 start of the period the event belongs to: the same for every sweep within it. */
  periodStart: string;
}

export interface StewardEvent {
  /**
   * Stable across redeliveries: EventBridge `id` for EC2 state changes, CloudTrail `eventID`,
   * log-event `id`; for a CloudTrail record without `eventID`, `sha256:` and its content's digest;
   * for an AWS finding, the finding's id and update time (an updated finding is a new event);
   * for a sweep, the rule, account, region, resource and period.
   */
  id: string;
  /** True when the record carried no id and `id` is derived from its content. */
  idDerived?: true;
  source: EventSource;
  /**
   * The EC2 state, the CloudTrail `eventName`, the log group, the EventBridge `detail-type`, or
   * the kind of resource a sweep found (`ec2-instances`).
   */
  name: string;
  /** ISO 8601. */
  time: string;
  account?: string;
  region?: string;
  /** Identifiers as the AWS APIs take them: instance ids, security-group ids, bucket names, log-group names, ARNs. */
  resources: string[];
  /**
   * CloudTrail `eventSource`, e.g. `ec2.amazonaws.com`; an EventBridge event's `source`, e.g.
   * `aws.guardduty`.
   */
  eventSource?: string;
  actor?: Actor;
  /** CloudTrail `errorCode`/`errorMessage` of a failed call. */
  error?: { code: string; message?: string };
  /** CloudTrail: the request fields actions and facts read; absent when the record has none. */
  request?: RequestFields;
  /**
   * The record as AWS sent it: the CloudTrail record, the EventBridge envelope, or the log
   * event; for a sweep, the resource as the describe call returned it.
   */
  raw: unknown;
  delivery: DeliveryPath;
  /** For a sweep's event: the rule that swept and the period. */
  sweep?: SweepOrigin;
  /**
   * Lazy facts the source already knows, by fact name (a sweep's described instance as
   * `instance`): conditions read them without another AWS call.
   */
  facts?: Readonly<Record<string, unknown>>;
}

/** The names of an event's fields, `raw` aside: what a condition on the `event` fact may read. */
const eventFieldNames: ReadonlySet<string> = new Set([
  'id',
  'idDerived',
  'source',
  'name',
  'time',
  'account',
  'region',
  'resources',
  'eventSource',
  'actor',
  'error',
  'request',
  'delivery',
  'sweep',
] satisfies readonly Exclude<keyof StewardEvent, 'raw' | 'facts'>[]);

/**
 * The event's field `name`, read as the event gives it (derived fields included), or an own
 * member of that name; undefined for anything else (`constructor`, `toJSON`) and for `raw` and
 * `facts`: what the `event` fact holds.
 *
 * @example
 * eventField(event, 'actor'); // { arn: 'arn:aws:iam::…:user/alice', mfaUsed: false, … }
 */
export function eventField(event: StewardEvent, name: string): unknown {
  if (eventFieldNames.has(name)) return event[name as keyof StewardEvent];
  return name !== 'raw' && name !== 'facts' && Object.hasOwn(event, name)
    ? (event as unknown as Record<string, unknown>)[name]
    : undefined;
}

/**
 * The event's fields as a plain object, derived fields included: what a spread of an event
 * would give if its derived fields were data, for the places that copy an event.
 *
 * @example
 * const { raw, ...view } = eventFields(event); // the `event` fact
 */
export function eventFields(event: StewardEvent): StewardEvent {
  const fields: StewardEvent = { ...event, resources: event.resources };
  if (event.actor !== undefined) fields.actor = event.actor;
  if (event.request !== undefined) fields.request = event.request;
  return fields;
}

/** A problem with one input or one record of it; the rest of the batch goes on. */
export interface SourceError {
  message: string;
  /** Where in the input: a file, an S3 object, a JSON path such as `Records[3]`. */
  where: string;
}

/** An S3 object that holds a CloudTrail log file, named by an S3 notification. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
}

export interface DecodedBatch {
  events: StewardEvent[];
  errors: SourceError[];
  /** CloudTrail log files still to be read (from an S3 notification or a CloudTrail SNS notification). */
  objects: S3ObjectRef[];
}
