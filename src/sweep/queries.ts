/**
 * What a schedule trigger sweeps: for each kind of resource, the paginated describe call that
 * lists them in one account and region, with the API's own server-side filters, and each
 * resource's lazy fact mapped from what was described (no second call per resource).
 */
import type { AwsClients } from '../aws-clients.js';
import { messageOf, StewardError } from '../errors.js';
import {
  instanceFactOf,
  logGroupFactOf,
  securityGroupFactOf,
  trailFactOf,
} from '../facts/described.js';
import { describeValue, isObject } from '../json/fields.js';
import { withRetries, type RetryOptions } from '../retry.js';
import type { SweepResourceKind } from '../rules/rule.js';
import { sweepFilterNames } from './filters.js';

/** One resource a sweep found. */
export interface SweptResource {
  /** Its id as actions take it: an instance or group id, a log group or trail name. */
  resource: string;
  /**
   * The resource as the describe call returned it, as JSON holds it (times as ISO 8601 text;
   * a trail with its status as `TrailStatus`).
   */
  described: unknown;
  /** The value of the query's lazy fact for this resource. */
  fact: unknown;
}

/** What a listing may be told beyond its filters. */
export interface ListOptions {
  /** Called before each AWS call the listing makes (each try), with the API operation's name. */
  onCall?: (operation: string) => void;
  /**
   * Resources asked per page, where the API takes a page size (tests make pages small); by
   * default the API's largest (EC2 1,000, CloudWatch Logs 50).
   */
  pageSize?: number;
  /**
   * How a call AWS throttles or fails is retried (`withRetries`); by default up to 8 tries
   * within a minute of the call.
   */
  retries?: Partial<RetryOptions>;
}

/**
 * How one kind of resource is swept.
 *
 * @example
 * const query = resourceQueries.get('ec2-instances');
 * for await (const found of query.list(clients, { 'instance-state-name': ['running'] }))
 *   console.log(found.resource);
 */
export interface ResourceQuery {
  kind: SweepResourceKind;
  /** The lazy fact a found resource fills: `instance`, `securityGroup`, `logGroup`, `trail`. */
  fact: string;
  /** The IAM permissions of the calls `list` makes. */
  permissions: readonly string[];
  /** The filter names `list` takes; a trigger naming any other is refused. */
  filterNames: 'any' | readonly string[];
  /**
   * The resource and its fact from a resource as described: as `list` found it, or read back
   * from JSON (a sweep event in a file). Throws `DescribedResourceError` for anything else.
   */
  found(described: unknown): SweptResource;
  /**
   * Every resource of the kind in the clients' account and region, page by page as AWS gives
   * them. An AWS error rejects the iteration.
   */
  list(
    clients: AwsClients,
    filters?: Record<string, string[]>,
    options?: ListOptions,
  ): AsyncIterable<SweptResource>;
}

/**
 * A value that is not a resource of the kind as its describe call returns it.
 *
 * @example
 * resourceQueries.get('ec2-instances')?.found({}); // throws: no InstanceId
 */
export class DescribedResourceError extends StewardError {
  constructor(kind: SweepResourceKind, problem: string) {
    super(`not one of ${kind} as described: ${problem}`);
    this.name = 'DescribedResourceError';
  }
}

/**
 * A described resource as JSON holds it, times as ISO 8601 text where the SDK gives `Date`s:
 * the `record` a condition reads is then the same whether a sweep described the resource or a
 * file (a rule test, `steward run`) holds it.
 */
function asJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(asJson);
  if (isObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = asJson(field);
    return copy;
  }
  return value;
}

/** The described resource's id field, checked to be a non-empty string. */
function idOf(kind: SweepResourceKind, described: unknown, field: string): string {
  if (!isObject(described))
    throw new DescribedResourceError(kind, `got ${describeValue(described)}`);
  const id = described[field];
  if (typeof id !== 'string' || id === '')
    throw new DescribedResourceError(kind, `${field} is not a non-empty string`);
  return id;
}

/**
 * The fact mapped from a described resource read back from JSON, where any field may hold
 * anything: a mapping that fails on it says so as this kind's error.
 */
function factOf<Described, Fact>(
  kind: SweepResourceKind,
  described: unknown,
  map: (resource: Described) => Fact,
): Fact {
  try {
    return map(described as Described);
  } catch (error) {
    throw new DescribedResourceError(kind, messageOf(error));
  }
}

/**
 * The largest pages the APIs give. Asked for explicitly: without `MaxResults`, EC2 answers
 * with every instance at once, and a page's memory would grow with the account.
 */
const ec2PageSize = 1000;
const logsPageSize = 50;

/** EC2's `Filters` from a trigger's filters. */
function ec2Filters(filters: Record<string, string[]> | undefined) {
  const entries = Object.entries(filters ?? {});
  return entries.length === 0
    ? {}
    : { Filters: entries.map(([Name, Values]) => ({ Name, Values })) };
}

