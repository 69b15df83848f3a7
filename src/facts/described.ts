/**
 * The lazy facts' values from resources as the describe calls return them. The lazy facts
 * (`instance`, `securityGroup`, `logGroup`, `trail`) and a sweep's events both map what AWS
 * described through these, so a condition reads the same shape whichever way the resource was
 * found.
 */
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { GetTrailStatusResponse } from '@aws-sdk/client-cloudtrail';
import type { Instance, SecurityGroup } from '@aws-sdk/client-ec2';
import { tagMap } from './lazy-fact.js';

/**
 * An ISO 8601 time from what a describe call gives: a `Date` from the SDK, the same time as
 * text when the resource was read back from JSON (an event file), epoch milliseconds from
 * CloudWatch Logs.
 */
function isoTime(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return undefined;
}

/** The `instance` fact's shape. */
export interface InstanceFactValue {
  instanceId: string | undefined;
  state: string | undefined;
  instanceType: string | undefined;
  tags: Record<string, string>;
  metadataOptions: { httpTokens: string | undefined; httpEndpoint: string | undefined };
  launchTime: string | undefined;
  imageId: string | undefined;
  vpcId: string | undefined;
  subnetId: string | undefined;
  securityGroups: (string | undefined)[];
  publicIpAddress: string | undefined;
  iamInstanceProfile: string | undefined;
}

/**
 * The `instance` fact of an instance DescribeInstances returned.
 *
 * @example
 * const fact = instanceFactOf(page.Reservations[0].Instances[0]);
 * fact.tags.Owner; // 'alice'
 */
export function instanceFactOf(instance: Instance): InstanceFactValue {
  return {
    instanceId: instance.InstanceId,
    state: instance.State?.Name,
    instanceType: instance.InstanceType,
    tags: tagMap(instance.Tags),
    metadataOptions: {
      httpTokens: instance.MetadataOptions?.HttpTokens,
      httpEndpoint: instance.MetadataOptions?.HttpEndpoint,
    },
    launchTime: isoTime(instance.LaunchTime),
    imageId: instance.ImageId,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    securityGroups: (instance.SecurityGroups ?? []).map((group) => group.GroupId),
    publicIpAddress: instance.PublicIpAddress,
    iamInstanceProfile: instance.IamInstanceProfile?.Arn,
  };
}

/** One ingress permission of the `securityGroup` fact. */
export interface IngressFactValue {
  protocol: string | undefined;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidrs: (string | undefined)[];
  ipv6Cidrs: (string | undefined)[];
  groups: (string | undefined)[];
}

/** The `securityGroup` fact's shape. */
export interface SecurityGroupFactValue {
  groupId: string | undefined;
  groupName: string | undefined;
  vpcId: string | undefined;
  tags: Record<string, string>;
  ingress: IngressFactValue[];
}

/**
 * The `securityGroup` fact of a group DescribeSecurityGroups returned.
 *
 * @example
 * securityGroupFactOf(group).ingress[0]?.cidrs; // ['0.0.0.0/0']
 */
export function securityGroupFactOf(group: SecurityGroup): SecurityGroupFactValue {
  return {
    groupId: group.GroupId,
    groupName: group.GroupName,
    vpcId: group.VpcId,
    tags: tagMap(group.Tags),
    ingress: (group.IpPermissions ?? []).map((permission) => ({
      protocol: permission.IpProtocol,
      fromPort: permission.FromPort,
      toPort: permission.ToPort,
      cidrs: (permission.IpRanges ?? []).map((range) => range.CidrIp),
      ipv6Cidrs: (permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6),
      groups: (permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId),
    })),
  };
}

/** The `logGroup` fact's shape. */
export interface LogGroupFactValue {
  name: string | undefined;
  retentionInDays: number | undefined;
  kmsKeyId: string | undefined;
  storedBytes: number | undefined;
  creationTime: string | undefined;
}

/**
 * The `logGroup` fact of a group DescribeLogGroups returned.
 *
 * @example
 * logGroupFactOf(group).retentionInDays; // undefined: kept forever
 */
export function logGroupFactOf(group: LogGroup): LogGroupFactValue {
  return {
    name: group.logGroupName,
    retentionInDays: group.retentionInDays,
    kmsKeyId: group.kmsKeyId,
    storedBytes: group.storedBytes,
    creationTime: isoTime(group.creationTime),
  };
}

/** The `trail` fact's shape. */
export interface TrailFactValue {
  name: string;
  isLogging: boolean | undefined;
  latestDeliveryError: string | undefined;
  latestDeliveryTime: string | undefined;
  stopLoggingTime: string | undefined;
}

/**
 * The `trail` fact of a trail by the name it was asked by, from GetTrailStatus's answer.
 *
 * @example
 * trailFactOf('org-trail', await cloudTrail.send(new GetTrailStatusCommand({ Name: 'org-trail' })));
 */
export function trailFactOf(
  name: string,
  status: Omit<GetTrailStatusResponse, '$metadata'>,
): TrailFactValue {
  return {
    name,
    isLogging: status.IsLogging,
    latestDeliveryError: status.LatestDeliveryError,
    latestDeliveryTime: isoTime(status.LatestDeliveryTime),
    stopLoggingTime: isoTime(status.StopLoggingTime),
  };
}
