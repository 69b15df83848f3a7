import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../json/fields.js';
import {
  requestFieldNames,
  type Actor,
  type DeliveryPath,
  eventFields,
  type RequestFields,
  type StewardEvent,
} from './steward-event.js';

/** What a CloudTrail record's decoder checked and read before making its event. */
export interface CloudTrailBasics {
  id: string;
  idDerived: boolean;
  name: string;
  time: string;
  account: string | undefined;
  region: string | undefined;
  delivery: DeliveryPath;
}

/**
 * A CloudTrail record as a `StewardEvent`. What every event is looked up by (its name,
 * service, outcome, account and region) is read when it is made; what only the rules that
 * listen to it and their actions read (its resources, actor and request fields) is worked out
 * when first read and kept. Most records of a trail are calls no rule listens to, and decoding
 * their resources and actor would cost as much as parsing them.
 *
 * @example
 * const event = new CloudTrailEvent(record, { id: record.eventID, idDerived: false, … });
 * event.name; // read when made
 * event.resources; // worked out now, kept for the next read
 */
export class CloudTrailEvent implements StewardEvent {
  readonly source = 'cloudtrail';
  id: string;
  name: string;
  time: string;
  declare idDerived?: true;
  declare account?: string;
  declare region?: string;
  declare eventSource?: string;
  declare error?: { code: string; message?: string };
  delivery: DeliveryPath;
  #resources?: string[];
  #actor?: Actor;
  #request?: RequestFields | null;

  constructor(
    readonly raw: JsonObject,
    basics: CloudTrailBasics,
  ) {
    this.id = basics.id;
    this.name = basics.name;
    this.time = basics.time;
    if (basics.idDerived) this.idDerived = true;
    if (basics.account !== undefined) this.account = basics.account;
    if (basics.region !== undefined) this.region = basics.region;
    const eventSource = stringAt(raw, 'eventSource');
    if (eventSource !== undefined) this.eventSource = eventSource;
    const code = stringAt(raw, 'errorCode');
    if (code !== undefined) {
      const message = stringAt(raw, 'errorMessage');
      this.error = message === undefined ? { code } : { code, message };
    }
    this.delivery = basics.delivery;
  }

  get resources(): string[] {
    return (this.#resources ??= resourcesOf(this.raw, this.eventSource));
  }

  set resources(resources: string[]) {
    this.#resources = resources;
  }

  get actor(): Actor {
    return (this.#actor ??= actorOf(this.raw));
  }

  set actor(actor: Actor) {
    this.#actor = actor;
  }

  get request(): RequestFields | undefined {
    if (this.#request === undefined)
      this.#request = requestFieldsOf(objectAt(this.raw, 'requestParameters')) ?? null;
    return this.#request ?? undefined;
  }

  /** Every field as a plain object, the derived ones included, as `JSON.stringify` writes it. */
  toJSON(): StewardEvent {
    return eventFields(this);
  }
}

/** The request fields a record names as non-empty strings; undefined when it names none. */
function requestFieldsOf(parameters: JsonObject | undefined): RequestFields | undefined {
  let fields: RequestFields | undefined;
  for (const field of requestFieldNames) {
    const value = stringAt(parameters, field);
    if (value !== undefined) (fields ??= {})[field] = value;
  }
  return fields;
}

const ACTOR_FIELDS = ['arn', 'type', 'principalId', 'accountId', 'userName', 'invokedBy'] as const;

function actorOf(record: JsonObject): Actor {
  const identity = objectAt(record, 'userIdentity');
  const attributes = objectAt(objectAt(identity, 'sessionContext'), 'attributes');
  const mfaUsed =
    objectAt(record, 'additionalEventData')?.MFAUsed === 'Yes' ||
    attributes?.mfaAuthenticated === 'true';
  const actor: Actor = { mfaUsed };
  for (const field of ACTOR_FIELDS) {
    const value = stringAt(identity, field);
    if (value !== undefined) actor[field] = value;
  }
  const sourceIp = stringAt(record, 'sourceIPAddress');
  if (sourceIp !== undefined) actor.sourceIp = sourceIp;
  const userAgent = stringAt(record, 'userAgent');
  if (userAgent !== undefined) actor.userAgent = userAgent;
  return actor;
}

/** Adds a non-empty string to the resources; anything else is not an id. */
function addResource(resources: Set<string>, value: unknown): void {
  if (typeof value === 'string' && value !== '') resources.add(value);
}

/**
 * The ids rules act on, in the form the AWS APIs take them: the ARNs CloudTrail lists, then the
 * well-known ids in the request and response (RunInstances names its instances only in the
 * response).
 */
function resourcesOf(record: JsonObject, eventSource: string | undefined): string[] {
  // A Set keeps first-seen order and stays linear on a hostile record listing many resources.
  const resources = new Set<string>();
  for (const resource of arrayAt(record, 'resources') ?? []) {
    if (isObject(resource)) addResource(resources, resource.ARN);
  }
  const request = objectAt(record, 'requestParameters');
  const response = objectAt(record, 'responseElements');
  for (const holder of [request, response]) {
    for (const item of arrayAt(objectAt(holder, 'instancesSet'), 'items') ?? []) {
      if (isObject(item)) addResource(resources, item.instanceId);
    }
  }
  if (eventSource === 'ec2.amazonaws.com') {
    // CreateTags and DeleteTags name the resources they tag so.
    for (const item of arrayAt(objectAt(request, 'resourcesSet'), 'items') ?? []) {
      if (isObject(item)) addResource(resources, item.resourceId);
    }
  }
  addResource(resources, request?.instanceId);
  addResource(resources, request?.groupId);
  addResource(resources, request?.bucketName);
  addResource(resources, request?.logGroupName);
  if (eventSource === 'cloudtrail.amazonaws.com') addResource(resources, request?.name);
  if (eventSource === 'iam.amazonaws.com') {
    addResource(resources, request?.userName);
    addResource(resources, objectAt(response, 'user')?.userName);
  }
  if (eventSource === 'kms.amazonaws.com') addResource(resources, request?.keyId);
  // One resource, one entry: an ARN whose id is listed too (arn:aws:s3:::b beside b) would
  // make every action on it run twice.
  return [...resources].filter(
    (resource) => !(resource.startsWith('arn:') && resources.has(arnResourceId(resource))),
  );
}

/** The last part of an ARN's resource: `b` of `arn:aws:s3:::b`, `i-1` of `…:instance/i-1`. */
function arnResourceId(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':')) + 1);
}