const ec2Instances: ResourceQuery = {
  kind: 'ec2-instances',
  fact: 'instance',
  permissions: ['ec2:DescribeInstances'],
  filterNames: sweepFilterNames['ec2-instances'],
  async *list(clients, filters, options = {}) {
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await clients.ec2();
    const pages = paged('DescribeInstances', options, (NextToken) =>
      ec2.send(
        new DescribeInstancesCommand({
          ...ec2Filters(filters),
          MaxResults: options.pageSize ?? ec2PageSize,
          ...(NextToken === undefined ? {} : { NextToken }),
        }),
      ),
    );
    for await (const page of pages)
      for (const reservation of page.Reservations ?? [])
        for (const instance of reservation.Instances ?? [])
          yield ec2Instances.found(asJson(instance));
  },
  found(described) {
    const resource = idOf('ec2-instances', described, 'InstanceId');
    return { resource, described, fact: factOf('ec2-instances', described, instanceFactOf) };
  },
};

const securityGroups: ResourceQuery = {
  kind: 'security-groups',
  fact: 'securityGroup',
  permissions: ['ec2:DescribeSecurityGroups'],
  filterNames: sweepFilterNames['security-groups'],
  async *list(clients, filters, options = {}) {
    const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await clients.ec2();
    const pages = paged('DescribeSecurityGroups', options, (NextToken) =>
      ec2.send(
        new DescribeSecurityGroupsCommand({
          ...ec2Filters(filters),
          MaxResults: options.pageSize ?? ec2PageSize,
          ...(NextToken === undefined ? {} : { NextToken }),
        }),
      ),
    );
    for await (const page of pages)
      for (const group of page.SecurityGroups ?? []) yield securityGroups.found(asJson(group));
  },
  found(described) {
    const resource = idOf('security-groups', described, 'GroupId');
    const fact = factOf('security-groups', described, securityGroupFactOf);
    return { resource, described, fact };
  },
};

const logGroups: ResourceQuery = {
  kind: 'log-groups',
  fact: 'logGroup',
  permissions: ['logs:DescribeLogGroups'],
  filterNames: sweepFilterNames['log-groups'],
  async *list(clients, filters, options = {}) {
    const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = await clients.logs();
    const prefix = filters?.logGroupNamePrefix?.[0];
    const pages = paged('DescribeLogGroups', options, (nextToken) =>
      logs.send(
        new DescribeLogGroupsCommand({
          ...(prefix === undefined ? {} : { logGroupNamePrefix: prefix }),
          limit: options.pageSize ?? logsPageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
    for await (const page of pages)
      for (const group of page.logGroups ?? []) yield logGroups.found(asJson(group));
  },
  found(described) {
    const resource = idOf('log-groups', described, 'logGroupName');
    return { resource, described, fact: factOf('log-groups', described, logGroupFactOf) };
  },
};

/**
 * Trails whose home is this region (a multi-region trail is swept once, where it was made),
 * each with its status: the `trail` fact is mostly whether it logs, which only GetTrailStatus
 * says, so a trail costs one call more than the listing.
 */
const trails: ResourceQuery = {
  kind: 'trails',
  fact: 'trail',
  permissions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus'],
  filterNames: sweepFilterNames.trails,
  async *list(clients, _filters, options = {}) {
    const { DescribeTrailsCommand, GetTrailStatusCommand } =
      await import('@aws-sdk/client-cloudtrail');
    const cloudTrail = await clients.cloudTrail();
    const { trailList } = await call('DescribeTrails', options, () =>
      cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: false })),
    );
    for (const trail of trailList ?? []) {
      const name = idOf('trails', trail, 'Name');
      const status: Record<string, unknown> = {
        ...(await call('GetTrailStatus', options, () =>
          cloudTrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? name })),
        )),
      };
      // The SDK's response metadata is no part of the trail's status.
      delete status.$metadata;
      yield trails.found(asJson({ ...trail, TrailStatus: status }));
    }
  },
  found(described) {
    const resource = idOf('trails', described, 'Name');
    const status = (described as { TrailStatus?: unknown }).TrailStatus;
    if (!isObject(status))
      throw new DescribedResourceError('trails', 'TrailStatus is not an object');
    const fact = factOf('trails', status, (known: object) => trailFactOf(resource, known));
    return { resource, described, fact };
  },
};

/** How long a listing's call may be retried when the caller set no deadline. */
const defaultRetryWindowMs = 60_000;

/** One AWS call of a listing, counted at each try and retried as actions' calls are. */
async function call<T>(
  operation: string,
  options: ListOptions,
  send: () => Promise<T>,
): Promise<T> {
  const { value } = await withRetries(
    () => {
      options.onCall?.(operation);
      return send();
    },
    { deadline: Date.now() + defaultRetryWindowMs, ...options.retries },
  );
  return value;
}

/** The pages of a paginated call, each asked for once the last was read. */
async function* paged<Page extends { NextToken?: string } | { nextToken?: string }>(
  operation: string,
  options: ListOptions,
  send: (token: string | undefined) => Promise<Page>,
): AsyncIterable<Page> {
  let token: string | undefined;
  do {
    const page: Page = await call(operation, options, () => send(token));
    yield page;
    token = 'NextToken' in page ? page.NextToken : 'nextToken' in page ? page.nextToken : undefined;
  } while (token !== undefined && token !== '');
}

/**
 * The query of each kind a schedule trigger may sweep.
 *
 * @example
 * resourceQueries.get('log-groups')?.permissions; // ['logs:DescribeLogGroups']
 */
export const resourceQueries: ReadonlyMap<SweepResourceKind, ResourceQuery> = new Map(
  [ec2Instances, securityGroups, logGroups, trails].map((query) => [query.kind, query]),
);
